"""The ``Assistant``: the one object front ends talk to.

It owns the heavy parts (index, embedder, answer backends), created lazily from settings unless
passed in, and offers ``search``, ``ask`` and ``stream``:

    question -> condense (follow-ups) -> retrieve -> [refuse if nothing relevant] -> pack -> generate -> cite
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

import numpy as np

from assistant.backends import Backend, build_backend
from assistant.cite import attach_citations, is_refusal, refusal
from assistant.condense import Message, condense
from assistant.extractive import extractive_answer
from assistant.focus import rank_sentences
from assistant.pack import pack, pack_focused
from assistant.prompts import FALLBACK_NOTE, SYSTEM, format_passage, user_message
from assistant.records import Answer, Passage
from assistant.retrieve import Filters, Mode, Retrieval, Retriever
from ingest.clean import normalize_whitespace
from ingest.embed import QUERY_PREFIX
from ingest.errors import BackendError, WartaError
from ingest.index import Index
from ingest.lang import detect_language
from ingest.lexicon import load_lexicon
from ingest.models import load_embedder, load_encoding
from ingest.settings import Settings, load_settings

MAX_QUESTION_CHARS = 2000  # longer questions are cut: retrieval and the prompt budget need a bound


def clean_question(question: str) -> str:
    """One line of printable text, at most ``MAX_QUESTION_CHARS``: control characters and lone surrogates
    (a Latin-1 terminal's bytes, as Python hands them over) are dropped, as they are from articles."""
    return " ".join(normalize_whitespace(question).split())[:MAX_QUESTION_CHARS]


class Assistant:
    """Search and answer over the article index of ``settings.data_dir``.

    Args:
        settings: the settings tree; ``None`` loads ``config.toml`` + environment.
        index: an open ``Index`` (tests pass one over a temp dir); default: opened from settings.
        embeddings: an embedder with ``encode(texts, prefix)``; default: the bundled e5 model.
        llm: a LangChain chat model; default: built from ``answer.backend`` on first use.
    """

    def __init__(self, settings: Settings | None = None, *, index: Index | None = None, embeddings=None, llm=None) -> None:
        self.settings = settings or load_settings()
        self._index = index
        self._embeddings = embeddings
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
    def embeddings(self):
        with self._lock:
            if self._embeddings is None:
                self._embeddings = load_embedder(self.settings)
            return self._embeddings

    @property
    def retriever(self) -> Retriever:
        return Retriever(self.settings.retrieval, self.index, self.embeddings,
                         load_lexicon=lambda: load_lexicon(self.settings, self.embeddings))

    def search(self, query: str, *, k: int | None = None, filters: Filters | None = None, mode: Mode = "hybrid") -> Retrieval:
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

        For the local model this also reads both system prompts once: llama.cpp keeps them in its prompt
        cache, so a question's prompt is read from the passages on (~1 s less to the first token on 2 cores).
        """
        chosen = self.backend(backend)
        self.embeddings, self.index  # noqa: B018
        load_encoding(self.settings)
        if chosen.name == "local" and chosen.llm is not None:
            for language in SYSTEM:
                messages = [("system", SYSTEM[language]), ("human", user_message(language, [], ""))]
                for _ in chosen.llm.stream(messages, max_completion_tokens=1):
                    pass

    def close(self) -> None:
        for backend in self._backends.values():
            backend.close()

    def _similarity(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        if not a or not b:
            return np.zeros((len(a), len(b)), np.float32)
        return self.embeddings.encode(list(a), QUERY_PREFIX) @ self.embeddings.encode(list(b), QUERY_PREFIX).T

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
        answer = None
        for event in self.stream(question, history, filters=filters, backend=backend):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(self, question: str, history: Sequence[Message] = (), *, filters: Filters | None = None,
               backend: str | None = None) -> Iterator[str | Answer]:
        """Yield answer text as it is written (``str``), then the final ``Answer`` with its citations.

        The final text may differ from the streamed one: markers are verified, added and renumbered.

        Raises:
            IndexMismatchError: the articles were indexed with other settings (run ``warta reindex``).
            BackendError: the answer model failed and ``answer.fallback_to_extractive`` is off.
        """
        # Heavy parts load on first use; load them before the clock starts so timings are per question.
        chosen = self.backend(backend)
        self.embeddings, self.index  # noqa: B018 (warm-up)
        started = time.perf_counter()
        question = clean_question(question)
        history = [m for m in history if m.get("content")]
        language = self._language(question, history)
        base = dict(question=question, language=language, backend=chosen.name, model=chosen.model)
        if not question or not any(ch.isalnum() for ch in question):
            text = refusal(language)
            yield text
            yield Answer(**base, text=text, refused=True, note="empty question",
                         timings_ms={"total": (time.perf_counter() - started) * 1000})
            return
        self.index.require_compatible()
        standalone = condense(question, history, language, chosen.llm)
        t_condensed = time.perf_counter()
        retrieval = self.retriever.search(standalone, filters=filters)
        t_retrieved = time.perf_counter()
        timings = {"condense": (t_condensed - started) * 1000, "retrieve": (t_retrieved - t_condensed) * 1000}
        base["standalone_question"] = standalone
        if not retrieval.relevant:
            text = refusal(language)
            yield text
            timings["total"] = (time.perf_counter() - started) * 1000
            yield Answer(**base, text=text, refused=True, timings_ms=timings)
            return
        cfg = self.settings.answer
        passages = self._pack(standalone, retrieval.hits,
                              cfg.context_tokens if chosen.llm is not None else cfg.extractive_context_tokens)
        timings["pack"] = (time.perf_counter() - t_retrieved) * 1000
        note = ""
        raw = ""
        first_token: float | None = None
        if chosen.llm is not None:
            try:
                for piece in self._generate(chosen.llm, language, passages, standalone):
                    if first_token is None:
                        first_token = time.perf_counter()
                    raw += piece
                    yield piece
            except WartaError:
                raise
            except Exception as exc:  # connection refused, timeouts, server errors: the backend is down
                if not self.settings.answer.fallback_to_extractive:
                    raise BackendError(f"The {chosen.name!r} answer backend failed: {exc}") from None
                note = FALLBACK_NOTE[language].format(error=type(exc).__name__)
                raw = ""
        if not raw:
            raw = extractive_answer(standalone, language, passages, self.embeddings,
                                    self.settings.answer.extractive_sentences)
            if first_token is None:
                first_token = time.perf_counter()
            if raw and note:
                yield f"{note}\n\n"
            yield raw
        timings["first_token"] = ((first_token or time.perf_counter()) - started) * 1000
        if not raw.strip() or is_refusal(raw):
            text = refusal(language)
            timings["total"] = (time.perf_counter() - started) * 1000
            yield Answer(**base, text=text, refused=True, note=note, timings_ms=timings, passages=tuple(passages))
            return
        text, citations, unsupported = attach_citations(raw, passages, self._similarity)
        timings["total"] = (time.perf_counter() - started) * 1000
        if not text:  # the model wrote only markers
            yield Answer(**base, text=refusal(language), refused=True, note=note, timings_ms=timings,
                         passages=tuple(passages))
            return
        yield Answer(**base, text=text, refused=False, citations=tuple(citations), unsupported=tuple(unsupported),
                     note=note, timings_ms=timings, passages=tuple(passages))

    def _pack(self, question: str, hits, budget: int) -> list[Passage]:
        encoding = load_encoding(self.settings)
        if self.settings.answer.context_mode == "sentences":
            ranked = rank_sentences(question, [h.text for h in hits], self.embeddings)
            return pack_focused(hits, ranked, encoding, budget)
        return pack(hits, encoding, budget)

    def _generate(self, llm, language: str, passages: Sequence[Passage], question: str) -> Iterator[str]:
        blocks = [format_passage(p.n, p.hit.title, p.hit.outlet, p.hit.published, p.text) for p in passages]
        messages = [("system", SYSTEM[language]), ("human", user_message(language, blocks, question))]
        for chunk in llm.stream(messages):
            if chunk.content:
                yield str(chunk.content)
