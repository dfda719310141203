"""The extractive backend: no LLM; the passage sentences closest to the question, with their markers.

Deterministic, fast, and the fallback when the answer model fails or nothing of its answer could be
verified. Sentences are quoted in the article's own language, introduced by a lead in the question's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assistant.context import rank_units
from assistant.prompts import EXTRACTIVE_LEAD
from assistant.records import Passage

MIN_SENTENCE_SCORE = 0.80  # e5 query->passage cosine; below it a sentence does not answer anything
RUNNER_UP_GAP = 0.04  # sentences further below the best one are padding, not answers


def best_sentences(focus: Sequence[str], passages: Sequence[Passage], embedder, encoding,
                   limit: int) -> list[tuple[int, str]]:
    """Up to ``limit`` (passage number, sentence) close to the best one, in reading order (``focus``: see
    ``context.rank_units``)."""
    units = rank_units(focus, [replace(p.hit, text=p.text) for p in passages], embedder, encoding)
    ranked = [u for u in units[:limit] if u.cosine >= MIN_SENTENCE_SCORE]
    ranked = [u for u in ranked if u.cosine >= ranked[0].cosine - RUNNER_UP_GAP] if ranked else []
    ranked.sort(key=lambda u: (u.source, u.position))
    # a passage's kept sentences are joined by " … " where sentences were left out (``context.select``)
    return [(passages[u.source].n, u.text.strip(" …")) for u in ranked]


def extractive_answer(focus: Sequence[str], language: str, passages: Sequence[Passage], embedder, encoding,
                      limit: int) -> str:
    """The answer text with [n] markers, or "" when no sentence is close enough to the question."""
    chosen = best_sentences(focus, passages, embedder, encoding, limit)
    if not chosen:
        return ""
    body = " ".join(f"{sentence} [{n}]" if not sentence.endswith((".", "!", "?"))
                    else f"{sentence[:-1]} [{n}]{sentence[-1]}" for n, sentence in chosen)
    return f"{EXTRACTIVE_LEAD.get(language, EXTRACTIVE_LEAD['en'])} {body}"
