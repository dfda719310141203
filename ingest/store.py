"""The vector store: the only module that talks to Chroma.

Embedded (``PersistentClient`` in the data dir) or a Chroma server (``HttpClient``), chosen by
``store.mode``. Collections are always created with ``embedding_function=None`` and fed our own
vectors: Chroma's default embedding function would try to download a model.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import StoreError
from ingest.records import Article, Chunk
from ingest.settings import StoreSettings

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
logging.getLogger("chromadb.telemetry").setLevel(logging.CRITICAL)


def date_number(published: str) -> int:
    """YYYYMMDD as an int (Chroma filters compare numbers only); 0 when unknown."""
    try:
        return int(date.fromisoformat(published).strftime("%Y%m%d"))
    except ValueError:
        return 0


def open_client(settings: StoreSettings, path: Path):
    """A Chroma client for ``settings.mode``; telemetry off."""
    import chromadb

    chroma_settings = chromadb.Settings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.mode == "http":
            return chromadb.HttpClient(host=settings.host, port=settings.port, settings=chroma_settings)
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:  # chromadb raises several unrelated types for an unreachable server
        where = f"the Chroma server at {settings.host}:{settings.port}" if settings.mode == "http" else repr(str(path))
        raise StoreError(f"Could not open {where}: {exc}. Check store.mode/host/port, or start "
                         f"`chroma run --path DIR --host {settings.host} --port {settings.port}`.") from None


class VectorStore:
    """One Chroma collection of chunk vectors with the metadata retrieval filters on."""

    def __init__(self, client, name: str, identity: dict[str, Any]) -> None:
        self.name = name
        self._client = client
        try:
            self._col = client.get_or_create_collection(
                name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
                metadata={k: str(v) for k, v in identity.items()},
            )
        except Exception as exc:
            raise StoreError(f"Could not open the Chroma collection {name!r}: {exc}") from None

    def count(self) -> int:
        return self._col.count()

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset, page = 0, 5000
        while True:
            got = self._col.get(include=[], limit=page, offset=offset)["ids"]
            out.update(got)
            if len(got) < page:
                return out
            offset += page

    def upsert(self, items: Sequence[tuple[Article, Chunk]], vectors: np.ndarray) -> None:
        if not items:
            return
        metadatas = [
            {**a.metadata(), "index": c.index, "date": date_number(a.published)} for a, c in items
        ]
        for start in range(0, len(items), 1000):
            part = slice(start, start + 1000)
            self._col.upsert(
                ids=[c.id for _, c in items[part]], embeddings=vectors[part],
                documents=[c.text for _, c in items[part]], metadatas=metadatas[part],
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), 1000):
            self._col.delete(ids=list(ids[start : start + 1000]))

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """``(chunk_id, cosine similarity)`` of the ``k`` nearest chunks."""
        n = self.count()
        if n == 0:
            return []
        result = self._col.query(
            query_embeddings=[vector], n_results=min(k, n), where=where or None, include=["distances"],
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0])]

    def similarities(self, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of ``vector`` to the stored vectors of ``ids`` (for candidates found by keywords)."""
        if not ids:
            return {}
        got = self._col.get(ids=list(ids), include=["embeddings"])
        return {cid: float(np.dot(vector, emb)) for cid, emb in zip(got["ids"], got["embeddings"])}

    def drop(self) -> None:
        self._client.delete_collection(self.name)


def build_where(*, date_from: str = "", date_to: str = "", outlets: Sequence[str] = (), langs: Sequence[str] = (),
                article_ids: Sequence[str] = ()) -> dict[str, Any] | None:
    """A Chroma ``where`` filter from retrieval filters; ``None`` when there are none."""
    clauses: list[dict[str, Any]] = []
    if date_from:
        clauses.append({"date": {"$gte": date_number(date_from)}})
    if date_to:
        clauses.append({"date": {"$lte": date_number(date_to)}})
    for field, values in (("outlet", outlets), ("lang", langs), ("article_id", article_ids)):
        values = [v for v in values if v]
        if len(values) == 1:
            clauses.append({field: values[0]})
        elif values:
            clauses.append({field: {"$in": list(values)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
