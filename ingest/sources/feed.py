"""RSS/Atom feeds -> articles: each entry is one; an entry with only a summary is followed to its page."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

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


def from_feed(text: str, item: str, settings: IngestSettings, fetcher: Fetcher | None) -> Iterator[Loaded]:
    import feedparser

    feed = feedparser.parse(text)
    if not feed.entries:
        reason = f"not a readable feed ({feed.bozo_exception})" if feed.bozo else "feed has no entries"
        yield SourceError(item, reason)
        return
    outlet = feed.feed.get("title", "")
    for i, entry in enumerate(feed.entries, start=1):
        link = entry.get("link", "")
        where = f"{item} entry {i}" + (f" ({link})" if link else "")
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
