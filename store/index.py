"""The article index of a data dir: catalog (SQLite) + vectors (Chroma) + keywords (BM25), kept in step.

Callers use ``Index``'s methods, never its parts: reads (``articles``, ``find``, ``hits``, ``search_dense``,
``search_keywords``, ``keyword_coverage``, ``health``), writes (``write``, ``remove``, under ``write_lock``)
and ``catch_up`` before a search, which makes a long-lived process see what other processes wrote.

Its identity (``core.identity``) is a hash of everything that shapes the vectors. Each identity has its own
catalog, BM25 folder and Chroma collection, so changing a setting can never mix incompatible vectors; the old
index stays until ``warta reindex`` rebuilds it under the new settings.

Write protocol (crash-safe: a re-run after ``kill -9`` converges to the index a clean run makes), each
step under the write lock (``store.locks``):

1. record the new chunk ids as ``pending`` in the catalog;
2. upsert their vectors;
3. in one SQLite transaction: replace the article rows and chunks, move replaced chunk ids to
   ``garbage``, clear ``pending``, bump the generation;
4. delete the garbage vectors, clear ``garbage``; rebuild BM25 at the end of the ingest.

A writer killed between 1 and 3 leaves ``pending`` vectors; the next ingest keeps them (``leftover``) while
it runs, does not write again those it would store unchanged, and deletes the rest at its end
(``store.repair`` says why).

Writers hold the lock only while they store a batch (fetching, parsing and embedding happen before), so a
removal or another ingest waits seconds, not for a whole ingest. What an interrupted write, a lost vector
store or an older keyword analyzer leaves behind is repaired from the catalog (``store.repair``).

Longer than this project's ~300-line habit on purpose: it is the one door to three stores (most methods are
one-line delegations), and the writes, the repairs and the readers' catch-up share one lock and one
generation counter, which is easier to check when they sit together.

~400 lines: the write protocol and the reads that must respect it (pending chunks are invisible) belong
together; the parts (catalog, vectors, keywords) are their own modules.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import DamagedStoreError, IndexMismatchError, StoreError
from core.identity import Identity, identity_key, index_identity
from core.paths import DataDir
from core.records import Article, ArticleInfo, Chunk, Hit
from core.settings import Settings
from core.text.analyze import ANALYZER_VERSION, analyze
from store import repair
from store.catalog import Catalog, StoryLinks
from store.filters import Filters
from store.keywords import KeywordIndex, Scored
from store.locks import Locks, OnWait
from store.repair import Embed
from store.vectors import VectorStore, describe, open_client


@dataclass(frozen=True)
class StaleIndex:
    """An index in the data dir built with other settings."""

    key: str
    identity: Identity
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


@dataclass(frozen=True)
class ChunkIds:
    """The chunk ids each of the three stores holds (they agree when the index is in step)."""

    catalog: frozenset[str]
    vectors: frozenset[str]
    keywords: frozenset[str]


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

    def __init__(self, settings: Settings, *, set_aside_damaged_store: bool = False) -> None:
        self.settings = settings
        self.identity = index_identity(settings)
        self.key = identity_key(self.identity)
        self.paths = DataDir.of(settings)
        files = self.paths.index(self.key)
        files.folder.mkdir(parents=True, exist_ok=True)
        files.identity.write_text(json.dumps(self.identity, indent=2, sort_keys=True))
        self._locks = Locks(self.paths, settings.ingest.lock_timeout_s)
        self._catalog = Catalog(files.catalog)
        self.set_aside: Path | None = None
        try:
            self._client = open_client(settings.store, self.paths.chroma)
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
        self._vectors = self._open_vectors()
        self._vectors_generation = self._catalog.generation()  # the catalog state ``_vectors`` has seen
        self._keywords = KeywordIndex(files.keywords)
        self._keywords.load()
        self._keywords_upgraded = False  # True once the catalog's tokens are known to be of ANALYZER_VERSION

    def close(self) -> None:
        self._catalog.close()

    def _open_vectors(self) -> VectorStore:
        return VectorStore(self._client, self._collection(self.key, self._catalog), self.identity,
                           where=describe(self.settings.store, self.paths.chroma))

    def _collection(self, key: str, catalog: Catalog) -> str:
        """The Chroma collection of the index ``key``. On a server, which other data dirs may share, the
        name also carries the catalog's own random id, so each data dir only ever sees its own vectors."""
        if self.settings.store.mode == "http":
            return f"warta-{key}-{catalog.store_id()}"
        return f"warta-{key}"

    # --- reads ------------------------------------------------------------------------------------

    def counts(self) -> tuple[int, int]:
        """(articles, passages) in the catalog."""
        return self._catalog.counts()

    def articles(self) -> list[ArticleInfo]:
        """Every stored article (no text), newest first."""
        return self._catalog.articles()

    def arrived_since(self, since: datetime) -> list[ArticleInfo]:
        """The articles stored at or after ``since`` (an aware datetime), newest first."""
        return self._catalog.arrived_since(since.astimezone(UTC).isoformat(timespec="seconds"))

    def texts(self, article_ids: Iterable[str]) -> dict[str, str]:
        """Article id -> text, for the stored ones among ``article_ids``."""
        return self._catalog.texts(article_ids)

    def stored_articles(self) -> Iterator[Article]:
        """Every stored article with its text, by id."""
        return self._catalog.iter_articles()

    def find(self, article_id: str = "", url: str = "") -> list[ArticleInfo]:
        """The stored articles that are the same article as one with this id or URL: the same id, or the same
        (non-empty) URL."""
        return self._catalog.find_all(article_id, url)

    def hits(self, chunk_ids: Sequence[str]) -> dict[str, Hit]:
        """Chunks with their article metadata, keyed by chunk id (unknown ids are left out)."""
        return self._catalog.hits(chunk_ids)

    def search_dense(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """``(chunk id, cosine)`` of the ``k`` chunks nearest to ``vector`` that pass ``filters``, best first."""
        return self._vectors.query(vector, k, filters)

    def dense_similarities(self, vector: np.ndarray, chunk_ids: Sequence[str]) -> dict[str, float]:
        """The cosine of ``vector`` to each stored chunk of ``chunk_ids`` (candidates found by keywords)."""
        return self._vectors.similarities(vector, chunk_ids)

    def search_keywords(self, tokens: list[str], k: int) -> list[Scored]:
        """Top ``k`` ``(chunk id, language, BM25 score)`` for analysed ``tokens``, with a positive score."""
        return self._keywords.search(tokens, k)

    def keyword_coverage(self, tokens: list[str], chunk_ids: list[str], *, lang: str | None = None) -> dict[str, float]:
        """How much of the question (its analysed ``tokens``) each chunk holds, 0..1 (``KeywordIndex.coverage``)."""
        return self._keywords.coverage(tokens, chunk_ids, lang=lang)

    @property
    def keyword_vocabulary(self) -> Mapping[str, int]:
        """The tokens BM25 knows (a new object after each rebuild)."""
        return self._keywords.vocabulary

    @property
    def languages(self) -> frozenset[str]:
        """The languages of the indexed passages."""
        return self._keywords.languages

    def chunk_ids(self) -> ChunkIds:
        """What each store holds (for checks: they agree when the index is in step)."""
        return ChunkIds(frozenset(self._catalog.chunk_ids()), frozenset(self._vectors.ids()),
                        frozenset(self._keywords.ids))

    def health(self) -> Health:
        """Counts of the three stores, with a warning for each disagreement (``warta stats`` shows them)."""
        with self.write_lock(blocking=False) as quiet:  # a writer mid-batch has vectors ahead of the catalog
            self._catch_up_vectors()
            articles, chunks = self._catalog.counts()
            vectors = self._vectors.count()
        self._keywords.load()
        keywords = self._keywords.size
        warnings = repair.health_warnings(articles, chunks, vectors if quiet else None,
                                          None if self.ingest_running() else keywords)
        return Health(articles, chunks, vectors, keywords, warnings)

    # --- other identities -------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """What ``warta stats --json`` and ``GET /api/stats`` show: counts, languages, health warnings."""
        health = self.health()
        langs: dict[str, int] = {}
        for a in self.articles():
            langs[a.lang] = langs.get(a.lang, 0) + 1
        return {
            "data_dir": str(self.settings.data_dir), "index": self.key, "store": self.settings.store.mode,
            "articles": health.articles, "chunks": health.chunks, "vectors": health.vectors,
            "keyword_index_chunks": health.keywords, "languages": langs, "identity": self.identity,
            "stale_indexes": [{"key": s.key, "articles": s.articles} for s in self.stale_indexes()],
            "warnings": list(health.warnings),
        }

    def stale_indexes(self) -> list[StaleIndex]:
        """Indexes in this data dir built with other embedding/chunking settings, with their sizes."""
        out = []
        for key in self.paths.index_keys():
            if key == self.key:
                continue
            catalog = Catalog(self.paths.index(key).catalog)
            try:
                n_articles, collection = catalog.counts()[0], self._collection(key, catalog)
            finally:
                catalog.close()
            if n_articles:
                out.append(StaleIndex(key, json.loads(self.paths.index(key).identity.read_text()), n_articles,
                                      collection))
        return out

    def stale_articles(self, stale: StaleIndex) -> list[Article]:
        """The articles (with their text) of an index built with other settings, to store under these."""
        catalog = Catalog(self.paths.index(stale.key).catalog)
        try:
            return list(catalog.iter_articles())
        finally:
            catalog.close()

    def require_compatible(self) -> None:
        """Raise when this index is empty but the data dir holds one built with other settings.

        Raises:
            IndexMismatchError: with the differing settings and the fix (``warta reindex``).
        """
        if self._catalog.counts()[0]:
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
        except Exception:  # noqa: BLE001 (already gone: chromadb raises several types for it)
            pass
        shutil.rmtree(self.paths.index(stale.key).folder, ignore_errors=True)

    # --- writes -----------------------------------------------------------------------------------

    def write_lock(self, *, blocking: bool = True, on_wait: OnWait | None = None) -> AbstractContextManager[bool]:
        """Serialize writers (``store.locks.Locks.write``): yields whether the lock is held.

        Raises:
            LockTimeoutError: another writer kept it for ``ingest.lock_timeout_s``.
        """
        return self._locks.write(blocking=blocking, on_wait=on_wait)

    def ingest_session(self) -> AbstractContextManager[None]:
        """Held (shared) by an ingest for its whole run: readers then leave BM25 to it."""
        return self._locks.ingest_session()

    def ingest_running(self) -> bool:
        """Whether an ingest (in any process) is running on this index now."""
        return self._locks.ingest_running()

    def write(self, items: Sequence[tuple[Article, Sequence[Chunk], np.ndarray]], replaced: Sequence[str],
              stories: StoryLinks | None = None) -> None:
        """Store articles with their chunks and vectors, replacing the ``replaced`` article ids, with what
        ``stories`` says of their signatures and stories. Call with the write lock (after ``catch_up_vectors``)."""
        pairs = [(article, chunk) for article, chunks, _ in items for chunk in chunks]
        tokens = [[" ".join(analyze(c.embed_text, a.lang)) for c in chunks] for a, chunks, _ in items]
        self.upgrade_keywords()  # the stored tokens must be of the version these new ones are
        with self._state_lock:
            if pairs:
                self._catalog.mark_pending(c.id for _, c in pairs)
                vectors = np.concatenate([v for _, _, v in items if len(v)], axis=0)
                leftover = set(self._catalog.leftover())
                stored = self._vectors.already_stored([p for p in pairs if p[1].id in leftover]) if leftover else set()
                keep = [i for i, (_, c) in enumerate(pairs) if c.id not in stored]
                self._vectors.upsert([pairs[i] for i in keep], vectors[keep])
            stale = self._catalog.commit_articles(
                [(a, chunks, t) for (a, chunks, _), t in zip(items, tokens, strict=True)], replaced,
                keyword_version=ANALYZER_VERSION, stories=stories,
            )
            if stale:
                self._vectors.delete(stale)
                self._catalog.clear_bookkeeping(garbage=stale)
            self._vectors_generation = self._catalog.generation()

    def story_signatures(self, params: str, sign: Callable[[str], bytes]) -> list[tuple[str, str, bytes]]:
        """``(id, published, signature)`` of every stored article, for matching new ones against. Signatures
        missing (articles stored before stories, or with stories off) or made with other ``params`` are made
        with ``sign(text)`` first. Call with the write lock."""
        stale = self._catalog.story_params() not in ("", params)
        missing = self._catalog.unsigned(every=stale)
        if missing or stale:
            self._catalog.set_signatures([(article_id, sign(text)) for article_id, text in missing], params)
        return self._catalog.signatures()

    def stories(self, story_ids: Iterable[str] | None = None) -> dict[str, list[ArticleInfo]]:
        """Stories (all, or those of ``story_ids``) with their members, earliest first."""
        return self._catalog.stories(story_ids)

    def remove(self, ref: str, *, on_wait: OnWait | None = None) -> list[ArticleInfo]:
        """Remove the article with id ``ref``, or the articles with URL ``ref``; returns what was removed.

        Raises:
            LockTimeoutError: another writer kept the write lock for ``ingest.lock_timeout_s``.
        """
        with self.write_lock(on_wait=on_wait), self._state_lock:
            self._catch_up_vectors()
            infos = self._catalog.find_all(article_id=ref, url=ref)
            if not infos:
                return []
            stale = self._catalog.remove_articles([info.id for info in infos])
            self._vectors.delete(stale)
            self._catalog.clear_bookkeeping(garbage=stale)
            self._vectors_generation = self._catalog.generation()
            self.refresh_keywords()
        return infos

    # --- keeping the stores in step (with the write lock) -------------------------------------------

    def reconcile(self, embed: Embed | None = None) -> int:
        """Repair what an interrupted write or a lost vector store left behind (``store.repair``). Missing
        vectors are re-embedded with ``embed`` (left missing without it); returns how many were. The vectors
        of a writer that died are kept as ``leftover`` until ``drop_leftovers``: call it when the ingest ends."""
        self._catch_up_vectors()
        repair.settle_uncommitted(self._catalog, self._vectors)
        self.upgrade_keywords()
        missing = repair.missing_vectors(self._catalog, self._vectors)
        if not missing or embed is None:
            return 0
        return self._embed_stored(missing, embed)

    def drop_leftovers(self) -> None:
        """Delete the vectors a writer that died left and this ingest did not store again (``reconcile``)."""
        with self._state_lock:
            repair.drop_leftovers(self._catalog, self._vectors)

    def upgrade_keywords(self) -> bool:
        """Re-analyse keyword tokens made by an older analyzer and rebuild BM25; returns whether it did."""
        if self._keywords_upgraded:
            return False
        changed = repair.retokenize(self._catalog, title_prefix=self.settings.chunking.title_prefix)
        if changed:
            self.refresh_keywords()
        self._keywords_upgraded = True
        return changed

    def rebuild_vectors(self, embed: Embed) -> int:
        """Re-embed every passage of the catalog and rebuild BM25 (``warta reindex`` on an index that is
        current): vectors and keywords from the catalog alone. Returns the count."""
        self.reconcile()  # bookkeeping and unknown vectors; the re-embedding below covers the missing ones
        self.drop_leftovers()
        count = self._embed_stored(sorted(self._catalog.chunk_ids()), embed)
        self._keywords.rebuild(self._catalog.keyword_rows(), self._catalog.generation())
        return count

    def _embed_stored(self, chunk_ids: list[str], embed: Embed) -> int:
        repair.embed_stored(self._catalog, self._vectors, chunk_ids, embed,
                            title_prefix=self.settings.chunking.title_prefix)
        with self._state_lock:
            self._catalog.bump_generation()  # long-lived readers reopen the store and see the new vectors
            self._vectors_generation = self._catalog.generation()
        return len(chunk_ids)

    def refresh_keywords(self) -> None:
        """Rebuild BM25 when it is behind the catalog (or lost)."""
        generation = self._catalog.generation()
        if self._keywords.generation != generation or self._keywords.size != self._catalog.counts()[1]:
            self._keywords.rebuild(self._catalog.keyword_rows(), generation)

    # --- seeing other processes' writes -----------------------------------------------------------

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
        if self._keywords.generation == generation:
            return
        self._keywords.load()  # the writer saves BM25 at the end of its ingest
        if self._keywords.generation == generation:
            return
        if not self.ingest_running():
            with self.write_lock(blocking=False) as locked:
                if locked:
                    self.refresh_keywords()
                    return
        if self._keywords.generation < 0:  # nothing saved yet: an in-memory index, not saved
            self._keywords.rebuild(self._catalog.keyword_rows(), self._catalog.generation(), save=False)

    def catch_up_vectors(self) -> int:
        """``_catch_up_vectors`` for writers in other modules (the ingest, at each batch under the lock)."""
        return self._catch_up_vectors()

    def _catch_up_vectors(self) -> int:
        """Reopen an embedded store that another process wrote to (a fresh client sees its writes, see
        ``store.vectors.open_client``); returns the catalog generation. Writers call this alone: they rebuild
        BM25 themselves."""
        with self._state_lock:
            generation = self._catalog.generation()
            if generation != self._vectors_generation:
                if self.settings.store.mode == "embedded":
                    self._client = open_client(self.settings.store, self.paths.chroma)
                    self._vectors = self._open_vectors()
                self._vectors_generation = generation
        return generation
