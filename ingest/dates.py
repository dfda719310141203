"""When an article was published, and how that is known.

In order of trust: the record's own date field (a JSON export, front matter, a feed entry), the page's
metadata (trafilatura/htmldate), a date in the URL (``/2017/09/06/``, CNN Indonesia's ``/20161112230644-``,
``/read/20170406/``), and, when ``ingest.dateline_dates`` is on, the dateline in the text ("Jakarta, CNN
Indonesia -- Selasa (7/11)"), whose missing year is taken from the years the article itself mentions, the
weekday deciding. A wrong date is worse than none: a dateline whose weekday fits none of those years leaves
the article undated, and datelines are off by default (they date the reported event, often a day early).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from core.text.when import dateline_date

DateSource = Literal["field", "html", "url", "dateline", "none"]
DATE_SOURCES: tuple[str, ...] = get_args(DateSource)

# /2017/09/06/ or /2017/9/6 (a path's last segments); 8 digits as their own segment or before a
# 6-digit time (/read/20170406/, /20161112230644-142-172253/); 2017-09-06 in a slug.
_URL_DATES = (
    re.compile(r"/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})(?=/|$|\.|-)"),
    re.compile(r"/((?:19|20)\d\d)(\d\d)(\d\d)(?:\d{6})?(?=/|-|_|\.|$)"),
    re.compile(r"[/_-]((?:19|20)\d\d)-(\d\d)-(\d\d)(?=/|-|_|\.|$)"),
)
_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d.,]\d)")


@dataclass(frozen=True)
class PublishDate:
    day: str  # ISO date (YYYY-MM-DD), or "" when none could be found
    source: DateSource


def url_date(url: str, today: date) -> str:
    """The publish date a URL's path carries, or ""; never a day after ``today``."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url.strip(), flags=re.IGNORECASE).split("?", 1)[0]
    for pattern in _URL_DATES:
        for match in pattern.finditer(path):
            try:
                day = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
            if day <= today:
                return day.isoformat()
    return ""


def text_years(text: str, today: date) -> list[int]:
    """Years the text mentions (1990 to next year), most often first: the context a dateline's year comes from."""
    counts = Counter(int(y) for y in _YEAR.findall(text) if 1990 <= int(y) <= today.year + 1)
    return [year for year, _ in counts.most_common()]


def publish_date(*, field: str = "", html: str = "", url: str = "", text: str = "", datelines: bool = False,
                 today: date | None = None) -> PublishDate:
    """The best publish date among what an item offers (``field`` and ``html`` already ISO dates or ""); the
    text's dateline only with ``datelines`` (it dates the event, often the day before publication)."""
    today = today or date.today()
    if field:
        return PublishDate(field, "field")
    if html:
        return PublishDate(html, "html")
    if found := url_date(url, today):
        return PublishDate(found, "url")
    day = dateline_date(text, text_years(text, today), today) if datelines else None
    if day is not None:
        return PublishDate(day.isoformat(), "dateline")
    return PublishDate("", "none")
