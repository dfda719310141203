"""Reading sources: files, folders, URLs, feeds, JSON/JSONL exports and stdin -> ``Article`` records.

The only module that reads files or fetches URLs. Every item yields either an ``Article`` or a
``SourceError`` naming the item (a path, ``path:line``, a URL, ``feed entry``), so one bad item never
stops a batch.
"""

from __future__ import annotations

import email.utils
import hashlib
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from ingest.clean import clean_text, extract_html, html_to_text, split_title
from ingest.errors import SourceError
from ingest.lang import detect_language
from ingest.netpolicy import AddressPolicy, RefusedAddress
from ingest.records import Article
from ingest.settings import IngestSettings

Loaded = Article | SourceError

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES

_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image", b"PK\x03\x04": "a zip archive", b"%PDF": "a PDF", b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image", b"\x1f\x8b": "a gzip archive", b"\x7fELF": "an executable",
}


# --- decoding -------------------------------------------------------------------------------------


def decode_bytes(data: bytes, item: str) -> str:
    """Text from bytes: UTF-8 (with or without BOM), else Windows-1252, else the best detected encoding.

    Raises:
        SourceError: empty or binary input.
    """
    if not data.strip():
        raise SourceError(item, "empty (no text)")
    for magic, kind in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise SourceError(item, f"binary file ({kind}), not text")
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(item, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark (Windows "Unicode")
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    # Indonesian and English are Latin-script: legacy files are nearly always Windows-1252/Latin-1,
    # which statistical detectors confuse with Central European code pages on short texts.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        text = str(best) if best is not None else data.decode("latin-1")
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t")
    if controls > 0.1 * min(len(text), 4096):
        raise SourceError(item, "binary file (mostly control bytes), not text")
    return text


# --- records --------------------------------------------------------------------------------------


def normalize_date(value: Any) -> str:
    """ISO date (YYYY-MM-DD) from ISO strings, RFC 2822 dates, datetimes or struct_time; else ''."""
    if value is None or value == "":
        return ""
    if hasattr(value, "tm_year"):
        return f"{value.tm_year:04d}-{value.tm_mon:02d}-{value.tm_mday:02d}"
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


def _looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(html|body|article|p|div)\b", text[:2000], re.IGNORECASE))


MAX_TITLE_CHARS = 300  # a longer "title" is text in the wrong field


def _scalar(value: Any) -> str:
    """A metadata field as text: strings and numbers only. Lists and mappings (e.g. YAML front matter whose
    aliases expand a 1 KB file into millions of strings) are ignored rather than turned into text."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    return str(value).strip()


def make_article(record: dict[str, Any], item: str, settings: IngestSettings, *, identity: str = "") -> Article:
    """Build a clean ``Article`` from a loose record (JSON, front matter, feed entry, file).

    ``identity`` is used for the id when the record has neither ``id`` nor ``url`` (e.g. a file path).

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
    url = _scalar(record.get("url") or record.get("link"))
    title = _scalar(record.get("title"))[:MAX_TITLE_CHARS]
    published = normalize_date(record.get("date") or record.get("published") or record.get("published_at"))
    outlet = _scalar(record.get("outlet") or record.get("source") or record.get("site"))
    if _looks_like_html(raw_text):
        page = extract_html(raw_text, url)
        text = page.text
        title = title or page.title
        published = published or page.published
        outlet = outlet or page.outlet
    else:
        text = clean_text(raw_text)
        if not title:
            title, text = split_title(text)
    if len(text) < settings.min_text_chars:
        raise SourceError(item, f"no article text (only {len(text)} characters after cleaning)")
    if not title:
        title = text.split("\n", 1)[0][:100]
    lang = str(record.get("lang") or "").lower()
    if lang not in ("id", "en"):
        lang = detect_language(f"{title}\n{text}")
    given_id = _scalar(record.get("id"))
    article_id = given_id if given_id else (
        derive_id(url, title, text) if url or not identity else derive_id(identity, "", "")
    )
    return Article(id=article_id, title=title, text=text, url=url, published=published, outlet=outlet,
                   lang=lang, source=item)


# --- formats --------------------------------------------------------------------------------------


def _from_json_text(text: str, item: str, settings: IngestSettings) -> Iterator[Loaded]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield SourceError(item, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
        return
    except (ValueError, RecursionError) as exc:  # valid syntax Python refuses: huge numbers, deep nesting
        yield SourceError(item, f"unreadable JSON ({_json_limit(exc)})")
        return
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    records = data if isinstance(data, list) else [data]
    for i, record in enumerate(records):
        where = f"{item}[{i}]" if isinstance(data, list) else item
        if not isinstance(record, dict):
            yield SourceError(where, f"expected a JSON object, got {type(record).__name__}")
            continue
        yield _safe(lambda r=record, w=where: make_article(r, w, settings))


def _json_limit(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc).split(";")[0][:120]


def _from_jsonl(stream: BinaryIO, item: str, settings: IngestSettings) -> Iterator[Loaded]:
    limit = int(settings.max_item_mb * 1024 * 1024)
    seen_any = False
    for lineno, raw in enumerate(stream, start=1):
        where = f"{item}:{lineno}"
        if not raw.strip():
            continue
        seen_any = True
        if len(raw) > limit:
            yield SourceError(where, f"record is {len(raw) / 1e6:.1f} MB, over the {settings.max_item_mb:g} MB limit")
            continue
        try:
            record = json.loads(decode_bytes(raw, where))
        except SourceError as exc:
            yield exc
            continue
        except json.JSONDecodeError as exc:
            yield SourceError(where, f"malformed JSON (column {exc.colno}: {exc.msg})")
            continue
        except (ValueError, RecursionError) as exc:  # valid syntax Python refuses: huge numbers, deep nesting
            yield SourceError(where, f"unreadable JSON ({_json_limit(exc)})")
            continue
        if not isinstance(record, dict):
            yield SourceError(where, f"expected a JSON object, got {type(record).__name__}")
            continue
        yield _safe(lambda r=record, w=where: make_article(r, w, settings))
    if not seen_any:
        yield SourceError(item, "empty (no JSON lines)")


def _from_markdown(text: str, item: str, settings: IngestSettings, identity: str) -> Loaded:
    import frontmatter

    try:
        post = frontmatter.loads(text)
    except Exception as exc:  # python-frontmatter raises YAML errors of several kinds
        return SourceError(item, f"malformed front matter: {exc}")
    record: dict[str, Any] = {k: v for k, v in post.metadata.items() if isinstance(k, str)}
    record["text"] = post.content
    return _safe(lambda: make_article(record, item, settings, identity=identity))


def _from_html(text: str, item: str, settings: IngestSettings, url: str = "", identity: str = "") -> Loaded:
    page = extract_html(text, url)
    if len(page.text) < max(settings.min_page_chars, settings.min_text_chars):
        return SourceError(item, "no main article text found in the HTML")
    record = {"title": page.title, "text": page.text, "url": page.url or url, "date": page.published,
              "outlet": page.outlet, "lang": page.lang}
    return _safe(lambda: make_article(record, item, settings, identity=identity))


def _is_feed(text: str) -> bool:
    head = text.lstrip()[:2000].lower()
    return ("<rss" in head or "<feed" in head or "<rdf:rdf" in head) and "<html" not in head


def _from_feed(text: str, item: str, settings: IngestSettings, fetcher: Fetcher | None) -> Iterator[Loaded]:
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
            yield _safe(lambda r={**record, "text": body}, w=where: make_article(r, w, settings))
            continue
        if settings.follow_feed_links and link.startswith(("http://", "https://")) and fetcher is not None:
            try:
                page = fetcher.fetch(link)
            except SourceError as exc:
                yield SourceError(where, f"linked article could not be fetched: {exc.reason}")
                continue
            fetched = _from_html(page.text, where, settings, url=page.url)
            if isinstance(fetched, Article):
                # The feed's own metadata is more reliable than what extraction guesses.
                yield Article(id=str(record["id"] or fetched.id), title=record["title"] or fetched.title,
                              text=fetched.text, url=link, published=normalize_date(record["date"]) or fetched.published,
                              outlet=outlet or fetched.outlet, lang=fetched.lang, source=where)
                continue
            yield fetched
            continue
        yield _safe(lambda r={**record, "text": body or summary}, w=where: make_article(r, w, settings))


def _safe(build) -> Loaded:
    try:
        return build()
    except SourceError as exc:
        return exc


def parse_document(data: bytes, item: str, settings: IngestSettings, *, kind: str, url: str = "",
                   identity: str = "", fetcher: Fetcher | None = None) -> Iterator[Loaded]:
    """Parse one document's bytes. ``kind`` is a file suffix (``.txt``, ``.html``...) or ``sniff``."""
    if kind in JSONL_SUFFIXES:
        yield from _from_jsonl(io.BytesIO(data), item, settings)
        return
    try:
        text = decode_bytes(data, item)
    except SourceError as exc:
        yield exc
        return
    if kind == "sniff":
        stripped = text.lstrip()
        if stripped.startswith("{") and "\n{" in stripped.strip():
            kind = ".jsonl"
            yield from _from_jsonl(io.BytesIO(text.encode("utf-8")), item, settings)
            return
        kind = (".json" if stripped.startswith(("{", "[")) else ".rss" if _is_feed(text)
                else ".html" if _looks_like_html(text) else ".md" if stripped.startswith("---") else ".txt")
    if kind in JSON_SUFFIXES:
        yield from _from_json_text(text, item, settings)
    elif kind in FEED_SUFFIXES:
        yield from _from_feed(text, item, settings, fetcher)
    elif kind in HTML_SUFFIXES:
        yield _from_html(text, item, settings, url=url, identity=identity)
    elif kind in (".md", ".markdown"):
        yield _from_markdown(text, item, settings, identity)
    else:
        yield _safe(lambda: make_article({"text": text, "url": url}, item, settings, identity=identity))


# --- files, folders, URLs, stdin -----------------------------------------------------------------


class Fetched:
    def __init__(self, url: str, text: str, content_type: str, data: bytes) -> None:
        self.url, self.text, self.content_type, self.data = url, text, content_type, data


class Fetcher:
    """HTTP(S) fetches with a timeout, a redirect limit, a size cap and the address policy (``netpolicy``):
    by default no connection, redirects included, goes to this machine or a private network."""

    def __init__(self, settings: IngestSettings, *, policy: AddressPolicy | None = None) -> None:
        import httpx

        self.settings = settings
        self.policy = policy or AddressPolicy(allow_private=settings.allow_private_urls)
        self._client = httpx.Client(
            follow_redirects=True, max_redirects=settings.max_redirects,
            timeout=httpx.Timeout(settings.fetch_timeout_s), headers={"User-Agent": settings.user_agent},
            **self.policy.client_options(),
        )

    def fetch(self, url: str) -> Fetched:
        import httpx

        limit = int(self.settings.max_item_mb * 1024 * 1024)
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise SourceError(url, f"HTTP {response.status_code} {response.reason_phrase}")
                declared = int(response.headers.get("content-length") or 0)
                if declared > limit:
                    raise SourceError(url, f"{declared / 1e6:.1f} MB, over the {self.settings.max_item_mb:g} MB limit")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise SourceError(url, f"over the {self.settings.max_item_mb:g} MB limit")
                    chunks.append(chunk)
                data = b"".join(chunks)
                content_type = response.headers.get("content-type", "").lower()
                final_url = str(response.url)
        except RefusedAddress as exc:
            raise SourceError(url, exc.reason(url)) from None
        except (httpx.InvalidURL, UnicodeError) as exc:  # e.g. octal "0177.0.0.1", a 300-character host name
            raise SourceError(url, f"not a valid URL ({exc})") from None
        except httpx.TooManyRedirects:
            raise SourceError(url, f"too many redirects (more than {self.settings.max_redirects})") from None
        except httpx.TimeoutException:
            raise SourceError(url, f"timed out after {self.settings.fetch_timeout_s:g} s") from None
        except httpx.HTTPError as exc:
            raise SourceError(url, f"could not be fetched ({type(exc).__name__}: {exc})") from None
        return Fetched(final_url, decode_bytes(data, url), content_type, data)

    def close(self) -> None:
        self._client.close()


def _url_kind(fetched: Fetched) -> str:
    ct = fetched.content_type
    if "json" in ct:
        return ".json"
    if any(x in ct for x in ("rss", "atom", "xml")) or _is_feed(fetched.text):
        return ".rss"
    if "html" in ct:
        return ".html"
    return "sniff"


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


def load_sources(sources: Iterable[str], settings: IngestSettings, *, stdin: BinaryIO | None = None) -> Iterator[Loaded]:
    """Yield an ``Article`` or a ``SourceError`` for every article found in ``sources``."""
    fetcher: Fetcher | None = None
    limit = int(settings.max_item_mb * 1024 * 1024)
    try:
        for source in expand_paths(sources):
            if source == "-":
                data = (stdin or sys.stdin.buffer).read(limit + 1)
                if len(data) > limit:
                    yield SourceError("-", f"stdin is over the {settings.max_item_mb:g} MB limit")
                    continue
                yield from parse_document(data, "-", settings, kind="sniff")
            elif source.startswith(("http://", "https://")):
                fetcher = fetcher or Fetcher(settings)
                try:
                    page = fetcher.fetch(source)
                except SourceError as exc:
                    yield exc
                    continue
                yield from parse_document(page.data, source, settings, kind=_url_kind(page), url=page.url,
                                          fetcher=fetcher)
            else:
                path = Path(source)
                if not path.is_file():
                    yield SourceError(source, "no such file or folder")
                    continue
                size = path.stat().st_size
                suffix = path.suffix.lower()
                if size == 0:
                    yield SourceError(source, "empty file")
                    continue
                if suffix in JSONL_SUFFIXES:  # streamed line by line; the cap applies per record
                    with path.open("rb") as fh:
                        yield from _from_jsonl(fh, source, settings)
                    continue
                if size > limit:
                    yield SourceError(source, f"{size / 1e6:.1f} MB, over the {settings.max_item_mb:g} MB limit "
                                      "(raise ingest.max_item_mb to accept it)")
                    continue
                if suffix in FEED_SUFFIXES or suffix == ".rss":
                    fetcher = fetcher or Fetcher(settings)
                kind = suffix if suffix in SUPPORTED_SUFFIXES else "sniff"
                yield from parse_document(path.read_bytes(), source, settings, kind=kind,
                                          identity=f"file://{path.resolve()}", fetcher=fetcher)
    finally:
        if fetcher is not None:
            fetcher.close()
