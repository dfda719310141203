"""An evaluation run as figures: per data set and question language, as Markdown, JSON and a PNG chart.

Retrieval: hit@1, hit@5 and MRR@10 over distinct articles, share below the relevance floor, latency.
Answers: contains a gold answer (normalized), citation precision (cited passages containing a gold
answer), refusals, latency per stage. Unanswerable sets: refusing is correct, so their refusal rate
sits next to the false-refusal rate of the answerable sets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.eval.metrics import first_hit_rank, hit_at_k, mean, percentile, reciprocal_rank
from assistant.eval.run import EvalRun, QuestionResult
from core.errors import ConfigError

STAGES = ("retrieve", "first_token", "total")


@dataclass(frozen=True)
class Group:
    """The figures of one data set, for one question language or ``"all"``."""

    dataset: str
    lang: str
    n: int
    unanswerable: bool
    retrieval: dict[str, dict[str, float | None]]  # mode -> hit@1, hit@5, mrr@10, below_floor, p50_ms, p95_ms
    answers: dict[str, Any] | None  # None with retrieval only


def _p(values: Sequence[float]) -> dict[str, float | None]:
    return {"p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95)}


def _group(dataset: str, lang: str, results: Sequence[QuestionResult], modes: Sequence[str]) -> Group:
    scored = [r for r in results if r.item.gold_ids]
    searched = [r for r in results if r.ranked]
    retrieval = {}
    for mode in modes if searched else ():
        retrieval[mode] = {
            "scored": len(scored),
            "hit@1": mean(hit_at_k(r.ranked[mode], r.item.gold_ids, 1) for r in scored),
            "hit@5": mean(hit_at_k(r.ranked[mode], r.item.gold_ids, 5) for r in scored),
            "mrr@10": mean(reciprocal_rank(r.ranked[mode], r.item.gold_ids, 10) for r in scored),
            "below_floor": mean(float(not r.relevant[mode]) for r in searched),
            **_p([r.retrieve_ms[mode] for r in searched]),
        }
    answered = [r.answer for r in results if r.answer is not None]
    answers = None
    if answered:
        with_gold = [a for a in answered if a.contains_gold is not None]
        cited = sum(len(a.cited) for a in with_gold)
        given = [a for a in answered if not a.refused]
        answers = {
            "scored": len(with_gold),
            "contains_gold": mean(float(a.contains_gold) for a in with_gold),
            "citations": cited,
            "citation_precision": sum(a.cited_with_gold for a in with_gold) / cited if cited else None,
            "refused": mean(float(a.refused) for a in answered),
            "with_citation": mean(float(bool(a.cited)) for a in given),
            "with_unsupported": mean(float(bool(a.unsupported_facts)) for a in given),
            "in_language": mean(float(a.in_language) for a in answered if a.in_language is not None),
            "latency": {s: _p([a.timings_ms[s] for a in answered if s in a.timings_ms]) for s in STAGES},
        }
    return Group(dataset, lang, len(results), results[0].item.unanswerable, retrieval, answers)


def summarize(run: EvalRun) -> list[Group]:
    """One group per data set and question language, plus the data set as a whole when it mixes languages."""
    groups = []
    for dataset in dict.fromkeys(r.item.dataset for r in run.results):
        results = [r for r in run.results if r.item.dataset == dataset]
        langs = [lang for lang, _ in Counter(r.item.lang for r in results).most_common()]
        if len(langs) > 1:
            groups.append(_group(dataset, "all", results, run.modes))
        groups += [_group(dataset, lang, [r for r in results if r.item.lang == lang], run.modes) for lang in langs]
    return groups


# --- JSON -----------------------------------------------------------------------------------------


def _question_json(r: QuestionResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": r.item.id, "dataset": r.item.dataset, "lang": r.item.lang, "question": r.item.question,
        "earlier_turns": list(r.item.earlier_turns),
        "answers": list(r.item.answers), "unanswerable": r.item.unanswerable,
        "first_hit_rank": {m: first_hit_rank(ids, r.item.gold_ids) if r.item.gold_ids else None
                           for m, ids in r.ranked.items()},
        "ranked": {m: list(ids) for m, ids in r.ranked.items()}, "relevant": r.relevant,
        "retrieve_ms": {m: round(v, 1) for m, v in r.retrieve_ms.items()},
    }
    if r.answer is not None:
        a = r.answer
        out["answer"] = {"text": a.text, "refused": a.refused, "contains_gold": a.contains_gold,
                         "cited": list(a.cited), "cited_with_gold": a.cited_with_gold, "in_language": a.in_language,
                         "unsupported_facts": list(a.unsupported_facts), "removed": list(a.removed),
                         "standalone_question": a.standalone_question, "doubt": a.doubt,
                         "timings_ms": {k: round(v, 1) for k, v in a.timings_ms.items()}}
    return out


def to_json(run: EvalRun, groups: Sequence[Group]) -> dict[str, Any]:
    s = run.store
    return {
        "passages": run.passages, "modes": list(run.modes), "backend": run.backend,
        "model": next((r.answer.model for r in run.results if r.answer is not None), ""),
        "limit": run.limit, "seed": run.seed, "part": run.part,
        "store": {"folder": str(s.folder), "sha256": s.sha256, "reused": s.reused, "articles": s.articles,
                  "chunks": s.chunks, "failed": [{"item": i, "reason": why} for i, why in s.failed]},
        "settings": {"retrieval": s.settings.retrieval.model_dump(), "answer": s.settings.answer.model_dump(),
                     "chunking": s.settings.chunking.model_dump()},
        "summary": [asdict(g) for g in groups],
        "questions": [_question_json(r) for r in run.results],
    }


# --- Markdown -------------------------------------------------------------------------------------


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _ms(p: dict[str, float | None]) -> str:
    if p["p50_ms"] is None:
        return "–"
    return f"{p['p50_ms']:.0f} / {p['p95_ms']:.0f}"


def to_markdown(run: EvalRun, groups: Sequence[Group]) -> str:
    s = run.store
    lines = [f"Passages: {run.passages} ({s.articles} articles, {s.chunks} chunks"
             + (f", {len(s.failed)} rejected by ingest" if s.failed else "") + ")"
             + ("" if run.part == "all" else f"; questions: the {run.part!r} part of each set")]
    answerable = [g for g in groups if not g.unanswerable]
    if any(g.retrieval for g in answerable):
        lines += ["", "Retrieval (distinct articles; hit = any passage containing the answer, or the gold passage)", "",
                  "| set | lang | n | mode | hit@1 | hit@5 | MRR@10 | below floor | retrieve ms p50 / p95 |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for g in answerable:
            for mode, m in g.retrieval.items():
                if m["scored"] == 0:
                    continue
                lines.append(f"| {g.dataset} | {g.lang} | {m['scored']} | {mode} | {_rate(m['hit@1'])} | "
                             f"{_rate(m['hit@5'])} | {_rate(m['mrr@10'])} | {_rate(m['below_floor'])} | {_ms(m)} |")
    answered = [g for g in answerable if g.answers]
    if answered:
        lines += ["", f"Answers (backend {run.backend}; Warta's hybrid pipeline; latency ms p50 / p95; "
                  "'with citation' and 'unsupported' are shares of the answers that were not refusals; "
                  "'unsupported' = a name or number in none of the cited passages)", "",
                  "| set | lang | n | contains gold | refused | with citation | citation precision (citations) "
                  "| unsupported | in the question's language | retrieve | first token | total |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for g in answered:
            a = g.answers
            lat = a["latency"]
            lines.append(f"| {g.dataset} | {g.lang} | {g.n} | {_rate(a['contains_gold'])} | {_rate(a['refused'])} | "
                         f"{_rate(a['with_citation'])} | {_rate(a['citation_precision'])} ({a['citations']}) | "
                         f"{_rate(a['with_unsupported'])} | {_rate(a.get('in_language'))} | {_ms(lat['retrieve'])} | "
                         f"{_ms(lat['first_token'])} | {_ms(lat['total'])} |")
    if any(g.unanswerable for g in groups):
        floor_mode = "hybrid" if "hybrid" in run.modes else run.modes[0]
        lines += ["", f"Refusals (unanswerable: refusing is right; answerable: refusing is wrong; "
                  f"below floor = {floor_mode} retrieval found nothing relevant)", "",
                  "| set | lang | kind | n | refused | below floor |", "|---|---|---|---|---|---|"]
        for g in groups:
            kind = "unanswerable (correct refusals)" if g.unanswerable else "answerable (false refusals)"
            refused = _rate(g.answers["refused"]) if g.answers else "–"
            below = g.retrieval.get(floor_mode, {}).get("below_floor")
            lines.append(f"| {g.dataset} | {g.lang} | {kind} | {g.n} | {refused} | {_rate(below)} |")
    return "\n".join(lines) + "\n"


# --- chart ----------------------------------------------------------------------------------------


def plot(run: EvalRun, groups: Sequence[Group], path: Path) -> None:
    """A PNG: retrieval metrics per set and mode (left), answer metrics per set (right).

    Raises:
        ConfigError: matplotlib is not installed.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ConfigError("--plot needs matplotlib: `pip install matplotlib` (or the project's [dev] extra).") from None
    answerable = [g for g in groups if not g.unanswerable]
    answered = [g for g in groups if g.answers]
    fig, axes = plt.subplots(1, 2 if answered else 1, figsize=(13 if answered else 8, 4.8), squeeze=False)
    ax = axes[0][0]
    labels = [f"{g.dataset}\n{g.lang} · {mode}" for g in answerable for mode in g.retrieval]
    for i, metric in enumerate(("hit@1", "hit@5", "mrr@10")):
        values = [m[metric] or 0.0 for g in answerable for m in g.retrieval.values()]
        ax.bar([x + (i - 1) * 0.27 for x in range(len(values))], values, width=0.27, label=metric)
    ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=30, ha="right")
    ax.set_ylim(0, 1.2)
    ax.set_title("Retrieval")
    ax.legend(fontsize=8, loc="upper center", ncol=3)
    if answered:
        ax = axes[0][1]
        labels = [f"{g.dataset}\n{g.lang}" for g in answered]
        metrics = (("contains_gold", "contains gold"), ("citation_precision", "citation precision"),
                   ("refused", "refused (right if unanswerable)"))
        for i, (key, name) in enumerate(metrics):
            ax.bar([x + (i - 1) * 0.27 for x in range(len(answered))], [g.answers[key] or 0.0 for g in answered],
                   width=0.27, label=name)
        ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=30, ha="right")
        ax.set_ylim(0, 1.2)
        ax.set_title(f"Answers ({run.backend})")
        ax.legend(fontsize=8, loc="upper center", ncol=3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
