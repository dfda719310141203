"""The keyword side of the store: a persisted BM25 (bm25s) index over the chunks' analysed tokens.

Chunks are analysed once at ingest (``core.text.analyze``; tokens stored in the catalog); the BM25 index is
rebuilt from those tokens after each write batch and saved with the catalog generation it reflects, so a
query never rebuilds it and a stale one is detected on load.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np

# BM25 parameters measured on the dev sets (FacQA, xling): b=0.5 beat the textbook 0.75 on short news passages.
BM25_K1 = 1.2
BM25_B = 0.5

Scored = tuple[str, str, float]  # (chunk id, the passage's language, BM25 score)


class KeywordIndex:
    """A BM25 index over all chunks of a catalog, saved next to it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._bm25 = None
        self._ids: list[str] = []
        self._langs: list[str] = []
        self._languages: frozenset[str] = frozenset()  # set(self._langs), kept with it: asked on every search
        self._positions: dict[str, int] = {}
        self.generation = -1
        self._loaded_stamp = -1  # mtime of the meta.json last loaded

    @property
    def size(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[str]:
        """The indexed chunk ids."""
        return list(self._ids)

    @property
    def vocabulary(self) -> dict[str, int]:
        """The indexed tokens (a new object after each rebuild or load)."""
        bm25 = self._bm25
        return bm25.vocab_dict if bm25 is not None else {}

    @property
    def languages(self) -> frozenset[str]:
        """The languages of the indexed chunks."""
        return self._languages

    def load(self) -> bool:
        """Load the saved index unless it is the version already loaded; False when there is none."""
        meta = self.folder / "meta.json"
        try:
            stamp = meta.stat().st_mtime_ns
        except OSError:
            return False
        if stamp == self._loaded_stamp:
            return True
        import bm25s

        try:
            info = json.loads(meta.read_text())
            bm25 = bm25s.BM25.load(str(self.folder / "bm25"), mmap=False) if info["ids"] else None
        except (OSError, ValueError):  # a writer is swapping in a new version right now
            return False
        with self._lock:
            self._bm25, self._ids, self._langs = bm25, info["ids"], info["langs"]
            self._languages = frozenset(self._langs)
            self._positions = {cid: i for i, cid in enumerate(self._ids)}
            self.generation, self._loaded_stamp = info["generation"], stamp
        return True

    def rebuild(self, rows: list[tuple[str, str, str]], generation: int, *, save: bool = True) -> None:
        """Index ``(chunk_id, lang, tokens)`` rows; save atomically (only ever with the write lock held)."""
        import bm25s

        ids = [r[0] for r in rows]
        langs = [r[1] for r in rows]
        bm25 = None
        if rows:
            corpus = [r[2].split() or ["\u2205"] for r in rows]  # bm25s needs at least one token a document
            bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
            bm25.index(corpus, show_progress=False)
        if save:
            staging = self.folder.with_name(self.folder.name + ".new")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            if bm25 is not None:
                bm25.save(str(staging / "bm25"))
            (staging / "meta.json").write_text(json.dumps({"generation": generation, "ids": ids, "langs": langs}))
            old = self.folder.with_name(self.folder.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if self.folder.exists():
                self.folder.rename(old)
            staging.rename(self.folder)
            shutil.rmtree(old, ignore_errors=True)
        with self._lock:
            self._bm25, self._ids, self._langs, self.generation = bm25, ids, langs, generation
            self._languages = frozenset(langs)
            self._positions = {cid: i for i, cid in enumerate(ids)}
            if save:
                self._loaded_stamp = (self.folder / "meta.json").stat().st_mtime_ns

    def search(self, tokens: list[str], k: int) -> list[Scored]:
        """Top ``k`` ``(chunk_id, lang, score)`` with a positive score."""
        with self._lock:
            bm25, ids, langs = self._bm25, self._ids, self._langs
        if bm25 is None or not tokens or not ids:
            return []
        vocab = bm25.vocab_dict
        # bm25s keeps "" in its vocabulary but not in its score matrix: asking for it raises ValueError.
        query = [t for t in tokens if t and t in vocab]
        if not query:
            return []
        scores = bm25.get_scores(query)
        k = min(k, len(ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(ids[i], langs[i], float(scores[i])) for i in top if scores[i] > 0]

    def coverage(self, tokens: list[str], chunk_ids: list[str], *, lang: str | None = None) -> dict[str, float]:
        """How much of the question each chunk (of language ``lang``, when given) holds: the IDF-weighted share
        of the distinct ``tokens`` (those the index knows) that occur in it, 0..1. Unlike BM25 it does not
        grow with repeats or shrink with length, so a short passage holding every word of the question
        scores 1.

        Cost: for each query token, a binary search of its posting list per chunk (tokens x chunks x log df).
        """
        with self._lock:
            bm25, positions, langs = self._bm25, self._positions, self._langs
        if bm25 is None:
            return {}
        vocab, indptr, indices = bm25.vocab_dict, bm25.scores["indptr"], bm25.scores["indices"]
        n_docs = len(positions)
        wanted = {positions[c]: c for c in chunk_ids
                  if c in positions and (lang is None or langs[positions[c]] == lang)}
        held = dict.fromkeys(wanted.values(), 0.0)
        candidates = np.array(sorted(wanted), dtype=indices.dtype)
        total = 0.0
        for token in dict.fromkeys(t for t in tokens if t and t in vocab):
            tid = vocab[token]
            if tid + 1 >= len(indptr):  # "" and other tokens without postings
                continue
            docs = indices[indptr[tid]:indptr[tid + 1]]
            idf = float(np.log(1 + (n_docs - len(docs) + 0.5) / (len(docs) + 0.5)))
            total += idf
            # postings are sorted (bm25s builds a CSC matrix): a binary search per candidate
            at = np.minimum(np.searchsorted(docs, candidates), max(len(docs) - 1, 0))
            for doc in candidates[docs[at] == candidates] if len(docs) else ():
                held[wanted[int(doc)]] += idf
        return {cid: value / total for cid, value in held.items()} if total else held
