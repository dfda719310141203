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
                   limit: int, *, newest: bool = False) -> list[tuple[int, str]]:
    """Up to ``limit`` (passage number, sentence) close to the best one, in reading order (``focus``: see
    ``context.rank_units``). ``newest`` ("latest" questions): only sentences of the most recently published
    passage among those whose sentences answer about as well as the best one, so a figure is not taken from an
    older report when a newer one gives it, nor from a newer article that is about something else."""
    units = rank_units(focus, [replace(p.hit, text=p.text) for p in passages], embedder, encoding)
    if newest and units:  # the newest of the sentences that answer about as well as the best one
        best = max(u.cosine for u in units)
        day = [passages[u.source].hit.published for u in units
               if u.cosine >= max(MIN_SENTENCE_SCORE, best - RUNNER_UP_GAP)]
        if newest_day := max(day, default=""):
            units = [u for u in units if passages[u.source].hit.published == newest_day]
    ranked = [u for u in units[:limit] if u.cosine >= MIN_SENTENCE_SCORE]
    ranked = [u for u in ranked if u.cosine >= ranked[0].cosine - RUNNER_UP_GAP] if ranked else []
    ranked.sort(key=lambda u: (u.source, u.position))
    # a passage's kept sentences are joined by " … " where sentences were left out (``context.select``)
    return [(passages[u.source].n, u.text.strip(" …")) for u in ranked]


def earlier_sentence(focus: Sequence[str], passages: Sequence[Passage], before: str, embedder,
                     encoding) -> tuple[Passage, str] | None:
    """The sentence closest to ``focus`` among passages published before ``before`` (ISO), when one answers at
    all: what an older report said, to show next to the newest one."""
    older = [p for p in passages if p.hit.published and p.hit.published < before]
    units = rank_units(focus, [replace(p.hit, text=p.text) for p in older], embedder, encoding) if older else []
    if not units or units[0].cosine < MIN_SENTENCE_SCORE:
        return None
    return older[units[0].source], units[0].text.strip(" …")


def extractive_answer(focus: Sequence[str], language: str, passages: Sequence[Passage], embedder, encoding,
                      limit: int, *, newest: bool = False) -> str:
    """The answer text with [n] markers, or "" when no sentence is close enough to the question."""
    chosen = best_sentences(focus, passages, embedder, encoding, limit, newest=newest)
    if not chosen:
        return ""
    body = " ".join(f"{sentence} [{n}]" if not sentence.endswith((".", "!", "?"))
                    else f"{sentence[:-1]} [{n}]{sentence[-1]}" for n, sentence in chosen)
    return f"{EXTRACTIVE_LEAD.get(language, EXTRACTIVE_LEAD['en'])} {body}"
