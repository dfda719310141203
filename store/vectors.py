"""The vector store: the only module that talks to Chroma.

Embedded (``PersistentClient`` in the data dir) or a Chroma server (``HttpClient``), chosen by
``store.mode``. Collections are always created with ``embedding_function=None`` and fed our own
vectors: Chroma's default embedding function would try to download a model.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.digest import text_sha256
from core.errors import DamagedStoreError, StoreError
from core.records import Article, Chunk
from core.settings import StoreSettings
from store.filters import Filters, date_number

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.types import Metadata

logging.getLogger("chromadb.telemetry").setLevel(logging.CRITICAL)
OPEN_RETRY_PAUSES_S = (0.25, 0.75, 2.0, 4.0)  # between tries to open an embedded store (see open_client)


def describe(settings: StoreSettings, path: Path) -> str:
    """Where the vectors live, for messages: the server's address or the embedded store's folder."""
    if settings.mode == "http":
        return f"the Chroma server at {settings.host}:{settings.port}"
    return f"Chroma at {str(path)!r}"


def open_client(settings: StoreSettings, path: Path) -> ClientAPI:
    """A Chroma client for ``settings.mode``; telemetry off.

    An embedded client always gets a fresh Chroma system, loaded from disk now. ``PersistentClient``
    shares one in-memory system (with its loaded HNSW segments) per path and process, and that system
    never sees what another process wrote after it was loaded: its queries then fail ("Error finding id")
    or miss the new vectors. So the client is made ``from_system`` over a new ``System``, which takes the
    path's place for new clients; collections opened before keep their own system until they are dropped.
    Opening a new client is how a long-lived process catches up (``Index.catch_up``).
    """
    import chromadb
    from chromadb.api.client import Client
    from chromadb.config import System

    chroma_settings = chromadb.Settings(anonymized_telemetry=False, allow_reset=False)
    if settings.mode == "http":
        try:
            return chromadb.HttpClient(host=settings.host, port=settings.port, settings=chroma_settings)
        except Exception as exc:  # noqa: BLE001 (chromadb raises several unrelated types for an unreachable server)
            raise StoreError(f"Could not open {describe(settings, path)}: {exc}. Check store.mode/host/port, or "
                             f"start `chroma run --path DIR --host {settings.host} --port {settings.port}`.") from None
    chroma_settings.is_persistent = True
    chroma_settings.persist_directory = str(path)
    # Opening can fail for a moment while another process writes a batch or creates the store (seen: two
    # ingests started together on a new data dir; Chroma's client then stops its half-made system and reports
    # "'RustBindingsAPI' object has no attribute 'bindings'"). Only a store that still fails after a few tries
    # over ~7 s is called damaged.
    for pause in (*OPEN_RETRY_PAUSES_S, None):
        try:
            path.mkdir(parents=True, exist_ok=True)
            system = System(chroma_settings)
            system.start()
            return Client.from_system(system)
        except Exception as exc:  # noqa: BLE001 (chromadb raises several unrelated types for a damaged store)
            if pause is not None:
                time.sleep(pause)
                continue
            error = exc
    raise DamagedStoreError(
        f"The vector store {str(path / 'chroma.sqlite3')!r} could not be read ({error}). Its vectors can be "
        "rebuilt from the catalog: run `warta reindex` (it moves the damaged store aside, to "
        f"{str(path.parent / 'chroma.broken-<time>')!r}, and embeds every article again)."
    ) from None


@contextmanager
def translated_errors(where: str, doing: str) -> Iterator[None]:
    """Re-raise anything Chroma (or its HTTP client) raises as one ``StoreError`` naming the store and the step.

    A server can go away at any time after the client was opened; front ends catch ``WartaError`` only.
    """
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"{where[0].upper()}{where[1:]} failed while {doing}: {type(exc).__name__}: {exc}") from exc


class VectorStore:
    """One Chroma collection of chunk vectors with the metadata retrieval filters on.

    Every call translates Chroma's and httpx's exceptions into ``StoreError`` (``translated_errors``).
    """

    def __init__(self, client: ClientAPI, name: str, identity: Mapping[str, object], *, where: str = "Chroma") -> None:
        self.name = name
        self.where = where
        self._client = client
        with translated_errors(where, f"opening the collection {name!r}"):
            self._col = client.get_or_create_collection(
                name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
                metadata={k: str(v) for k, v in identity.items()},
            )

    def count(self) -> int:
        with translated_errors(self.where, "counting vectors"):
            return self._col.count()

    def ids(self) -> set[str]:
        out: set[str] = set()
        offset, page = 0, 5000
        with translated_errors(self.where, "listing vector ids"):
            while True:
                got = self._col.get(include=[], limit=page, offset=offset)["ids"]
                out.update(got)
                if len(got) < page:
                    return out
                offset += page

    def upsert(self, items: Sequence[tuple[Article, Chunk]], vectors: np.ndarray) -> None:
        if not items:
            return
        metadatas = [chunk_metadata(a, c) for a, c in items]
        with translated_errors(self.where, "storing vectors"):
            for start in range(0, len(items), 1000):
                part = slice(start, start + 1000)
                self._col.upsert(
                    ids=[c.id for _, c in items[part]], embeddings=vectors[part],
                    documents=[c.text for _, c in items[part]], metadatas=metadatas[part],
                )

    def already_stored(self, items: Sequence[tuple[Article, Chunk]]) -> set[str]:
        """The chunk ids of ``items`` stored with exactly what ``upsert`` would store now (the same embedded
        text, so the same vector, and the same metadata): writing them again can be skipped."""
        if not items:
            return set()
        with translated_errors(self.where, "reading metadata"):
            got = self._col.get(ids=[c.id for _, c in items], include=["metadatas"])
        stored = dict(zip(got["ids"], got["metadatas"] or ()))
        return {c.id for a, c in items if stored.get(c.id) == chunk_metadata(a, c)}

    def delete(self, ids: Sequence[str]) -> None:
        with translated_errors(self.where, "deleting vectors"):
            for start in range(0, len(ids), 1000):
                self._col.delete(ids=list(ids[start : start + 1000]))

    def query(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """``(chunk_id, cosine similarity)`` of the ``k`` nearest chunks that pass ``filters`` (fewer when the
        store holds fewer)."""
        with translated_errors(self.where, "searching vectors"):
            result = self._col.query(
                query_embeddings=[vector], n_results=k, where=chroma_where(filters), include=["distances"],
            )
        distances = result["distances"]
        assert distances is not None  # asked for with include=["distances"]
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], distances[0])]

    def similarities(self, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of ``vector`` to the stored vectors of ``ids`` (for candidates found by keywords)."""
        if not ids:
            return {}
        with translated_errors(self.where, "reading vectors"):
            got = self._col.get(ids=list(ids), include=["embeddings"])
        embeddings = got["embeddings"]
        assert embeddings is not None  # asked for with include=["embeddings"]
        return {cid: float(np.dot(vector, emb)) for cid, emb in zip(got["ids"], embeddings)}


def chunk_metadata(article: Article, chunk: Chunk) -> Metadata:
    """What a chunk's vector carries: its article's metadata, its place, the date filters use, and a digest of
    the embedded text (which the vector is a function of)."""
    return {**article.metadata(), "index": chunk.index, "date": date_number(article.published),
            "embedded": text_sha256(chunk.embed_text)[:16]}


def chroma_where(filters: Filters | None) -> dict[str, Any] | None:
    """``filters`` as a Chroma ``where``; ``None`` when there are none."""
    clauses: list[dict[str, Any]] = []
    for clause in filters.clauses() if filters is not None else ():
        if clause.op == "from":
            clauses.append({"date": {"$gte": clause.day}})
        elif clause.op == "to":
            clauses.append({"date": {"$lte": clause.day}})
        elif len(clause.values) == 1:
            clauses.append({clause.field: clause.values[0]})
        else:
            clauses.append({clause.field: {"$in": list(clause.values)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
