"""A briefing: what came in since a moment, one item per story, newest first, every sentence cited.

Extractive on purpose (fast, and every sentence is one an article states): an item is the lead of its story's
source article, the first one or two sentences, quoted in the article's language under headings in the reader's
(``language``). Syndicated copies appear once: the earliest publisher is the source and the others are listed
(``Citation.also_in``). A story that had articles before the moment says what changed: the sentences of its newest
article whose figures differ from those of the closest sentence of the article before it ("18 orang", before "12
orang"), both cited. With a ``topic`` only the articles a search for it finds are briefed, in its order of
relevance within a day, and the sentences quoted are those closest to the topic.

Pure over the store's records; the search for a topic and the sentence ranking are passed in
(``Assistant.brief``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from assistant.asks import counted
from assistant.records import Citation
from core.errors import InputError
from core.records import ArticleInfo
from core.text.calendar import iso_day
from core.text.sentences import split_sentences

LEAD_SENTENCES = 2  # at most this many sentences per item
SHORT_LEAD_WORDS = 25  # a first sentence shorter than this takes the next one with it
MAX_CHANGES = 2  # "what changed" lines per story
CHANGE_OVERLAP = 0.35  # a newer sentence and an older one are about the same thing from this word overlap on
_WORD = re.compile(r"[^\W_]+")

_SPAN = re.compile(r"\s*(\d{1,5})\s*(m|min|h|d|w)\s*", re.IGNORECASE)
_SPAN_SECONDS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
WORDS = {  # what a briefing's front ends write around it, in the reader's language
    "id": {"title": "Ringkasan sejak {since}: {n} cerita", "empty": "Tidak ada artikel baru sejak {since}.",
           "changed": "Berubah", "before": "sebelumnya", "quoted": "(kalimat dikutip dalam bahasa artikelnya)",
           "copies": "{n} artikel", "sources": "Sumber"},
    "en": {"title": "Briefing since {since}: {n} stories", "empty": "No new articles since {since}.",
           "changed": "Changed", "before": "before", "quoted": "(sentences quoted in their articles' language)",
           "copies": "{n} articles", "sources": "Sources"},
}

# (article, its text) -> the sentences to quote; the default is the article's lead
Quote = Callable[[ArticleInfo, str], list[str]]


@dataclass(frozen=True)
class Change:
    """A figure that changed within a story: the newer sentence and the older one, each with its marker."""

    now: str
    n: int
    before: str
    before_n: int


@dataclass(frozen=True)
class BriefItem:
    """One story (or one article alone) of a briefing."""

    title: str
    published: str
    sentences: tuple[tuple[str, int], ...]  # (sentence, marker n)
    changes: tuple[Change, ...] = ()
    copies: int = 1  # articles of the story that came in since the moment (syndicated copies count once)

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "published": self.published,
                "sentences": [{"text": s, "n": n} for s, n in self.sentences],
                "changes": [{"now": c.now, "n": c.n, "before": c.before, "before_n": c.before_n} for c in self.changes],
                "copies": self.copies}


@dataclass(frozen=True)
class Briefing:
    since: datetime
    language: str
    topic: str = ""
    items: tuple[BriefItem, ...] = ()
    citations: tuple[Citation, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"since": self.since.isoformat(timespec="seconds"), "language": self.language, "topic": self.topic,
                "items": [i.to_json() for i in self.items], "citations": [c.to_json() for c in self.citations]}


def parse_since(text: str, now: datetime) -> datetime:
    """The moment ``text`` means, before ``now`` (aware): a span back from now ("30m", "24h", "7d", "2w"), a day
    ("2024-02-07": from its start, UTC) or a moment ("2024-02-07T10:00", "2024-02-07T10:00:00+07:00").

    Raises:
        InputError: ``text`` is neither (the message shows it).
    """
    if match := _SPAN.fullmatch(text or ""):
        return now - timedelta(seconds=int(match[1]) * _SPAN_SECONDS[match[2].lower()])
    try:
        return datetime.combine(iso_day(text), time(), UTC)
    except ValueError:
        pass
    try:  # a moment, e.g. the last run of a script: "2024-02-07T10:00:00+07:00" (UTC when it names no zone)
        moment = datetime.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*", text) else None
    except ValueError:
        moment = None
    if moment is None:
        raise InputError(f"since: expected a span such as '24h', '7d', '30m', a day as YYYY-MM-DD or a moment as "
                         f"YYYY-MM-DDTHH:MM, got {text!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def lead(article: ArticleInfo, text: str) -> list[str]:
    """The first sentence of ``text`` (the news lead), with the next one when the first is short."""
    sentences = [s for s in split_sentences(text) if len(s.split()) >= 4]
    if not sentences:
        return []
    return sentences[:LEAD_SENTENCES] if len(sentences[0].split()) < SHORT_LEAD_WORDS else sentences[:1]


def build_briefing(arrived: Sequence[ArticleInfo], stories: dict[str, list[ArticleInfo]], texts: dict[str, str],
                   since: datetime, language: str, *, topic: str = "", order: Sequence[str] = (),
                   quote: Quote = lead, resolve: Callable[[ArticleInfo, str], str] | None = None) -> Briefing:
    """The briefing of the articles that ``arrived`` since ``since``.

    ``stories``: the members of their stories (every member, also those that came before), earliest first;
    ``texts``: article id -> text for the arrived articles and the story members; ``order``: with a topic, the
    article ids a search for it found, best first (only those are briefed). Items are newest first (by their
    newest article's publish date, then by when it arrived), the topic's order deciding within a day.
    ``resolve(article, sentence)``: the sentence as shown (relative dates resolved against the article's date).
    """
    shown = resolve or (lambda _, sentence: sentence)
    since_iso = since.isoformat(timespec="seconds")
    rank = {article_id: i for i, article_id in enumerate(order)}
    if topic:
        arrived = [a for a in arrived if a.id in rank]
    groups: dict[str, list[ArticleInfo]] = {}
    for article in arrived:
        groups.setdefault(article.story_id or article.id, []).append(article)

    def newest(key: str) -> ArticleInfo:
        return max(groups[key], key=lambda a: (a.published, a.ingested_at))

    keys = sorted(groups, key=lambda k: min(rank.get(a.id, len(rank)) for a in groups[k]))  # the topic's order
    keys.sort(key=lambda k: (newest(k).published, "" if topic else newest(k).ingested_at), reverse=True)

    citations: list[Citation] = []
    numbers: dict[str, int] = {}

    def cite(article: ArticleInfo, also_in: Sequence[str], quoted: str) -> int:
        if article.id not in numbers:
            numbers[article.id] = len(citations) + 1
            citations.append(Citation(n=numbers[article.id], article_id=article.id, chunk_id="", title=article.title,
                                      outlet=article.outlet, published=article.published, url=article.url,
                                      passage=quoted, quote=quoted, also_in=tuple(also_in)))
        return numbers[article.id]

    items = []
    for key in keys:
        arrived_here = groups[key]
        members = stories.get(key, arrived_here) if arrived_here[0].story_id else arrived_here
        source = next(m for m in members if m.id in {a.id for a in arrived_here})  # the earliest that came in
        also = [m.outlet for m in members if m.id != source.id and m.outlet and m.outlet != source.outlet]
        sentences = [shown(source, s) for s in quote(source, texts.get(source.id, ""))]
        if not sentences:
            continue
        n = cite(source, tuple(dict.fromkeys(also)), " ".join(sentences))
        earlier = [m for m in members if m.ingested_at < since_iso and m.id not in {a.id for a in arrived_here}]
        changes: tuple[Change, ...] = ()
        if earlier:
            latest = max(arrived_here, key=lambda a: (a.published, a.ingested_at))
            before = max(earlier, key=lambda a: (a.published, a.ingested_at))
            changes = tuple(replace(c, now=shown(latest, c.now), before=shown(before, c.before))
                            for c in _changes(latest, before, texts, cite))
        items.append(BriefItem(source.title, source.published, tuple((s, n) for s in sentences), changes,
                               copies=len(arrived_here)))
    return Briefing(since, language, topic, tuple(items), tuple(citations))


def _changes(latest: ArticleInfo, before: ArticleInfo, texts: dict[str, str],
             cite: Callable[[ArticleInfo, Sequence[str], str], int]) -> list[Change]:
    """Sentences of ``latest`` whose figures differ from those of the sentence of ``before`` most like them."""
    newer, older = texts.get(latest.id, ""), texts.get(before.id, "")
    old = [(s, set(_WORD.findall(s.lower())), counted(s)) for s in split_sentences(older)]
    out: list[Change] = []
    for sentence in split_sentences(newer):
        figures = counted(sentence)
        if not figures or any(sentence == s for s, _, _ in old):
            continue
        words = set(_WORD.findall(sentence.lower()))
        scored = [(len(words & w) / max(1, len(words | w)), s, f) for s, w, f in old]
        overlap, match, was = max(scored, key=lambda t: t[0], default=(0.0, "", {}))
        if overlap >= CHANGE_OVERLAP and any(figures[k] != was[k] for k in set(figures) & set(was)):
            out.append(Change(sentence, cite(latest, (), sentence), match, cite(before, (), match)))
        if len(out) == MAX_CHANGES:
            break
    return out
