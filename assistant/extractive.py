"""The extractive backend: no LLM; the passage sentences closest to the question, with their markers.

Deterministic, fast, and the fallback when the answer model fails. Sentences are quoted in the
article's own language, introduced by a lead in the question's language.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.focus import rank_sentences
from assistant.prompts import EXTRACTIVE_LEAD
from assistant.records import Passage

MIN_SENTENCE_SCORE = 0.80  # e5 query->passage cosine; below it a sentence does not answer anything


def best_sentences(question: str, passages: Sequence[Passage], embedder, limit: int) -> list[tuple[int, str, float]]:
    """Up to ``limit`` (passage number, sentence, score) close to the best one, in reading order."""
    ranked = [s for s in rank_sentences(question, [p.text for p in passages], embedder)[:limit]
              if s.score >= MIN_SENTENCE_SCORE]
    # Keep close runners-up only: a sentence far below the best one is padding, not an answer.
    ranked = [s for s in ranked if s.score >= ranked[0].score - 0.04] if ranked else []
    ranked.sort(key=lambda s: (s.source, s.position))
    return [(passages[s.source].n, s.text, s.score) for s in ranked]


def extractive_answer(question: str, language: str, passages: Sequence[Passage], embedder, limit: int) -> str:
    """The answer text with [n] markers, or "" when no sentence is close enough to the question."""
    chosen = best_sentences(question, passages, embedder, limit)
    if not chosen:
        return ""
    body = " ".join(f"{sentence} [{n}]" if not sentence.endswith((".", "!", "?")) else f"{sentence[:-1]} [{n}]{sentence[-1]}"
                    for n, sentence, _ in chosen)
    return f"{EXTRACTIVE_LEAD.get(language, EXTRACTIVE_LEAD['en'])} {body}"
