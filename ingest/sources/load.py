"""Reading sources: files, folders, URLs, feeds, JSON/JSONL exports and stdin -> ``Article`` records.

This package is the only code that reads files (here) or fetches URLs (``fetch``). Every item yields either an
``Article`` or a ``SourceError`` naming the item (a path, ``path:line``, a URL, ``feed entry``), so one bad item never
stops a batch.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from core.errors import SourceError
from core.settings import IngestSettings
from ingest.sources.article import Loaded
from ingest.sources.decode import readable
from ingest.sources.documents import FEED_SUFFIXES, JSONL_SUFFIXES, SUPPORTED_SUFFIXES, parse_document
from ingest.sources.fetch import Fetcher, url_kind
from ingest.sources.jsonl import from_jsonl


def expand_paths(sources: Iterable[str]) -> Iterator[str]:
    """Folders become their supported files (recursively, sorted, hidden entries skipped)."""
    for source in sources:
        path = Path(source)
        if source != "-" and not source.startswith(("http://", "https://")) and path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES and not any(
                    part.startswith(".") for part in rel.parts
                ):
                    yield str(child)
        else:
            yield source


def load_sources(sources: Iterable[str], settings: IngestSettings, *,
                 stdin: BinaryIO | None = None) -> Iterator[Loaded]:
    """Yield an ``Article`` or a ``SourceError`` for every article found in ``sources``."""
    fetcher: list[Fetcher] = []  # made on first need, shared by the sources, closed at the end
    try:
        for source in expand_paths(sources):
            try:
                yield from _load_source(source, settings, stdin, fetcher)
            except Exception as exc:  # noqa: BLE001 (one source's content must never stop the batch)
                yield SourceError(readable(source), f"could not be read ({type(exc).__name__}: {exc})")
    finally:
        for one in fetcher:
            one.close()


def _load_source(source: str, settings: IngestSettings, stdin: BinaryIO | None,
                 fetcher: list[Fetcher]) -> Iterator[Loaded]:
    def shared_fetcher() -> Fetcher:
        if not fetcher:
            fetcher.append(Fetcher(settings))
        return fetcher[0]

    limit = settings.max_item_bytes
    item = readable(source)
    if source == "-":
        data = (stdin or sys.stdin.buffer).read(limit + 1)
        if len(data) > limit:
            yield SourceError("-", f"stdin is over the {settings.max_item_mb:g} MB limit")
            return
        yield from parse_document(data, "-", settings, kind="sniff")
    elif source.startswith(("http://", "https://")):
        try:
            page = shared_fetcher().fetch(source)
        except SourceError as exc:
            yield SourceError(item, exc.reason)
            return
        yield from parse_document(page.data, item, settings, kind=url_kind(page), url=page.url,
                                  fetcher=shared_fetcher(), charset=page.charset)
    else:
        path = Path(source)
        if not path.is_file():
            yield SourceError(item, "no such file or folder")
            return
        size = path.stat().st_size
        suffix = path.suffix.lower()
        if size == 0:
            yield SourceError(item, "empty file")
            return
        if suffix in JSONL_SUFFIXES:  # streamed line by line; the cap applies per record
            with path.open("rb") as fh:
                yield from from_jsonl(fh, item, settings)
            return
        if size > limit:
            yield SourceError(item, f"{size / 1e6:.1f} MB, over the {settings.max_item_mb:g} MB limit "
                              "(raise ingest.max_item_mb to accept it)")
            return
        kind = suffix if suffix in SUPPORTED_SUFFIXES else "sniff"
        yield from parse_document(path.read_bytes(), item, settings, kind=kind,
                                  identity=f"file://{readable(str(path.resolve()))}",
                                  fetcher=shared_fetcher() if suffix in FEED_SUFFIXES or fetcher else None)
