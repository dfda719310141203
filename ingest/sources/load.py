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
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from core.text.intake import (
    MAX_ID_CHARS,
    MAX_OUTLET_CHARS,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
    clean_line,
    json_limit,
    loads_json,
    text_field,
)
from ingest.clean import clean_text, extract_html, html_to_text, split_title
from core.errors import SourceError
from core.text.lang import detect_language
from ingest.sources.netpolicy import AddressPolicy, RefusedAddress
from core.records import Article
from core.settings import IngestSettings

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


def readable(name: str) -> str:
    """An item name (a path, a URL from the command line) as printable text. A file name that is not UTF-8
    reaches Python as surrogate escapes ("z-\\udce9.txt"), which UTF-8 output and SQLite refuse: its bytes
    are shown as ``\\xe9`` instead."""
    try:
        data = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # lone surrogates that are not escaped bytes
        data = name.encode("utf-8", "backslashreplace")
    return data.decode("utf-8", "backslashreplace")


_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-z0-9_.:-]+)""",
    re.IGNORECASE,
)
# Labels that mean Windows-1252 in practice (the WHATWG encoding standard maps them so): Python's Latin-1
# would turn its curly quotes and dashes into control characters.
_MEANS_CP1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii", "windows-1252", "cp1252"}


def charset_of(content_type: str) -> str:
    """The charset named in an HTTP ``Content-Type`` header, or ''."""
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return match[1] if match else ""


def _declared_charset(data: bytes) -> str:
    """The charset a document declares (``<meta charset>``, ``http-equiv``, ``<?xml encoding>``), or ''."""
    match = _DECLARED.search(data[:4096])
    return (match[1] or match[2]).decode("ascii").lower() if match else ""


def looks_garbled(text: str) -> bool:
    """Mojibake of a non-Latin script read in a Latin code page: most letters are accented Latin-1 ones
    ("Öåíû íà ðèñ" for "Цены на рис"). Indonesian, English and other Latin-script text has few of them."""
    letters = [ch for ch in text[:20_000] if ch.isalpha()]
    accented = sum(1 for ch in letters if "\u00c0" <= ch <= "\u00ff")
    return len(letters) >= 20 and accented > 0.3 * len(letters)


def decode_bytes(data: bytes, item: str, declared: str = "") -> str:
    """Text from bytes: UTF-8 (with or without BOM); else the charset ``declared`` (by an HTTP header) or
    declared in the document itself, then Windows-1252; else, when those yield mojibake (a Cyrillic page
    in windows-1251 or KOI8-R), the encoding charset-normalizer detects.

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
    # which statistical detectors confuse with Central European code pages on short texts; so detection
    # is only asked when the declared or assumed code page gives mojibake.
    declared = (declared or _declared_charset(data)).lower()
    if declared in _MEANS_CP1252 or declared.startswith(("utf-16", "utf-32", "ucs")):  # wide ones need a BOM
        declared = ""
    text = ""
    for encoding in [e for e in (declared, "cp1252") if e]:
        try:
            candidate = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if not looks_garbled(candidate):
            text = candidate
            break
        text = text or candidate
    else:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None and (not text or not looks_garbled(str(best))):
            text = str(best)
        text = text or data.decode("latin-1")
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
    fields = checked_fields(record, item)
    url, title, outlet, given_id = fields["url"], fields["title"], fields["outlet"], fields["id"]
    published = normalize_date(record.get("date") or record.get("published") or record.get("published_at"))
    if _looks_like_html(raw_text):
        page = extract_html(raw_text, url)
        text = page.text
        title = title or clean_line(page.title, MAX_TITLE_CHARS)
        published = published or page.published
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
    if lang not in ("id", "en"):
        lang = detect_language(f"{title}\n{text}")
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
        yield SourceError(item, f"unreadable JSON ({json_limit(exc)})")
        return
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    records = data if isinstance(data, list) else [data]
    for i, record in enumerate(records):
        where = f"{item}[{i}]" if isinstance(data, list) else item
        if not isinstance(record, dict):
            yield SourceError(where, f"expected a JSON object, got {type(record).__name__}")
            continue
        yield _safe(lambda r=record, w=where: make_article(r, w, settings), where)


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
            record = loads_json(decode_bytes(raw, where))
        except SourceError as exc:
            yield exc
            continue
        except ValueError as exc:  # malformed, or valid syntax Python refuses: huge numbers, deep nesting
            yield SourceError(where, str(exc))
            continue
        if not isinstance(record, dict):
            yield SourceError(where, f"expected a JSON object, got {type(record).__name__}")
            continue
        yield _safe(lambda r=record, w=where: make_article(r, w, settings), where)
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
    return _safe(lambda: make_article(record, item, settings, identity=identity), item)


def _from_html(text: str, item: str, settings: IngestSettings, url: str = "", identity: str = "") -> Loaded:
    page = extract_html(text, url)
    if len(page.text) < max(settings.min_page_chars, settings.min_text_chars):
        return SourceError(item, "no main article text found in the HTML")
    record = {"title": page.title, "text": page.text, "url": page.url or url, "date": page.published,
              "outlet": page.outlet, "lang": page.lang}
    return _safe(lambda: make_article(record, item, settings, identity=identity), item)


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
            yield _safe(lambda r={**record, "text": body}, w=where: make_article(r, w, settings), where)
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
                try:
                    fields = checked_fields(record, where)
                except SourceError as exc:
                    yield exc
                    continue
                yield Article(id=fields["id"] or fetched.id, title=fields["title"] or fetched.title,
                              text=fetched.text, url=fields["url"] or fetched.url,
                              published=normalize_date(record["date"]) or fetched.published,
                              outlet=fields["outlet"] or fetched.outlet, lang=fetched.lang, source=where)
                continue
            yield fetched
            continue
        yield _safe(lambda r={**record, "text": body or summary}, w=where: make_article(r, w, settings), where)


def _safe(build, item: str) -> Loaded:
    try:
        return build()
    except SourceError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 (one record must never stop the batch; the type helps a bug report)
        return SourceError(item, f"could not be read ({type(exc).__name__}: {exc})")


def parse_document(data: bytes, item: str, settings: IngestSettings, *, kind: str, url: str = "",
                   identity: str = "", fetcher: Fetcher | None = None, charset: str = "") -> Iterator[Loaded]:
    """Parse one document's bytes. ``kind`` is a file suffix (``.txt``, ``.html``...) or ``sniff``; ``charset``
    the one an HTTP header declared."""
    if kind in JSONL_SUFFIXES:
        yield from _from_jsonl(io.BytesIO(data), item, settings)
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
        yield _safe(lambda: make_article({"text": text, "url": url}, item, settings, identity=identity), item)


# --- files, folders, URLs, stdin -----------------------------------------------------------------


class Fetched:
    def __init__(self, url: str, text: str, content_type: str, data: bytes) -> None:
        self.url, self.text, self.content_type, self.data = url, text, content_type, data
        self.charset = charset_of(content_type)
        if self.charset:  # the server named the encoding: read the text in it
            self.text = decode_bytes(data, url, self.charset)


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
        """``url`` fetched within ``fetch_timeout_s`` in total.

        httpx's timeout applies to each read, so a server sending a byte every few seconds could hold a batch
        up for as long as it likes. The fetch runs in a worker thread instead; at the deadline it is
        abandoned (``_abandon``) and the item fails.

        Raises:
            SourceError: the URL failed, with the reason.
        """
        outcome: list[Fetched | BaseException] = []

        def work() -> None:
            try:
                outcome.append(self._fetch(url))
            except BaseException as exc:  # noqa: BLE001 (handed to the caller's thread, raised there)
                outcome.append(exc)

        worker = threading.Thread(target=work, name="warta-fetch", daemon=True)
        worker.start()
        worker.join(self.settings.fetch_timeout_s)
        if not outcome:
            self._abandon()
            raise SourceError(url, f"timed out after {self.settings.fetch_timeout_s:g} s")
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    def _abandon(self) -> None:
        """Give up a fetch still running in its worker: closing its client makes the worker's next read fail (so
        it ends), and a new client serves the URLs after it."""
        self._client.close()
        self._client = Fetcher(self.settings, policy=self.policy)._client

    def _fetch(self, url: str) -> Fetched:
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

    limit = int(settings.max_item_mb * 1024 * 1024)
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
        yield from parse_document(page.data, item, settings, kind=_url_kind(page), url=page.url,
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
                yield from _from_jsonl(fh, item, settings)
            return
        if size > limit:
            yield SourceError(item, f"{size / 1e6:.1f} MB, over the {settings.max_item_mb:g} MB limit "
                              "(raise ingest.max_item_mb to accept it)")
            return
        kind = suffix if suffix in SUPPORTED_SUFFIXES else "sniff"
        yield from parse_document(path.read_bytes(), item, settings, kind=kind,
                                  identity=f"file://{readable(str(path.resolve()))}",
                                  fetcher=shared_fetcher() if suffix in FEED_SUFFIXES or fetcher else None)
