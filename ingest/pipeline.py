"""Ingest: sources -> articles -> chunks -> vectors -> index, idempotent and crash-safe.

Unchanged articles (same id, same content hash) are skipped before anything is embedded; a changed
article replaces its old chunks; one bad item is reported and the batch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Literal

from ingest.chunk import chunk_article
from ingest.embed import PASSAGE_PREFIX
from ingest.errors import SourceError
from ingest.index import Index
from ingest.models import load_embedder, load_encoding
from ingest.records import Article, Chunk
from ingest.settings import Settings
from ingest.sources import Loaded, load_sources

Status = Literal["added", "updated", "unchanged", "failed"]
BATCH_CHUNKS = 64  # chunks embedded and committed together: big enough to batch well, small enough to lose little


@dataclass(frozen=True)
class ItemResult:
    item: str
    status: Status
    article_id: str = ""
    title: str = ""
    chunks: int = 0
    reason: str = ""


@dataclass
class IngestReport:
    results: list[ItemResult] = field(default_factory=list)
    seconds: float = 0.0
    chunks_embedded: int = 0

    def count(self, status: Status) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list[ItemResult]:
        return [r for r in self.results if r.status == "failed"]

    def summary(self) -> str:
        return (f"{self.count('added')} added, {self.count('updated')} updated, {self.count('unchanged')} unchanged, "
                f"{self.count('failed')} failed; {self.chunks_embedded} chunks embedded in {self.seconds:.1f} s")


Progress = Callable[[ItemResult, int], None]  # (result, chunks embedded so far)


@dataclass
class _Pending:
    article: Article
    chunks: list[Chunk]
    replaced: str  # id of the stored article this replaces, or ""


class Ingestor:
    """Holds the heavy parts (index, embedder, tokenizer) so many ingests can share them."""

    def __init__(self, settings: Settings, *, index: Index | None = None, embedder=None, encoding=None) -> None:
        self.settings = settings
        self.index = index or Index(settings)
        self._embedder = embedder
        self.encoding = encoding or load_encoding(settings)

    @property
    def embedder(self):
        if self._embedder is None:
            self._embedder = load_embedder(self.settings)
        return self._embedder

    def ingest(self, sources: Sequence[str], *, stdin: BinaryIO | None = None, progress: Progress | None = None) -> IngestReport:
        """Ingest files, folders, URLs, feeds or ``-`` (stdin)."""
        return self.ingest_loaded(load_sources(sources, self.settings.ingest, stdin=stdin), progress=progress)

    def ingest_loaded(self, loaded: Iterable[Loaded], *, progress: Progress | None = None) -> IngestReport:
        """Ingest already-loaded articles (and report the ``SourceError`` items among them)."""
        report = IngestReport()
        started = time.perf_counter()
        cfg = self.settings.chunking
        with self.index.write_lock():
            self.index.reconcile()
            batch: list[_Pending] = []

            def flush() -> None:
                if batch:
                    self._write(batch, report, progress)
                    batch.clear()

            for item in loaded:
                if isinstance(item, SourceError):
                    self._record(report, ItemResult(item.item, "failed", reason=item.reason), progress)
                    continue
                if any(p.article.id == item.id for p in batch):
                    flush()  # the same article twice in one run: the later version wins
                stored = self.index.catalog.find(article_id=item.id, url=item.url)
                if stored is not None and stored.content_hash == item.content_hash and stored.id == item.id:
                    self._record(report, ItemResult(item.source, "unchanged", item.id, item.title, stored.n_chunks), progress)
                    continue
                chunks = chunk_article(item, self.encoding, chunk_tokens=cfg.chunk_tokens,
                                       overlap_tokens=cfg.overlap_tokens, title_prefix=cfg.title_prefix)
                batch.append(_Pending(item, chunks, stored.id if stored else ""))
                if sum(len(p.chunks) for p in batch) >= BATCH_CHUNKS:
                    flush()
            flush()
            self.index.refresh_keywords()
        report.seconds = time.perf_counter() - started
        return report

    def _write(self, batch: list[_Pending], report: IngestReport, progress: Progress | None) -> None:
        texts = [c.embed_text for p in batch for c in p.chunks]
        vectors = self.embedder.encode(texts, PASSAGE_PREFIX)
        items, offset = [], 0
        for p in batch:
            items.append((p.article, p.chunks, vectors[offset : offset + len(p.chunks)]))
            offset += len(p.chunks)
        self.index.write(items, [p.replaced for p in batch if p.replaced])
        report.chunks_embedded += len(texts)
        for p in batch:
            status: Status = "updated" if p.replaced else "added"
            self._record(report, ItemResult(p.article.source, status, p.article.id, p.article.title, len(p.chunks)), progress)

    @staticmethod
    def _record(report: IngestReport, result: ItemResult, progress: Progress | None) -> None:
        report.results.append(result)
        if progress is not None:
            progress(result, report.chunks_embedded)


def reindex(settings: Settings, *, progress: Progress | None = None) -> IngestReport:
    """Rebuild the articles of indexes made with other settings under the current settings, then drop those."""
    ingestor = Ingestor(settings)
    report = IngestReport()
    for stale in ingestor.index.stale_indexes():
        from ingest.catalog import Catalog

        old = Catalog(ingestor.index.root / stale.key / "catalog.sqlite")
        try:
            part = ingestor.ingest_loaded(list(old.iter_articles()), progress=progress)
        finally:
            old.close()
        report.results += part.results
        report.chunks_embedded += part.chunks_embedded
        report.seconds += part.seconds
        if not part.failed:
            ingestor.index.drop_stale(stale)
    return report
