"""Time in search and answers, by rules in code (the model never does date arithmetic).

- A date range asked in a question ("kemarin", "pekan lalu", "in March 2018", "sejak Januari") favours articles
  published in it: the others keep part of their score, so the range decides between passages about equally
  relevant; when nothing in the range is relevant, all dates are searched and the answer says so
  (``search_in_time``).
- "Latest" questions (terbaru, terkini, latest, current) rank newer evidence higher: a passage's score decays
  with its article's age behind the newest candidate, down to a floor (``by_recency``); relevance still leads
  (a newer article that is barely about the question does not jump ahead of one that is). A story reported in both
  languages is ranked by date across them: keyword signals favour the question's language, so each language's
  relevant reports are first put on one scale (``by_language``). A figure asked as of a day ("per 7 Februari",
  "as of February 7") is ranked the same way among the articles published up to that day.
- Relative dates in passages ("kemarin", "Senin (5/9) lalu") are shown resolved against their article's
  publish date (``resolve_dates``), so the model, the quotes and the source cards all read the same dates.

The expressions themselves are found and resolved by ``core.text.when``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Protocol, TypeVar

from assistant.prompts import NEWEST_EVIDENCE
from assistant.records import Citation, TimeFocus
from core.records import Hit
from core.settings import TimeSettings
from core.text.when import DateRange, TimeScope, annotate
from store.filters import Filters

RECENCY_POOL = 4  # "latest" questions: candidates re-ranked by date, as a multiple of k


class Found(Protocol):
    """What a search returns, as far as time needs it (``assistant.retrieve.Retrieval``)."""

    language: str  # the question's
    hits: list[Hit]
    relevant: bool


# Whether a passage is about a question in that language (``assistant.retrieve.relevance_floor`` on its cosine).
Relevant = Callable[[Hit, str], bool]
# Whether a passage gives a figure of what a "latest" question counts (``assistant.extractive.figure_finder``).
Gives = Callable[[Hit], bool]


F = TypeVar("F", bound=Found)


def within(filters: Filters, span: DateRange) -> Filters:
    """``filters`` narrowed to ``span`` (a date range the user set keeps its own bounds where they are tighter)."""
    since = max(filter(None, (filters.date_from, span.start.isoformat() if span.start else "")), default="")
    until = min(filter(None, (filters.date_to, span.end.isoformat() if span.end else "")), default="")
    return replace(filters, date_from=since, date_to=until)


def search_in_time(search: Callable[[Filters, int], F], scope: TimeScope, filters: Filters, k: int,
                   settings: TimeSettings, now: date, relevant: Relevant | None = None,
                   gives: Gives | None = None) -> tuple[F, TimeFocus]:
    """``search(filters, k)`` honouring what ``scope`` asks, softly.

    A range counted from now ("kemarin", "pekan lalu", "bulan lalu": kind ``relative``) asks for the news of that
    time: the search keeps to it. A dated range ("tahun 2017", "Maret 2018", "sejak Januari 2018") is often the
    event's date, reported days later, so it boosts: passages of articles published in it keep their score, the
    others (and undated ones) keep ``time.out_of_range_weight`` of it, and the range decides between passages about
    equally relevant. Either way, when nothing in the range is relevant all dates are searched (``widened``).
    "Latest" questions: newer evidence first, and nothing published after ``now`` when anything up to it is
    relevant (replaying an archive); a figure asked as of a day ("per 7 Februari": kind ``as_of``) the same, up to
    that day (``TimeScope.asks_newest``); ``relevant`` tells which passages are about the
    question, to rank a story's reports in both languages by date (``by_language``; without it, by score), and
    ``gives`` which give a figure of what it counts: those come first (``giving_first``).
    """
    pool = k * RECENCY_POOL if scope.asks_newest else k
    # the day a figure is asked as of ("per 7 Februari"), when the range is honoured
    as_of = scope.range.end if scope.kind == "as_of" and settings.soft_filter and scope.range is not None else None
    if scope.asks_newest and (scope.range is None or not settings.soft_filter or as_of is not None):
        # what had been published by ``now`` (later articles did not exist), or by that day; with the soft filter
        # off the question's range is ignored, not ``now``
        found = search(within(filters, DateRange(None, min(now, as_of) if as_of is not None else now)), pool)
        kept = found.relevant and bool(found.hits)
        found = found if kept else search(filters, pool)
        asked = as_of is not None
        focus = TimeFocus(scope, applied=asked and kept, widened=asked and not kept)
        return _newest_first(found, scope, k, settings, relevant, gives), focus
    if not settings.soft_filter or scope.range is None:
        return search(filters, pool), TimeFocus(scope)
    span = scope.range
    inside = search(within(filters, span), pool)
    if not (inside.relevant and inside.hits):
        return _newest_first(search(filters, pool), scope, k, settings, relevant, gives), TimeFocus(scope, widened=True)
    if scope.kind == "relative":  # "kemarin", "pekan lalu": when the news came out, so the range's news only
        found = _newest_first(inside, scope, k, settings, relevant, gives)
        return _range_givers_first(found, inside, scope, gives), TimeFocus(scope, applied=True)
    found = search(filters, k * RECENCY_POOL)
    if not any(_within(h, span) for h in found.hits):  # nothing of the range among the candidates: take its own
        found = inside
    else:
        weight = settings.out_of_range_weight
        found.hits = sorted((replace(h, score=max(h.score, 0.0) * (1.0 if _within(h, span) else weight))
                             for h in found.hits), key=lambda h: -h.score)
    found = _range_givers_first(_newest_first(found, scope, k, settings, relevant, gives), inside, scope, gives)
    found.hits = found.hits[:k]
    return found, TimeFocus(scope, applied=True)


def _range_givers_first(found: F, inside: F, scope: TimeScope, gives: Gives | None) -> F:
    """``found`` with the passages of the range (``inside``: the range's own search) that give the asked figure
    first, in their order: a figure asked in a range ("according to reports on May 10", "menurut berita kemarin")
    is the one reported then, and its sentence is often far below the leads of other days' reports. Not for the
    newest report up to now or up to a day ("latest", "as of": those rank givers by date, ``giving_first``)."""
    if gives is None or scope.asks_newest:
        return found
    givers = [h for h in inside.hits if gives(h)]
    taken = {h.chunk_id for h in givers}
    found.hits = givers + [h for h in found.hits if h.chunk_id not in taken]
    return found


def _within(hit: Hit, span: DateRange) -> bool:
    return bool(hit.published) and span.contains(date.fromisoformat(hit.published))


def _newest_first(found: F, scope: TimeScope, k: int, settings: TimeSettings, relevant: Relevant | None,
                  gives: Gives | None = None) -> F:
    if scope.asks_newest:
        about = (lambda h: True) if relevant is None else (lambda h: relevant(h, found.language))
        hits = found.hits if relevant is None else by_language(found.hits, about)
        hits = by_recency(hits, settings.recency_half_life_days, settings.recency_floor)
        found.hits = (giving_first(hits, lambda h: about(h) and gives(h)) if gives is not None else hits)[:k]
    return found


def giving_first(hits: Sequence[Hit], gives: Callable[[Hit], bool]) -> list[Hit]:
    """``hits`` with those that ``gives`` (a figure of what a "latest" question counts, in a passage about it) first,
    newest first (an undated one last; a day's passages in their order), then the others in their order. The
    reports of a developing story are all about the question, so relevance and recency alone fill the answer's few
    passages with leads ("Korban tewas bertambah menjadi 31 orang") and can leave out the newer report whose later
    sentence gives the asked figure ("Personel gabungan yang bertugas kini 1.150 orang"), often one in the other
    language; and when most reports restate the figure, the newest of them is the one the question asks for, however
    far down its sentence is."""
    flags = [gives(h) for h in hits]
    givers = sorted((h for h, f in zip(hits, flags) if f), key=lambda h: h.published or "", reverse=True)
    return givers + [h for h, f in zip(hits, flags) if not f]


def by_language(hits: Sequence[Hit], relevant: Callable[[Hit], bool]) -> list[Hit]:
    """``hits`` with each language's scores scaled so that its best passage scores as the best overall, when that
    passage is ``relevant``. The fused score of a passage in the question's language carries keyword signals that
    one in the other language cannot earn (its words are not the question's), so without this the reports in
    the question's language would win every recency re-rank, however old; scaled, the newest relevant report of
    the story is found in either language. A language whose best passage is not relevant keeps its scores."""
    top = max((h.score for h in hits), default=0.0)
    best: dict[str, Hit] = {}
    for hit in hits:
        if hit.lang not in best or hit.score > best[hit.lang].score:
            best[hit.lang] = hit
    scale = {lang: top / hit.score for lang, hit in best.items() if hit.score > 0 and relevant(hit)}
    return [replace(h, score=h.score * scale[h.lang]) if h.lang in scale else h for h in hits]


def by_recency(hits: Sequence[Hit], half_life_days: float, floor: float) -> list[Hit]:
    """``hits`` re-ranked by score x (floor + (1 - floor) x 0.5 ** (age / half-life)), the age counted in days
    behind the newest dated hit (an archive of 2017 still has a "latest"); an undated hit keeps the floor."""
    days = {h.chunk_id: date.fromisoformat(h.published) for h in hits if h.published}
    newest = max(days.values(), default=None)

    def weight(hit: Hit) -> float:
        if newest is None or hit.chunk_id not in days:
            return floor
        return floor + (1 - floor) * 0.5 ** ((newest - days[hit.chunk_id]).days / half_life_days)

    # a fused score below 0 (a keyword-only candidate far from the question) stays at the bottom
    rescored = [replace(h, score=max(h.score, 0.0) * weight(h)) for h in hits]
    return sorted(rescored, key=lambda h: -h.score)


def newest_evidence(citations: Sequence[Citation], language: str) -> str:
    """The line that gives a "latest" answer's newest cited date ("Sumber terbaru: 10 Februari 2024 [1]."), or ""
    when no cited article is dated."""
    dated = [c for c in citations if c.published]
    if not dated:
        return ""
    newest = max(dated, key=lambda c: (c.published, -c.n))
    day = date.fromisoformat(newest.published)
    return NEWEST_EVIDENCE[language].format(day=DateRange(day, day).label(language), n=newest.n)


def resolve_dates(hits: Sequence[Hit]) -> list[Hit]:
    """Each passage with its relative dates resolved against its article's publish date (undated ones as they are)."""
    out = []
    for hit in hits:
        if hit.published:
            lang = hit.lang if hit.lang in ("id", "en") else "id"
            hit = replace(hit, text=annotate(hit.text, date.fromisoformat(hit.published), lang))
        out.append(hit)
    return out
