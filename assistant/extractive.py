"""The extractive backend: no LLM; the passage sentences closest to the question, with their markers.

Deterministic, fast, and the fallback when the answer model fails. Sentences are quoted in the
article's own language, introduced by a lead in the question's language.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.prompts import EXTRACTIVE_LEAD
from assistant.records import Passage
from ingest.embed import PASSAGE_PREFIX, QUERY_PREFIX
from ingest.sentences import split_sentences

MIN_SENTENCE_SCORE = 0.80  # e5 query->passage cosine; below it a sentence does not answer anything


def best_sentences(question: str, passages: Sequence[Passage], embedder, limit: int) -> list[tuple[int, str, float]]:
    """Up to ``limit`` (passage number, sentence, score), in reading order, best-scoring first chosen."""
    candidates = [(p.n, s) for p in passages for s in split_sentences(p.text) if len(s.split()) >= 4]
    if not candidates:
        return []
    q = embedder.encode([question], QUERY_PREFIX)[0]
    vectors = embedder.encode([s for _, s in candidates], PASSAGE_PREFIX)
    scores = vectors @ q
    top = [i for i in np.argsort(-scores, kind="stable")[:limit] if scores[i] >= MIN_SENTENCE_SCORE]
    # Keep close runners-up only: a sentence far below the best one is padding, not an answer.
    if top:
        top = [i for i in top if scores[i] >= scores[top[0]] - 0.04]
    return [(candidates[i][0], candidates[i][1], float(scores[i])) for i in sorted(top)]


def extractive_answer(question: str, language: str, passages: Sequence[Passage], embedder, limit: int) -> str:
    """The answer text with [n] markers, or "" when no sentence is close enough to the question."""
    chosen = best_sentences(question, passages, embedder, limit)
    if not chosen:
        return ""
    body = " ".join(f"{sentence} [{n}]" if not sentence.endswith((".", "!", "?")) else f"{sentence[:-1]} [{n}]{sentence[-1]}"
                    for n, sentence, _ in chosen)
    return f"{EXTRACTIVE_LEAD.get(language, EXTRACTIVE_LEAD['en'])} {body}"
