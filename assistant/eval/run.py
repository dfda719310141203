"""Evaluate retrieval and answers on a QA data set over its own passages, in an isolated store.

    passages.jsonl --(ingest once: ``assistant.eval.store``)--> isolated index
    qa.jsonl --> for each question: search in every mode (ranked articles) + ask (answer, citations)
             --> QuestionResult records --> ``assistant.eval.report`` (tables, JSON, chart)

The QA format is the one of the shared dev sets: ``{id, question, answers[], gold_passage_id, lang,
passages_containing_answer[]}``, with optional ``answers_en`` (scored like ``answers``). A retrieval hit is
any id in ``passages_containing_answer`` or ``gold_passage_id``; ingest keeps a passage's ``id`` as its
article id, so ranked article ids compare directly. Questions of an ``unanswerable`` set have no answer
in the passages: refusing them is correct.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from assistant.assistant import Assistant
from assistant.cite import split_quotes, strip_markers
from assistant.eval.metrics import Part, contains_gold, distinct, part_of
from assistant.eval.store import EvalStore, Progress, prepare_store
from assistant.facts import Evidence, unsupported_facts
from assistant.prompts import EARLIER_LEAD, EXTRACTIVE_LEAD, NEWEST_EVIDENCE
from assistant.retrieve import Mode
from core.errors import ConfigError, SourceError
from core.models.embedder import Embedder
from core.models.prepare import load_embedder
from core.settings import Settings, load_settings
from core.text.lang import detect_language
from core.text.when import DateRange

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
    earlier_turns: tuple[str, ...] = ()  # a conversation's earlier questions, asked first (follow-up sets)
    now: str = ""  # the day the question is asked on (temporal sets: "kemarin" counts from it); "" = time.now


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
    unsupported_facts: tuple[str, ...] = ()  # names/numbers of the final answer stated in no cited passage
    standalone_question: str = ""  # a follow-up as the model was asked it
    removed: tuple[str, ...] = ()  # sentences the checks removed from the model's answer
    doubt: float | None = None  # how likely the model's first token began its refusal (``assistant.doubt``)


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


def _jsonl(path: Path, what: str, expected: str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) of each non-blank line of a JSONL file.

    Raises:
        SourceError: the file cannot be read, or a line is not JSON (named by path and line).
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(str(path), f"cannot read the {what}: {exc}") from None
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{path}:{lineno}", f"malformed JSON ({exc.msg}); expected {expected}") from None


def load_qa(path: Path, *, dataset: str | None = None, unanswerable: bool = False) -> list[QAItem]:
    """Read a QA JSONL file.

    Raises:
        SourceError: the file cannot be read, a line is not a JSON object or has no ``question``.
    """
    dataset = dataset or path.stem
    items = []
    for lineno, record in _jsonl(path, "QA file", "one QA object per line"):
        where = f"{path}:{lineno}"
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


def sample(items: Sequence[QAItem], limit: int | None, seed: int, part: Part = "all") -> list[QAItem]:
    """A reproducible random sample of ``limit`` items of ``part`` (``metrics.part_of``), in file order;
    all items of that part without a limit."""
    if part != "all":
        items = [item for item in items if part_of(item.id) == part]
    if limit is None or limit >= len(items):
        return list(items)
    chosen = sorted(random.Random(seed).sample(range(len(items)), limit))
    return [items[i] for i in chosen]


def load_conversations(path: Path, passages: Path, *, dataset: str | None = None) -> list[QAItem]:
    """The conversations of a follow-up file (``{id, passages, turns[], answers[], lang}``, the format of the
    dev ``followups_*.jsonl``) that are about ``passages`` (matched by file name), as items whose question is
    the last turn and whose ``earlier_turns`` are asked before it.

    Raises:
        SourceError: the file cannot be read or a line is not a conversation.
    """
    dataset = dataset or f"{path.stem} (last turn)"
    items = []
    for lineno, record in _jsonl(path, "conversations file", "one conversation per line"):
        where = f"{path}:{lineno}"
        turns = record.get("turns") if isinstance(record, dict) else None
        if not isinstance(turns, list) or len(turns) < 2 or not all(isinstance(t, str) and t.strip() for t in turns):
            raise SourceError(where, "expected an object with 'turns': at least two non-empty questions")
        if Path(str(record.get("passages") or "")).name != passages.name:
            continue
        answers = tuple(dict.fromkeys(str(a) for a in record.get("answers") or () if str(a).strip()))
        lang = str(record.get("lang") or "") or detect_language(turns[-1], default="other")
        items.append(QAItem(id=str(record.get("id") or where), question=turns[-1], lang=lang, dataset=dataset,
                            answers=answers, earlier_turns=tuple(turns[:-1])))
    return items


def load_temporal(path: Path) -> list[QAItem]:
    """The questions of a temporal set (``benchmarks/data/temporal``: ``{id, question, lang, now, kind, range,
    gold_ids, fallback_ids?, answers?, gold_value?}``), one data set per kind. A hit is the newest evidence
    (``gold_ids[0]``) for "latest" questions, any gold article in the asked range for the others, and the
    articles outside it that report the event when nothing inside does (``fallback_ids``).

    Raises:
        SourceError: the file cannot be read or a line is not such a question.
    """
    items = []
    for lineno, record in _jsonl(path, "temporal QA file", "one question per line"):
        where = f"{path}:{lineno}"
        if not isinstance(record, dict) or not isinstance(record.get("question"), str) or not record.get("now"):
            raise SourceError(where, "expected an object with a 'question' and the day it is asked on, 'now'")
        kind = str(record.get("kind") or "none")
        gold = [str(g) for g in record.get("gold_ids") or ()] or [str(g) for g in record.get("fallback_ids") or ()]
        if kind == "latest":
            gold = gold[:1]
        answers = [str(a) for a in record.get("answers") or () if str(a).strip()] or (
            [str(record["gold_value"])] if record.get("gold_value") else [])
        items.append(QAItem(id=str(record.get("id") or where), question=record["question"],
                            lang=str(record.get("lang") or "") or detect_language(record["question"], default="other"),
                            dataset=f"{path.stem} ({kind})", answers=tuple(dict.fromkeys(answers)),
                            gold_ids=frozenset(gold), now=str(record["now"])))
    return items


# --- the run --------------------------------------------------------------------------------------


def _answer(assistant: Assistant, item: QAItem, backend: str) -> AnswerOutcome:
    history: list[dict[str, str]] = []
    now = date.fromisoformat(item.now) if item.now else None
    for turn in item.earlier_turns:  # replay the conversation as a user would have had it
        earlier = assistant.ask(turn, history, backend=backend, now=now)
        history += [{"role": "user", "content": turn}, {"role": "assistant", "content": earlier.text}]
    answer = assistant.ask(item.question, history, backend=backend, now=now)
    gold = () if item.unanswerable else item.answers  # their answers live in other passages
    cited = tuple(c.article_id for c in answer.citations)
    with_gold = sum(contains_gold(c.passage, gold) for c in answer.citations) if gold else 0
    return AnswerOutcome(
        text=answer.text, refused=answer.refused,
        contains_gold=None if not gold else not answer.refused and contains_gold(without_own_dates(answer.text), gold),
        cited=cited, cited_with_gold=with_gold, timings_ms=dict(answer.timings_ms), model=answer.model,
        in_language=answer_in_language(answer.text, item.lang),
        unsupported_facts=() if answer.refused else unstated_facts(assistant, answer, history),
        standalone_question=answer.standalone_question, removed=answer.unsupported, doubt=answer.doubt,
    )


def _own_lines(*templates: dict[str, str]) -> re.Pattern[str]:
    """What Warta writes around an answer by ``templates`` (both languages), with its dates and markers as they vary."""
    spelled = (re.escape(t).replace(re.escape("{day}"), r"[^)\[]*").replace(re.escape("{n}"), r"\d+")
               for found in templates for t in found.values())
    return re.compile("|".join(spelled))


# "Sumber terbaru: 16 November 2027 [1].", "> Sebelumnya (10 November 2027):": dates Warta adds, not the answer's
_OWN_DATES = _own_lines(NEWEST_EVIDENCE, EARLIER_LEAD)
_EARLIER = _own_lines(EARLIER_LEAD)


def without_own_dates(text: str) -> str:
    """``text`` without the dates Warta writes around an answer (the newest source's, an earlier report's): a gold
    value is found in what the answer and its quotes say, not in them (gold "16" is no "16 November 2027")."""
    return _OWN_DATES.sub(" ", text)


def unstated_facts(assistant: Assistant, answer, history) -> tuple[str, ...]:
    """The names and numbers of ``answer`` that none of its cited passages (nor the question or the
    conversation) states, by the rules of ``assistant.facts``; the leads of extractive answers and quotes are not
    claims."""
    text = answer.text
    lead = next((lead for lead in EXTRACTIVE_LEAD.values() if text.startswith(lead)), "")
    said, _, quoted = split_quotes(text)
    text = f"{said}\n\n{quoted}" if quoted else said
    text = _EARLIER.sub("", text)  # "> Sebelumnya (6 Februari 2024): ..." leads a quote, not a claim
    # a "latest" answer states its newest cited article's publish date: the citation's date supports it
    dates = [DateRange(day, day).label(lang) for c in answer.citations if c.published
             for day in [date.fromisoformat(c.published)] for lang in ("id", "en")]
    evidence = Evidence([*(c.passage for c in answer.citations), answer.question, answer.standalone_question,
                         *(m["content"] for m in history), *dates])
    cross = any(c.passage and detect_language(c.passage, default=answer.language) != answer.language
                for c in answer.citations)
    missing = unsupported_facts(text[len(lead):], evidence, translated=assistant.same_names if cross else None)
    return tuple(m.text for m in missing)


def answer_in_language(text: str, question_lang: str) -> bool | None:
    """Whether an answer is written in the question's language (markers and quoted passages aside): it is not
    when it reads as the other language; a language-neutral answer ("45,9 persen [1].", "Jorge Belevan [1].")
    counts as written in it. Extractive answers quote the articles in their own language under a lead in the
    question's language, which decides."""
    if question_lang not in ("id", "en"):
        return None
    lead = next((lead for lead in EXTRACTIVE_LEAD.values() if text.startswith(lead)), None)
    if lead is not None:
        return lead == EXTRACTIVE_LEAD[question_lang]
    text, quote_lang, _ = split_quotes(text)  # the quotes under a model's answer: its lead decides, as above
    if quote_lang is not None and quote_lang != question_lang:
        return False
    return detect_language(strip_markers(text), default=question_lang) == question_lang


def evaluate(
    settings: Settings | None,
    passages: Path,
    qa_files: Sequence[Path],
    *,
    unanswerable: Sequence[Path] = (),
    conversations: Sequence[Path] = (),
    temporal: Sequence[Path] = (),
    modes: Sequence[Mode] = ("hybrid",),
    backend: str | None = None,
    retrieval_only: bool = False,
    limit: int | None = None,
    seed: int = 0,
    part: Part = "all",
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> EvalRun:
    """Ingest ``passages`` (isolated, reused when unchanged) and run every question of ``qa_files``.

    Args:
        settings: the settings tree (``None``: loaded); retrieval and answer settings apply as in use.
        passages: JSONL passages/articles, each with an ``id`` the QA gold ids refer to.
        qa_files: answerable QA sets; ``unanswerable``: QA sets whose answers are not in ``passages``.
        conversations: follow-up sets (``load_conversations``): the conversations about ``passages`` are
            replayed and their last turn is scored (answers only; retrieval figures need gold passages).
        temporal: questions about time (``load_temporal``), each asked on its own ``now``.
        modes: retrievers to compare (ranked by ``Retriever.search``, passages not merged).
        backend: answer backend (default ``answer.backend``); answers always use Warta's own pipeline.
        retrieval_only: skip answering.
        limit, seed: a reproducible random sample of ``limit`` questions from each QA file.
        part: ``"tune"`` (fold 0 of each file, for fitting defaults), ``"test"`` (the rest, for reporting) or
            ``"all"``; see ``metrics.part_of``.
        embedder: an embedding model to share (default: the bundled e5 model).
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
    for path in temporal:
        items += sample(load_temporal(path), limit, seed, part)
    for path in conversations:
        # not split by part: a conversation file is tuned on or reported as a whole (the project tunes on the
        # dev followups_dev.jsonl and reports its own benchmarks/data/followups_warta.jsonl)
        items += sample(load_conversations(path, passages), limit, seed)
    if not items:
        raise SourceError(", ".join(map(str, conversations)), f"no conversations about {passages.name!r}")
    if not passages.is_file():
        raise SourceError(str(passages), "no such passages file")
    embedder = embedder if embedder is not None else load_embedder(settings)  # one model for ingest and search
    store = prepare_store(settings, passages, embedder=embedder, progress=progress)
    assistant = Assistant(store.settings, embedder=embedder)
    backend_name = None if retrieval_only else (backend or settings.answer.backend)
    uncached = ExitStack()  # every mode embeds the same question: time each one, not the cache
    uncached.enter_context(embedder.no_cache())
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
            for mode in modes if not item.earlier_turns else ():  # a follow-up alone is not a search
                # as users search: a date range or "latest" in the question counts (none do in most sets)
                found = assistant.search(item.question, k=depth, mode=mode, merge=False,
                                         now=date.fromisoformat(item.now) if item.now else None)
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
        uncached.close()
    return EvalRun(str(passages), store, tuple(modes), backend_name, tuple(results), seed, limit, part)
