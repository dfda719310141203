"""Pure evaluation metrics: answer normalization, gold matching, hit@k, reciprocal rank, percentiles.

No I/O and no models, so every rule here has a tiny test. Normalization is what makes
"US$14,3 miliar" match the gold "14.3 miliar" and "1.000" match "1000": both sides are folded the
same way (case, accents, punctuation, whitespace, number formats) and compared word-aligned.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Literal

_MARKER = re.compile(r"\[\d+(?:\s*[,;–-]\s*\d+)*\]")  # citation markers "[1]", "[1, 3]": not part of the answer
_NUMBER = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*")
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")  # "Rp1.000" -> "Rp 1.000", "G8" -> "G 8"
_PUNCT = re.compile(r"[^\w\s.]|_|(?<!\d)\.|\.(?!\d)")  # everything but letters, digits and decimal points


def canonical_number(token: str) -> str:
    """One spelling per number: thousands separators dropped, the decimal separator written ".".

    Indonesian writes "1.000,5", English "1,000.5". With both separators the last one is the decimal
    point; a separator used twice ("1.000.000") groups thousands; a single one is a thousands
    separator when exactly three digits follow ("1.000", "14,300") and a decimal point otherwise ("14,3").
    """
    seps = [ch for ch in token if ch in ".,"]
    if not seps:
        return token
    groups = re.split(r"[.,]", token)
    if len(set(seps)) == 2:
        decimal = seps[-1]
        whole, _, frac = token.rpartition(decimal)
        return re.sub(r"[.,]", "", whole) + "." + frac
    if len(seps) > 1 or len(groups[-1]) == 3:
        return "".join(groups)
    return f"{groups[0]}.{groups[1]}"


def normalize(text: str) -> str:
    """Lowercase, accents and citation markers removed, numbers canonical, punctuation -> space, spaces collapsed."""
    text = unicodedata.normalize("NFKD", _MARKER.sub(" ", text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _LETTER_DIGIT.sub(" ", text)
    text = _NUMBER.sub(lambda m: canonical_number(m.group()), text)
    return " ".join(_PUNCT.sub(" ", text).split())


def contains_gold(text: str, answers: Iterable[str]) -> bool:
    """Whether ``text`` contains any of ``answers`` as whole words after normalization."""
    haystack = f" {normalize(text)} "
    for answer in answers:
        needle = normalize(answer)
        if needle and f" {needle} " in haystack:
            return True
    return False


SPLIT_FOLDS = 5  # fold 0 of each data set is its "tune" part, folds 1-4 its "test" part
Part = Literal["tune", "test", "all"]  # which questions an evaluation runs: a part, or all of them


def fold_of(question_id: str) -> int:
    """The fold (0..SPLIT_FOLDS-1) of a question, from a hash of its id: stable across runs and machines."""
    return int(hashlib.sha256(f"warta-split:{question_id}".encode()).hexdigest()[:8], 16) % SPLIT_FOLDS


def part_of(question_id: str) -> str:
    """``"tune"`` (fold 0: the questions defaults may be fitted on) or ``"test"`` (folds 1-4: reported only)."""
    return "tune" if fold_of(question_id) == 0 else "test"


def distinct(ids: Iterable[str]) -> list[str]:
    """``ids`` without repeats, first occurrence kept (passages -> articles in rank order)."""
    seen: dict[str, None] = {}
    for i in ids:
        seen.setdefault(i, None)
    return list(seen)


def first_hit_rank(ranked: Sequence[str], gold: Iterable[str]) -> int | None:
    """1-based rank of the first id in ``gold`` among the distinct ``ranked`` ids, or None."""
    gold = set(gold)
    for rank, item in enumerate(distinct(ranked), start=1):
        if item in gold:
            return rank
    return None


def hit_at_k(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    """1.0 when a gold id is among the first ``k`` distinct ids, else 0.0."""
    rank = first_hit_rank(ranked, gold)
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(ranked: Sequence[str], gold: Iterable[str], k: int = 10) -> float:
    """1/rank of the first gold id among the first ``k`` distinct ids, else 0.0 (averaged: MRR@k)."""
    rank = first_hit_rank(ranked, gold)
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) with linear interpolation between ranks (numpy's default); None if empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be within 0..100, got {q!r}")
    position = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(position), math.ceil(position)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (position - lo)
