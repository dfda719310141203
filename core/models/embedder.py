"""The e5 embedder: a LangChain ``Embeddings`` over sentence-transformers, tuned for 2 CPU cores.

Two things make it ~2x faster than ``HuggingFaceEmbeddings`` on this hardware without changing the
vectors beyond cosine 0.9999:

- batches are formed from texts sorted by *token* count (sentence-transformers sorts by characters,
  which wasted ~24% of computed tokens on padding), and small batches (8) beat large ones on 2 cores;
- the encoder runs under bfloat16 autocast where the CPU supports it.

e5 needs its prefixes: ``query: `` for questions, ``passage: `` for chunks. They are applied here and
nowhere else: callers say which side a text is on (``Embedder.queries`` / ``Embedder.passages``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from core.errors import ModelError

CACHE_MAX_CHARS = 500  # texts up to this long (with prefix) are remembered ...
CACHE_ENTRIES = 20_000  # ... this many of them (~30 MB)
SMALL_INPUT_CHARS = 2000  # at most this much text in one call (one question, even a long one): one thread
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "


class Embedder(Protocol):
    """What the store, ingest and the assistant need of an embedding model (tests pass small fakes).

    Vectors are L2-normalized float32 rows, one per text, so a dot product is the cosine.
    """

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of questions (and of words to compare with questions)."""
        ...

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of passages (chunks, sentences of chunks) to be found by questions."""
        ...

    def no_cache(self) -> AbstractContextManager[None]:
        """Inside, every vector is computed afresh (timing the model, not a cache)."""
        ...


class E5Embedder(Embeddings):
    """multilingual-e5-small from a local sentence-transformers folder."""

    def __init__(self, model_dir: Path, *, batch_size: int = 8, bf16: bool = True, threads: int = 0,
                 cache_entries: int = CACHE_ENTRIES) -> None:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        if threads:
            torch.set_num_threads(threads)
        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self.bf16 = bf16 and _cpu_has_bf16()
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        # One forward pass at a time (two would only fight over 2 cores), and the tokenizer is used by one
        # thread at a time: the fast tokenizer's padding state is shared, so concurrent calls from the
        # web UI's threads corrupted each other's batches ("expected sequence of length 50 ... (got 42)").
        self._lock = threading.RLock()
        self.cache_entries = cache_entries  # 0: remember nothing (see no_cache)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()  # short texts -> vectors, least recent first
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ModelError(f"{str(model_dir)!r} is not an embedding model (it names no vector size); "
                             "run `warta setup`.")
        self.dimension = int(dimension)

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        with self._lock:
            return [len(ids) for ids in self._model.tokenizer(list(texts), add_special_tokens=True)["input_ids"]]

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, QUERY_PREFIX)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, PASSAGE_PREFIX)

    @contextmanager
    def no_cache(self) -> Iterator[None]:
        """Inside, nothing is served from or kept in the cache of short texts (which is emptied)."""
        with self._lock:
            before, self.cache_entries = self.cache_entries, 0
        try:
            yield
        finally:
            with self._lock:
                self.cache_entries = before

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        """Normalized float32 embeddings of ``prefix + text`` for each text, in input order.

        Short texts (questions, answer and passage sentences) are remembered: one answer embeds the same
        passage sentences to focus the context, to pick extractive sentences and to verify citations, and
        people ask about the same articles.
        """
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        prefixed = [prefix + t for t in texts]
        out = np.zeros((len(texts), self.dimension), np.float32)
        with self._lock:
            todo = []
            for i, text in enumerate(prefixed):
                hit = self._cache.get(text) if self._cacheable(text) else None
                if hit is None:
                    todo.append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = hit
            if todo:
                out[todo] = self._compute([prefixed[i] for i in todo])
                for i in todo:
                    if self._cacheable(prefixed[i]):
                        self._cache[prefixed[i]] = out[i]
                while len(self._cache) > self.cache_entries:
                    self._cache.popitem(last=False)
        return out

    def _cacheable(self, text: str) -> bool:
        return bool(self.cache_entries) and len(text) <= CACHE_MAX_CHARS

    def _compute(self, prefixed: list[str]) -> np.ndarray:
        import torch

        out = np.zeros((len(prefixed), self.dimension), np.float32)
        small = sum(len(t) for t in prefixed) <= SMALL_INPUT_CHARS
        with _threads(1 if small else 0), torch.inference_mode(), \
                torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            order = np.argsort(self.token_lengths(prefixed) if len(prefixed) > 1 else [0], kind="stable")
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                vectors = self._model.encode(
                    [prefixed[i] for i in idx], batch_size=len(idx), convert_to_numpy=True,
                    normalize_embeddings=True, show_progress_bar=False,
                )
                out[idx] = vectors.astype(np.float32)
        return out

    # LangChain's Embeddings interface.
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.queries([text])[0].tolist()


@contextmanager
def _threads(n: int) -> Iterator[None]:
    """Run with ``n`` torch threads (0: unchanged). A single question's matrices are too small to share
    between cores: one thread embeds it ~30% faster than two (benchmarks/bench_query.py)."""
    import torch

    before = torch.get_num_threads()
    if not n or n >= before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _cpu_has_bf16() -> bool:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            flags = fh.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags
