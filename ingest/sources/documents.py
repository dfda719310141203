"""One document's bytes -> articles, by kind: a file suffix (``.txt``, ``.html``...) or sniffed from the text."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

from core.errors import SourceError
from core.settings import IngestSettings
from ingest.sources.article import Loaded, from_html, from_markdown, looks_like_html, make_article, safely
from ingest.sources.decode import decode_bytes
from ingest.sources.feed import from_feed, is_feed
from ingest.sources.jsonl import from_json_text, from_jsonl

if TYPE_CHECKING:
    from ingest.sources.fetch import Fetcher

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES


def parse_document(data: bytes, item: str, settings: IngestSettings, *, kind: str, url: str = "",
                   identity: str = "", fetcher: Fetcher | None = None, charset: str = "") -> Iterator[Loaded]:
    """Parse one document's bytes. ``kind`` is a file suffix (``.txt``, ``.html``...) or ``sniff``; ``charset``
    the one an HTTP header declared."""
    if kind in JSONL_SUFFIXES:
        yield from from_jsonl(io.BytesIO(data), item, settings)
        return
    try:
        text = decode_bytes(data, item, charset)
    except SourceError as exc:
        yield exc
        return
    if kind == "sniff":
        stripped = text.lstrip()
        if stripped.startswith("{") and "\n{" in stripped.strip():
            kind = ".jsonl"
            yield from from_jsonl(io.BytesIO(text.encode("utf-8")), item, settings)
            return
        kind = (".json" if stripped.startswith(("{", "[")) else ".rss" if is_feed(text)
                else ".html" if looks_like_html(text) else ".md" if stripped.startswith("---") else ".txt")
    if kind in JSON_SUFFIXES:
        yield from from_json_text(text, item, settings)
    elif kind in FEED_SUFFIXES:
        yield from from_feed(text, item, settings, fetcher)
    elif kind in HTML_SUFFIXES:
        yield from_html(text, item, settings, url=url, identity=identity)
    elif kind in (".md", ".markdown"):
        yield from_markdown(text, item, settings, identity)
    else:
        yield safely(lambda: make_article({"text": text, "url": url}, item, settings, identity=identity), item)
