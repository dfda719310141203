"""The catalog: articles and chunks in SQLite, the source of truth the other indexes follow.

It keeps the full article text (so ``warta reindex`` can rebuild vectors without the original files),
the chunk texts with their keyword tokens (and, in ``meta``, the version of the analyzer that made them,
so a changed analyzer can re-analyse them without re-embedding), and three bookkeeping tables that make
writes crash-safe:

- ``pending``: chunk ids whose vectors are being written but whose article is not committed yet;
- ``leftover``: pending chunk ids of a writer that died; their vectors are kept while the next ingest runs
  (it usually stores the same chunks again, and need not write those vectors again), then deleted unless
  committed;
- ``garbage``: chunk ids whose article was replaced or removed, whose vectors still need deleting.

A ``generation`` counter increases with every committed change, so derived indexes (BM25) can tell
whether they are in step.

Every SQLite error (a damaged file, a full disk, a database locked too long) becomes one ``CatalogError``
naming the file and what to do: every access goes through ``self._lock`` (``Guard``), which translates.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from core.errors import CatalogError
from core.records import Article, ArticleInfo, Chunk, Hit


@dataclass(frozen=True)
class StoryLinks:
    """What a write tells the catalog about stories: the new articles' signatures, the stored or new articles each
    joins, and the params the signatures were made with (recorded in ``meta``)."""

    signatures: Mapping[str, bytes] = field(default_factory=dict)
    joins: Mapping[str, Sequence[str]] = field(default_factory=dict)
    params: str = ""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, url TEXT NOT NULL, published TEXT NOT NULL,
    outlet TEXT NOT NULL, lang TEXT NOT NULL, source TEXT NOT NULL, content_hash TEXT NOT NULL,
    n_chunks INTEGER NOT NULL, ingested_at TEXT NOT NULL, date_source TEXT NOT NULL DEFAULT '',
    story_id TEXT NOT NULL DEFAULT '', signature BLOB
);
CREATE INDEX IF NOT EXISTS articles_url ON articles(url);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, article_id TEXT NOT NULL, idx INTEGER NOT NULL, text TEXT NOT NULL, tokens TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id, idx);
CREATE TABLE IF NOT EXISTS pending (chunk_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS garbage (chunk_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS leftover (chunk_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_INFO_COLUMNS = ("id, title, url, published, outlet, lang, content_hash, n_chunks, ingested_at, source, date_source, "
                 "story_id")
_ARTICLE_COLUMNS = "id, title, text, url, published, outlet, lang, source, date_source"  # ``Article``'s order
_ADDED_COLUMNS = {  # columns added after the first catalogs were written: added when such a catalog is opened
    "date_source": "TEXT NOT NULL DEFAULT ''",  # where the publish date came from
    "story_id": "TEXT NOT NULL DEFAULT ''",  # the story an article belongs to ('' = none; see ``_settle_story``)
    "signature": "BLOB",  # its MinHash signature (stories), NULL until made
}
# A story's members, earliest first: dated before undated, then by date, then by when they were stored.
_EARLIEST_FIRST = "ORDER BY published = '', published, ingested_at, id"


def catalog_error(path: Path, exc: sqlite3.Error) -> CatalogError:
    """What a user can do about an SQLite error in the catalog ``path``."""
    if isinstance(exc, sqlite3.OperationalError):  # locked, disk full, read-only, I/O error: the file itself is fine
        return CatalogError(f"The catalog {str(path)!r} could not be used: {exc}. Check the disk and the file's "
                            "permissions, and that no other program holds it; then try again.")
    return CatalogError(
        f"The catalog {str(path)!r} is damaged ({exc}). It holds the articles and their text, so nothing can "
        "rebuild it (`warta reindex` rebuilds vectors and keywords from it): restore it from a backup, or move it "
        "away and ingest your sources again."
    )


class Guard:
    """The catalog's lock, which also turns any ``sqlite3.Error`` raised while it is held into ``CatalogError``."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.RLock()

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._lock.release()
        if isinstance(exc, sqlite3.Error):
            raise catalog_error(self._path, exc) from exc


def open_catalog(path: Path) -> tuple[sqlite3.Connection, Guard]:
    """A connection to the catalog file ``path`` (made when missing; WAL, autocommit: writes go through
    ``transaction``) and the guard every use of it must hold."""
    path.parent.mkdir(parents=True, exist_ok=True)
    guard = Guard(path)
    with guard:
        db = sqlite3.connect(path, check_same_thread=False, timeout=60, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
    return db, guard


@contextmanager
def transaction(db: sqlite3.Connection, guard: Guard) -> Iterator[sqlite3.Connection]:
    """A write transaction on ``db`` under ``guard``, taken at once (``BEGIN IMMEDIATE``), rolled back on any error."""
    with guard:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


class Catalog:
    """SQLite catalog of one index. Safe to share between threads (one connection, one lock).

    Raises:
        CatalogError: from any method (and on opening) when SQLite fails: a damaged file names itself.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db, self._lock = open_catalog(path)
        with self._lock:
            self._db.executescript(_SCHEMA)
            for column, kind in _ADDED_COLUMNS.items():
                if column not in self._columns("articles"):  # written before the column existed
                    try:
                        self._db.execute(f"ALTER TABLE articles ADD COLUMN {column} {kind}")
                    except sqlite3.OperationalError:
                        if column not in self._columns("articles"):  # else another process added it just now
                            raise
            self._db.execute("CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id)")

    def _columns(self, table: str) -> set[str]:
        return {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._db, self._lock)

    # --- reads ------------------------------------------------------------------------------------

    def generation(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def keyword_version(self) -> int | None:
        """The analyzer version of the stored keyword tokens; None while no chunk was ever stored.

        Catalogs written before the version was recorded hold version-1 tokens."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='keyword_version'").fetchone()
            if row:
                return int(row[0])
            return 1 if self._db.execute("SELECT 1 FROM chunks LIMIT 1").fetchone() else None

    def store_id(self) -> str:
        """A random id made once per catalog: names this index's collection on a shared Chroma server."""
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('store_id', ?)", (uuid.uuid4().hex[:16],))
            return self._db.execute("SELECT value FROM meta WHERE key='store_id'").fetchone()[0]

    def find_all(self, article_id: str = "", url: str = "") -> list[ArticleInfo]:
        """Every stored article that is the same article as one with this id or URL: the same id, or the same
        (non-empty) URL."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_INFO_COLUMNS} FROM articles WHERE id=? OR (url=? AND url != '') ORDER BY id",
                (article_id, url),
            ).fetchall()
        return [ArticleInfo(*row) for row in rows]

    def articles(self) -> list[ArticleInfo]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_INFO_COLUMNS} FROM articles ORDER BY published DESC, title").fetchall()
        return [ArticleInfo(*row) for row in rows]

    def iter_articles(self) -> Iterator[Article]:
        """Full articles, for reindexing."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY id"
            ).fetchall()
        for row in rows:
            yield Article(*row)

    def arrived_since(self, since: str) -> list[ArticleInfo]:
        """The articles stored (added or replaced) at or after ``since`` (ISO, UTC), newest first."""
        with self._lock:
            rows = self._db.execute(f"SELECT {_INFO_COLUMNS} FROM articles WHERE ingested_at >= ? "
                                    "ORDER BY ingested_at DESC, id", (since,)).fetchall()
        return [ArticleInfo(*row) for row in rows]

    def texts(self, article_ids: Iterable[str]) -> dict[str, str]:
        """Article id -> text, for the stored ones among ``article_ids``."""
        wanted, out = list(dict.fromkeys(article_ids)), dict[str, str]()
        with self._lock:
            for start in range(0, len(wanted), 500):
                batch = wanted[start : start + 500]
                out.update(self._db.execute(f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len(batch))})",
                                            batch).fetchall())
        return out

    def stories(self, story_ids: Iterable[str] | None = None) -> dict[str, list[ArticleInfo]]:
        """Stories (all, or those of ``story_ids``) with their members, earliest first; the story's id is its
        earliest member's (``_settle_story``). Stories are listed by their first publish date."""
        with self._lock:
            if story_ids is None:
                rows = self._db.execute(f"SELECT {_INFO_COLUMNS} FROM articles WHERE story_id != '' "
                                        f"{_EARLIEST_FIRST}").fetchall()
            else:
                wanted = list(dict.fromkeys(s for s in story_ids if s))
                rows = []
                for start in range(0, len(wanted), 500):
                    batch = wanted[start : start + 500]
                    rows += self._db.execute(
                        f"SELECT {_INFO_COLUMNS} FROM articles WHERE story_id IN ({','.join('?' * len(batch))}) "
                        f"{_EARLIEST_FIRST}", batch).fetchall()
        out: dict[str, list[ArticleInfo]] = {}
        for row in rows:
            info = ArticleInfo(*row)
            out.setdefault(info.story_id, []).append(info)
        return out

    def story_params(self) -> str:
        """The params the stored signatures were made with ("" before any was stored)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key='story_params'").fetchone()
        return row[0] if row else ""

    def unsigned(self, every: bool = False) -> list[tuple[str, str]]:
        """``(id, text)`` of the articles without a signature (of all of them with ``every``)."""
        with self._lock:
            return self._db.execute("SELECT id, text FROM articles" + ("" if every else " WHERE signature IS NULL")
                                    + " ORDER BY id").fetchall()

    def signatures(self) -> list[tuple[str, str, bytes]]:
        """``(id, published, signature)`` of every article that has one."""
        with self._lock:
            return self._db.execute("SELECT id, published, signature FROM articles WHERE signature IS NOT NULL "
                                    "ORDER BY id").fetchall()

    def set_signatures(self, signatures: Sequence[tuple[str, bytes]], params: str) -> None:
        """Store signatures made with ``params`` (stories are left as they are)."""
        with self._tx() as db:
            db.executemany("UPDATE articles SET signature=? WHERE id=?", [(sig, i) for i, sig in signatures])
            _set_meta(db, "story_params", params)

    def counts(self) -> tuple[int, int]:
        with self._lock:
            articles = self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            chunks = self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return articles, chunks

    def stored_chunks(self, chunk_ids: Sequence[str]) -> list[tuple[Article, str, int, str]]:
        """``(article, chunk id, chunk index, chunk text)`` of the given stored chunks (for re-embedding them)."""
        out: list[tuple[Article, str, int, str]] = []
        articles: dict[str, Article] = {}
        with self._lock:
            for start in range(0, len(chunk_ids), 500):
                batch = list(chunk_ids[start : start + 500])
                rows = self._db.execute(
                    f"SELECT id, article_id, idx, text FROM chunks WHERE id IN ({','.join('?' * len(batch))})", batch
                ).fetchall()
                for chunk_id, article_id, index, text in rows:
                    if article_id not in articles:
                        articles[article_id] = Article(*self._db.execute(
                            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id=?",
                            (article_id,),
                        ).fetchone())
                    out.append((articles[article_id], chunk_id, index, text))
        return out

    def chunk_ids(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT id FROM chunks")}

    def keyword_rows(self) -> list[tuple[str, str, str]]:
        """(chunk id, article language, space-joined keyword tokens) for every chunk, in a stable order."""
        with self._lock:
            return self._db.execute(
                "SELECT c.id, a.lang, c.tokens FROM chunks c JOIN articles a ON a.id = c.article_id ORDER BY c.rowid"
            ).fetchall()

    def hits(self, chunk_ids: Sequence[str]) -> dict[str, Hit]:
        """Chunks with their article metadata, keyed by chunk id (missing ids are left out)."""
        if not chunk_ids:
            return {}
        out: dict[str, Hit] = {}
        with self._lock:
            for start in range(0, len(chunk_ids), 500):
                batch = list(chunk_ids[start : start + 500])
                marks = ",".join("?" * len(batch))
                for row in self._db.execute(
                    "SELECT c.id, c.article_id, c.idx, c.text, a.title, a.url, a.published, a.outlet, a.lang, "
                    f"a.story_id FROM chunks c JOIN articles a ON a.id = c.article_id WHERE c.id IN ({marks})", batch
                ):
                    cid, article_id, index, text, title, url, published, outlet, lang, story = row
                    out[cid] = Hit(cid, article_id, index, text, title, url, published, outlet, lang, story_id=story)
        return out

    # --- crash-safe writes ------------------------------------------------------------------------

    def mark_pending(self, chunk_ids: Iterable[str]) -> None:
        with self._tx() as db:
            db.executemany("INSERT OR IGNORE INTO pending(chunk_id) VALUES (?)", [(c,) for c in chunk_ids])

    def pending(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT chunk_id FROM pending")]

    def garbage(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT chunk_id FROM garbage")]

    def leftover(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT chunk_id FROM leftover")]

    def pending_to_leftover(self) -> None:
        """Make the uncommitted ``pending`` chunks (of a writer that died) ``leftover`` and clear ``pending``, in
        one transaction."""
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO leftover(chunk_id) SELECT chunk_id FROM pending"
                       " WHERE chunk_id NOT IN (SELECT id FROM chunks)")
            db.execute("DELETE FROM pending")

    def clear_bookkeeping(self, pending: Iterable[str] = (), garbage: Iterable[str] = (),
                          leftover: Iterable[str] = ()) -> None:
        with self._tx() as db:
            db.executemany("DELETE FROM pending WHERE chunk_id=?", [(c,) for c in pending])
            db.executemany("DELETE FROM garbage WHERE chunk_id=?", [(c,) for c in garbage])
            db.executemany("DELETE FROM leftover WHERE chunk_id=?", [(c,) for c in leftover])

    def commit_articles(self, items: Sequence[tuple[Article, Sequence[Chunk], Sequence[str]]], replaced: Sequence[str],
                        *, keyword_version: int | None = None, stories: StoryLinks | None = None) -> list[str]:
        """Atomically store ``(article, chunks, keyword_tokens)`` items, replacing ``replaced`` article ids.

        ``keyword_version`` is the analyzer version of the given tokens; the caller makes sure the stored
        tokens are of the same version (``retokenize``). ``stories`` gives the new articles' signatures and
        the articles each joins; the stories of replaced articles are settled again. Returns the chunk ids
        that are no longer referenced (their vectors must be deleted); they are also recorded in ``garbage``
        so a crash before the deletion is repaired later.
        """
        now = datetime.now(UTC).isoformat(timespec="seconds")
        new_ids = {c.id for _, chunks, _ in items for c in chunks}
        stories = stories or StoryLinks()
        with self._tx() as db:
            old_ids: list[str] = []
            touched = _stories_of(db, replaced)
            for article_id in replaced:
                old_ids += [r[0] for r in db.execute("SELECT id FROM chunks WHERE article_id=?", (article_id,))]
                db.execute("DELETE FROM chunks WHERE article_id=?", (article_id,))
                db.execute("DELETE FROM articles WHERE id=?", (article_id,))
            for article, chunks, tokens in items:
                db.execute(
                    "INSERT INTO articles(id, title, text, url, published, outlet, lang, source, content_hash,"
                    " n_chunks, ingested_at, date_source, signature) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (article.id, article.title, article.text, article.url, article.published, article.outlet,
                     article.lang, article.source, article.content_hash, len(chunks), now, article.date_source,
                     stories.signatures.get(article.id)),
                )
                db.executemany(
                    "INSERT INTO chunks VALUES (?,?,?,?,?)",
                    [(c.id, c.article_id, c.index, c.text, t) for c, t in zip(chunks, tokens)],
                )
            for story in touched:
                _settle_story(db, story)
            for article_id, joined in stories.joins.items():
                _join_story(db, [article_id, *joined])
            if stories.params:
                _set_meta(db, "story_params", stories.params)
            stale = [c for c in old_ids if c not in new_ids]
            db.executemany("INSERT OR IGNORE INTO garbage(chunk_id) VALUES (?)", [(c,) for c in stale])
            db.executemany("DELETE FROM pending WHERE chunk_id=?", [(c,) for c in new_ids])
            db.executemany("DELETE FROM leftover WHERE chunk_id=?", [(c,) for c in new_ids])
            if keyword_version is not None and items:
                _set_meta(db, "keyword_version", str(keyword_version))
            _bump_generation(db)
        return stale

    def remove_articles(self, article_ids: Sequence[str]) -> list[str]:
        """Remove articles; returns their chunk ids (recorded as garbage until their vectors are gone)."""
        return self.commit_articles([], article_ids)

    def bump_generation(self) -> None:
        """Tell other processes the vectors changed without a catalog change (a repair): they reopen the store."""
        with self._tx() as db:
            _bump_generation(db)

    def retokenize(self, analyze_chunk: Callable[[str, str, str, str], str], keyword_version: int) -> int:
        """Replace every chunk's keyword tokens by ``analyze_chunk(title, article_text, chunk_text, lang)`` and
        record ``keyword_version``, in one transaction (vectors are untouched). Returns the chunks analysed."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT c.id, a.title, a.text, c.text, a.lang FROM chunks c JOIN articles a ON a.id = c.article_id"
            ).fetchall()
            db.executemany("UPDATE chunks SET tokens=? WHERE id=?",
                           [(analyze_chunk(title, text, chunk, lang), cid) for cid, title, text, chunk, lang in rows])
            _set_meta(db, "keyword_version", str(keyword_version))
            _bump_generation(db)
        return len(rows)


def _stories_of(db: sqlite3.Connection, article_ids: Sequence[str]) -> list[str]:
    """The stories the given articles belong to."""
    found: dict[str, None] = {}
    for article_id in article_ids:
        for (story,) in db.execute("SELECT story_id FROM articles WHERE id=? AND story_id != ''", (article_id,)):
            found[story] = None
    return list(found)


def _set_story(db: sqlite3.Connection, members: Sequence[str]) -> None:
    """Give ``members`` (two or more articles, earliest first) the id of the earliest; one alone has no story."""
    story = members[0] if len(members) > 1 else ""
    db.executemany("UPDATE articles SET story_id=? WHERE id=?", [(story, m) for m in members])


def _settle_story(db: sqlite3.Connection, story: str) -> None:
    """After a member left: the rest keep one story, named after its earliest member now (or none when alone)."""
    _set_story(db, [r[0] for r in db.execute(f"SELECT id FROM articles WHERE story_id=? {_EARLIEST_FIRST}", (story,))])


def _join_story(db: sqlite3.Connection, article_ids: Sequence[str]) -> None:
    """Make one story of these articles and every member of their stories (stories they bridge merge)."""
    stories = _stories_of(db, article_ids)
    marks, story_marks = ",".join("?" * len(article_ids)), ",".join("?" * len(stories))
    rows = db.execute(f"SELECT id FROM articles WHERE id IN ({marks}) OR story_id IN ({story_marks}) "
                      f"{_EARLIEST_FIRST}", [*article_ids, *stories]).fetchall()
    _set_story(db, [r[0] for r in rows])


def _set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
    db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


def _bump_generation(db: sqlite3.Connection) -> None:
    db.execute("INSERT INTO meta VALUES ('generation', '1') "
               "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")
