"""The ``Assistant``: the one object front ends talk to.

It owns the heavy parts (index, embedder, answer model), created lazily from settings unless passed
in, and offers ``search``, ``ask`` and ``stream``.
"""

from __future__ import annotations

import threading

from assistant.retrieve import Filters, Mode, Retrieval, Retriever
from ingest.index import Index
from ingest.models import load_embedder
from ingest.settings import Settings, load_settings


class Assistant:
    """Search and answer over the article index of ``settings.data_dir``.

    Args:
        settings: the settings tree; ``None`` loads ``config.toml`` + environment.
        index: an open ``Index`` (tests pass one over a temp dir); default: opened from settings.
        embeddings: an embedder with ``encode(texts, prefix)``; default: the bundled e5 model.
        llm: a LangChain chat model; default: built from ``answer.backend`` on first use.
    """

    def __init__(self, settings: Settings | None = None, *, index: Index | None = None, embeddings=None, llm=None) -> None:
        self.settings = settings or load_settings()
        self._index = index
        self._embeddings = embeddings
        self._llm = llm
        self._lock = threading.Lock()

    @property
    def index(self) -> Index:
        with self._lock:
            if self._index is None:
                self._index = Index(self.settings)
            return self._index

    @property
    def embeddings(self):
        with self._lock:
            if self._embeddings is None:
                self._embeddings = load_embedder(self.settings)
            return self._embeddings

    @property
    def retriever(self) -> Retriever:
        return Retriever(self.settings.retrieval, self.index, self.embeddings)

    def search(self, query: str, *, k: int | None = None, filters: Filters | None = None, mode: Mode = "hybrid") -> Retrieval:
        """Ranked passages for ``query``.

        Raises:
            IndexMismatchError: the data dir's articles were indexed with other settings.
        """
        self.index.require_compatible()
        return self.retriever.search(query, k=k, filters=filters, mode=mode)
