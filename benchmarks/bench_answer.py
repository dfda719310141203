"""Answer latency with the local backend (Qwen2.5-Coder-1.5B Q4_K_M on llama.cpp via xllamacpp).

1. The 3 seed questions at the default settings, over ``examples/`` plus ``--news`` articles of news_id.jsonl:
   retrieval, first-token and total latency as ``Assistant.ask`` reports them (``Answer.timings_ms``,
   measured from the question, models already loaded), plus prompt/answer tokens from the server's usage.
2. A curve over context budgets (``answer.context_tokens``): first-token latency vs "answer contains a
   gold answer" (``assistant.metrics.contains_gold``: case, punctuation, whitespace and number formats
   normalized, so "14,3" matches "14.3") on FacQA questions whose passages, plus random distractor
   passages, are ingested into a temp data dir. Questions and budgets are interleaved so consecutive
   requests are different questions and every budget sees the same background load.

llama.cpp keeps the previous prompt's KV in its one slot (a shared system-prompt prefix is reused: that
is real use) and a 512 MiB host-RAM cache of earlier prompts. Asking the same question again at another
budget on the same server would restore most of its earlier prompt and hide the reading cost, so each
budget gets its own server (default configuration, started through ``Assistant.backend()``); requests
still run one at a time. The seed questions run first, each once, on one more default server.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import common

SEED_QUESTIONS = ("why did OpenAI drop Scale AI?", "Berapa nilai investasi Meta di Scale AI?",
                  "Who won the 2022 World Cup?")
BUDGETS = (200, 300, 400, 600, 1000)


class UsageLLM:
    """Wraps the chat model the assistant streams from, keeping the server's token usage of the last call."""

    def __init__(self, llm) -> None:
        self.llm, self.usage = llm, {}

    def stream(self, messages, **kwargs):
        self.usage = {}
        for chunk in self.llm.stream(messages, **kwargs):
            if getattr(chunk, "usage_metadata", None):
                self.usage = dict(chunk.usage_metadata)
            yield chunk

    def __getattr__(self, name: str):
        return getattr(self.llm, name)


def start_backend(assistant) -> UsageLLM:
    """Start the local model (not timed) as ``warta serve`` does: ``Assistant.warm_up`` loads the models and
    reads both system prompts into llama.cpp's prompt cache."""
    assistant.warm_up()
    backend = assistant.backend()
    backend.llm = UsageLLM(backend.llm)
    return backend.llm


def ingest(settings, embedder, sources: list[str]) -> str:
    from ingest.ingestor import Ingestor

    ingestor = Ingestor(settings, embedder=embedder)
    report = ingestor.ingest(sources)
    ingestor.index.close()
    return report.summary()


def ask(assistant, llm: UsageLLM, question: str, answers=()) -> dict:
    from assistant.eval.metrics import contains_gold

    load = common.loadavg()
    answer = assistant.ask(question)
    model_called = bool(answer.passages) and bool(llm.usage)
    return {"question": question, "text": answer.text, "refused": answer.refused, "model_called": model_called,
            "retrieve_ms": answer.timings_ms.get("retrieve"), "pack_ms": answer.timings_ms.get("pack"),
            "first_token_ms": answer.timings_ms.get("first_token"),
            "total_ms": answer.timings_ms.get("total"), "context_tokens": sum(p.tokens for p in answer.passages),
            "passages": len(answer.passages), "prompt_tokens": llm.usage.get("input_tokens") if model_called else 0,
            "answer_tokens": llm.usage.get("output_tokens") if model_called else 0,
            "contains_gold": contains_gold(answer.text, answers) if answers else None,
            "citations": len(answer.citations), "loadavg": load}


def seconds(ms: float | None) -> float | None:
    return None if ms is None else ms / 1000


def seed_phase(models: Path, embedder, news: int) -> tuple[list[dict], str]:
    from assistant.assistant import Assistant

    settings = common.bench_settings(common.SCRATCH / "answer" / f"seed-{news}", models)
    subset = common.SCRATCH / "answer" / f"news_id-{news}.jsonl"
    subset.parent.mkdir(parents=True, exist_ok=True)
    subset.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                              for r in common.read_jsonl(common.DEV / "news_id.jsonl", news)), encoding="utf-8")
    summary = ingest(settings, embedder, [str(common.REPO / "examples"), str(subset)])
    assistant = Assistant(settings, embedder=embedder)
    try:
        llm = start_backend(assistant)
        return [ask(assistant, llm, q) for q in SEED_QUESTIONS], summary
    finally:
        assistant.close()


def curve_phase(models: Path, embedder, limit: int, distractors: int, budgets: list[int]) -> tuple[list[dict], str]:
    from assistant.assistant import Assistant

    rng = random.Random(0)
    qa = rng.sample(common.read_jsonl(common.DEV / "facqa_qa.jsonl"), limit)
    passages = common.read_jsonl(common.DEV / "facqa_passages.jsonl")
    gold = {pid for q in qa for pid in [q["gold_passage_id"], *q.get("passages_containing_answer", [])]}
    others = [p for p in passages if p["id"] not in gold]
    chosen = [p for p in passages if p["id"] in gold] + rng.sample(others, min(distractors, len(others)))
    folder = common.SCRATCH / "answer" / f"facqa-{limit}-{distractors}"
    subset = folder / "passages.jsonl"
    subset.parent.mkdir(parents=True, exist_ok=True)
    subset.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in chosen), encoding="utf-8")
    settings = common.bench_settings(folder / "data", models)
    summary = ingest(settings, embedder, [str(subset)])

    assistants, llms, index = {}, {}, None
    try:
        for b in budgets:  # one server per budget: see the module docstring
            assistants[b] = Assistant(settings.updated({"answer": {"context_tokens": b}}), index=index,
                                      embedder=embedder)
            index = assistants[b].index
            llms[b] = start_backend(assistants[b])
        results = []
        for j in range(len(budgets)):
            for i, q in enumerate(qa):
                budget = budgets[(i + j) % len(budgets)]
                row = ask(assistants[budget], llms[budget], q["question"], q["answers"])
                results.append({**row, "budget": budget, "id": q["id"], "answers": q["answers"]})
                print(f"  budget {budget} q{i}: first token {seconds(row['first_token_ms'])} s, "
                      f"gold {row['contains_gold']}, load {row['loadavg'][0]}", file=sys.stderr)
        return results, summary
    finally:
        for a in assistants.values():
            a.close()


def curve_table(results: list[dict], budgets: list[int]) -> tuple[list[dict], str]:
    rows, out = [], []
    for b in budgets:
        got = [r for r in results if r["budget"] == b]
        called = [r for r in got if r["model_called"]]
        ft = [r["first_token_ms"] / 1000 for r in called]
        row = {"budget": b, "n": len(got), "model_called": len(called), "first_token_p50_s": common.median(ft),
               "first_token_p95_s": common.pctl(ft, 95),
               "total_p50_s": common.median([r["total_ms"] / 1000 for r in called]),
               "context_tokens_mean": sum(r["context_tokens"] for r in called) / max(1, len(called)),
               "prompt_tokens_mean": sum(r["prompt_tokens"] or 0 for r in called) / max(1, len(called)),
               "gold_rate": sum(bool(r["contains_gold"]) for r in got) / len(got),
               "refused": sum(r["refused"] for r in got)}
        out.append(row)
        rows.append([b, row["n"], row["model_called"], row["context_tokens_mean"], row["prompt_tokens_mean"],
                     row["first_token_p50_s"], row["first_token_p95_s"], row["total_p50_s"],
                     f"{row['gold_rate']:.0%}", row["refused"]])
    return out, common.table(["context budget", "questions", "model called", "context tokens (mean)",
                              "prompt tokens (mean)", "first token p50 s", "p95 s", "total p50 s",
                              "answer contains gold", "refused"], rows)


def plot(curve: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    xs = [r["first_token_p50_s"] or 0 for r in curve]
    ys = [100 * r["gold_rate"] for r in curve]
    ax.plot(xs, ys, "o-")
    for r, x, y in zip(curve, xs, ys):
        ax.annotate(f"{r['budget']} tok", (x, y), textcoords="offset points", xytext=(6, -10), fontsize=8)
    ax.axvline(4.0, color="grey", linestyle=":", label="target: first token <= 4 s")
    ax.set_xlabel("first-token latency p50 (s)")
    ax.set_ylabel("answers containing a gold answer (%)")
    ax.set_ylim(0, 100)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, default=15, help="FacQA questions on the curve (default 15)")
    parser.add_argument("--distractors", type=int, default=150, help="random other FacQA passages ingested")
    parser.add_argument("--budgets", default=",".join(map(str, BUDGETS)), help="answer.context_tokens values")
    parser.add_argument("--news", type=int, default=100, help="news_id articles ingested beside examples/ for the seeds")
    parser.add_argument("--skip-curve", action="store_true", help="only the seed questions")
    args = parser.parse_args(argv)

    from core.models.prepare import load_embedder

    info = common.machine()
    models = common.models_dir(llm=True)
    defaults = common.bench_settings(common.SCRATCH / "unused", models)
    embedder = load_embedder(defaults)
    embedder.cache_entries = 0  # each question is asked at every budget: no sentence vectors carried over
    seeds, seed_ingest = seed_phase(models, embedder, args.news)
    body = (f"Defaults: chunk_tokens {defaults.chunking.chunk_tokens}, context_tokens {defaults.answer.context_tokens}, "
            f"max_answer_tokens "
            f"{defaults.answer.max_answer_tokens}, k {defaults.retrieval.k}, {defaults.local.threads} threads, "
            f"model {defaults.local.model}. Seed index: examples/ + {args.news} news_id articles ({seed_ingest}).\n\n")
    body += common.table(["question", "model called", "context tokens", "prompt tokens", "retrieve ms",
                          "first token s", "total s", "answer tokens", "citations", "load (1 min)", "answer"],
                         [[r["question"], r["model_called"], r["context_tokens"], r["prompt_tokens"], r["retrieve_ms"],
                           seconds(r["first_token_ms"]), seconds(r["total_ms"]), r["answer_tokens"], r["citations"],
                           r["loadavg"][0], r["text"][:90].replace("\n", " ").replace("|", "/") + "..."]
                          for r in seeds])
    called = [r["first_token_ms"] / 1000 for r in seeds if r["model_called"]]
    body += (f"\n\nTarget first token <= 4 s at the default settings: seed questions that reached the model: "
             f"{', '.join(f'{x:.1f} s' for x in called)} -> {'met' if called and max(called) <= 4 else 'missed'}.\n")
    payload: dict = {"settings": common.settings_summary(defaults), "seed": seeds, "seed_ingest": seed_ingest}
    if not args.skip_curve:
        budgets = [int(b) for b in args.budgets.split(",")]
        results, curve_ingest = curve_phase(models, embedder, args.limit, args.distractors, budgets)
        curve, text = curve_table(results, budgets)
        png = common.RESULTS / "answer_curve.png"
        common.RESULTS.mkdir(parents=True, exist_ok=True)
        load = common.median([r["loadavg"][0] for r in results])
        plot(curve, png, f"FacQA, {args.limit} questions + {args.distractors} distractors, 1.5B Q4_K_M, 2 threads, "
                         f"load ~{load:.1f} on 2 cores")
        body += (f"\n### Context budget vs first token and answer quality ({args.limit} FacQA questions, "
                 f"{args.distractors} distractor passages; {curve_ingest})\n\n{text}\n\n"
                 f"Chart: `benchmarks/results/{png.name}`. First-token figures are over questions that reached the "
                 "model; 'answer contains gold' counts refusals as misses.\n")
        payload.update(curve=curve, curve_results=results, curve_ingest=curve_ingest)
    common.publish("answer", "Answer latency with the local model", info, body, payload)


if __name__ == "__main__":
    main()
