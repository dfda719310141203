"""The words and the arithmetic of dates, for ``core.text.when``: month, weekday and number names in Indonesian and
English, the regular-expression pieces built from them, calendar weeks (Monday to Sunday), months and quarters,
which year a day written without one falls in, and how a day or a stretch of days is written.

Patterns here are strings, matched case-insensitively and compiled by ``when`` on first use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal


def iso_day(text: str) -> date:
    """The day ``text`` writes as YYYY-MM-DD, strictly (``date.fromisoformat`` also takes "20240207" and week dates,
    which no user means), for every place a user or a file gives a day: CLI flags, settings, the API, the web UI.

    Raises:
        ValueError: ``text`` is not a day as YYYY-MM-DD (the message shows it).
    """
    if isinstance(text, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            pass
    raise ValueError(f"expected a day as YYYY-MM-DD, got {text!r}")


Mode = Literal["nearest", "past", "future"]  # which year a day or month written without one falls in
Unit = Literal["day", "week", "month", "year"]

# --- names ----------------------------------------------------------------------------------------------------

# Full month names (both languages, old spellings), then the short forms news uses. "mei" and "may" share 5.
MONTHS_FULL: dict[str, int] = {
    "januari": 1, "january": 1, "februari": 2, "pebruari": 2, "february": 2, "maret": 3, "march": 3,
    "april": 4, "mei": 5, "may": 5, "juni": 6, "june": 6, "juli": 7, "july": 7, "agustus": 8, "august": 8,
    "september": 9, "oktober": 10, "october": 10, "november": 11, "nopember": 11, "desember": 12,
    "december": 12,
}
MONTHS_SHORT: dict[str, int] = {
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8, "ags": 8,
    "aug": 8, "sep": 9, "sept": 9, "okt": 10, "oct": 10, "nov": 11, "nop": 11, "des": 12, "dec": 12,
}
MONTHS: dict[str, int] = {**MONTHS_FULL, **MONTHS_SHORT}
WEEKDAYS: dict[str, int] = {  # date.weekday(): Monday is 0
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "sabtu": 5, "minggu": 6, "ahad": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
# Small counts written as words ("dua hari lalu", "three days ago").
NUMBERS: dict[str, int] = {
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9,
    "sepuluh": 10, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10,
}
# Which quarter or half: "kuartal I", "kuartal pertama", "Q1", "first quarter", "semester 2".
ORDINALS: dict[str, int] = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4, "pertama": 1, "kesatu": 1, "kedua": 2,
    "ketiga": 3, "keempat": 4, "first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3,
    "4th": 4,
}
FIRST_MONTHS = {"tiga": 3, "enam": 6, "sembilan": 9, "three": 3, "six": 6, "nine": 9, "3": 3, "6": 6, "9": 9}
# Days from the anchor for the words of "kemarin", "hari ini", "sore ini", "tadi malam", "yesterday" (longest first).
DAY_OFFSETS = {"kemarin lusa": -2, "the day before yesterday": -2, "the day after tomorrow": 2, "tadi malam": -1,
               "last night": -1, "kemarin": -1, "yesterday": -1, "besok": 1, "tomorrow": 1, "lusa": 2}

_MONTH_NAMES = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
_WEEKDAY_NAMES = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_SINCE, _UNTIL, _ANY_TIME = {"id": "sejak", "en": "since"}, {"id": "hingga", "en": "until"}, \
    {"id": "kapan saja", "en": "any time"}


def alternation(names: Iterable[str]) -> str:
    """A regex alternation of ``names``, longest first ("sept" before "sep"); an apostrophe may be either or none."""
    words = sorted(set(names), key=len, reverse=True)
    return "|".join(re.escape(w).replace("'", "['’]?") for w in words)


# --- pattern pieces -------------------------------------------------------------------------------------------

START, END = r"(?<![\w])", r"(?![\w])"  # word edges that also hold next to digits and apostrophes
MONTH = alternation(MONTHS)
MONTH_FULL = alternation(MONTHS_FULL)
WEEKDAY = alternation(WEEKDAYS)
YEAR = r"(?:19|20)\d\d(?!\d|[.,]\d|-an|-\d\d-)"  # not "2.017", "1990-an" (a decade) or "2017-03-01"
TIME_OF_DAY = r"(?:pagi|siang|sore|petang|malam|dini\s*hari|subuh|morning|afternoon|evening|night)"
COUNT = r"(?:\d{1,3}|" + alternation(NUMBERS) + ")"
BACK = r"(?:lalu|silam|kemarin|yang\s+lalu)"
FORWARD = r"(?:depan|mendatang|nanti|besok|yang\s+akan\s+datang)"
UNIT = r"(?:hari|pekan|minggu|bulan|tahun|days?|weeks?|months?|years?)"
# "(5/9)", "(05/10)", "(18//3)", "(13/3/ 2017)", "(23/1/2018" (no closing parenthesis), "(5/9/05)".
DAY_MONTH = r"\(\s*(?P<d>\d{1,2})\s*/+\s*(?P<m>\d{1,2})(?:\s*/+\s*(?P<y>\d{4}|\d{2})(?!\d))?\s*\)?"
# "Senin (5/9)", "Selasa malam, (7/11)", "Jumat silam (19/5)", "Minggu (4/2) malam", "Senin (5/2) lalu".
DATELINE = (rf"(?:hari\s+)?(?P<wd>{WEEKDAY})(?:\s+{TIME_OF_DAY})?(?:\s+(?:{BACK}|ini))?\s*,?\s*{DAY_MONTH}"
            rf"(?:\s+(?:{TIME_OF_DAY}(?:\s+(?:{BACK}|{FORWARD}))?|{BACK}|{FORWARD}))?")
FULL_DATE_IN_PARENTHESES = r"\(\s*(?P<d>\d{1,2})\s*/+\s*(?P<m>\d{1,2})\s*/+\s*(?P<y>\d{4})\s*\)"

# Words right before an expression (each pattern ends at the expression: "$").
# A cue that makes a bare month or year a date ("pada Maret", "in 2017"; not "Rp 2017").
CUE_BEFORE = (
    r"(?:(?<![\w])(?:pada|pd\.?|sejak|semenjak|hingga|sampai|selama|sepanjang|awal|akhir|pertengahan|medio|jelang|"
    r"menjelang|sebelum|setelah|usai|antara|dari|per|bulan|in|since|during|until|till|by|throughout|early|late|"
    r"before|after|between|from|of|as\s+of|dan|and)\s+|mid-)$")
# "awal 2018", "since the beginning of February": kept in the span, the range stays the whole period.
PART = (r"(?:(?:awal|akhir|pertengahan|medio|permulaan|early|late|(?:the\s+)?(?:start|beginning|end|middle)\s+of)\s+"
        r"|mid-)")
SINCE_BEFORE = rf"(?<![\w])(?:sejak|semenjak|since)\s+(?:(?:tanggal|tgl\.?|hari)\s+)?{PART}?$"
SINCE_EVENT_BEFORE = r"(?<![\w])(?:sejak|semenjak|since)\s+(?:[^\s.,;:?!()]+\s+){1,4}$"  # "since the flood on Sunday"
AS_OF_BEFORE = rf"(?<![\w])(?:per|as\s+(?:of|at))\s+(?:(?:tanggal|tgl\.?)\s+)?{PART}?$"
UNTIL_BEFORE = (rf"(?<![\w])(?:hingga|sampai(?:\s+dengan)?|until|till|up\s+to|by)\s+(?:(?:tanggal|tgl\.?|hari)\s+)?"
                rf"{PART}?$")
AT_BEFORE = (rf"(?:(?<![\w])(?:pada|pd\.?|on|in|during|di|tanggal|tgl\.?|selama|sepanjang|throughout)\s+{PART}?"
             rf"|(?<![\w]){PART})$")
STRETCH_BEFORE = r"(?<![\w])(?:antara|between|dari|from)\s+$"
# Between two expressions that make one stretch; "hingga/to" only after "antara/between/dari/from".
DASH = r"\s*(?:-|–|—|s/d|s\.d\.?|sampai\s+dengan)\s*"
AND = r"\s+(?:dan|and|&)\s+"
TO = r"\s+(?:dan|and|&|hingga|sampai|to|until|till|through)\s+"
UNTIL_NOW_AFTER = (r"\s*(?:hingga|sampai(?:\s+dengan)?|until|till|to|up\s+to)\s+"
                   r"(?:kini|sekarang|saat\s+ini|hari\s+ini|now|today|date)(?![\w])")
# A question about the newest news. Not "sekarang juga" (at once), "current account", "lima tahun dari sekarang".
LATEST = (
    r"(?<![\w])(?:terbaru|terkini|teranyar|termutakhir|paling\s+(?:baru|anyar|mutakhir)|baru-baru\s+ini|"
    r"belakangan\s+ini|sejauh\s+ini|sekarang|saat\s+ini|dewasa\s+ini|kini|latest|newest|most\s+recent(?:ly)?|"
    r"recently|current(?:ly)?|now|to\s+date|so\s+far|at\s+present|presently|at\s+the\s+moment|these\s+days|"
    r"nowadays|at\s+this\s+(?:point|stage|time)|as\s+(?:things|it)\s+stands?|"
    # "menurut data terakhir", "at last count": the last report, not any "terakhir" ("kapan terakhir kali")
    r"(?:data|angka|laporan|informasi|kabar|catatan|hitungan|perhitungan|pendataan|pembaruan|update)\s+terakhir|"
    r"(?:at\s+)?last\s+count)(?![\w-])")
NOT_LATEST_AFTER = r"\s+(?:juga|account|affairs)(?![\w])"
NOT_LATEST_BEFORE = r"(?<![\w])(?:dari|from)\s+$"
_AHEAD = "mendatang|depan|nanti|besok|akan|jelang|menjelang"
LOOKS_AHEAD = rf"(?<![\w])(?:{_AHEAD})(?![\w])"
# A bare weekday or weekend after these in its sentence is a day to come: "Load tests are scheduled on Wednesday",
# "will return to classrooms on Friday", "the bridge should open on Thursday", "akan dibuka kembali Senin", "akan
# digelar akhir pekan" (not "would": reported speech of a day that may have passed).
WILL_HAPPEN = (r"(?<![\w])(?:will|shall|should(?!\s+have)|(?:is|are)\s+(?:scheduled|due|set|planned)|expected\s+to|"
               rf"plans?\s+to|dijadwalkan|direncanakan|rencananya|diperkirakan|diprediksi|{_AHEAD})(?![\w])|\w'll(?![\w])")
# ... unless words between (or just before the future word) turn back: "No more bodies will be found, the police chief
# *said* on Thursday", "besok, setelah *sempat* ditunda pada Selasa", "*semula* dijadwalkan Minggu sore".
# A word that reports speech turns back only after the future word: "officials *said* it should open on Thursday" is
# a Thursday to come.
REPORTS = r"said|says|told|announced|added|reported|kata\w*|ujar\w*|ungkap\w*|jelas\w*"  # words that report speech
TURNS_BACK = (rf"(?<![\w])(?:{REPORTS}|originally|initially|earlier|after|sempat|semula|sebelumnya|setelah|usai|lalu)"
              r"(?![\w])")
TURNS_BACK_BEFORE = (r"(?<![\w])(?:originally|initially|earlier|after|sempat|semula|sebelumnya|setelah|usai|lalu)"
                     r"(?![\w])")
HAS_YEAR = r"(?<!\d)(?:19|20)\d\d(?!\d)|\d\s*/+\s*\d{1,2}\s*/+\s*\d{2}(?!\d)"


# --- words to numbers -----------------------------------------------------------------------------------------


def word(text: str | None) -> str:
    """Lower case, one space between words, one apostrophe: the key of a name in the tables above."""
    return re.sub(r"\s+", " ", (text or "").lower().replace("’", "'"))


def full_year(text: str) -> int:
    """ "2017" -> 2017, "05" -> 2005."""
    year = int(text)
    return year + 2000 if year < 100 else year


def count(text: str | None) -> int:
    """ "dua" -> 2, "3" -> 3; nothing written ("the past week", the "se" of "sepekan") -> 1."""
    if not text:
        return 1
    return int(text) if text.isdigit() else NUMBERS[text.lower()]


def unit(text: str) -> Unit:
    """ "hari"/"days" -> day, "pekan"/"minggu"/"week" -> week, "bulan"/"month" -> month, else year."""
    text = text.lower()
    if text.startswith(("hari", "day")):
        return "day"
    if text.startswith(("pekan", "minggu", "week")):
        return "week"
    return "month" if text.startswith(("bulan", "month")) else "year"


def month_word_ok(token: str, day: bool, year: bool) -> bool:
    """Short forms ("Jan", "Des") need a day or a year beside them; "may" is the month only written "May" or
    before a year ("you may go" is not May; "Jan Ethes" is a name)."""
    if token.lower() == "may":
        return year or token[0] == "M"
    return token.lower() not in MONTHS_SHORT or day or year


def direction(text: str) -> Mode | None:
    """ "lalu", "silam", "kemarin", "last" point back; "depan", "mendatang", "nanti", "next" point forward."""
    if re.fullmatch(r"lalu|silam|kemarin|yang lalu|last|past", text):
        return "past"
    if re.fullmatch(r"depan|mendatang|nanti|besok|yang akan datang|next|coming", text):
        return "future"
    return None


def year_offset(text: str) -> int | None:
    """-1 for "tahun lalu"/"last year", 0 for "tahun ini"/"ini"/"this year", 1 for "tahun depan"; else None."""
    if re.fullmatch(r"tahun (?:lalu|kemarin|silam)|last year", text):
        return -1
    if re.fullmatch(r"(?:tahun )?ini|this year", text):
        return 0
    if re.fullmatch(r"tahun (?:depan|mendatang)|next year", text):
        return 1
    return None


# --- calendar arithmetic --------------------------------------------------------------------------------------


def make_date(year: int, month: int, day: int) -> date | None:
    """The day, or None when it does not exist (31 April, 29 February 2017, month 13)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """The month ``delta`` months after (before, when negative) ``year``-``month``."""
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


def month_span(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month."""
    next_year, next_month = shift_month(year, month, 1)
    return date(year, month, 1), date(next_year, next_month, 1) - timedelta(days=1)


def week_span(day: date, weeks: int = 0) -> tuple[date, date]:
    """Monday and Sunday of the calendar week of ``day``, moved by ``weeks``."""
    monday = day - timedelta(days=day.weekday()) + timedelta(weeks=weeks)
    return monday, monday + timedelta(days=6)


def part_span(year: int, number: int, months: int) -> tuple[date, date]:
    """Part ``number`` (from 1) of a year cut in parts of ``months`` months: quarters (3), halves (6)."""
    first_month = (number - 1) * months + 1
    return date(year, first_month, 1), month_span(year, first_month + months - 1)[1]


def weekday_on_or_before(day: date, weekday: int, strictly: bool = False) -> date:
    """The most recent ``weekday`` on or before ``day`` (strictly before when asked)."""
    back = (day.weekday() - weekday) % 7
    return day - timedelta(days=back or (7 if strictly else 0))


def weekday_on_or_after(day: date, weekday: int, strictly: bool = False) -> date:
    """The next ``weekday`` on or after ``day`` (strictly after when asked)."""
    ahead = (weekday - day.weekday()) % 7
    return day + timedelta(days=ahead or (7 if strictly else 0))


def day_near(day: int, month: int, anchor: date, mode: Mode) -> date | None:
    """``day``/``month`` in the year before, of or after the anchor: the last one not after it ("past"), the next
    one not before it ("future"), or the nearest (a tie goes to the past)."""
    options = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := make_date(y, month, day))]
    if not options:
        return None
    if mode == "past":
        return max((d for d in options if d <= anchor), default=min(options))
    if mode == "future":
        return min((d for d in options if d >= anchor), default=max(options))
    return min(options, key=lambda d: (abs((d - anchor).days), d > anchor))


def month_near(month: int, anchor: date, mode: Mode) -> int:
    """The year of ``month`` written without one, chosen like ``day_near`` but month by month."""
    if mode == "past":
        return anchor.year if month <= anchor.month else anchor.year - 1
    if mode == "future":
        return anchor.year if month >= anchor.month else anchor.year + 1
    return min((anchor.year - 1, anchor.year, anchor.year + 1),
               key=lambda y: (abs(y * 12 + month - anchor.year * 12 - anchor.month), y))


def day_on_weekday(day: int, month: int, weekday: int, anchor: date) -> date | None:
    """``day``/``month`` in the year (of the anchor, before, after) where it falls on ``weekday``; the nearest one
    when none does (the text is wrong about the weekday, which happens: its day and month are kept)."""
    for year in (anchor.year, anchor.year - 1, anchor.year + 1):
        found = make_date(year, month, day)
        if found and found.weekday() == weekday:
            return found
    return day_near(day, month, anchor, "nearest")


# --- labels ---------------------------------------------------------------------------------------------------


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "id"


def day_label(day: date, lang: str, weekday: bool = False) -> str:
    """ "5 September 2005", or "Senin, 5 September 2005" / "Monday, 5 September 2005" with the weekday."""
    lang = _lang(lang)
    text = f"{day.day} {_MONTH_NAMES[lang][day.month - 1]} {day.year}"
    return f"{_WEEKDAY_NAMES[lang][day.weekday()]}, {text}" if weekday else text


def span_label(start: date | None, end: date | None, lang: str, weekday: bool = False) -> str:
    """How a stretch of days is written: a day, a whole month or year, months, days, or an open end."""
    lang = _lang(lang)
    if start is None:
        return f"{_UNTIL[lang]} {day_label(end, lang)}" if end else _ANY_TIME[lang]
    if end is None:
        return f"{_SINCE[lang]} {day_label(start, lang)}"
    if start == end:
        return day_label(start, lang, weekday)
    months = _MONTH_NAMES[lang]
    if start.day == 1 and end == month_span(end.year, end.month)[1]:  # whole months
        if start.month == 1 and end.month == 12:
            return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
        first, last = f"{months[start.month - 1]} {start.year}", f"{months[end.month - 1]} {end.year}"
        if (start.year, start.month) == (end.year, end.month):
            return first
        return f"{months[start.month - 1]}–{last}" if start.year == end.year else f"{first} – {last}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {months[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{start.day} {months[start.month - 1]} – {day_label(end, lang)}"
    return f"{day_label(start, lang)} – {day_label(end, lang)}"
