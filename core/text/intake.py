"""The one set of rules for text and records entering Warta from outside: article fields and questions alike.

``normalize_whitespace`` for running text, ``clean_line`` for one-line fields, ``text_field`` for a field of
a loose record (JSON, front matter, a feed), ``loads_json`` for one JSON record (an ingest line, a batch
question). Pure functions over strings; no I/O.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any


def normalize_whitespace(text: str) -> str:
    """NFC, no control characters, single spaces, at most one blank line between paragraphs."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


# Longest one-line fields accepted. Ids and URLs beyond these are broken records (and an id cut short could
# merge two articles); titles and outlets are cut instead (a longer "title" is text in the wrong field).
MAX_ID_CHARS = 200
MAX_URL_CHARS = 2048
MAX_TITLE_CHARS = 300
MAX_OUTLET_CHARS = 200


def clean_line(text: str, max_chars: int | None = None) -> str:
    """One line of printable text: NFC, no control characters or lone surrogates (which tokenizers, SQLite and
    UTF-8 output all reject), every run of whitespace one space; cut at ``max_chars``."""
    return " ".join(normalize_whitespace(text).split())[:max_chars]


def text_field(value: object, name: str, max_chars: int, *, cut: bool = False) -> str:
    """A field of a loose record as one clean line (``clean_line``); ``""`` for what is not text.

    Strings and numbers only: lists and mappings (e.g. YAML front matter whose aliases expand a 1 KB file into
    millions of strings) and booleans are ignored rather than turned into text.

    Raises:
        ValueError: longer than ``max_chars`` after cleaning, unless ``cut`` (then it is cut there).
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    text = clean_line(str(value))
    if len(text) > max_chars and not cut:
        raise ValueError(f"{name!r} is {len(text):,} characters long (at most {max_chars:,})")
    return text[:max_chars]


def loads_json(text: str) -> Any:
    """``json.loads`` for one record from outside (an ingest line, a batch question).

    Raises:
        ValueError: with a message a user can act on: malformed JSON, or valid JSON Python refuses (a number
            with thousands of digits, nesting too deep).
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON (column {exc.colno}: {exc.msg})") from None
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"unreadable JSON ({json_limit(exc)})") from None


def json_limit(exc: Exception) -> str:
    """What Python refused in valid JSON (``ValueError`` or ``RecursionError`` from ``json.loads``), briefly."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc).split(";")[0][:120]
