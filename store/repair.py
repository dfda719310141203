"""Bringing the three stores back in step from the catalog, which keeps every article's text.

``Index.reconcile`` (run at the start of every ingest) uses these: leftover ``garbage`` and vectors the catalog
does not know are deleted, and committed chunks whose vectors are missing (a crash, a lost or rebuilt vector
store) are embedded again from the catalog's text, so articles are never deleted to bring the stores in step.
Vectors a writer that died stored without committing them (``pending``) become ``leftover``: they stay until
the ingest that found them ends (``drop_leftovers``), which deletes those it did not store. That ingest
usually stores the same chunks again, and ``Index.write`` skips the ones already stored unchanged
(``VectorStore.already_stored``). Both other ways let the kill -9 test find a vector no query could reach
(Chroma 1.5.9, like its issue #7758): deleting a vector and adding it again leaves a deleted twin that the HNSW
graph links to instead, and writing the same vector over itself puts two records of it in the log Chroma
replays, in parallel, into the graph of every process that opens the store. Keyword tokens made by an older
analyzer (``core.text.analyze.ANALYZER_VERSION``) are re-analysed from the chunk texts: a new analyzer never
needs re-embedding. Every function here is called with the write lock held.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.identity import embed_text
from core.records import Chunk
from core.text.analyze import ANALYZER_VERSION, analyze
from store.catalog import Catalog
from store.vectors import VectorStore

Embed = Callable[[list[str]], np.ndarray]  # passage texts -> vectors (``Embedder.passages``)
REPAIR_BATCH = 64  # chunks re-embedded and stored together by a repair


def settle_uncommitted(catalog: Catalog, vectors: VectorStore) -> None:
    """Make the ``pending`` chunks of a writer that died ``leftover`` (their vectors stay until
    ``drop_leftovers``) and delete the vectors of ``garbage``."""
    if catalog.pending():
        catalog.pending_to_leftover()
    garbage = catalog.garbage()
    if garbage:
        vectors.delete(garbage)
        catalog.clear_bookkeeping(garbage=garbage)


def drop_leftovers(catalog: Catalog, vectors: VectorStore) -> None:
    """Delete the vectors of ``leftover`` chunks that are still not committed (an ingest has ended)."""
    leftover = catalog.leftover()
    if leftover:
        committed = catalog.chunk_ids()
        vectors.delete([c for c in leftover if c not in committed])
        catalog.clear_bookkeeping(leftover=leftover)


def missing_vectors(catalog: Catalog, vectors: VectorStore) -> list[str]:
    """Delete vectors the catalog does not know (a store replaced or rebuilt by hand; not ``leftover`` ones);
    return the committed chunks that have no vector."""
    leftover = set(catalog.leftover())
    if not leftover and vectors.count() == catalog.counts()[1]:
        return []
    committed = catalog.chunk_ids()
    present = vectors.ids()
    vectors.delete(sorted(present - committed - leftover))
    return sorted(committed - present)


def embed_stored(catalog: Catalog, vectors: VectorStore, chunk_ids: list[str], embed: Embed, *,
                 title_prefix: bool) -> None:
    """Embed committed chunks from the catalog's text, as ingest embedded them (``core.identity.embed_text``),
    and store their vectors batch by batch (a kill half-way leaves fewer missing for the next repair)."""
    for start in range(0, len(chunk_ids), REPAIR_BATCH):
        rows = catalog.stored_chunks(chunk_ids[start : start + REPAIR_BATCH])
        pairs = [(article, Chunk(chunk_id, article.id, index, text,
                                 embed_text(article.title, article.text, text, title_prefix=title_prefix), 0))
                 for article, chunk_id, index, text in rows]
        vectors.upsert(pairs, embed([c.embed_text for _, c in pairs]))


def retokenize(catalog: Catalog, *, title_prefix: bool) -> bool:
    """Re-analyse the catalog's keyword tokens when an older analyzer made them; returns whether it did."""
    version = catalog.keyword_version()
    if version is None or version == ANALYZER_VERSION:
        return False

    def tokens(title: str, article_text: str, chunk_text: str, lang: str) -> str:
        return " ".join(analyze(embed_text(title, article_text, chunk_text, title_prefix=title_prefix), lang))

    catalog.retokenize(tokens, ANALYZER_VERSION)
    return True


def health_warnings(articles: int, chunks: int, vectors: int | None, keywords: int | None) -> tuple[str, ...]:
    """What to tell a user whose stores disagree, and the fix. ``None``: that count is not comparable now
    (a writer is mid-batch, an ingest will rebuild BM25 at its end)."""
    warnings = []
    if vectors is not None and vectors != chunks:
        warnings.append(
            f"The catalog has {articles:,} articles in {chunks:,} passages, but the vector store holds {vectors:,} "
            "vectors: search misses what has none. Run `warta reindex` (or any `warta ingest`) to rebuild them "
            "from the catalog.")
    if keywords is not None and keywords != chunks:
        warnings.append(
            f"The keyword index holds {keywords:,} of the catalog's {chunks:,} passages. Run `warta reindex` "
            "(or any `warta ingest`) to rebuild it from the catalog.")
    return tuple(warnings)
