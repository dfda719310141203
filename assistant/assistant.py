"""The ``Assistant``: the one object front ends talk to.

It owns the heavy parts (index, embedder, answer backends), created lazily from settings unless
passed in, and offers ``search``, ``ask`` and ``stream``:

    question -> follow-up plan -> retrieve -> [refuse if nothing relevant] -> context -> generate -> ground

``stream`` returns an ``AnswerStream``: iterate it for the text as the model writes it, then read ``.answer``
for the final, checked answer (its text may differ: unsupported sentences removed, markers repaired).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant import context
from assistant.cite import ground, is_refusal, refusal
from assistant.extractive import extractive_answer
from assistant.followup import FollowUp, Message, plan
from assistant.llm.backends import Backend, build_backend
from assistant.prompts import FALLBACK_NOTE, REMOVED_NOTE, SYSTEM, example_turns, format_passage, user_message
from assistant.records import Answer, Passage
from assistant.retrieve import Mode, Retrieval, Retriever
from core.errors import BackendError, InputError, WartaError
from core.models.embedder import Embedder
from core.models.lexicon import load_lexicon
from core.models.prepare import load_embedder, load_encoding
from core.records import Hit
from core.settings import Settings, load_settings
from core.text.intake import clean_line
from core.text.lang import detect_language
from store.filters import Filters
from store.index import Index

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

MAX_QUESTION_CHARS = 2000  # longer questions are cut: retrieval and the prompt budget need a bound
# e5 "query:" cosine above which two names are the same name in two languages ("France"/"Perancis" 0.94,
# "Norway"/"Norwegia" 0.95) and below which different names of one kind stay apart ("Joko Widodo"/"Susilo
# Bambang Yudhoyono" 0.90, "Brazil"/"Argentina" 0.91): measured on 20 + 14 hand-picked pairs.
SAME_NAME_COSINE = 0.92


def clean_question(question: str) -> str:
    """One line of printable text, at most ``MAX_QUESTION_CHARS``: control characters and lone surrogates
    (a Latin-1 terminal's bytes, as Python hands them over) are dropped, by the rules articles follow."""
    return clean_line(question, MAX_QUESTION_CHARS)


def question_from(value: object) -> str:
    """A question given as data (a JSON ``question`` field), cleaned.

    Raises:
        InputError: it is not a string, or nothing is left of it after cleaning.
    """
    if not isinstance(value, str):
        kind = "null" if value is None else type(value).__name__
        raise InputError(f"'question' must be a non-empty string, got {kind}")
    question = clean_question(value)
    if not question:
        raise InputError("'question' must be a non-empty string, got an empty one")
    return question


class AnswerStream(Iterator[str]):
    """The answer as it is written (iterate for text pieces), then ``.answer``: the final ``Answer``."""

    def __init__(self, run: Generator[str, None, Answer]) -> None:
        self._run = run
        self.answer: Answer | None = None

    def __next__(self) -> str:
        try:
            return next(self._run)
        except StopIteration as stop:
            self.answer = stop.value
            raise

    def close(self) -> None:
        """Stop answering (the model's stream is closed too)."""
        self._run.close()

    def result(self) -> Answer:
        """Read the rest of the stream and return the final answer."""
        for _ in self:
            pass
        assert self.answer is not None
        return self.answer


def merge_hits(lists: Sequence[Sequence[Hit]], k: int) -> list[Hit]:
    """The hits of several searches, round-robin by rank, each chunk once, at most ``k``."""
    merged: list[Hit] = []
    seen: set[str] = set()
    for rank in range(max((len(hits) for hits in lists), default=0)):
        for hits in lists:
            if rank < len(hits) and len(merged) < k:
                hit = hits[rank]
                ids = {hit.chunk_id, *hit.merged_ids}
                if not ids & seen:
                    merged.append(hit)
                    seen |= ids
    return merged


class Assistant:
    """Search and answer over the article index of ``settings.data_dir``.

    Args:
        settings: the settings tree; ``None`` loads ``config.toml`` + environment.
        index: an open ``Index`` (tests pass one over a temp dir); default: opened from settings.
        embedder: the embedding model (``Embedder``); default: the bundled e5 model.
        llm: a LangChain chat model; default: built from ``answer.backend`` on first use.
    """

    def __init__(self, settings: Settings | None = None, *, index: Index | None = None,
                 embedder: Embedder | None = None, llm: BaseChatModel | None = None) -> None:
        self.settings = settings or load_settings()
        self._index = index
        self._embedder = embedder
        self._backends: dict[str, Backend] = {}
        if llm is not None:
            self._backends[self.settings.answer.backend] = Backend(self.settings.answer.backend, "custom", llm)
        self._lock = threading.Lock()
        self._backend_lock = threading.Lock()

    @property
    def index(self) -> Index:
        with self._lock:
            if self._index is None:
                self._index = Index(self.settings)
            return self._index

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = load_embedder(self.settings)
            return self._embedder

    @property
    def retriever(self) -> Retriever:
        return Retriever(self.settings.retrieval, self.index, self.embedder,
                         load_lexicon=lambda: load_lexicon(self.settings, self.embedder))

    def search(self, query: str, *, k: int | None = None, filters: Filters | None = None,
               mode: Mode = "hybrid") -> Retrieval:
        """Ranked passages for ``query``.

        Raises:
            IndexMismatchError: the data dir's articles were indexed with other settings.
        """
        self.index.require_compatible()
        return self.retriever.search(clean_question(query), k=k, filters=filters, mode=mode)

    # --- answering --------------------------------------------------------------------------------

    def backend(self, name: str | None = None) -> Backend:
        """The answer backend ``name`` (default from settings), started on first use and kept."""
        name = name or self.settings.answer.backend
        with self._backend_lock:
            if name not in self._backends:
                self._backends[name] = build_backend(self.settings, name)
            return self._backends[name]

    def warm_up(self, backend: str | None = None) -> None:
        """Load everything a question needs before the first one comes (long-lived front ends call this).

        For the local model this also reads both system prompts and their worked examples once: llama.cpp keeps
        them in its prompt cache, so a question's prompt is read from its passages on.
        """
        chosen = self.backend(backend)
        self.embedder, self.index  # noqa: B018
        load_encoding(self.settings)
        if chosen.name == "local" and chosen.llm is not None:
            for language in SYSTEM:
                messages = [("system", SYSTEM[language]), *example_turns(language),
                            ("human", user_message(language, [], ""))]
                for _ in chosen.llm.stream(messages, max_completion_tokens=1):
                    pass

    def close(self) -> None:
        for backend in self._backends.values():
            backend.close()

    def _similarity(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        if not a or not b:
            return np.zeros((len(a), len(b)), np.float32)
        return self.embedder.queries(list(a)) @ self.embedder.queries(list(b)).T

    def same_names(self, names: Sequence[str], spans: Sequence[str]) -> list[bool]:
        """Whether each name is one of ``spans`` in another language ("France" ~ "Perancis")."""
        sims = self._similarity(names, spans)
        return [bool(row.size and row.max() >= SAME_NAME_COSINE) for row in sims]

    def _language(self, question: str, history: Sequence[Message]) -> str:
        language = detect_language(question, default="other")
        if language in ("id", "en"):
            return language
        for message in reversed(history):  # "dan Google?" is short; the conversation tells
            if message.get("role") == "user":
                earlier = detect_language(message.get("content", ""), default="other")
                if earlier in ("id", "en"):
                    return earlier
        return "id" if self.settings.ui.language == "id" else "en"

    def ask(self, question: str, history: Sequence[Message] = (), *, filters: Filters | None = None,
            backend: str | None = None) -> Answer:
        """Answer ``question`` (see ``stream``) and return the final ``Answer``."""
        return self.stream(question, history, filters=filters, backend=backend).result()

    def stream(self, question: str, history: Sequence[Message] = (), *, filters: Filters | None = None,
               backend: str | None = None) -> AnswerStream:
        """The answer to ``question`` as it is written; read ``.answer`` of the result after iterating it.

        The final text may differ from the streamed one: sentences whose names or numbers no passage states
        are removed (listed in ``Answer.unsupported``), markers are verified, added and renumbered.

        Raises (while iterating):
            IndexMismatchError: the articles were indexed with other settings (run ``warta reindex``).
            BackendError: the answer model failed and ``answer.fallback_to_extractive`` is off.
        """
        return AnswerStream(self._answer(question, history, filters, backend))

    def _answer(self, question: str, history: Sequence[Message], filters: Filters | None,
                backend: str | None) -> Generator[str, None, Answer]:
        # Heavy parts load on first use; load them before the clock starts so timings are per question.
        chosen = self.backend(backend)
        self.embedder, self.index  # noqa: B018 (warm-up)
        started = time.perf_counter()
        timings: dict[str, float] = {}

        def since(start: float) -> float:
            return (time.perf_counter() - start) * 1000

        question = clean_question(question)
        history = [m for m in history if m.get("content")]
        language = self._language(question, history)
        base: dict[str, Any] = dict(question=question, language=language, backend=chosen.name, model=chosen.model)

        def refused(note: str = "", passages: Sequence[Passage] = (), **extra) -> Generator[str, None, Answer]:
            text = refusal(language)
            yield text
            timings["total"] = since(started)
            return Answer(**base, **extra, text=text, refused=True, note=note, timings_ms=timings,
                          passages=tuple(passages))

        if not question or not any(ch.isalnum() for ch in question):
            return (yield from refused("empty question"))
        self.index.require_compatible()
        follow = plan(question, history, language, chosen.llm)
        timings["condense"] = since(started)
        t0 = time.perf_counter()
        retrievals = [self.retriever.search(q, filters=filters) for q in follow.queries]
        hits = merge_hits([r.hits for r in retrievals], self.settings.retrieval.k)
        timings["retrieve"] = since(t0)
        base["standalone_question"] = follow.standalone
        if not any(r.relevant for r in retrievals):
            return (yield from refused())
        t0 = time.perf_counter()
        cfg = self.settings.answer
        passages = self._context(follow.standalone, hits,
                                 cfg.context_tokens if chosen.llm is not None else cfg.extractive_context_tokens)
        timings["pack"] = since(t0)
        note, raw, first_token = "", "", None
        if chosen.llm is not None:
            try:
                for piece in self._generate(chosen.llm, language, passages, follow):
                    if first_token is None:
                        first_token = time.perf_counter()
                    raw += piece
                    yield piece
            except WartaError:
                raise
            except Exception as exc:  # noqa: BLE001 (connection refused, timeouts, server errors: the backend is down)
                if not cfg.fallback_to_extractive:
                    raise BackendError(f"The {chosen.name!r} answer backend failed: {exc}") from None
                note = FALLBACK_NOTE[language].format(error=type(exc).__name__)
                raw = ""
            if raw.strip() and is_refusal(raw):
                timings["first_token"] = ((first_token or time.perf_counter()) - started) * 1000
                return (yield from refused(passages=passages))
        t0 = time.perf_counter()
        grounded = self._ground(raw, passages, follow, language) if raw.strip() else None
        if grounded is not None and grounded.text:
            timings["first_token"] = ((first_token or time.perf_counter()) - started) * 1000
            timings["ground"] = since(t0)
            timings["total"] = since(started)
            return Answer(**base, text=grounded.text, refused=False, citations=tuple(grounded.citations),
                          unsupported=tuple(grounded.unsupported), corrected=tuple(grounded.repaired), note=note,
                          timings_ms=timings, passages=tuple(passages))
        # No model, a failed model, or nothing of its answer survived the checks: the closest sentences.
        unsupported = tuple(grounded.unsupported) if grounded is not None else ()
        if unsupported and not note:
            note = REMOVED_NOTE[language]
        extract_from = passages if chosen.llm is None else self._context(
            follow.standalone, hits, cfg.extractive_context_tokens)
        extracted = extractive_answer(follow.standalone, language, extract_from, self.embedder, self.encoding,
                                      cfg.extractive_sentences)
        if first_token is None:
            first_token = time.perf_counter()
        timings["first_token"] = (first_token - started) * 1000
        if not extracted:
            return (yield from refused(note if unsupported else "", passages, unsupported=unsupported))
        if chosen.llm is not None or note:
            yield ("\n\n" if raw else "") + (f"{note}\n\n" if note else "")
        yield extracted
        grounded = self._ground(extracted, extract_from, follow, language)
        timings["total"] = since(started)
        return Answer(**base, text=grounded.text or extracted, refused=False, citations=tuple(grounded.citations),
                      unsupported=unsupported, note=note, timings_ms=timings, passages=tuple(extract_from))

    @property
    def encoding(self):
        return load_encoding(self.settings)

    def _context(self, question: str, hits: Sequence[Hit], budget: int) -> list[Passage]:
        if self.settings.answer.context_mode == "sentences":
            ranked = context.rank_units(question, hits, self.embedder, self.encoding)
            return context.select(hits, ranked, self.encoding, budget)
        return context.pack_passages(hits, self.encoding, budget)

    def _ground(self, raw: str, passages: Sequence[Passage], follow: FollowUp, language: str):
        cross = any(p.hit.lang in ("id", "en") and p.hit.lang != language for p in passages)
        return ground(raw, passages, self._similarity, question=follow.standalone,
                      context=[m["content"] for m in follow.history], language=language,
                      translated=self.same_names if cross else None)

    def _generate(self, llm, language: str, passages: Sequence[Passage], follow: FollowUp) -> Iterator[str]:
        blocks = [format_passage(p.n, p.hit.title, p.hit.published, p.text) for p in passages]
        messages = [("system", SYSTEM[language]), *example_turns(language)]
        messages += [("human" if m["role"] == "user" else "ai", m["content"]) for m in follow.history]
        messages.append(("human", user_message(language, blocks, follow.standalone)))
        for chunk in llm.stream(messages):
            if chunk.content:
                yield str(chunk.content)
