"""Ingest: sources -> articles -> chunks -> vectors -> index, idempotent and crash-safe.

One article is one id or one URL: inside a batch the later of two such items is kept (the earlier is
reported as a duplicate), and across runs an item replaces the stored article with its id or URL.
Unchanged articles (same id, same content hash) are skipped before anything is embedded; a changed
article replaces its old chunks; one bad item is reported and the batch goes on.

Everything slow happens outside the index's write lock: the sources are read first (URL fetches
included), and each batch is chunked and embedded before the lock is taken to store it. So a slow URL or
a long ingest never holds up ``warta remove`` or another ingest for more than one batch's write.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Literal

import numpy as np

from core.errors import SourceError
from core.models.embedder import Embedder
from core.models.prepare import load_embedder, load_encoding
from core.records import Article, ArticleInfo, Chunk
from core.settings import Settings
from ingest import stories
from ingest.chunk import chunk_article
from ingest.sources.article import Loaded
from ingest.sources.load import load_sources

if TYPE_CHECKING:
    from core.text.tokens import Encoding
from store.catalog import StoryLinks
from store.index import Index
from store.locks import OnWait

Status = Literal["added", "updated", "unchanged", "duplicate", "failed"]
BATCH_CHUNKS = 64  # chunks embedded and committed together: big enough to batch well, small enough to lose little


@dataclass(frozen=True)
class ItemResult:
    item: str
    status: Status
    article_id: str = ""
    title: str = ""
    chunks: int = 0
    reason: str = ""
    published: str = ""  # the stored article's publish date (added and updated items), "" when none was found


@dataclass
class IngestReport:
    results: list[ItemResult] = field(default_factory=list)
    seconds: float = 0.0
    chunks_embedded: int = 0
    repaired: int = 0  # stored passages whose missing vectors were re-embedded from the catalog
    stories_seconds: float = 0.0  # spent on stories: signatures and the search for near-identical stored articles

    def count(self, status: Status) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list[ItemResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def undated(self) -> int:
        """Articles stored by this ingest (added or updated) for which no publish date was found."""
        return sum(r.status in ("added", "updated") and not r.published for r in self.results)

    def summary(self) -> str:
        duplicates, undated = self.count("duplicate"), self.undated
        return (f"{self.count('added')} added, {self.count('updated')} updated, {self.count('unchanged')} unchanged, "
                f"{self.count('failed')} failed" + (f", {duplicates} duplicate{'s' * (duplicates != 1)}" if duplicates
                                                    else "")
                + f"; {self.chunks_embedded} chunks embedded in {self.seconds:.1f} s"
                + (f"; {undated} stored article{'s' * (undated != 1)} without a publish date" if undated else ""))


Progress = Callable[[ItemResult, int], None]  # (result, chunks embedded so far)


@dataclass
class _Pending:
    article: Article
    chunks: list[Chunk]


def _unchanged(article: Article, stored: Sequence[ArticleInfo]) -> bool:
    return len(stored) == 1 and stored[0].id == article.id and stored[0].content_hash == article.content_hash


class Ingestor:
    """Holds the heavy parts (index, embedder, tokenizer) so many ingests can share them."""

    def __init__(self, settings: Settings, *, index: Index | None = None, embedder: Embedder | None = None,
                 encoding: Encoding | None = None) -> None:
        self.settings = settings
        self.index = index or Index(settings)
        self._embedder = embedder
        self.encoding = encoding or load_encoding(settings)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings)
        return self._embedder

    def embed(self, texts: list[str]) -> np.ndarray:
        """Passage vectors (what the index stores)."""
        return self.embedder.passages(texts)

    def ingest(self, sources: Sequence[str], *, stdin: BinaryIO | None = None, progress: Progress | None = None,
               on_wait: OnWait | None = None) -> IngestReport:
        """Ingest files, folders, URLs, feeds or ``-`` (stdin).

        Raises:
            LockTimeoutError: another writer kept the index's write lock for ``ingest.lock_timeout_s``
                (``on_wait`` is told when the wait starts).
        """
        return self.ingest_loaded(load_sources(sources, self.settings.ingest, stdin=stdin), progress=progress,
                                  on_wait=on_wait)

    def ingest_loaded(self, loaded: Iterable[Loaded], *, progress: Progress | None = None,
                      on_wait: OnWait | None = None) -> IngestReport:
        """Ingest already-loaded articles (and report the ``SourceError`` items among them)."""
        report = IngestReport()
        started = time.perf_counter()
        articles = self._read(loaded, report, progress)
        cfg = self.settings.chunking
        with self.index.ingest_session():
            with self.index.write_lock(on_wait=on_wait):
                report.repaired = self.index.reconcile(self.embed)
            batch: list[_Pending] = []
            for article in articles:
                stored = self.index.find(article.id, article.url)  # checked again when storing
                if _unchanged(article, stored):
                    self._record(report, ItemResult(article.source, "unchanged", article.id, article.title,
                                                    stored[0].n_chunks), progress)
                    continue
                try:
                    chunks = chunk_article(article, self.encoding, chunk_tokens=cfg.chunk_tokens,
                                           overlap_tokens=cfg.overlap_tokens, title_prefix=cfg.title_prefix)
                except Exception as exc:  # noqa: BLE001 (one article's content must never stop the batch)
                    self._record(report, ItemResult(article.source, "failed", article.id, article.title,
                                                    reason=f"could not be chunked ({type(exc).__name__}: {exc})"),
                                 progress)
                    continue
                batch.append(_Pending(article, chunks))
                if sum(len(p.chunks) for p in batch) >= BATCH_CHUNKS:
                    self._write(batch, report, progress, on_wait)
                    batch = []
            self._write(batch, report, progress, on_wait)
            with self.index.write_lock(on_wait=on_wait):
                self.index.drop_leftovers()
                self.index.refresh_keywords()
        report.seconds = time.perf_counter() - started
        return report

    def _read(self, loaded: Iterable[Loaded], report: IngestReport, progress: Progress | None) -> list[Article]:
        """Every article of the batch, read before anything is locked; of two with the same id or URL the later
        is kept and the earlier reported as a duplicate. Failed items are reported as they come."""
        articles: list[Article] = []
        for item in loaded:
            if isinstance(item, SourceError):
                self._record(report, ItemResult(item.item, "failed", reason=item.reason), progress)
            else:
                articles.append(item)
        by_id: dict[str, Article] = {}
        by_url: dict[str, Article] = {}
        later: dict[int, tuple[Article, str]] = {}  # position -> (the article kept instead, what they share)
        for position in range(len(articles) - 1, -1, -1):
            article = articles[position]
            if article.id in by_id:
                later[position] = (by_id[article.id], "id")
            elif article.url and article.url in by_url:
                later[position] = (by_url[article.url], "URL")
            else:
                by_id[article.id] = article
                if article.url:
                    by_url[article.url] = article
        for position, (kept, shared) in sorted(later.items()):
            article = articles[position]
            self._record(report, ItemResult(article.source, "duplicate", article.id, article.title,
                                            reason=f"same {shared} as {kept.source}; the later one is kept"), progress)
        return [a for position, a in enumerate(articles) if position not in later]

    def _write(self, batch: list[_Pending], report: IngestReport, progress: Progress | None,
               on_wait: OnWait | None) -> None:
        """Embed a batch, then store it under the write lock, checking again what is stored: another writer may
        have stored the same articles since they were read."""
        if not batch:
            return
        vectors = self.embed([c.embed_text for p in batch for c in p.chunks])
        cfg = self.settings.stories
        params = stories.Params.of(cfg)
        started = time.perf_counter()
        signatures = {p.article.id: stories.signature(p.article.text, params) for p in batch} if cfg.enabled else {}
        spent = time.perf_counter() - started
        results: list[ItemResult] = []
        with self.index.write_lock(on_wait=on_wait):
            self.index.catch_up_vectors()
            started = time.perf_counter()
            matcher = self._matcher(params) if cfg.enabled else None
            spent += time.perf_counter() - started
            items, replaced, offset = [], [], 0
            joins: dict[str, list[str]] = {}
            for p in batch:
                part = vectors[offset : offset + len(p.chunks)]
                offset += len(p.chunks)
                stored = self.index.find(p.article.id, p.article.url)
                if _unchanged(p.article, stored):
                    results.append(ItemResult(p.article.source, "unchanged", p.article.id, p.article.title,
                                              stored[0].n_chunks))
                    continue
                items.append((p.article, p.chunks, part))
                replaced += [s.id for s in stored]
                if matcher is not None:
                    started = time.perf_counter()
                    joins[p.article.id] = matcher.add(p.article.id, p.article.published, signatures[p.article.id],
                                                      exclude=[s.id for s in stored])
                    spent += time.perf_counter() - started
                results.append(ItemResult(p.article.source, "updated" if stored else "added", p.article.id,
                                          p.article.title, len(p.chunks), published=p.article.published))
            if items:
                links = StoryLinks({i: s.tobytes() for i, s in signatures.items()},
                                   {i: j for i, j in joins.items() if j}, params.key() if cfg.enabled else "")
                self.index.write(items, list(dict.fromkeys(replaced)), links)
        report.stories_seconds += spent
        report.chunks_embedded += len(vectors)
        for result in results:
            self._record(report, result, progress)

    def _matcher(self, params: stories.Params) -> stories.Matcher:
        """A matcher over the stored articles' signatures (made first where missing or of other params)."""
        def sign(text: str) -> bytes:
            return stories.signature(text, params).tobytes()

        rows = self.index.story_signatures(params.key(), sign)
        return stories.Matcher((stories.Candidate(i, published, np.frombuffer(sig, dtype=np.uint64))
                                for i, published, sig in rows), self.settings.stories)

    @staticmethod
    def _record(report: IngestReport, result: ItemResult, progress: Progress | None) -> None:
        report.results.append(result)
        if progress is not None:
            progress(result, report.chunks_embedded)


@dataclass
class ReindexReport:
    moved: IngestReport  # articles of indexes built with other settings, ingested under the current ones
    rebuilt_vectors: int = 0  # passages of the current index re-embedded from its catalog
    rebuilt_articles: int = 0
    set_aside: str = ""  # where a damaged vector store was moved, if it was


def reindex(settings: Settings, *, progress: Progress | None = None, on_wait: OnWait | None = None) -> ReindexReport:
    """Rebuild the index for the current settings.

    Articles of indexes made with other settings are ingested under the current settings, then those are
    dropped. With none, the current index's vectors and BM25 are rebuilt from its catalog alone (after a
    lost or damaged vector store; a damaged embedded store is moved aside first).
    """
    index = Index(settings, set_aside_damaged_store=True)
    ingestor = Ingestor(settings, index=index)
    report = ReindexReport(IngestReport(), set_aside=str(index.set_aside or ""))
    stale_indexes = index.stale_indexes()
    for stale in stale_indexes:
        part = ingestor.ingest_loaded(index.stale_articles(stale), progress=progress, on_wait=on_wait)
        report.moved.results += part.results
        report.moved.chunks_embedded += part.chunks_embedded
        report.moved.seconds += part.seconds
        if not part.failed:
            index.drop_stale(stale)
    if not stale_indexes:
        with index.ingest_session(), index.write_lock(on_wait=on_wait):
            report.rebuilt_vectors = index.rebuild_vectors(ingestor.embed)
            report.rebuilt_articles = index.counts()[0]
    return report
