"""The ``Assistant``: the one object front ends talk to.

It owns the heavy parts (index, embedder, answer backends), created lazily from settings unless
passed in, and offers ``search``, ``ask`` and ``stream``:

    question -> follow-up plan -> retrieve -> [refuse if nothing relevant] -> context
             -> [refuse a question about what did not happen when no sentence it would quote says so]
             -> generate -> ground -> quote (the articles' sentences closest to the question, under the answer)

``stream`` returns an ``AnswerStream``: iterate it for the text as the model writes it, then read ``.answer``
for the final, checked answer (its text may differ: unsupported sentences removed, markers repaired).
The steps themselves live in their own modules; this one (~370 lines) is the order they run in, the
refusals and fallbacks between them, and the lazily built heavy parts.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np

from assistant import context
from assistant.asks import about_a_figure, asks_negated
from assistant.brief import LEAD_SENTENCES, Briefing, build_briefing, lead
from assistant.cite import Grounded, ground, is_refusal, refusal, strip_markers, with_quotes
from assistant.doubt import TOP_LOGPROBS, refusal_probability
from assistant.extractive import (
    NO_FIGURE,
    AskedFigure,
    Sentences,
    best_sentences,
    earlier_sentence,
    extractive_answer,
    figure_finder,
    figures_changed,
    figures_disagree,
    figures_first,
    gives_newest_figure,
    question_figure,
    rank_sentences,
    says_not,
)
from assistant.followup import FollowUp, Message, plan
from assistant.llm.backends import Backend, build_backend
from assistant.prompts import (
    EARLIER_LEAD,
    FALLBACK_NOTE,
    LANGUAGE_INSISTENCE,
    LATEST_HINT,
    OUTDATED_NOTE,
    QUOTE_LEAD,
    REMOVED_NOTE,
    SYSTEM,
    example_turns,
    format_passage,
    user_message,
)
from assistant.records import Answer, Passage, TimeFocus
from assistant.retrieve import Mode, Retrieval, Retriever, is_relevant
from assistant.timely import newest_evidence, resolve_dates, search_in_time
from core.errors import BackendError, InputError, WartaError
from core.models.dictionary import load_dictionary
from core.models.embedder import Embedder
from core.models.lexicon import load_lexicon
from core.models.prepare import load_embedder, load_encoding
from core.records import ArticleInfo, Hit
from core.settings import Settings, load_settings
from core.text.intake import clean_line
from core.text.lang import crosses, detect_language, is_lang
from core.text.when import NO_SCOPE, DateRange, TimeScope, annotate, question_scope
from store.filters import Filters
from store.index import Index

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

MAX_QUESTION_CHARS = 2000  # longer questions are cut: retrieval and the prompt budget need a bound
# e5 "query:" cosine above which two names are the same name in two languages ("France"/"Perancis" 0.94,
# "Norway"/"Norwegia" 0.95) and below which different names of one kind stay apart ("Joko Widodo"/"Susilo
# Bambang Yudhoyono" 0.90, "Brazil"/"Argentina" 0.91): measured on 20 + 14 hand-picked pairs.
SAME_NAME_COSINE = 0.92
# Dates count as what a query asks for only in a question-sized query: the dev questions have 3-25 words (FacQA,
# TyDi, xling, the temporal sets), the article summaries searched for their article 43-81.
MAX_SCOPE_WORDS = 30


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


def _in_other_language(text: str, language: str) -> bool:
    """An answer that reads as Indonesian to an English question, or the other way round."""
    return crosses(language, detect_language(strip_markers(text), default=language))


class _Question:
    """One question on its way to an answer: what the steps found, and the clock."""

    def __init__(self, text: str, language: str, backend: Backend) -> None:
        self.text, self.language, self.backend = text, language, backend
        self.standalone = ""
        self.time = TimeFocus()
        self.doubt: float | None = None  # the model's first-token refusal probability
        self.timings: dict[str, float] = {}
        self.started = self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        """Record the time since the previous lap as ``step``."""
        now = time.perf_counter()
        self.timings[step] = (now - self._last) * 1000
        self._last = now

    def first_token(self) -> None:
        """The first text of an answer is out (not recorded for refusals made without the model)."""
        self.timings.setdefault("first_token", (time.perf_counter() - self.started) * 1000)

    def answer(self, text: str, **fields) -> Answer:
        self.timings["total"] = (time.perf_counter() - self.started) * 1000
        return Answer(question=self.text, language=self.language, backend=self.backend.name,
                      model=self.backend.model, standalone_question=self.standalone, text=text, time=self.time,
                      refused=fields.pop("refused", False), timings_ms=self.timings, doubt=self.doubt, **fields)

    def refuse(self, **fields) -> Generator[str, None, Answer]:
        """The "not in the articles" answer, streamed and returned."""
        text = refusal(self.language)
        yield text
        return self.answer(text, refused=True, **fields)


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


MAX_BRIEF_SEARCH = 50  # a briefing on a topic: at most this many of the arrived articles are searched for it


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
        self._retriever: Retriever | None = None
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
        """One per assistant, so the lexicon and the dictionary load (or fail, said once) on the first English
        question only."""
        index, embedder = self.index, self.embedder
        with self._lock:
            if self._retriever is None:
                self._retriever = Retriever(self.settings.retrieval, index, embedder,
                                            load_lexicon=lambda: load_lexicon(self.settings, embedder),
                                            load_dictionary=lambda: load_dictionary(self.settings),
                                            stories=self.settings.stories.enabled)
            return self._retriever

    def warnings(self) -> list[str]:
        """What is off with the index and how to fix it (catalog, vectors and keywords disagree)."""
        return list(self.index.health().warnings)

    def brief(self, since: datetime, *, language: str = "", topic: str = "") -> Briefing:
        """What came in since ``since`` (aware): one item per story, newest first, every sentence cited
        (``assistant.brief``), headed in ``language`` (default: the topic's, else ``ui.language``). With ``topic``
        only the articles a search for it finds among them, quoted where they are closest to it."""
        arrived = self.index.arrived_since(since)
        topic = clean_question(topic)
        language = language or (detect_language(topic, default="other") if topic else "")
        if not is_lang(language):
            language = "id" if self.settings.ui.language == "id" else "en"
        stories = self.index.stories({a.story_id for a in arrived if a.story_id})
        texts = self.index.texts({a.id for a in arrived} | {m.id for ms in stories.values() for m in ms})
        def resolve(article: ArticleInfo, sentence: str) -> str:
            if not (article.published and self.settings.time.resolve_relative_dates):
                return sentence
            return annotate(sentence, date.fromisoformat(article.published), article.lang if is_lang(article.lang)
                            else "id")

        if not topic or not arrived:
            return build_briefing(arrived, stories, texts, since, language, resolve=resolve)
        found = self.search(topic, k=min(MAX_BRIEF_SEARCH, len(arrived)), time_aware=False,
                            filters=Filters(article_ids=tuple(a.id for a in arrived)))
        cfg = self.settings.retrieval  # each article must be about the topic, not only the best one
        hits = [h for h in found.hits if is_relevant(cfg, h, found.language)]
        passages = {h.article_id: Passage(1, h, h.text, 0) for h in reversed(hits)}  # each article's best passage
        figure = self._figure(topic, language)

        def closest(article: ArticleInfo, text: str) -> list[str]:
            ranked = self._sentences([topic], [passages[article.id]], language, figure) \
                if article.id in passages else None
            chosen = best_sentences(ranked, LEAD_SENTENCES) if ranked is not None else []
            return [sentence for _, sentence in chosen] or lead(article, text)

        return build_briefing(arrived, stories, texts, since, language, topic=topic,
                              order=[h.article_id for h in hits], quote=closest, resolve=resolve)

    def search(self, query: str, *, k: int | None = None, filters: Filters | None = None,
               mode: Mode = "hybrid", time_aware: bool = True, now: date | None = None,
               merge: bool | None = None) -> Retrieval:
        """Ranked passages for ``query``; a date range or "latest" it asks for is honoured (``time_aware``; "kemarin"
        counts from ``now``, default ``time.now`` or today), and relative dates in the passages are resolved
        (``time.resolve_relative_dates``). ``merge``: adjacent chunks into one passage (default
        ``retrieval.merge_neighbors``).

        Raises:
            IndexMismatchError: the data dir's articles were indexed with other settings.
        """
        self.index.require_compatible()
        query = clean_question(query)
        now = now or self.settings.time.today()
        scope = self.time_scope(query, now) if time_aware else NO_SCOPE
        figure = self._figure(query, detect_language(query))
        found = self._search(query, scope, figure, filters, now, k=k, mode=mode, merge=merge)
        found.hits = self._resolve_dates(found.hits)
        return found

    def time_scope(self, question: str, now: date | None = None) -> TimeScope:
        """The date range (or "latest") ``question`` asks about, counted from ``now`` (default ``time.now``); none
        for a longer text (a pasted paragraph mentions dates and "kini" as narration, not as what it asks for)."""
        if len(question.split()) > MAX_SCOPE_WORDS:
            return NO_SCOPE
        scope = question_scope(question, now or self.settings.time.today())
        if scope.kind == "as_of" and not about_a_figure(question):
            # "until June 2017" in "Why did Suzuki extend the promotion until June 2017?" dates the event: only a
            # figure is asked as of a day ("Berapa korban per 7 Februari?": the newest up to it), the rest is a range
            scope = replace(scope, kind="absolute")
        return scope

    def _search(self, query: str, scope: TimeScope, figure: AskedFigure, filters: Filters | None, now: date, *,
                k: int | None = None, mode: Mode = "hybrid", merge: bool | None = None) -> Retrieval:
        """``search`` for ``query``; ``figure``: what the question counts (``_figure``)."""
        retriever, cfg = self.retriever, self.settings.retrieval
        # a figure asked newest or in a range: the passages that give it are looked for
        gives = figure_finder(query, figure) if scope.asks_newest or scope.range else None
        found, focus = search_in_time(lambda f, n: retriever.search(query, k=n, filters=f, mode=mode, merge=merge),
                                      scope, filters or Filters(), k or cfg.k, self.settings.time, now,
                                      functools.partial(is_relevant, cfg), gives)
        found.time = focus
        return found

    def _figure(self, question: str, language: str) -> AskedFigure:
        """What ``question`` (in ``language``) counts, read once per question (``extractive.question_figure``)."""
        return question_figure(question, language, self._translate)

    def _resolve_dates(self, hits: list[Hit]) -> list[Hit]:
        """Passages with their relative dates resolved (``time.resolve_relative_dates``): once, on what is shown."""
        return resolve_dates(hits) if self.settings.time.resolve_relative_dates else hits

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
        if is_lang(language):
            return language
        for message in reversed(history):  # "dan Google?" is short; the conversation tells
            if message.get("role") == "user":
                earlier = detect_language(message.get("content", ""), default="other")
                if is_lang(earlier):
                    return earlier
        return "id" if self.settings.ui.language == "id" else "en"

    def ask(self, question: str, history: Sequence[Message] = (), *, filters: Filters | None = None,
            backend: str | None = None, time_aware: bool = True, now: date | None = None) -> Answer:
        """Answer ``question`` (see ``stream``) and return the final ``Answer``."""
        return self.stream(question, history, filters=filters, backend=backend, time_aware=time_aware,
                           now=now).result()

    def stream(self, question: str, history: Sequence[Message] = (), *, filters: Filters | None = None,
               backend: str | None = None, time_aware: bool = True, now: date | None = None) -> AnswerStream:
        """The answer to ``question`` as it is written; read ``.answer`` of the result after iterating it.

        A date range the question asks for ("kemarin", "in March 2018") narrows the search softly, and "latest"
        questions get the newest evidence first and say its date; ``time_aware=False`` ignores both (the user
        removed the range); "kemarin" counts from ``now`` (default ``time.now`` or today). ``Answer.time`` says
        what was asked and done.

        The final text may differ from the streamed one: sentences whose names or numbers no passage states
        are removed (listed in ``Answer.unsupported``), markers are verified, added and renumbered.

        Raises (while iterating):
            IndexMismatchError: the articles were indexed with other settings (run ``warta reindex``).
            BackendError: the answer model failed and ``answer.fallback_to_extractive`` is off.
        """
        return AnswerStream(self._answer(question, history, filters, backend, time_aware, now))

    def _answer(self, question: str, history: Sequence[Message], filters: Filters | None,
                backend: str | None, time_aware: bool, now: date | None) -> Generator[str, None, Answer]:
        # Heavy parts load on first use; load them before the clock starts so timings are per question.
        chosen = self.backend(backend)
        self.embedder, self.index  # noqa: B018 (warm-up)
        history = [m for m in history if m.get("content")]
        question = clean_question(question)
        q = _Question(question, self._language(question, history), chosen)
        if not question or not any(ch.isalnum() for ch in question):
            return (yield from q.refuse(note="empty question"))
        self.index.require_compatible()
        follow = plan(question, history, q.language, chosen.llm)
        q.standalone = follow.standalone
        q.lap("condense")
        scope, now = NO_SCOPE, now or self.settings.time.today()
        if time_aware:  # a follow-up without a date of its own keeps the one its rewrite carries over
            scope = self.time_scope(question, now)
            scope = scope if scope.kind != "none" else self.time_scope(follow.standalone, now)
        # what the question counts, read once: the reports that give it are looked for, its sentences read first
        figure = self._figure(follow.focus[0], q.language) if follow.focus else NO_FIGURE
        retrievals = [self._search(text, scope, figure, filters, now) for text in follow.queries]
        hits = self._resolve_dates(merge_hits([r.hits for r in retrievals], self.settings.retrieval.k))
        q.time = next((r.time for r in retrievals if r.time.applied), retrievals[0].time)
        q.lap("retrieve")
        if not any(r.relevant for r in retrievals):
            return (yield from q.refuse())
        cfg = self.settings.answer
        ranked = self._rank(follow.focus, hits)  # once: the model's context, the quotes and the fallback
        # what the quotes and the extractive answer read: for a "latest" figure, every report's figure of it first
        evidence = self._evidence_order(ranked, hits, scope, figure)
        passages = self._context(hits, ranked, cfg.context_tokens) if chosen.llm is not None else \
            self._context(hits, evidence, cfg.extractive_context_tokens)
        q.lap("pack")

        def reading() -> tuple[list[Passage], Sentences]:
            """What the extractive backend reads (its own passages; under a model, the same budget of the hits) and
            their sentences ranked against the question: the quotes, the extractive answer, the negation check."""
            sources = passages if chosen.llm is None else self._context(hits, evidence, cfg.extractive_context_tokens)
            return sources, self._sentences(follow.focus, sources, q.language, figure)

        sentences: Sentences | None = None  # read once, when first needed
        if follow.focus and asks_negated(follow.focus[0]):
            # what did *not* happen is stated only with a negation: a topic passage without one is a near miss
            sources, sentences = reading()
            # in the sentences closest to it, or in those a "latest" answer would quote (the newest report's)
            quoted, newest = self._from_newest(scope, sentences, follow.focus)
            if not (says_not(sentences, cfg.extractive_sentences)
                    or newest and says_not(quoted, cfg.extractive_sentences, newest=True)):
                return (yield from q.refuse(passages=passages))
        draft, note = "", ""
        if chosen.llm is not None:
            draft, note = yield from self._draft(chosen, q, passages, follow)
            if draft.strip() and is_refusal(draft):
                # the newest report's figure of what a "latest" question counts answers it, whatever the model says
                if not (scope.asks_newest or scope.kind == "since"):
                    return (yield from q.refuse(passages=passages))
                if sentences is None:
                    sources, sentences = reading()
                if not gives_newest_figure(self._from_newest(scope, sentences, follow.focus)[0]):
                    return (yield from q.refuse(passages=passages))
                draft = ""
        grounded = self._ground(draft, passages, follow, q.language) if draft.strip() else None
        if grounded is not None and grounded.text:
            q.lap("ground")
            before = grounded.text
            # what the extractive backend reads: the quotes, and whether the figures changed between reports
            if sentences is None:
                sources, sentences = reading()
            sentences, newest = self._from_newest(scope, sentences, follow.focus)
            quotes = self._quotes(sentences, newest=newest)
            if newest and figures_disagree(grounded.text, [sentence for _, sentence in quotes]):
                # the model read an older report's figure (or another one): the newest report answers instead
                note = note or OUTDATED_NOTE[q.language]
            else:
                if newest:
                    grounded = self._newest_line(grounded, q.language)
                if cfg.quote_evidence:
                    grounded = with_quotes(grounded, quotes, QUOTE_LEAD[q.language])
                if newest:
                    grounded = self._earlier_line(grounded, sentences, q.language)
                yield grounded.text[len(before):]
                q.lap("quote")
                return q.answer(grounded.text, citations=tuple(grounded.citations), passages=tuple(passages),
                                unsupported=tuple(grounded.unsupported), corrected=tuple(grounded.repaired), note=note)
        # No model, a failed model, nothing of its answer survived the checks, or its figure is not the newest one:
        # the closest sentences.
        unsupported = tuple(grounded.unsupported) if grounded is not None else ()
        note = note or (REMOVED_NOTE[q.language] if unsupported else "")
        if sentences is None:
            sources, sentences = reading()
        sentences, newest = self._from_newest(scope, sentences, follow.focus)
        extracted = extractive_answer(sentences, q.language, cfg.extractive_sentences, newest=newest)
        q.first_token()
        if not extracted:
            return (yield from q.refuse(note=note if unsupported else "", passages=passages, unsupported=unsupported))
        if chosen.llm is not None or note:
            yield ("\n\n" if draft else "") + (f"{note}\n\n" if note else "")
        yield extracted
        grounded = self._ground(extracted, sources, follow, q.language)
        if newest and grounded.text:
            before = grounded.text
            grounded = self._earlier_line(self._newest_line(grounded, q.language), sentences, q.language)
            yield grounded.text[len(before):]
        return q.answer(grounded.text or extracted, citations=tuple(grounded.citations), passages=tuple(sources),
                        unsupported=unsupported, note=note)

    @staticmethod
    def _from_newest(scope: TimeScope, sentences: Sentences, focus: Sequence[str]) -> tuple[Sentences, bool]:
        """Whether the answer is taken from the newest report, dated, with what an older one said: "latest"
        questions and those about what had been reported by a day ("per 7 Februari": ``TimeScope.asks_newest``),
        questions about a figure since a day ("perkembangan jumlah korban sejak 7 Februari": how it stands now; not
        "Apa pesan Jokowi sejak awal 2018?"), and questions without a range whose figures changed between reports;
        with the sentences it is taken from: those of the asked range's end at the latest ("berita terbaru ... pada
        Mei 2017", "per 7 Februari"); a figure asked in a range ("according to reports on May 10") is the newest
        of the range's reports when one of them gives it (``Sentences.reported_in``)."""
        figure = bool(focus) and about_a_figure(focus[0])
        since = scope.kind == "since" and figure
        newest = scope.asks_newest or since or (scope.range is None and figures_changed(sentences, focus))
        if newest and scope.range is not None and scope.range.end is not None:
            sentences = sentences.as_of(scope.range.end.isoformat())
        elif figure and not newest and scope.range is not None:  # a figure reported in a range: "on May 10"
            span = scope.range
            reported = sentences.reported_in(span.start.isoformat() if span.start else "",
                                             span.end.isoformat() if span.end else "")
            # ... is the newest of that range's reports of it
            return reported, reported is not sentences
        return sentences, newest

    def _sentences(self, focus: Sequence[str], sources: Sequence[Passage], language: str,
                   figure: AskedFigure) -> Sentences:
        """The sentences of ``sources`` ranked against ``focus`` once, for the extractive answer, the quotes and the
        'earlier' line; ``language``: the question's; ``figure``: what it counts."""
        language = language or (detect_language(focus[0]) if focus else "")
        return rank_sentences(focus, sources, self.embedder, self.encoding, self._translate,
                              language=language, figure=figure)

    def _translate(self, word: str, language: str) -> list[str]:
        """``word`` (written in ``language``) in the other language, through the dictionary (none without it)."""
        dictionary = self.retriever.dictionary.get()
        return dictionary.into_other(word, language) if dictionary is not None else []

    def _quotes(self, sentences: Sentences, *, newest: bool = False) -> list[tuple[Hit, str]]:
        """The sentences the extractive backend would answer with: quoted under a model's answer."""
        by_n = {p.n: p.hit for p in sentences.passages}
        chosen = best_sentences(sentences, self.settings.answer.extractive_sentences, newest=newest)
        return [(by_n[n], sentence) for n, sentence in chosen]

    @staticmethod
    def _newest_line(grounded: Grounded, language: str) -> Grounded:
        """A "latest" answer followed by the date of the newest article it cites."""
        line = newest_evidence(grounded.citations, language)
        return replace(grounded, text=f"{grounded.text}\n\n{line}") if line else grounded

    def _earlier_line(self, grounded: Grounded, sentences: Sentences, language: str) -> Grounded:
        """A "latest" answer followed by what an older article of ``sources`` said (the figure the newest one
        replaced), quoted and cited like the evidence."""
        newest = max((c.published for c in grounded.citations if c.published), default="")
        found = earlier_sentence(sentences, newest) if newest else None
        if found is None:
            return grounded
        passage, sentence = found
        day = date.fromisoformat(passage.hit.published)
        return with_quotes(grounded, [(passage.hit, sentence)],
                           EARLIER_LEAD[language].format(day=DateRange(day, day).label(language)))

    def _draft(self, chosen: Backend, q: _Question, passages: Sequence[Passage],
               follow: FollowUp) -> Generator[str, None, tuple[str, str]]:
        """The model's answer, streamed as it is written; returns (text, note). A failing backend gives no text and
        a note (or raises ``BackendError`` without the fallback). An answer in the other language than the
        question's is asked for once more, with the language repeated (not streamed: the final answer replaces
        the streamed one)."""
        raw, latest = "", q.time.scope.asks_newest
        try:
            for piece, doubt in self._generate(chosen, q.language, passages, follow, latest=latest):
                if doubt is not None:
                    q.doubt = doubt
                q.first_token()
                raw += piece
                yield piece
            if _in_other_language(raw, q.language):
                raw = "".join(piece for piece, _ in self._generate(chosen, q.language, passages, follow, insist=True,
                                                                   latest=latest)) or raw
        except WartaError:
            raise
        except Exception as exc:  # noqa: BLE001 (connection refused, timeouts, server errors: the backend is down)
            if not self.settings.answer.fallback_to_extractive:
                raise BackendError(f"The {chosen.name!r} answer backend failed: {exc}") from None
            return "", FALLBACK_NOTE[q.language].format(error=type(exc).__name__)
        return raw, ""

    @property
    def encoding(self):
        return load_encoding(self.settings)

    def _rank(self, focus: Sequence[str], hits: Sequence[Hit]) -> list[context.Unit] | None:
        """The sentences of ``hits`` scored against ``focus`` (None: ``context_mode = "passages"``)."""
        if self.settings.answer.context_mode == "sentences":
            return context.rank_units(focus, hits, self.embedder, self.encoding)
        return None

    @staticmethod
    def _evidence_order(ranked: list[context.Unit] | None, hits: Sequence[Hit], scope: TimeScope,
                        figure: AskedFigure) -> list[context.Unit] | None:
        """``ranked`` as the extractive reading takes it: for a question about a figure's newest value ("latest",
        "since") or about one reported in a range ("according to reports on May 10"), the sentences giving a figure
        of what it counts first (``extractive.figures_first``)."""
        if ranked is None or not (scope.asks_newest or scope.kind == "since" or scope.range):
            return ranked
        return figures_first(ranked, hits, figure)

    def _context(self, hits: Sequence[Hit], ranked: Sequence[context.Unit] | None, budget: int) -> list[Passage]:
        if ranked is not None:
            return context.select(hits, ranked, self.encoding, budget)
        return context.pack_passages(hits, self.encoding, budget)

    def _ground(self, raw: str, passages: Sequence[Passage], follow: FollowUp, language: str):
        cross = any(crosses(p.hit.lang, language) for p in passages)
        return ground(raw, passages, self._similarity, question=follow.standalone,
                      context=[m["content"] for m in follow.history], language=language,
                      translated=self.same_names if cross else None)

    def _generate(self, chosen: Backend, language: str, passages: Sequence[Passage], follow: FollowUp, *,
                  insist: bool = False, latest: bool = False) -> Generator[tuple[str, float | None], None, None]:
        """The model's answer as it is written, each piece with the answer's doubt: for the first piece, how likely
        its first token began the refusal (``None`` when the backend sends no logprobs), ``None`` after it."""
        blocks = [format_passage(p.n, p.hit.title, p.hit.published, p.text) for p in passages]
        messages = [("system", SYSTEM[language]), *example_turns(language)]
        messages += [("human" if m["role"] == "user" else "ai", m["content"]) for m in follow.history]
        question = f"{follow.asked} {LATEST_HINT[language]}" if latest else follow.asked
        messages.append(("human", user_message(language, blocks, question)
                         + (f" {LANGUAGE_INSISTENCE[language]}" if insist else "")))
        assert chosen.llm is not None, "the extractive backend writes nothing"
        llm = chosen.llm.bind(logprobs=True, top_logprobs=TOP_LOGPROBS) if chosen.logprobs else chosen.llm
        first = True
        for chunk in llm.stream(messages):
            if chunk.content:
                doubt = refusal_probability(chunk.response_metadata.get("logprobs"), language) if first else None
                first = False
                yield str(chunk.content), doubt
