"""RSS/Atom feeds -> articles: each entry is one; an entry with only a summary is followed to its page."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from core.errors import SourceError
from core.records import Article
from core.settings import IngestSettings
from ingest.clean import html_to_text
from ingest.sources.article import Loaded, checked_fields, from_html, make_article, normalize_date, safely

if TYPE_CHECKING:
    from ingest.sources.fetch import Fetcher


def is_feed(text: str) -> bool:
    head = text.lstrip()[:2000].lower()
    return ("<rss" in head or "<feed" in head or "<rdf:rdf" in head) and "<html" not in head


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed: its ``key`` (guid, else link), a ``fingerprint`` of its content (it changes when the
    entry is edited), its position in the feed (1-based) and feedparser's record."""

    key: str
    fingerprint: str
    position: int
    raw: Any


@dataclass(frozen=True)
class ParsedFeed:
    outlet: str  # the feed's own title
    entries: list[FeedEntry]


def entry_key(entry: Mapping[str, Any]) -> str:
    """What identifies an entry across polls: its guid (``id``), else its link, else a hash of its title and text."""
    key = str(entry.get("id") or entry.get("link") or "").strip()
    if key:
        return key
    return "sha256:" + hashlib.sha256(f"{entry.get('title', '')}\n{entry.get('summary', '')}".encode()).hexdigest()


def entry_fingerprint(entry: Mapping[str, Any]) -> str:
    """A hash of what an entry says (title, link, summary, content, dates): equal when the entry is unchanged."""
    content = " ".join(str(c.get("value", "")) for c in entry.get("content") or ())
    parts = [str(entry.get(k) or "") for k in ("title", "link", "summary", "published", "updated")] + [content]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def parse_feed(text: str, item: str) -> ParsedFeed:
    """The entries of a feed document (an empty feed has none).

    Raises:
        SourceError: the text is not a feed (HTML, garbage, a truncated document with no entries).
    """
    import feedparser

    # as a stream: feedparser reads a string that looks like a URL or a path as one (fetching it, opening the file,
    # or raising ValueError on "//[": a fuzzed document crashed the batch); its own str path encodes to UTF-8 too
    feed = feedparser.parse(io.BytesIO(text.encode("utf-8", "surrogatepass")))
    if not feed.get("entries") and (feed.get("bozo") or not feed.get("version")):  # "" has no version at all
        reason = f"not a readable feed ({feed.bozo_exception})" if feed.get("bozo") else "not an RSS or Atom feed"
        raise SourceError(item, reason)
    entries = [FeedEntry(entry_key(e), entry_fingerprint(e), i, e) for i, e in enumerate(feed.entries, start=1)]
    return ParsedFeed(str(feed.feed.get("title", "")), entries)


def entry_item(item: str, entry: FeedEntry) -> str:
    """How an entry is named in reports: ``<feed> entry <n> (<link>)``."""
    link = entry.raw.get("link", "")
    return f"{item} entry {entry.position}" + (f" ({link})" if link else "")


def from_feed(text: str, item: str, settings: IngestSettings, fetcher: Fetcher | None) -> Iterator[Loaded]:
    try:
        feed = parse_feed(text, item)
    except SourceError as exc:
        yield exc
        return
    if not feed.entries:
        yield SourceError(item, "feed has no entries")
        return
    yield from from_entries(feed.entries, feed.outlet, item, settings, fetcher)


def from_entries(entries: Sequence[FeedEntry], outlet: str, item: str, settings: IngestSettings,
                 fetcher: Fetcher | None) -> Iterator[Loaded]:
    """An article (or the reason it failed) per entry; an entry with only a summary is followed to its page.
    Each is named by ``entry_item``."""
    for one in entries:
        entry = one.raw
        link = entry.get("link", "")
        where = entry_item(item, one)
        body = ""
        if entry.get("content"):
            body = html_to_text(" ".join(c.get("value", "") for c in entry.content))
        summary = html_to_text(entry.get("summary", ""))
        record = {"id": entry.get("id") or None, "title": html_to_text(entry.get("title", "")), "url": link,
                  "date": entry.get("published_parsed") or entry.get("updated_parsed"), "outlet": outlet}
        if len(body) >= 4 * max(len(summary), settings.min_text_chars):
            yield safely(partial(make_article, {**record, "text": body}, where, settings), where)
            continue
        if settings.follow_feed_links and link.startswith(("http://", "https://")) and fetcher is not None:
            try:
                page = fetcher.fetch(link)
            except SourceError as exc:
                yield SourceError(where, f"linked article could not be fetched: {exc.reason}")
                continue
            fetched = from_html(page.text, where, settings, url=page.url)
            if isinstance(fetched, Article):
                # The feed's own metadata is more reliable than what extraction guesses.
                try:
                    fields = checked_fields(record, where)
                except SourceError as exc:
                    yield exc
                    continue
                entry_date = normalize_date(record["date"])
                yield Article(id=fields["id"] or fetched.id, title=fields["title"] or fetched.title,
                              text=fetched.text, url=fields["url"] or fetched.url,
                              published=entry_date or fetched.published, outlet=fields["outlet"] or fetched.outlet,
                              lang=fetched.lang, source=where,
                              date_source="field" if entry_date else fetched.date_source)
                continue
            yield fetched
            continue
        yield safely(partial(make_article, {**record, "text": body or summary}, where, settings), where)
