"""Feeds that refresh themselves: poll each due feed, ingest its new and changed entries, keep its state.

One poll of one feed (``FeedPoller.poll``):

1. a conditional GET of the feed (``If-None-Match`` / ``If-Modified-Since`` from the last answer); 304: nothing new;
2. the entries, each keyed by its guid (else its link) with a fingerprint of its content (``ingest.sources.feed``);
3. the entries not seen before, or changed since, are ingested (``Ingestor.ingest_loaded``: an entry with only a
   summary is followed to its article page); unchanged ones are not even fetched;
4. the feed's state is recorded in the catalog (``store.feeds``): on success it is due again after its interval;
   on a failure (down, 5xx, garbage, a timeout, too many redirects, a refused address) the reason is kept and it
   waits ``every x 2^failures`` (at most ``feeds.max_backoff``) before the next try.

An entry that failed is not remembered, so the next poll tries it again (the validators are not kept then, so
that poll is not answered 304). Nothing escapes a poll: every failure becomes a ``PollResult`` naming the feed,
so one feed that is down never stops the others (``poll_due``), the CLI or the server's chat. Time comes from an
injected clock, so tests run a simulated day without sleeping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from core.errors import ConfigError, SourceError, WartaError
from core.settings import IngestSettings, Settings, parse_interval
from ingest.ingestor import Ingestor
from ingest.sources.feed import FeedEntry, entry_item, from_entries, parse_feed
from ingest.sources.fetch import Fetcher
from store.feeds import Feed, FeedStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
PollStatus = Literal["ingested", "unchanged", "not_modified", "failed"]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PollResult:
    """What one poll of one feed did."""

    url: str
    status: PollStatus  # ingested: new or changed entries were stored; unchanged: none; not_modified: HTTP 304
    ingested: int = 0  # entries stored as new or changed articles
    skipped: int = 0  # entries seen before and unchanged (not fetched again)
    entry_failures: tuple[str, ...] = ()  # "<entry>: <reason>" of entries that failed (tried again next poll)
    error: str = ""  # why the feed itself failed
    next_poll: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed" and not self.entry_failures

    def line(self) -> str:
        """One line for a person: what happened and when the feed is polled next."""
        following = f"; next poll {self.next_poll:%Y-%m-%d %H:%M} UTC" if self.next_poll else ""
        if self.status == "failed":
            return f"failed: {self.url}: {self.error}{following}"
        what = {"ingested": f"{self.ingested} new or changed entr{'y' if self.ingested == 1 else 'ies'} ingested",
                "unchanged": "no new entries", "not_modified": "not modified (304)"}[self.status]
        failures = f", {len(self.entry_failures)} failed" if self.entry_failures else ""
        skipped = f", {self.skipped} unchanged" if self.skipped else ""
        return f"ok: {self.url}: {what}{skipped}{failures}{following}"


def check_feed_url(url: str) -> str:
    """The URL stripped, or ``SourceError`` when it is not an http(s) URL."""
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")) or len(url) > 2000 or any(c.isspace() for c in url):
        raise SourceError(url[:200] or "''", "a feed must be an http:// or https:// URL")
    return url


@dataclass
class FeedPoller:
    """Adds, removes and polls the feeds of ``settings``' index.

    Args:
        settings: the settings tree (``feeds`` and ``ingest`` sections).
        store: where feeds and their state live (default: the index's catalog, ``FeedStore.of``).
        ingestor: stores the entries, or a function making one on first need (default: ``Ingestor(settings)``,
            made when a poll first has entries to store).
        clock: the current time (tests pass a simulated one).
    """

    settings: Settings
    store: FeedStore | None = None
    ingestor: Ingestor | Callable[[], Ingestor] | None = None
    clock: Clock = utc_now
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.store is None:
            self.store = FeedStore.of(self.settings)
        self._ingest_settings: IngestSettings = self.settings.ingest.model_copy(
            update={"fetch_timeout_s": self.settings.feeds.timeout_s})

    @property
    def feeds(self) -> FeedStore:
        assert self.store is not None
        return self.store

    def _ingestor(self) -> Ingestor:
        if self.ingestor is None:
            self.ingestor = Ingestor(self.settings)
        if not isinstance(self.ingestor, Ingestor):
            self.ingestor = self.ingestor()
        return self.ingestor

    # --- managing ---------------------------------------------------------------------------------

    def add(self, url: str, *, every: str | None = None, outlet: str = "") -> tuple[Feed, bool]:
        """Add (or update) a feed, due at once. Returns it and whether it is new.

        Raises:
            SourceError: the URL is not http(s).
            ConfigError: ``every`` is not an interval ('30m', '2h', '1d').
        """
        url = check_feed_url(url)
        try:
            every_s = parse_interval(every) if every else self.settings.feeds.default_every_s
        except ValueError as exc:
            raise ConfigError(f"--every: {exc}") from None
        return self.feeds.add(url, every_s=every_s, outlet=(outlet or "").strip(), now=self.clock())

    def remove(self, url: str) -> bool:
        """Stop polling a feed (its articles stay). False when there was no such feed."""
        return self.feeds.remove((url or "").strip())

    def all(self) -> list[Feed]:
        return self.feeds.all()

    # --- polling ----------------------------------------------------------------------------------

    def poll_due(self, feeds: Iterable[Feed] | None = None) -> list[PollResult]:
        """Poll every feed that is due now (or the given ones), one after the other; one feed's failure never
        stops the others. Never raises for a feed; a store that cannot be read raises ``CatalogError``."""
        with self._lock:
            todo = list(feeds) if feeds is not None else self.feeds.due(self.clock())
            if not todo:
                return []
            fetcher = Fetcher(self._ingest_settings)
            try:
                return [self._poll_safely(feed, fetcher) for feed in todo]
            finally:
                fetcher.close()

    def poll(self, url: str) -> PollResult:
        """Poll one feed now, due or not."""
        feed = self.feeds.get(url)
        if feed is None:
            return PollResult(url, "failed", error="not a feed of this index (add it with `warta feeds add`)")
        return self.poll_due([feed])[0]

    def _poll_safely(self, feed: Feed, fetcher: Fetcher) -> PollResult:
        try:
            return self._poll(feed, fetcher)
        except WartaError as exc:  # the index is locked too long, the store failed: this feed waits and retries
            return self._failed(feed, str(exc))
        except Exception as exc:
            log.exception("polling %s failed", feed.url)
            return self._failed(feed, f"unexpected error ({type(exc).__name__}: {exc})")

    def _failed(self, feed: Feed, reason: str) -> PollResult:
        now = self.clock()
        try:
            self.feeds.record_failure(feed.url, reason, now=now, max_backoff_s=self.settings.feeds.max_backoff_s)
            after = self.feeds.get(feed.url)
        except WartaError as exc:
            log.warning("warta: could not record the failure of %s: %s", feed.url, exc)
            after = None
        return PollResult(feed.url, "failed", error=reason, next_poll=after.next_poll if after else None)

    def _poll(self, feed: Feed, fetcher: Fetcher) -> PollResult:
        try:
            page = fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        except SourceError as exc:
            return self._failed(feed, exc.reason)
        if page.status == 304:
            self.feeds.record_success(feed.url, now=self.clock(), keep_validators=True)
            return self._done(feed, "not_modified")
        try:
            parsed = parse_feed(page.text, feed.url)
        except SourceError as exc:
            return self._failed(feed, exc.reason)
        known = self.feeds.fingerprints(feed.url)
        todo: dict[str, FeedEntry] = {}
        for entry in parsed.entries:  # a key listed twice: its first (newest) listing counts
            if entry.key not in todo and known.get(entry.key) != entry.fingerprint:
                todo[entry.key] = entry
        skipped = len({e.key for e in parsed.entries}) - len(todo)
        ingested, failures, handled = 0, [], []
        if todo:
            by_item = {entry_item(feed.url, entry): entry for entry in todo.values()}
            loaded = from_entries(list(todo.values()), feed.outlet or parsed.outlet, feed.url, self._ingest_settings,
                                  fetcher)
            report = self._ingestor().ingest_loaded(loaded)
            for result in report.results:
                done = by_item.get(result.item)
                if result.status == "failed":
                    failures.append(f"{result.item}: {result.reason}")
                elif done is not None:
                    handled.append((done.key, done.fingerprint, result.article_id))
                    ingested += result.status in ("added", "updated")
        now = self.clock()
        self.feeds.remember_entries(feed.url, handled, now=now)
        # with an entry left to retry, forget the validators: the next poll must not be answered 304
        self.feeds.record_success(feed.url, now=now, ingested=ingested, etag="" if failures else page.etag,
                                  last_modified="" if failures else page.last_modified)
        return self._done(feed, "ingested" if ingested else "unchanged", ingested, skipped, tuple(failures))

    def _done(self, feed: Feed, status: PollStatus, ingested: int = 0, skipped: int = 0,
              failures: tuple[str, ...] = ()) -> PollResult:
        after = self.feeds.get(feed.url)
        return PollResult(feed.url, status, ingested, skipped, failures, next_poll=after.next_poll if after else None)


class PollingThread:
    """Polls the due feeds every ``feeds.check_interval_s`` in a daemon thread (inside ``warta serve``).

    Ingesting takes the index's write lock only while a batch is stored, so chats go on during a poll.
    ``stop()`` ends it after the poll in progress (if any)."""

    def __init__(self, poller: FeedPoller, *, on_result: Callable[[PollResult], None] | None = None) -> None:
        self.poller = poller
        self.on_result = on_result
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="warta-feeds", daemon=True)

    def start(self) -> PollingThread:
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for result in self.poller.poll_due():
                    if self.on_result is not None:
                        self.on_result(result)
            except Exception as exc:  # noqa: BLE001 (the poller must outlive a damaged catalog or a bug)
                log.warning("warta: polling the feeds failed: %s", exc)
            self._stop.wait(self.poller.settings.feeds.check_interval_s)
