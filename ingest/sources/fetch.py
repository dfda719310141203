"""URLs -> bytes: HTTP(S) with a deadline, a redirect limit, a size cap and the address policy (``netpolicy``)."""

from __future__ import annotations

import threading

from core.errors import SourceError
from core.settings import IngestSettings
from ingest.sources.decode import charset_of, decode_bytes
from ingest.sources.feed import is_feed
from ingest.sources.netpolicy import AddressPolicy, RefusedAddressError


class Fetched:
    """A fetched URL: its final URL (after redirects), text, bytes and the headers a conditional GET needs.

    ``status`` is 304 (with no body) when a conditional fetch found the document unchanged."""

    def __init__(self, url: str, text: str, content_type: str, data: bytes, *, status: int = 200, etag: str = "",
                 last_modified: str = "") -> None:
        self.url, self.text, self.content_type, self.data = url, text, content_type, data
        self.status, self.etag, self.last_modified = status, etag, last_modified
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

    def fetch(self, url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
        """``url`` fetched within ``fetch_timeout_s`` in total.

        With ``etag`` or ``last_modified`` (from an earlier fetch) the GET is conditional (``If-None-Match``,
        ``If-Modified-Since``): an unchanged document comes back as ``status`` 304 with no body.

        httpx's timeout applies to each read, so a server sending a byte every few seconds could hold a batch
        up for as long as it likes. The fetch runs in a worker thread instead; at the deadline it is
        abandoned (``_abandon``) and the item fails.

        Raises:
            SourceError: the URL failed, with the reason.
        """
        outcome: list[Fetched | BaseException] = []

        def work() -> None:
            try:
                outcome.append(self._fetch(url, etag, last_modified))
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

    def _fetch(self, url: str, etag: str = "", last_modified: str = "") -> Fetched:
        import httpx

        limit = self.settings.max_item_bytes
        headers = {key: value for key, value in (("If-None-Match", etag), ("If-Modified-Since", last_modified))
                   if value}
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304 and headers:
                    return Fetched(str(response.url), "", "", b"", status=304, etag=etag, last_modified=last_modified)
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
                validators = {"etag": response.headers.get("etag", ""),
                              "last_modified": response.headers.get("last-modified", "")}
        except RefusedAddressError as exc:
            raise SourceError(url, exc.reason(url)) from None
        except (httpx.InvalidURL, UnicodeError) as exc:  # e.g. octal "0177.0.0.1", a 300-character host name
            raise SourceError(url, f"not a valid URL ({exc})") from None
        except httpx.TooManyRedirects:
            raise SourceError(url, f"too many redirects (more than {self.settings.max_redirects})") from None
        except httpx.TimeoutException:
            raise SourceError(url, f"timed out after {self.settings.fetch_timeout_s:g} s") from None
        except httpx.HTTPError as exc:
            raise SourceError(url, f"could not be fetched ({type(exc).__name__}: {exc})") from None
        return Fetched(final_url, decode_bytes(data, url), content_type, data, status=response.status_code,
                       **validators)

    def close(self) -> None:
        self._client.close()


def url_kind(fetched: Fetched) -> str:
    ct = fetched.content_type
    if "json" in ct:
        return ".json"
    if any(x in ct for x in ("rss", "atom", "xml")) or is_feed(fetched.text):
        return ".rss"
    if "html" in ct:
        return ".html"
    return "sniff"
