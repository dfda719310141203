"""Stories: near-identical articles (syndicated wire copy re-published with another header, footer, dateline or
lead) joined into one story at ingest.

An article's text is normalised (lowercase, accents folded, the opening dateline such as "Jakarta (ANTARA) -" or
"JAKARTA, KOMPAS.com -" and boilerplate lines such as "Baca juga: ..." dropped), cut into overlapping word
shingles, and summarised by a MinHash signature (``datasketch``, fixed seed: the same text always gives the same
signature). Two articles join when the Jaccard similarity of their shingle sets estimated from the signatures
reaches ``stories.threshold`` and, when both are dated, they were published at most ``stories.window_days``
apart. The outlet does not matter: wire copy in another outlet and one outlet's re-publish under another URL
both join. The threshold and shingle size are measured by ``benchmarks/stories.py``.

The candidate search compares a new signature with every stored one at once (one numpy comparison: about a
millisecond per 10,000 stored articles), which is exact where LSH banding would only be likely; fine for the
sizes a local news library reaches.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from datasketch import MinHash

from core.settings import StoriesSettings

NORMALISER_VERSION = 1  # bump when ``normalise`` changes: stored signatures are then recomputed
SEED = 1  # MinHash permutations: fixed, so signatures are comparable across runs and processes

# An opening dateline: up to 8 words (a city, an outlet, a date in brackets) ending in a dash, e.g.
# "Jakarta (ANTARA) -", "JAKARTA, KOMPAS.com --", "Liputan6.com, Jakarta -", "SPANYOL –", "Suara.com -".
_DATELINE = re.compile(r"^\s*(?:[^\s.!?\n]+(?:\.com|\.co\.id|\.co|\.id|\.net)?[,.]?\s+){0,7}?"
                       r"[^\s.!?\n]*(?:\([^)\n]{1,40}\))?\s*[-\u2013\u2014]{1,2}\s+")
# Lines a re-publisher adds or drops: links to other stories, credits, copyright.
_BOILERPLATE = re.compile(
    r"^\s*(?:baca juga|simak juga|lihat juga|baca:|editor\s*:|pewarta\s*:|penulis\s*:|reporter\s*:|sumber\s*:|"
    r"foto\s*:|video\s*:|copyright|hak cipta|\(\s*[a-z]{2,5}\s*/\s*[a-z]{2,5}\s*\)\s*$)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+")


def normalise(text: str) -> list[str]:
    """The words of ``text`` that a re-publisher would not change: no dateline, no boilerplate lines, lowercase,
    accents folded."""
    text = _DATELINE.sub("", text, count=1)
    lines = [line for line in text.splitlines() if not _BOILERPLATE.match(line)]
    folded = unicodedata.normalize("NFKD", "\n".join(lines).lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _WORD.findall(folded)


def shingles(words: Sequence[str], size: int) -> set[bytes]:
    """The overlapping ``size``-word sequences of ``words`` (the whole text when it is shorter)."""
    if len(words) <= size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


@dataclass(frozen=True)
class Params:
    """What shapes a signature: signatures made with other params are not comparable."""

    shingle_words: int
    num_perm: int

    @classmethod
    def of(cls, settings: StoriesSettings) -> Params:
        return cls(settings.shingle_words, settings.num_perm)

    def key(self) -> str:
        """The catalog's record of the params its signatures were made with."""
        return json.dumps({"shingle_words": self.shingle_words, "num_perm": self.num_perm, "seed": SEED,
                           "normaliser": NORMALISER_VERSION}, sort_keys=True)


def signature(text: str, params: Params) -> np.ndarray:
    """The MinHash signature (``num_perm`` uint64 values) of ``text``'s shingles."""
    minhash = MinHash(num_perm=params.num_perm, seed=SEED)
    minhash.update_batch(list(shingles(normalise(text), params.shingle_words)))
    return np.asarray(minhash.hashvalues, dtype=np.uint64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard similarity of two signatures' shingle sets, as MinHash estimates it."""
    return float(np.mean(a == b))


def similarities(query: np.ndarray, stored: np.ndarray) -> np.ndarray:
    """``similarity`` of ``query`` to each row of ``stored`` (n x num_perm), at once."""
    if not len(stored):
        return np.zeros(0)
    return np.mean(stored == query[None, :], axis=1)


def within_window(first: str, second: str, window_days: int) -> bool:
    """Whether two ISO publish dates are at most ``window_days`` apart; an undated side allows it."""
    try:
        return abs((date.fromisoformat(first[:10]) - date.fromisoformat(second[:10])).days) <= window_days
    except ValueError:
        return True


@dataclass(frozen=True)
class Candidate:
    """A stored article a new one may join: its id, publish date and signature."""

    article_id: str
    published: str
    signature: np.ndarray


def matches(sig: np.ndarray, published: str, pool: Sequence[Candidate], matrix: np.ndarray,
            settings: StoriesSettings) -> list[str]:
    """The ids of the ``pool`` articles (signatures stacked in ``matrix``) that a new article with signature
    ``sig`` published on ``published`` joins."""
    scores = similarities(sig, matrix)
    return [pool[int(i)].article_id for i in np.flatnonzero(scores >= settings.threshold)
            if within_window(published, pool[int(i)].published, settings.window_days)]


class Matcher:
    """Matches new articles against stored ones and against the earlier new ones of the same batch."""

    def __init__(self, stored: Iterable[Candidate], settings: StoriesSettings) -> None:
        self.settings = settings
        self.pool = list(stored)
        self._matrix = (np.stack([c.signature for c in self.pool]) if self.pool
                        else np.zeros((0, settings.num_perm), dtype=np.uint64))

    def add(self, article_id: str, published: str, sig: np.ndarray, exclude: Iterable[str] = ()) -> list[str]:
        """The ids the article joins (``exclude``: ids it replaces); then it becomes a candidate for the next."""
        left_out = set(exclude) | {article_id}
        found = [i for i in matches(sig, published, self.pool, self._matrix, self.settings) if i not in left_out]
        self.pool.append(Candidate(article_id, published, sig))
        self._matrix = np.vstack([self._matrix, sig[None, :]])
        return found
