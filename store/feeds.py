"""Feeds that refresh themselves: which feeds to poll, when, and what each one's entries looked like last time.

Two tables in the index's catalog file (``catalog.sqlite``), created on open beside the catalog's own:

- ``feeds``: one row per feed URL: outlet, interval, the validators of its last answer (ETag, Last-Modified),
  when it last succeeded or failed and why, failures in a row, when it is due, and counts;
- ``feed_entries``: per feed, each entry's key (its guid, else its link) -> a fingerprint of its content, so an
  unchanged entry is skipped and a changed one ingested again.

Removing a feed forgets its state and entries; the articles ingested from it stay in the index. Times are
timezone-aware datetimes, stored as ISO text in UTC. Every SQLite error becomes a ``CatalogError`` (as in
``store.catalog``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.identity import identity_key, index_identity
from core.paths import DataDir
from core.settings import Settings
from store.catalog import open_catalog, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, outlet TEXT NOT NULL DEFAULT '', every_s INTEGER NOT NULL,
    etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL, last_poll TEXT NOT NULL DEFAULT '', last_success TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '', last_error_at TEXT NOT NULL DEFAULT '',
    error_count INTEGER NOT NULL DEFAULT 0, next_poll TEXT NOT NULL,
    entries_seen INTEGER NOT NULL DEFAULT 0, entries_ingested INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS feed_entries (
    feed_url TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, article_id TEXT NOT NULL DEFAULT '',
    seen_at TEXT NOT NULL, PRIMARY KEY (feed_url, key)
);
"""
_COLUMNS = ("url, outlet, every_s, etag, last_modified, added_at, last_poll, last_success, last_error, last_error_at, "
            "error_count, next_poll, entries_seen, entries_ingested")


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds")


def _time(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Feed:
    """One feed and its polling state."""

    url: str
    outlet: str
    every_s: int
    etag: str
    last_modified: str
    added_at: datetime
    last_poll: datetime | None
    last_success: datetime | None
    last_error: str
    last_error_at: datetime | None
    error_count: int  # failures in a row (0 after a success)
    next_poll: datetime
    entries_seen: int  # distinct entries (guid or link) ever seen in the feed
    entries_ingested: int  # entries stored as new or changed articles

    def due(self, now: datetime) -> bool:
        return self.next_poll <= now

    def to_json(self) -> dict[str, object]:
        return {key: (value.isoformat() if isinstance(value, datetime) else value)
                for key, value in self.__dict__.items()}


def backoff_s(every_s: int, errors: int, max_backoff_s: int) -> int:
    """The wait after ``errors`` failures in a row: ``every_s * 2**errors``, never more than ``max_backoff_s`` (nor
    less than ``every_s``)."""
    if errors <= 0:
        return every_s
    return max(every_s, min(every_s * 2 ** min(errors, 32), max_backoff_s))


class FeedStore:
    """The feeds of one index, in its catalog file. Safe to share between threads (one connection, one lock).

    Raises:
        CatalogError: from any method (and on opening) when SQLite fails.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db, self._lock = open_catalog(path)
        with self._lock:
            self._db.executescript(_SCHEMA)

    @classmethod
    def of(cls, settings: Settings) -> FeedStore:
        """The feeds of the current index of ``settings``' data dir (without opening its vectors)."""
        return cls(DataDir.of(settings).index(identity_key(index_identity(settings))).catalog)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._db, self._lock)

    # --- the feeds --------------------------------------------------------------------------------

    def add(self, url: str, *, every_s: int, outlet: str = "", now: datetime) -> tuple[Feed, bool]:
        """Add a feed, due at once; an existing one keeps its state and takes the new interval and outlet.
        Returns the feed and whether it is new."""
        with self._tx() as db:
            new = db.execute("SELECT 1 FROM feeds WHERE url=?", (url,)).fetchone() is None
            if new:
                db.execute("INSERT INTO feeds(url, outlet, every_s, added_at, next_poll) VALUES (?,?,?,?,?)",
                           (url, outlet, every_s, _iso(now), _iso(now)))
            else:
                db.execute("UPDATE feeds SET outlet=?, every_s=? WHERE url=?", (outlet, every_s, url))
        feed = self.get(url)
        assert feed is not None
        return feed, new

    def remove(self, url: str) -> bool:
        """Forget a feed and its entries (its articles stay in the index). False when there was none."""
        with self._tx() as db:
            gone = db.execute("DELETE FROM feeds WHERE url=?", (url,)).rowcount > 0
            db.execute("DELETE FROM feed_entries WHERE feed_url=?", (url,))
        return gone

    def get(self, url: str) -> Feed | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM feeds WHERE url=?", (url,)).fetchone()
        return _feed(row) if row else None

    def all(self) -> list[Feed]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM feeds ORDER BY added_at, url").fetchall()
        return [_feed(row) for row in rows]

    def due(self, now: datetime) -> list[Feed]:
        """The feeds whose next poll is at or before ``now``, the longest overdue first."""
        return sorted((f for f in self.all() if f.due(now)), key=lambda f: f.next_poll)

    def record_success(self, url: str, *, now: datetime, etag: str = "", last_modified: str = "",
                       ingested: int = 0, keep_validators: bool = False) -> None:
        """A poll that worked (a 304 included: ``keep_validators``): due again after its interval."""
        with self._tx() as db:
            row = db.execute("SELECT every_s FROM feeds WHERE url=?", (url,)).fetchone()
            if row is None:  # removed while it was being polled
                return
            seen = db.execute("SELECT COUNT(*) FROM feed_entries WHERE feed_url=?", (url,)).fetchone()[0]
            validators = "" if keep_validators else ", etag=?, last_modified=?"
            db.execute(f"UPDATE feeds SET last_poll=?, last_success=?, error_count=0, next_poll=?, entries_seen=?, "
                       f"entries_ingested=entries_ingested+?{validators} WHERE url=?",
                       (_iso(now), _iso(now), _iso(now + timedelta(seconds=row[0])), seen, ingested,
                        *(() if keep_validators else (etag, last_modified)), url))

    def record_failure(self, url: str, reason: str, *, now: datetime, max_backoff_s: int) -> int:
        """A poll that failed: the reason is kept, and the feed waits ``backoff_s`` before its next try.
        Returns the failures in a row."""
        with self._tx() as db:
            row = db.execute("SELECT every_s, error_count FROM feeds WHERE url=?", (url,)).fetchone()
            if row is None:
                return 0
            errors = row[1] + 1
            wait = backoff_s(row[0], errors, max_backoff_s)
            db.execute("UPDATE feeds SET last_poll=?, last_error=?, last_error_at=?, error_count=?, next_poll=? "
                       "WHERE url=?", (_iso(now), reason, _iso(now), errors, _iso(now + timedelta(seconds=wait)), url))
        return errors

    # --- entries ----------------------------------------------------------------------------------

    def fingerprints(self, url: str) -> dict[str, str]:
        """Entry key -> fingerprint of every entry of the feed stored so far."""
        with self._lock:
            return dict(self._db.execute("SELECT key, fingerprint FROM feed_entries WHERE feed_url=?", (url,)))

    def remember_entries(self, url: str, entries: Iterable[tuple[str, str, str]], *, now: datetime) -> None:
        """Record ``(key, fingerprint, article id)`` of entries handled (stored, or unchanged)."""
        with self._tx() as db:
            if db.execute("SELECT 1 FROM feeds WHERE url=?", (url,)).fetchone() is None:
                return
            db.executemany(
                "INSERT INTO feed_entries(feed_url, key, fingerprint, article_id, seen_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(feed_url, key) DO UPDATE SET fingerprint=excluded.fingerprint, "
                "article_id=excluded.article_id, seen_at=excluded.seen_at",
                [(url, key, fingerprint, article_id, _iso(now)) for key, fingerprint, article_id in entries])


def _feed(row: tuple) -> Feed:
    (url, outlet, every_s, etag, last_modified, added_at, last_poll, last_success, last_error, last_error_at,
     error_count, next_poll, seen, ingested) = row
    added = _time(added_at)
    following = _time(next_poll)
    assert added is not None and following is not None
    return Feed(url, outlet, every_s, etag, last_modified, added, _time(last_poll), _time(last_success), last_error,
                _time(last_error_at), error_count, following, seen, ingested)
