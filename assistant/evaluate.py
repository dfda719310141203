"""Evaluate retrieval and answers on a QA data set over its own passages, in an isolated store.

    passages.jsonl --(ingest once: ``assistant.eval_store``)--> isolated index
    qa.jsonl --> for each question: search in every mode (ranked articles) + ask (answer, citations)
             --> QuestionResult records --> ``assistant.eval_report`` (tables, JSON, chart)

The QA format is the one of the shared dev sets: ``{id, question, answers[], gold_passage_id, lang,
passages_containing_answer[]}``, with optional ``answers_en`` (scored like ``answers``). A retrieval hit is
any id in ``passages_containing_answer`` or ``gold_passage_id``; ingest keeps a passage's ``id`` as its
article id, so ranked article ids compare directly. Questions of an ``unanswerable`` set have no answer
in the passages: refusing them is correct.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from assistant.assistant import Assistant
from assistant.cite import strip_markers
from assistant.eval_store import EvalStore, Progress, prepare_store
from assistant.metrics import contains_gold, distinct, part_of
from assistant.prompts import EXTRACTIVE_LEAD
from assistant.retrieve import Mode
from ingest.errors import ConfigError, SourceError
from ingest.lang import detect_language
from ingest.models import load_embedder
from ingest.settings import Settings, load_settings

RANK_DEPTH = 10  # distinct articles ranked per question: enough for hit@1, hit@5 and MRR@10
MODES: tuple[Mode, ...] = ("hybrid", "dense", "keyword")


@dataclass(frozen=True)
class QAItem:
    """One question of a QA file, with what counts as right."""

    id: str
    question: str
    lang: str
    dataset: str
    answers: tuple[str, ...] = ()  # gold answer strings (``answers`` + ``answers_en``)
    gold_ids: frozenset[str] = frozenset()  # passages whose retrieval counts as a hit
    unanswerable: bool = False  # asked against passages that do not answer it: refusing is right


@dataclass(frozen=True)
class AnswerOutcome:
    text: str
    refused: bool
    contains_gold: bool | None  # None: the question has no gold answers
    cited: tuple[str, ...]  # article ids of the citations, in citation order
    cited_with_gold: int  # citations whose passage contains a gold answer
    timings_ms: dict[str, float] = field(default_factory=dict)
    model: str = ""
    in_language: bool | None = None  # written in the question's language (None: the question's is unknown)


@dataclass(frozen=True)
class QuestionResult:
    item: QAItem
    ranked: dict[str, tuple[str, ...]]  # mode -> distinct article ids, best first (at most RANK_DEPTH)
    relevant: dict[str, bool]  # mode -> something passed the relevance floor
    retrieve_ms: dict[str, float]  # mode -> retrieval latency
    answer: AnswerOutcome | None = None  # None with retrieval only


@dataclass(frozen=True)
class EvalRun:
    passages: str
    store: EvalStore
    modes: tuple[str, ...]
    backend: str | None  # None: retrieval only
    results: tuple[QuestionResult, ...]
    seed: int
    limit: int | None
    part: str = "all"


# --- inputs ---------------------------------------------------------------------------------------


def load_qa(path: Path, *, dataset: str | None = None, unanswerable: bool = False) -> list[QAItem]:
    """Read a QA JSONL file.

    Raises:
        SourceError: the file cannot be read, a line is not a JSON object or has no ``question``.
    """
    dataset = dataset or path.stem
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(str(path), f"cannot read the QA file: {exc}") from None
    items = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(where, f"malformed JSON ({exc.msg}); expected one QA object per line") from None
        question = record.get("question") if isinstance(record, dict) else None
        if not isinstance(question, str) or not question.strip():
            raise SourceError(where, "expected an object with a non-empty 'question' string")
        answers = [str(a) for key in ("answers", "answers_en") for a in (record.get(key) or ()) if str(a).strip()]
        gold = {str(g) for g in (record.get("passages_containing_answer") or ()) if g}
        if record.get("gold_passage_id"):
            gold.add(str(record["gold_passage_id"]))
        lang = str(record.get("lang") or "") or detect_language(question, default="other")
        items.append(QAItem(id=str(record.get("id") or f"{path.name}:{lineno}"), question=question, lang=lang,
                            dataset=dataset, answers=tuple(dict.fromkeys(answers)),
                            gold_ids=frozenset() if unanswerable else frozenset(gold), unanswerable=unanswerable))
    if not items:
        raise SourceError(str(path), "no questions in the QA file")
    return items


Part = Literal["tune", "test", "all"]


def sample(items: Sequence[QAItem], limit: int | None, seed: int, part: Part = "all") -> list[QAItem]:
    """A reproducible random sample of ``limit`` items of ``part`` (``metrics.part_of``), in file order;
    all items of that part without a limit."""
    if part != "all":
        items = [item for item in items if part_of(item.id) == part]
    if limit is None or limit >= len(items):
        return list(items)
    chosen = sorted(random.Random(seed).sample(range(len(items)), limit))
    return [items[i] for i in chosen]


# --- the run --------------------------------------------------------------------------------------


def _answer(assistant: Assistant, item: QAItem, backend: str) -> AnswerOutcome:
    answer = assistant.ask(item.question, backend=backend)
    gold = () if item.unanswerable else item.answers  # their answers live in other passages
    cited = tuple(c.article_id for c in answer.citations)
    with_gold = sum(contains_gold(c.passage, gold) for c in answer.citations) if gold else 0
    return AnswerOutcome(
        text=answer.text, refused=answer.refused,
        contains_gold=None if not gold else (not answer.refused and contains_gold(answer.text, gold)),
        cited=cited, cited_with_gold=with_gold, timings_ms=dict(answer.timings_ms), model=answer.model,
        in_language=answer_in_language(answer.text, item.lang),
    )


def answer_in_language(text: str, question_lang: str) -> bool | None:
    """Whether an answer is written in the question's language (markers and quoted passages aside).
    Extractive answers quote the articles in their own language under a lead in the question's language."""
    if question_lang not in ("id", "en"):
        return None
    lead = next((lead for lead in EXTRACTIVE_LEAD.values() if text.startswith(lead)), None)
    if lead is not None:
        return lead == EXTRACTIVE_LEAD[question_lang]
    return detect_language(strip_markers(text), default="other") == question_lang


def evaluate(
    settings: Settings | None,
    passages: Path,
    qa_files: Sequence[Path],
    *,
    unanswerable: Sequence[Path] = (),
    modes: Sequence[Mode] = ("hybrid",),
    backend: str | None = None,
    retrieval_only: bool = False,
    limit: int | None = None,
    seed: int = 0,
    part: Part = "all",
    embeddings=None,
    progress: Progress | None = None,
) -> EvalRun:
    """Ingest ``passages`` (isolated, reused when unchanged) and run every question of ``qa_files``.

    Args:
        settings: the settings tree (``None``: loaded); retrieval and answer settings apply as in use.
        passages: JSONL passages/articles, each with an ``id`` the QA gold ids refer to.
        qa_files: answerable QA sets; ``unanswerable``: QA sets whose answers are not in ``passages``.
        modes: retrievers to compare (ranked by ``Retriever.search``, passages not merged).
        backend: answer backend (default ``answer.backend``); answers always use Warta's own pipeline.
        retrieval_only: skip answering.
        limit, seed: a reproducible random sample of ``limit`` questions from each QA file.
        part: ``"tune"`` (fold 0 of each file, for fitting defaults), ``"test"`` (the rest, for reporting) or
            ``"all"``; see ``metrics.part_of``.
        embeddings: an embedder to share (default: the bundled e5 model).
        progress: called as ``(stage, done, total)``.

    Raises:
        SourceError: an input file cannot be read or has no usable records.
        ConfigError: an unknown retrieval mode.
    """
    settings = settings or load_settings()
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise ConfigError(f"Unknown retrieval mode(s) {bad!r}: use any of {', '.join(MODES)}.")
    names: set[str] = set()
    items: list[QAItem] = []
    for path, is_unanswerable in [(p, False) for p in qa_files] + [(p, True) for p in unanswerable]:
        name = path.stem + (" (unanswerable)" if is_unanswerable else "")
        while name in names:
            name += "'"
        names.add(name)
        items += sample(load_qa(path, dataset=name, unanswerable=is_unanswerable), limit, seed, part)
    if not passages.is_file():
        raise SourceError(str(passages), "no such passages file")
    embeddings = embeddings if embeddings is not None else load_embedder(settings)  # one model for ingest and search
    store = prepare_store(settings, passages, embeddings=embeddings, progress=progress)
    assistant = Assistant(store.settings, embeddings=embeddings)
    backend_name = None if retrieval_only else (backend or settings.answer.backend)
    cache_entries = getattr(embeddings, "cache_entries", None)
    if cache_entries is not None:
        embeddings.cache_entries = 0  # every mode embeds the same question: time each one, not the cache
    try:
        assistant.index.require_compatible()
        for mode in modes:  # load the model and BM25 outside the timed region
            assistant.retriever.search("warm up", k=1, mode=mode)
        if backend_name:
            assistant.backend(backend_name)  # start a local model server before the first timed question
        results = []
        # unmerged passages, at most max_chunks_per_article each: this many always covers RANK_DEPTH articles
        depth = RANK_DEPTH * store.settings.retrieval.max_chunks_per_article
        if progress is not None:
            progress("questions", 0, len(items))
        for done, item in enumerate(items, start=1):
            ranked, relevant, took = {}, {}, {}
            for mode in modes:
                found = assistant.retriever.search(item.question, k=depth, mode=mode, merge=False)
                ranked[mode] = tuple(distinct(h.article_id for h in found.hits)[:RANK_DEPTH])
                relevant[mode] = found.relevant
                took[mode] = found.timings_ms.get("total", 0.0)
            outcome = _answer(assistant, item, backend_name) if backend_name else None
            results.append(QuestionResult(item, ranked, relevant, took, outcome))
            if progress is not None:
                progress("questions", done, len(items))
    finally:
        assistant.close()
        assistant.index.close()
        if cache_entries is not None:
            embeddings.cache_entries = cache_entries
    return EvalRun(str(passages), store, tuple(modes), backend_name, tuple(results), seed, limit, part)
