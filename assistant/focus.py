"""Sentence-level focus: rank the sentences of retrieved passages by similarity to the question.

Used twice: the extractive backend answers with the top sentences, and context packing can give the
model only the sentences that matter (a shorter prompt is a faster first token on 2 cores, and less
noise for a small model).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ingest.embed import PASSAGE_PREFIX, QUERY_PREFIX
from ingest.sentences import split_sentences

MIN_WORDS = 4  # headings and fragments are not answers


@dataclass(frozen=True)
class ScoredSentence:
    source: int  # index of the text it came from
    position: int  # index of the sentence within that text
    text: str
    score: float  # e5 query->passage cosine


def rank_sentences(question: str, texts: Sequence[str], embedder) -> list[ScoredSentence]:
    """All sentences of ``texts`` (with at least ``MIN_WORDS`` words), best first."""
    found = [
        (i, j, s) for i, text in enumerate(texts) for j, s in enumerate(split_sentences(text)) if len(s.split()) >= MIN_WORDS
    ]
    if not found:
        return []
    q = embedder.encode([question], QUERY_PREFIX)[0]
    scores = embedder.encode([s for _, _, s in found], PASSAGE_PREFIX) @ q
    order = np.argsort(-scores, kind="stable")
    return [ScoredSentence(found[k][0], found[k][1], found[k][2], float(scores[k])) for k in order]
