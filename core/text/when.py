"""Time expressions in a text, resolved against an anchor day.

The anchor is the day a text speaks from: ``now`` for a question, the publish date for an article ("kemarin" in
an article of 2005-09-06 is 2005-09-05). ``find_dates`` lists every expression with the days it means,
``question_scope`` says what a question asks about time (a range, "the latest", or nothing), ``dateline_date``
dates an undated article from its "Selasa (7/11)" datelines, and ``annotate`` spells out a passage's relative
dates. Indonesian and English are read whatever ``lang`` says; ``lang`` only picks the language of labels.

Conventions (benchmarks/data/temporal/README.md): ranges are inclusive; weeks run Monday to Sunday; "pekan lalu"
is the previous calendar week, "dalam sepekan terakhir" the 7 days ending on the anchor; a weekday with "(d/m)"
takes the year near the anchor in which the weekday matches; a bare weekday is the most recent one on or before
the anchor unless "depan/mendatang/nanti/besok/next" points forward, or a future word before it in its sentence
("will", "is scheduled", "akan": ``calendar.WILL_HAPPEN``); a day or month without a year is the one
nearest the anchor, or the most recent one in a question or after "sejak/since". A bare month name or 4-digit
year counts only with a cue ("pada Maret", "tahun 2016", "in 2017"), so "Rp 2017" and "2.017 orang" are not
dates; "minggu" is Sunday only written "Minggu" and not followed by "ini/lalu/depan" (then it is the week).

How: one regular expression per family of expressions (the ``@_rule`` functions below) proposes mentions;
overlapping ones keep the longest; two written as one stretch ("Rabu dan Kamis") are joined; then the word before
each is read ("sejak" makes it a "since" range, "per" an "as of" range, "pada" joins the span). Pure and
stdlib-only; the words and the calendar arithmetic are in ``core.text.calendar``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from core.text import calendar as cal
from core.text.calendar import (
    BACK,
    COUNT,
    DATELINE,
    DAY_MONTH,
    FORWARD,
    MONTH,
    MONTH_FULL,
    MONTHS,
    TIME_OF_DAY,
    UNIT,
    WEEKDAY,
    WEEKDAYS,
    YEAR,
    Mode,
    make_date,
    month_span,
    word,
)

MentionKind = Literal["absolute", "relative", "since", "as_of", "dateline"]
ScopeKind = Literal["none", "absolute", "relative", "since", "latest", "as_of"]


@dataclass(frozen=True)
class DateRange:
    """Days from ``start`` to ``end``, both included; None is an open end ("per 7 Februari": [None, 7 Feb])."""

    start: date | None
    end: date | None

    def contains(self, day: date) -> bool:
        """Whether ``day`` lies in the range."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def label(self, lang: str, weekday: bool = False) -> str:
        """The range as a reader writes it, in ``lang`` ("en", else Indonesian): "5 September 2005", "Mei 2017",
        "2017", "5–11 Februari 2024", "sejak 1 Januari 2018", "until 7 February 2024"; a single day with its
        weekday ("Senin, 5 September 2005") when ``weekday``."""
        return cal.span_label(self.start, self.end, lang, weekday)


@dataclass(frozen=True)
class TimeMention:
    """One time expression: where it is in the text (``text[start:end]``), its kind, the days it means."""

    start: int
    end: int
    text: str
    kind: MentionKind
    range: DateRange
    named: DateRange | None = None  # of a "since" mention: the days its words name ("since *Tuesday*")


@dataclass(frozen=True)
class TimeScope:
    """What a question asks about time: a range, the latest news, both, or nothing (``kind`` "none")."""

    range: DateRange | None
    latest: bool
    expression: str
    kind: ScopeKind

    @property
    def asks_newest(self) -> bool:
        """Whether the newest report is asked for: "terbaru", "latest", or what had been reported by a day ("per 7
        Februari", "as of February 7": kind "as_of", the newest up to it)."""
        return self.latest or self.kind == "as_of"


NO_SCOPE = TimeScope(None, False, "", "none")


def _clause_before(text: str, start: int) -> str:
    """The words of the sentence of ``text`` before ``start`` (at most 100 characters back)."""
    return re.split(r"[.!?;]\s", text[max(0, start - 100) : start])[-1]


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """Patterns are compiled on first use, so importing this module stays cheap."""
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True)
class _Context:
    text: str
    anchor: date
    question: bool  # a question looks back: a day or month without a year is the most recent one

    def before(self, match: re.Match[str]) -> str:
        return self.text[max(0, match.start() - 40) : match.start()]

    def looks_ahead(self, match: re.Match[str]) -> bool:
        """Whether a future word comes before ``match`` in its sentence (``calendar.WILL_HAPPEN``, within 100
        characters) and nothing after it, or just before it, turns back to the past (``calendar.TURNS_BACK``,
        ``calendar.TURNS_BACK_BEFORE``)."""
        clause = _clause_before(self.text, match.start())
        future = [*_compiled(cal.WILL_HAPPEN).finditer(clause)]
        if not future:
            return False
        start, end = future[-1].span()
        return not (_compiled(cal.TURNS_BACK).search(clause[end:])
                    or _compiled(cal.TURNS_BACK_BEFORE).search(clause[max(0, start - 12) : end]))

    def has_cue(self, match: re.Match[str]) -> bool:
        return bool(_compiled(cal.CUE_BEFORE).search(self.before(match)))

    def mode(self, match: re.Match[str]) -> Mode:
        return "past" if self.question or _compiled(cal.SINCE_BEFORE).search(self.before(match)) else "nearest"


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    kind: MentionKind
    range: DateRange
    two_ends: bool = False  # written with both ends ("Maret hingga Mei"): "sejak" keeps its end
    named: DateRange | None = None  # of a "since" mention: the days its words name


_Handler = Callable[[re.Match[str], _Context], _Found | None]
_RULES: list[tuple[str, _Handler]] = []


def _rule(pattern: str) -> Callable[[_Handler], _Handler]:
    """Registers a handler for the matches of ``pattern`` (whole words, case-insensitive)."""
    def register(handler: _Handler) -> _Handler:
        _RULES.append((f"{cal.START}(?:{pattern}){cal.END}", handler))
        return handler

    return register


def _found(match: re.Match[str], kind: MentionKind, start: date | None, end: date | None = None,
           two_ends: bool = False) -> _Found | None:
    return None if start is None else _Found(match.start(), match.end(), kind, DateRange(start, end or start), two_ends)


# --- one rule per family of expressions ---------------------------------------------------------------------


@_rule(DATELINE)
def _dateline(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "Senin (5/9)", "Sabtu (18//3)", "Selasa malam, (7/11)", "Senin (13/3/ 2017)": the weekday picks the year."""
    day, month = int(m["d"]), int(m["m"])
    if m["y"]:
        return _found(m, "dateline", make_date(cal.full_year(m["y"]), month, day))
    return _found(m, "dateline", cal.day_on_weekday(day, month, WEEKDAYS[word(m["wd"])], ctx.anchor)
                  if 1 <= month <= 12 else None)


_YEAR_WORDS = r"tahun\s+(?:lalu|kemarin|silam|ini|depan|mendatang)|(?:last|this|next)\s+year"


@_rule(rf"(?:(?P<wd>{WEEKDAY})\s*,?\s+)?(?:(?:tanggal|tgl\.?)\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
       rf"(?:\s*(?:-|–|—|hingga|sampai(?:\s+dengan)?|s/d|to|dan|and)\s*(?P<d2>\d{{1,2}}))?\s+(?:of\s+)?"
       rf"(?P<mon>{MONTH})\.?(?:,?\s+(?P<y>{YEAR})|(?<!\.)\s+(?P<mod>{BACK}|{FORWARD}|ini|{_YEAR_WORDS}))?"
       rf"|(?:(?P<wd2>{WEEKDAY})\s*,?\s+)?(?P<mon2>{MONTH})\.?\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)"
       rf"(?:\s*(?:-|–|to|through)\s*(?P<d4>\d{{1,2}})(?!\d))?(?:,?\s+(?P<y2>{YEAR}))?")
def _days(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "5 September 2005", "September 5, 2005", "26 Agustus mendatang", "10 hingga 12 Oktober", "Senin, 5 Maret"."""
    token, written, weekday = m["mon"] or m["mon2"], m["y"] or m["y2"], m["wd"] or m["wd2"]
    if not cal.month_word_ok(token, True, bool(written)):
        return None
    day, month, mod = int(m["d"] or m["d3"]), MONTHS[token.lower()], word(m["mod"])
    last = int(m["d2"] or m["d4"] or day)
    offset = cal.year_offset(mod)
    if written or offset is not None:
        first = make_date(int(written) if written else ctx.anchor.year + (offset or 0), month, day)
    elif weekday and last == day:
        first = cal.day_on_weekday(day, month, WEEKDAYS[word(weekday)], ctx.anchor)
    else:
        first = cal.day_near(day, month, ctx.anchor, cal.direction(mod) or ctx.mode(m))
    end = first and make_date(first.year, month, last)
    if first is None or end is None or end < first:
        return None
    return _found(m, "absolute" if written else "relative", first, end, two_ends=last != day)


@_rule(r"(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})|(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})")
def _numeric(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "5/9/2005", "5-9-2005", "2005-09-05"; not inside a longer number or path."""
    if re.match(r"[.,/]", ctx.text[max(0, m.start() - 1) : m.start()]) or re.match(r"[/.]\d", ctx.text[m.end() :]):
        return None
    if m["iy"]:
        return _found(m, "absolute", make_date(int(m["iy"]), int(m["im"]), int(m["id"])))
    return _found(m, "absolute", make_date(int(m["y"]), int(m["m"]), int(m["d"])))


@_rule(rf"(?:bulan\s+)?(?P<mon>{MONTH})\.?,?\s+(?:tahun\s+)?(?P<y>{YEAR})(?:\s+(?:lalu|silam))?"
       rf"|(?:bulan\s+)?(?P<mon2>{MONTH_FULL})\s+(?P<rel>{_YEAR_WORDS})")
def _month_of_year(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "Maret 2017", "March 2017", "Mei 2017 lalu", "Maret tahun lalu", "March last year"."""
    token = m["mon"] or m["mon2"]
    if not cal.month_word_ok(token, False, bool(m["y"])):
        return None
    year = int(m["y"]) if m["y"] else ctx.anchor.year + (cal.year_offset(word(m["rel"])) or 0)
    return _found(m, "absolute" if m["y"] else "relative", *month_span(year, MONTHS[token.lower()]))


@_rule(rf"(?:(?P<pre>last|next|this|coming|past)\s+)?(?P<bulan>bulan\s+)?(?P<mon>{MONTH_FULL})"
       rf"(?:\s+(?P<mod>{BACK}|{FORWARD}|ini))?")
def _month(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "Desember lalu", "Maret mendatang", "pada Maret", "bulan Mei", "last March"; a bare name needs a cue."""
    pre, mod = word(m["pre"]), word(m["mod"])
    if not (pre or mod or m["bulan"] or ctx.has_cue(m)) or not cal.month_word_ok(m["mon"], False, False):
        return None
    month, anchor = MONTHS[m["mon"].lower()], ctx.anchor
    if pre == "this" or mod == "ini":
        year = anchor.year
    elif pre in ("last", "past"):  # strictly before the anchor's month
        year = anchor.year if month < anchor.month else anchor.year - 1
    elif pre == "next":
        year = anchor.year if month > anchor.month else anchor.year + 1
    else:
        year = cal.month_near(month, anchor, cal.direction(mod) or cal.direction(pre) or ctx.mode(m))
    return _found(m, "relative", *month_span(year, month))


@_rule(rf"(?:(?P<pre>antara|between|dari|from)\s+)?(?P<m1>{MONTH_FULL})(?:\s+(?P<y1>{YEAR}))?"
       rf"(?:\s*(?:-|–|—|s/d)\s*|\s+(?:dan|and|hingga|sampai(?:\s+dengan)?|to|until|through|till)\s+)"
       rf"(?P<m2>{MONTH_FULL})(?:\s+(?P<y2>{YEAR}))?")
def _months(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "Maret hingga Mei 2017", "antara Maret dan Mei", "December 2017 and January 2018"."""
    if not (m["y2"] or m["pre"] or ctx.has_cue(m)) or not (
            cal.month_word_ok(m["m1"], False, bool(m["y1"])) and cal.month_word_ok(m["m2"], False, bool(m["y2"]))):
        return None
    first, last = MONTHS[m["m1"].lower()], MONTHS[m["m2"].lower()]
    end_year = int(m["y2"]) if m["y2"] else cal.month_near(last, ctx.anchor, ctx.mode(m))
    start, end = month_span(int(m["y1"]) if m["y1"] else end_year - (first > last), first)[0], \
        month_span(end_year, last)[1]
    return _found(m, "absolute" if m["y2"] else "relative", start, end, two_ends=True) if start <= end else None


@_rule(rf"(?:(?P<pre>last|next|this|coming|hari)\s+)?(?P<wd>{WEEKDAY})(?:\s+{TIME_OF_DAY})?"
       rf"(?:\s+(?P<mod>{BACK}|{FORWARD}|ini|(?:pekan|minggu)\s+(?:lalu|kemarin|ini|depan|mendatang)))?")
def _weekday(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "Selasa", "Jumat kemarin", "Rabu mendatang", "Kamis dinihari nanti", "Jumat pekan lalu", "last Monday"."""
    pre, mod, token = word(m["pre"]), word(m["mod"]), m["wd"]
    if token.lower() == "minggu" and pre != "hari" and (
            token[0] == "m" or re.fullmatch(rf"{BACK}|ini|depan|mendatang", mod)
            or re.match(r"\s+(?:terakhir|pertama|kedua|ketiga|keempat|ke-)", ctx.text[m.end() :], re.IGNORECASE)):
        return None  # "minggu lalu", "Minggu ini", "Minggu pertama": the week, not Sunday
    weekday, anchor = WEEKDAYS[word(token)], ctx.anchor
    if mod.startswith(("pekan", "minggu")) or pre == "this" or mod == "ini":
        weeks = {"lalu": -1, "kemarin": -1, "depan": 1, "mendatang": 1}.get(mod.split()[-1] if mod else "", 0)
        return _found(m, "relative", cal.week_span(anchor, weeks)[0] + timedelta(days=weekday))
    if pre in ("next", "coming") or cal.direction(mod) == "future":
        strictly = pre == "next" or mod in ("depan", "mendatang", "yang akan datang")
        return _found(m, "relative", cal.weekday_on_or_after(anchor, weekday, strictly))
    if not pre and not mod and not ctx.question and ctx.looks_ahead(m):
        return _found(m, "relative", cal.weekday_on_or_after(anchor, weekday))  # "will ... on Friday"
    return _found(m, "relative", cal.weekday_on_or_before(anchor, weekday, strictly=pre == "last"))


@_rule(rf"(?P<w>kemarin\s+lusa|kemarin(?:\s+{TIME_OF_DAY})?|hari\s+ini|(?:pagi|siang|sore|petang|malam)\s+ini|"
       rf"(?:tadi|nanti)\s+(?:pagi|siang|sore|petang|malam)|(?:pagi|siang|sore|petang|malam)\s+tadi|besok(?:\s+{TIME_OF_DAY})?|lusa|"
       rf"the\s+day\s+(?:before\s+yesterday|after\s+tomorrow)|(?:yesterday|tomorrow)(?:\s+{TIME_OF_DAY})?|today|"
       rf"tonight|last\s+night|this\s+(?:morning|afternoon|evening))(?:\s*,?\s*{DAY_MONTH})?")
def _day_word(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "kemarin", "hari ini", "besok", "sore ini", "tadi malam", "pagi tadi", "yesterday"; "kemarin (12/7)" takes
    the date."""
    said = word(m["w"])
    if said.endswith(" tadi"):  # "pagi tadi" = "tadi pagi" (today), "malam tadi" = "tadi malam" (last night)
        said = "tadi " + said.split()[0]
    offset = next((v for k, v in cal.DAY_OFFSETS.items() if said == k or said.startswith(k + " ")), 0)
    if m["d"]:  # the written day and month, in the year the word points to
        day, month = int(m["d"]), int(m["m"])
        mode: Mode = "past" if offset < 0 else "future" if offset else "nearest"
        return _found(m, "dateline", make_date(cal.full_year(m["y"]), month, day) if m["y"] else
                      cal.day_near(day, month, ctx.anchor, mode))
    return _found(m, "relative", ctx.anchor + timedelta(days=offset))


@_rule(rf"(?<![\d][.,])(?:(?P<n>{COUNT})\s+|(?P<se>se))(?P<unit>{UNIT})\s+(?P<dir>(?:yang\s+)?lalu|silam|ago|lagi|from\s+now)")
def _ago(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "dua hari lalu", "sepekan lalu" (7 days back), "tiga bulan lalu" (that month), "setahun silam" (that year),
    "three days ago", "dua hari lagi"."""
    n = cal.count(m["n"]) * (1 if word(m["dir"]) in ("lagi", "from now") else -1)
    unit, anchor = cal.unit(m["unit"]), ctx.anchor
    if unit in ("day", "week"):
        return _found(m, "relative", anchor + timedelta(days=n * (7 if unit == "week" else 1)))
    if unit == "month":
        return _found(m, "relative", *month_span(*cal.shift_month(anchor.year, anchor.month, n)))
    return _found(m, "relative", date(anchor.year + n, 1, 1), date(anchor.year + n, 12, 31))


@_rule(rf"(?:(?:dalam|selama)\s+)?(?:(?P<n>{COUNT})\s+|se)(?P<unit>{UNIT})\s+(?:terakhir|belakangan(?:\s+ini)?)"
       rf"|(?:(?:in|over|during|for|within)\s+)?the\s+(?:past|last)\s+(?:(?P<n2>{COUNT})\s+)?(?P<unit2>{UNIT})")
def _rolling(m: re.Match[str], ctx: _Context) -> _Found | None:
    """Windows ending on the anchor: "dalam sepekan terakhir", "in the past week", "the last 30 days"."""
    n, unit, anchor = cal.count(m["n"] or m["n2"]), cal.unit(m["unit"] or m["unit2"]), ctx.anchor
    if unit in ("day", "week"):
        return _found(m, "relative", anchor - timedelta(days=n * (7 if unit == "week" else 1) - 1), anchor)
    year, month = cal.shift_month(anchor.year, anchor.month, -n * (1 if unit == "month" else 12))
    start = make_date(year, month, anchor.day) or month_span(year, month)[1]
    return _found(m, "relative", start + timedelta(days=1), anchor)


@_rule(r"(?P<akhir>akhir\s+)?(?:pekan|minggu)(?:\s+(?P<mod>lalu|kemarin|silam|yang\s+lalu|ini|depan|mendatang))?"
       r"|(?P<en>last|this|next|past|coming)\s+week(?P<end>end)?|(?:over\s+)?the\s+weekend")
def _week(m: re.Match[str], ctx: _Context) -> _Found | None:
    """Calendar weeks and their weekends: "pekan lalu", "minggu ini", "akhir pekan kemarin", "last weekend"."""
    said = word(m.group(0))
    if not (m["mod"] or m["en"] or m["akhir"] or said.endswith("weekend")):
        return None  # a bare "pekan"
    step = cal.direction(word(m["mod"] or m["en"]))
    weeks = -1 if step == "past" else 1 if step == "future" else 0
    if said.endswith("the weekend") or m["akhir"] and not m["mod"]:
        # "the weekend", "akhir pekan": the one just past (or under way), or the coming one after a future word
        # ("akan digelar akhir pekan", "hujan diperkirakan turun hingga akhir pekan")
        ahead = not ctx.question and ctx.looks_ahead(m)
        weeks = 0 if ctx.anchor.weekday() >= 5 or ahead else -1
    monday, sunday = cal.week_span(ctx.anchor, weeks)
    weekend = bool(m["akhir"] or said.endswith("weekend"))
    return _found(m, "relative", sunday - timedelta(days=1) if weekend else monday, sunday)


@_rule(r"bulan\s+(?P<mod>lalu|kemarin|silam|yang\s+lalu|ini|depan|mendatang)|(?P<en>last|this|next|past|coming)"
       r"\s+month|tahun\s+(?P<ymod>lalu|kemarin|silam|yang\s+lalu|ini|depan|mendatang)"
       r"|(?P<yen>last|this|next|past|coming)\s+year")
def _month_or_year_word(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "bulan lalu", "this month", "tahun depan", "last year"."""
    step = cal.direction(word(m["mod"] or m["en"] or m["ymod"] or m["yen"]))
    shift = -1 if step == "past" else 1 if step == "future" else 0
    if m["mod"] or m["en"]:
        return _found(m, "relative", *month_span(*cal.shift_month(ctx.anchor.year, ctx.anchor.month, shift)))
    return _found(m, "relative", date(ctx.anchor.year + shift, 1, 1), date(ctx.anchor.year + shift, 12, 31))


@_rule(r"(?:awal|akhir|pertengahan|permulaan)\s+(?P<unit>tahun|bulan|pekan|minggu)(?:\s+ini)?"
       r"(?!\s+(?:lalu|kemarin|silam|depan|mendatang|\d))"
       r"|(?:the\s+)?(?:start|beginning|end|middle)\s+of\s+(?:the|this)\s+(?P<unit2>year|month|week)")
def _this_period(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "awal tahun", "akhir bulan ini", "the start of the year": the whole current year, month or week."""
    unit, anchor = cal.unit(m["unit"] or m["unit2"]), ctx.anchor
    if unit == "year":
        return _found(m, "relative", date(anchor.year, 1, 1), date(anchor.year, 12, 31))
    return _found(m, "relative", *(month_span(anchor.year, anchor.month) if unit == "month" else cal.week_span(anchor)))


@_rule(rf"(?:(?P<tahun>tahun|thn\.?)\s+)?(?P<y>{YEAR})(?:\s*[-–]\s*(?P<y2>{YEAR}))?(?!\s*/\s*\d)"
       rf"(?:\s+(?P<mod>lalu|silam))?")
def _year(m: re.Match[str], ctx: _Context) -> _Found | None:
    """ "tahun 2016", "pada 2017", "sejak 2015", "2016 silam", "in 2017", "2015-2017": a year only with a cue."""
    if not (m["tahun"] or m["mod"] or ctx.has_cue(m)):
        return None
    last = int(m["y2"] or m["y"])
    return _found(m, "absolute", date(int(m["y"]), 1, 1), date(last, 12, 31), two_ends=bool(m["y2"]))


def _year_after(tag: str) -> str:
    """A year written after a part of the year: "2017", "/2017", "tahun 2017", "of 2017", "tahun ini", "last year"."""
    return (rf"(?:\s*(?:[/-]|tahun|of)?\s*(?P<y{tag}>{YEAR})|\s+(?:of\s+)?(?P<rel{tag}>tahun\s+(?:lalu|kemarin|ini|"
            rf"depan)|(?:this|last|next)\s+year))")


@_rule(rf"(?P<kind>kuartal|kwartal|triwulan|semester|paruh)\s+(?:ke-?\s*)?"
       rf"(?P<ord>i{{1,3}}|iv|[1-4]|pertama|kesatu|kedua|ketiga|keempat)(?![\w]){_year_after('1')}?"
       rf"|(?:the\s+)?(?P<enord>first|second|third|fourth|1st|2nd|3rd|4th)\s+(?P<enkind>quarter|half)(?:\s+of)?"
       rf"{_year_after('2')}|(?P<q>[QH])(?P<qord>[1-4])(?:\s*[/-]?\s*(?P<y3>{YEAR})|\s*'(?P<y4>\d{{2}}))?"
       rf"|(?P<n>tiga|3|enam|6|sembilan|9)\s+bulan\s+pertama{_year_after('5')}?"
       rf"|(?:the\s+)?first\s+(?P<enn>three|six|nine|3|6|9)\s+months{_year_after('6')}?")
def _part_of_year(m: re.Match[str], ctx: _Context) -> _Found | None:
    """Quarters, halves and first months: "kuartal I 2017", "triwulan II", "semester pertama", "Q1 2018",
    "first quarter of 2017", "tiga bulan pertama tahun ini" (one stretch from January)."""
    groups = m.groupdict()
    written = next((groups[f"y{i}"] for i in range(1, 7) if groups.get(f"y{i}")), None)
    relative = next((groups[f"rel{i}"] for i in range(1, 7) if groups.get(f"rel{i}")), None)
    kind = word(m["kind"] or m["enkind"] or m["q"])
    if m["n"] or m["enn"]:
        number, months = 1, cal.FIRST_MONTHS[word(m["n"] or m["enn"])]
    else:
        number = cal.ORDINALS[word(m["ord"] or m["enord"] or m["qord"])]
        months = 6 if kind in ("semester", "paruh", "half", "h") else 3
    # a half or a "Q2" without a year is a match's half or a qualifying session in sports news ("Di paruh kedua,
    # intensitas tekanan Arsenal ...", "in the second half", "mampu menembus Q2"), not a part of the year
    if number * months > 12 or (kind in ("h", "q", "paruh", "half") and not (written or relative)):
        return None
    if written:
        year = cal.full_year(written)
    elif relative:
        year = ctx.anchor.year + (cal.year_offset(word(relative)) or 0)
    else:  # the most recent such part that has begun
        year = ctx.anchor.year - ((number - 1) * months + 1 > ctx.anchor.month)
    return _found(m, "absolute" if written else "relative", *cal.part_span(year, number, months))


# --- from candidates to mentions -----------------------------------------------------------------------------


def _candidates(ctx: _Context) -> Iterator[_Found]:
    for pattern, handler in _RULES:
        for match in _compiled(pattern).finditer(ctx.text):
            if (found := handler(match, ctx)) is not None:
                yield found


def _longest_first(found: Iterator[_Found]) -> list[_Found]:
    """Overlapping candidates: the longest wins (then the earlier)."""
    kept: list[_Found] = []
    for item in sorted(found, key=lambda f: (f.start - f.end, f.start)):
        if all(item.end <= k.start or item.start >= k.end for k in kept):
            kept.append(item)
    return sorted(kept, key=lambda f: f.start)


def _days_in_a_row(first: _Found, second: _Found) -> bool:
    """Two single days of one kind, the second within a week after the first ("on Wednesday and Thursday")."""
    one, two = first.range, second.range
    return first.kind == second.kind and one.start == one.end and two.start == two.end and one.start is not None \
        and two.start is not None and 0 < (two.start - one.start).days < 7


def _join(found: list[_Found], text: str) -> list[_Found]:
    """Two expressions written as one stretch become one: "Rabu dan Kamis", "Senin-Rabu", "antara 2015 hingga
    2017". Not "Selasa (6/2) malam hingga Rabu (7/2) siang" in an article: each day stays a day."""
    out: list[_Found] = []
    for item in found:
        prev = out[-1] if out else None
        if prev and prev.range.start and item.range.end and prev.range.start <= item.range.end:
            between = text[prev.end : item.start]
            opened = _compiled(cal.STRETCH_BEFORE).search(text[max(0, prev.start - 20) : prev.start])
            if _compiled(cal.DASH).fullmatch(between) or (opened and _compiled(cal.TO).fullmatch(between)) or (
                    _compiled(cal.AND).fullmatch(between) and _days_in_a_row(prev, item)):
                kinds = {prev.kind, item.kind}
                kind: MentionKind = "absolute" if kinds == {"absolute"} else "dateline" if kinds == {"dateline"} \
                    else "relative"
                start = prev.start - len(opened.group(0)) if opened else prev.start
                out[-1] = _Found(start, item.end, kind, DateRange(prev.range.start, item.range.end), True)
                continue
        out.append(item)
    return out


def _absorb(found: list[_Found], text: str, anchor: date, question: bool) -> list[_Found]:
    """The words before an expression that change what it means ("sejak", "per") or belong to it ("pada").
    In a question, "hingga/sampai/until/by" asks what was known by then, like "per" ("Berapa korban hingga
    kemarin?"), and "sejak" may name an event first ("since the flood on Sunday"); in an article "hingga" is a
    deadline ("diperpanjang hingga Sabtu (17/2)") and the day stays a day."""
    out: list[_Found] = []
    for item in found:
        if out and out[-1].end > item.start:
            continue  # swallowed by the "hingga kini" of a "sejak" before it
        before = text[max(0, item.start - 40) : item.start]
        since = _compiled(cal.SINCE_BEFORE).search(before) or (
            question and _compiled(cal.SINCE_EVENT_BEFORE).search(before))
        if since and item.range.start:
            end = item.range.end if item.two_ends or item.range.start > anchor else anchor
            tail = _compiled(cal.UNTIL_NOW_AFTER).match(text, item.end)
            item = _Found(item.start - len(since.group(0)), tail.end() if tail else item.end, "since",
                          DateRange(item.range.start, end), item.two_ends, item.range)
        elif (as_of := _compiled(cal.AS_OF_BEFORE).search(before) or (
                question and _compiled(cal.UNTIL_BEFORE).search(before))) and item.range.end:
            item = _Found(item.start - len(as_of.group(0)), item.end, "as_of", DateRange(None, item.range.end))
        elif at := _compiled(cal.AT_BEFORE).search(before):
            item = replace(item, start=item.start - len(at.group(0)))
        out.append(item)
    return out


# English day words that end a name when a capitalised word comes right before them: "USA Today", "Premium
# Friday", "Black Friday", "Good Friday" (Indonesian weekdays after a place are datelines: "Jakarta Senin (12/2)").
_NAME_END = re.compile(r"(?:today|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.IGNORECASE)
_CAPITALISED_BEFORE = re.compile(r"\b([A-Z][\w.&'-]*)[ ]$")
_NOT_A_NAME = frozenset("on by since until till last next this that every before after from early late and or "
                        "pada sejak hingga sampai per".split())


def _in_a_name(found: _Found, text: str) -> bool:
    said = text[found.start : found.end]
    before = _CAPITALISED_BEFORE.search(text[max(0, found.start - 30) : found.start])
    return (said[:1].isupper() and bool(_NAME_END.match(said)) and before is not None
            and before.group(1).lower() not in _NOT_A_NAME)


def _scan(text: str, anchor: date, question: bool) -> list[TimeMention]:
    ctx = _Context(text, anchor, question)
    candidates = (f for f in _candidates(ctx) if not _in_a_name(f, text))
    found = _absorb(_join(_longest_first(candidates), text), text, anchor, question)
    # a month's full stop that ends the sentence is not part of the mention ("pada 23 Juni." -> "pada 23 Juni")
    ends = [f.end - 1 if text[f.end - 1] == "." else f.end for f in found]
    return [TimeMention(f.start, end, text[f.start : end], f.kind, f.range, f.named) for f, end in zip(found, ends)]


# --- public API --------------------------------------------------------------------------------------------


def find_dates(text: str, anchor: date, lang: str = "id") -> list[TimeMention]:
    """Every time expression in ``text`` (Indonesian or English), resolved against ``anchor``, in text order.

    Args:
        text: a question or an article passage.
        anchor: the day the text speaks from (a question's ``now``, an article's publish date).
        lang: the language labels would be written in; both languages are read either way.

    Returns:
        Non-overlapping mentions (the longest wins), with offsets into ``text``.
    """
    del lang  # the same expressions are found in both languages; only labels depend on it
    return _scan(text, anchor, question=False)


def _wider(outer: DateRange, inner: DateRange) -> bool:
    """Whether ``outer`` holds every day of ``inner`` and more (an open end holds every day on its side)."""
    starts = outer.start is None or inner.start is not None and outer.start <= inner.start
    ends = outer.end is None or inner.end is not None and inner.end <= outer.end
    return starts and ends and outer != inner


def question_scope(question: str, now: date) -> TimeScope:
    """What ``question`` asks about time, resolved against ``now``: a range (kind "absolute", "relative",
    "since", "as_of"), the latest news (``latest``; kind "latest" when no range is asked), or ``NO_SCOPE``.

    Two expressions combine: "terbaru ... pada Mei 2017" is May 2017 with ``latest``; the expression is the span
    covering both. A day or month without a year is the most recent one not after ``now``.
    """
    mentions = _scan(question, now, question=True)
    latest = [m for m in _compiled(cal.LATEST).finditer(question)
              if all(m.end() <= t.start or m.start() >= t.end for t in mentions)
              and not _compiled(cal.NOT_LATEST_AFTER).match(question, m.end())
              and not _compiled(cal.NOT_LATEST_BEFORE).search(question[max(0, m.start() - 10) : m.start()])]
    spans = [(t.start, t.end) for t in mentions] + [m.span() for m in latest]
    if not spans:
        return NO_SCOPE
    expression = question[min(s for s, _ in spans) : max(e for _, e in spans)]
    if not mentions:
        return TimeScope(None, True, expression, "latest")
    # a range within another narrows it: "the most recent count *last week* of cases recorded *this year*" is last
    # week's; ranges side by side ("dari Januari hingga Maret 2018") span both, and so does a start with its end
    # ("sejak awal Februari hingga kemarin")
    mentions = [t for t in mentions if t.kind == "since" or not any(_wider(t.range, o.range) for o in mentions)]
    starts, ends = [t.range.start for t in mentions], [t.range.end for t in mentions]
    span = DateRange(None if None in starts else min(s for s in starts if s),
                     None if None in ends else max(e for e in ends if e))
    if span.end is not None and span.end > now and (span.start is None or span.start <= now):
        # a range under way ends now: "this year", asked on 11 February, is what was reported by then
        span = DateRange(span.start, now)
    kinds = {("absolute" if _compiled(cal.HAS_YEAR).search(t.text) else "relative") if t.kind == "dateline"
             else t.kind for t in mentions}
    kind: ScopeKind = next((k for k in ("since", "as_of", "relative") if k in kinds), "absolute")
    return TimeScope(span, bool(latest), expression, kind)


def dateline_date(text: str, years: Sequence[int], today: date) -> date | None:
    """The publish day of an undated article from its weekday + "(d/m[/yyyy])" datelines.

    A dateline's year is the one it writes (kept only when its weekday agrees), else the first of ``years`` in
    which its weekday falls on that day; a December or January dateline may also take a year next to one of
    ``years`` (an article of early January 2018 that speaks of 2017). Datelines that look ahead ("Sabtu (19/11)
    mendatang", "akan dimulai ... Minggu (7/5)": a future word in the same sentence) are skipped, and the latest
    remaining day is returned: an article is published on or after the days it reports (its lead often names the
    day before).

    Args:
        text: the article text.
        years: years seen around the article (in its text or URL), most relevant first.
        today: no date after it is returned.

    Returns:
        The day, or None when no dateline fits (a wrong date is worse than none: no guess is made when the
        weekday matches no candidate year).
    """
    boundary = [y + step for y in years for step in (-1, 1) if y + step not in years]
    datelines = list(_compiled(cal.START + DATELINE).finditer(text))
    dated = [m for m in _compiled(cal.FULL_DATE_IN_PARENTHESES).finditer(text)  # "(5/9/2005)" with no weekday
             if not any(d.start() <= m.start() < d.end() for d in datelines)]
    days = []
    for match in datelines + dated:
        clause = _clause_before(text, match.start())
        if _compiled(cal.LOOKS_AHEAD).search(f"{clause} {match.group(0)}"):
            continue  # a day to come in the same sentence
        day, month = int(match["d"]), int(match["m"])
        weekday = WEEKDAYS[word(match["wd"])] if "wd" in match.groupdict() else None
        if match["y"]:
            options = [cal.full_year(match["y"])]
        elif weekday is None:
            continue
        else:
            options = [*years, *(boundary if month in (1, 12) else [])]
        days += [found for year in options if (found := make_date(year, month, day))
                 and found <= today and (weekday is None or found.weekday() == weekday)][:1]
    return max(days, default=None)


def annotate(text: str, anchor: date, lang: str) -> str:
    """``text`` with each relative mention followed by the days it means, in ``lang`` ("en", else Indonesian):
    "Senin (5/9) lalu" -> "Senin (5/9) lalu (Senin, 5 September 2005)", "kemarin" -> "kemarin (4 September 2005)".
    Mentions that carry their year ("5 September 2005", "Maret 2017", "Minggu (28/8/2016)") are left as they are;
    a day shows its weekday when the mention names one, and a day something has lasted since is that day ("sejak
    Minggu (5/9)" -> "sejak Minggu (5/9) (Minggu, 5 September 2032)"). Annotating an annotated text changes
    nothing."""
    pieces: list[str] = []
    last = 0
    for mention in find_dates(text, anchor, lang):
        if mention.kind == "absolute" or _compiled(cal.HAS_YEAR).search(mention.text):
            continue
        weekday = bool(_compiled(f"{cal.START}(?:{WEEKDAY}){cal.END}").search(mention.text))
        # "since Tuesday night", "sejak kemarin": the day named, the text says "since" already
        named = mention.named
        days = named if named is not None and named.start is not None and named.start == named.end else mention.range
        label = f" ({days.label(lang, weekday)})"
        if text.startswith(label, mention.end):  # resolved already: a text is annotated once however often asked
            continue
        pieces += [text[last : mention.end], label]
        last = mention.end
    return "".join(pieces) + text[last:]
