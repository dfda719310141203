"""Loose records (a JSON object, front matter, a feed entry, a page) -> clean ``Article`` records.

Every field is cleaned by the rules every text entering Warta follows (``core.text.intake``); a record that
cannot become an article is a ``SourceError`` naming the item, never an exception that stops the batch.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from core.errors import SourceError
from core.records import Article
from core.settings import IngestSettings
from core.text.intake import (
    MAX_ID_CHARS,
    MAX_OUTLET_CHARS,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
    clean_line,
    text_field,
)
from core.text.lang import detect_language, is_lang
from ingest.clean import clean_text, extract_html, split_title
from ingest.dates import publish_date

Loaded = Article | SourceError


def normalize_date(value: Any) -> str:
    """ISO date (YYYY-MM-DD) from ISO strings, RFC 2822 dates, datetimes or struct_time; else ''."""
    if value is None or value == "":
        return ""
    if hasattr(value, "tm_year"):  # feedparser's struct_time: "0000-00-00" comes out as year -1
        try:
            return date(value.tm_year, value.tm_mon, value.tm_mday).isoformat()
        except ValueError:
            return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    match = re.match(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", text)
    return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}" if match else ""


def derive_id(url: str, title: str, text: str) -> str:
    """An id for articles that bring none: from the URL (updates replace) or else from the content."""
    basis = url or f"{title}\n{text}"
    return ("u" if url else "c") + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(html|body|article|p|div)\b", text[:2000], re.IGNORECASE))


def checked_fields(record: dict[str, Any], item: str) -> dict[str, str]:
    """The one-line fields of a loose record (id, url, title, outlet), cleaned by the rules every text entering
    Warta follows (``core.text.intake.text_field``).

    Raises:
        SourceError: an id or URL too long to be real.
    """
    try:
        return {
            "id": text_field(record.get("id"), "id", MAX_ID_CHARS),
            "url": text_field(record.get("url") or record.get("link"), "url", MAX_URL_CHARS),
            "title": text_field(record.get("title"), "title", MAX_TITLE_CHARS, cut=True),
            "outlet": text_field(record.get("outlet") or record.get("source") or record.get("site"), "outlet",
                                 MAX_OUTLET_CHARS, cut=True),
        }
    except ValueError as exc:
        raise SourceError(item, str(exc)) from None


def make_article(record: dict[str, Any], item: str, settings: IngestSettings, *, identity: str = "",
                 page_date: str = "") -> Article:
    """Build a clean ``Article`` from a loose record (JSON, front matter, feed entry, file).

    ``identity`` is used for the id when the record has neither ``id`` nor ``url`` (e.g. a file path);
    ``page_date`` is the date an HTML page's metadata gave (when the record is an extracted page).

    Raises:
        SourceError: no usable text.
    """
    raw_text = record.get("text")
    if raw_text is None:
        raw_text = record.get("content")
    if raw_text is None:
        raise SourceError(item, "no 'text' or 'content' field")
    if not isinstance(raw_text, str):
        raise SourceError(item, f"'text' must be a string, got {type(raw_text).__name__}")
    fields = checked_fields(record, item)
    url, title, outlet, given_id = fields["url"], fields["title"], fields["outlet"], fields["id"]
    field_date = normalize_date(record.get("date") or record.get("published") or record.get("published_at"))
    if looks_like_html(raw_text):
        page = extract_html(raw_text, url)
        text = page.text
        title = title or clean_line(page.title, MAX_TITLE_CHARS)
        page_date = page_date or page.published
        outlet = outlet or clean_line(page.outlet, MAX_OUTLET_CHARS)
    else:
        text = clean_text(raw_text)
        if not title:
            title, text = split_title(text)
    if len(text) < settings.min_text_chars:
        raise SourceError(item, f"no article text (only {len(text)} characters after cleaning)")
    if not title:
        title = text.split("\n", 1)[0][:100]
    lang = str(record.get("lang") or "").lower()
    if not is_lang(lang):
        lang = detect_language(f"{title}\n{text}")
    article_id = given_id if given_id else (
        derive_id(url, title, text) if url or not identity else derive_id(identity, "", "")
    )
    when = publish_date(field=field_date, html=normalize_date(page_date), url=url, text=text,
                        datelines=settings.dateline_dates)
    return Article(id=article_id, title=title, text=text, url=url, published=when.day, outlet=outlet,
                   lang=lang, source=item, date_source=when.source)


def safely(build: Callable[[], Article], item: str) -> Loaded:
    try:
        return build()
    except SourceError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 (one record must never stop the batch; the type helps a bug report)
        return SourceError(item, f"could not be read ({type(exc).__name__}: {exc})")


def from_markdown(text: str, item: str, settings: IngestSettings, identity: str) -> Loaded:
    import frontmatter

    try:
        post = frontmatter.loads(text)
    except Exception as exc:  # noqa: BLE001 (python-frontmatter raises YAML errors of several kinds)
        return SourceError(item, f"malformed front matter: {exc}")
    record: dict[str, Any] = {k: v for k, v in post.metadata.items() if isinstance(k, str)}
    record["text"] = post.content
    return safely(lambda: make_article(record, item, settings, identity=identity), item)


def from_html(text: str, item: str, settings: IngestSettings, url: str = "", identity: str = "") -> Loaded:
    page = extract_html(text, url)
    if len(page.text) < max(settings.min_page_chars, settings.min_text_chars):
        return SourceError(item, "no main article text found in the HTML")
    record = {"title": page.title, "text": page.text, "url": page.url or url, "outlet": page.outlet, "lang": page.lang}
    return safely(lambda: make_article(record, item, settings, identity=identity, page_date=page.published), item)
