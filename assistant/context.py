"""What the answer model reads: the sentences of the retrieved passages that bear on the question, within a
token budget, numbered by passage ([1]..[n]).

The model reads its prompt at ~75 tokens/s on 2 cores, so the budget is small and what fills it decides the
answer: with the question's best e5 sentences only, the gold answer was in the prompt for 75% of the FacQA
tune questions at 300 tokens although retrieval had it for 96%. Three things keep it in:

- sentences are scored by the e5 cosine *and* by how many of the question's keywords they hold (idf-weighted,
  in the passage's language; names and numbers only across languages), plus a small bonus for the passage's
  retrieval rank: e5 alone ranks a sentence that paraphrases the question above the one that answers it;
- long sentences (lists, run-ons) are cut into windows that are scored on their own, so one 300-token
  sentence neither fills the budget nor is skipped whole;
- a sentence that does not fit is skipped and shorter ones further down still get in.

``pack_passages`` (``answer.context_mode = "passages"``) gives whole passages instead, cut at a sentence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.prompts import format_passage
from assistant.records import Passage
from core.records import Hit
from core.text.analyze import analyze, entity_terms
from core.text.lang import detect_language
from core.text.sentences import split_sentences
from core.text.tokens import count_tokens

MIN_WORDS = 3  # shorter pieces are fragments, not answers
HEADING_WORDS = 8  # a line this short without closing punctuation is a heading ("Pernyataan Scale AI")
NEIGHBOURS_OF = 2  # the best this many units bring the sentences just before and after them when they fit
WINDOW_TOKENS = 80  # longer sentences are cut into windows of about this many tokens
KEYWORD_WEIGHT = 0.05  # weight of the keyword share (0..1) next to the e5 cosine (~0.75..0.92)
RANK_WEIGHT = 0.02  # bonus 0.02 / (1 + retrieval rank of the passage)
MIN_TRIMMED_TOKENS = 40  # a whole passage trimmed shorter than this is not worth its header


@dataclass(frozen=True)
class Unit:
    """A sentence (or a window of a long one) of a retrieved passage, scored against the question."""

    source: int  # index of the hit it came from
    position: int  # order within that hit's text
    text: str
    score: float  # what selection ranks by
    cosine: float  # e5 query->passage cosine alone (the extractive backend's threshold is on this)


def _windows(sentence: str, encoding, limit: int) -> list[str]:
    """``sentence`` as pieces of at most ~``limit`` tokens, cut after commas/semicolons where possible (never
    inside parentheses: "Rabu (7/2) siang (Rabu, 7 Februari 2024)" keeps its resolved date whole)."""
    if count_tokens(encoding, sentence) <= limit:
        return [sentence]
    pieces, current = [], ""
    for clause in re.split(r"(?<=[,;:])\s+(?![^()]*\))", sentence):
        candidate = f"{current} {clause}".strip()
        if current and count_tokens(encoding, candidate) > limit:
            pieces.append(current)
            candidate = clause
        while count_tokens(encoding, candidate) > limit:  # one clause longer than a window: cut by words
            words = candidate.split()
            cut = max(1, len(words) * limit // max(count_tokens(encoding, candidate), 1))
            pieces.append(" ".join(words[:cut]))
            candidate = " ".join(words[cut:])
        current = candidate
    if current:
        pieces.append(current)
    return pieces


def keyword_share(question: str, question_lang: str, texts: Sequence[tuple[str, str]]) -> np.ndarray:
    """For each ``(text, lang)``: the idf-weighted share of the question's keywords it contains.

    Keywords are analysed in the text's language: the question's own words when the languages match, only its
    names and numbers when they do not (other words do not carry over between languages). idf is taken over
    ``texts`` themselves, so words every candidate shares count for little.
    """
    names = entity_terms(question)
    terms = [
        set(analyze(question, lang)) if lang == question_lang or question_lang not in ("id", "en")
        else set(analyze(names, lang)) if names else set()
        for _, lang in texts
    ]
    tokens = [set(analyze(text, lang)) for text, lang in texts]
    df: dict[str, int] = {}
    for found in tokens:
        for word in found:
            df[word] = df.get(word, 0) + 1
    n = len(texts)
    shares = np.zeros(n, np.float32)
    for i, (wanted, found) in enumerate(zip(terms, tokens)):
        weights = {w: math.log(1 + n / (1 + df.get(w, 0))) for w in wanted}
        total = sum(weights.values())
        if total:
            shares[i] = sum(v for w, v in weights.items() if w in found) / total
    return shares


def _is_heading(piece: str) -> bool:
    return len(piece.split()) < HEADING_WORDS and not re.search(r"[.!?…:;\"'”’)]$", piece)


def rank_units(focus: Sequence[str], hits: Sequence[Hit], embedder, encoding) -> list[Unit]:
    """Every sentence (window) of ``hits`` with at least ``MIN_WORDS`` words, best first.

    ``focus`` is what the sentences must answer (``FollowUp.focus``): the question, or a follow-up and the previous
    question joined with it. A sentence's cosine is the mean of its cosines to each text, so it must answer what is
    asked *and* be about what the conversation is about; its keyword share counts the words of all of them.
    """
    found = [
        (i, j, piece)
        for i, hit in enumerate(hits)
        for j, piece in enumerate(p for s in split_sentences(hit.text) for p in _windows(s, encoding, WINDOW_TOKENS))
        if len(piece.split()) >= MIN_WORDS and not _is_heading(piece)
    ]
    if not found:
        return []
    q = embedder.queries(list(focus)).mean(axis=0)
    cosines = embedder.passages([text for _, _, text in found]) @ q
    joined = " ".join(focus)
    shares = keyword_share(joined, detect_language(joined, default="other"),
                           [(text, hits[i].lang) for i, _, text in found])
    scores = cosines + KEYWORD_WEIGHT * shares + np.array([RANK_WEIGHT / (1 + i) for i, _, _ in found])
    order = np.argsort(-scores, kind="stable")
    return [Unit(found[k][0], found[k][1], found[k][2], float(scores[k]), float(cosines[k])) for k in order]


def _header_tokens(encoding, hit: Hit) -> int:
    return count_tokens(encoding, format_passage(9, hit.title, hit.published, "")) + 2


def select(hits: Sequence[Hit], ranked: Sequence[Unit], encoding, budget: int) -> list[Passage]:
    """Numbered passages made of the best-ranked units that fit ``budget`` tokens (headers included);
    passages are numbered by their best unit (the sentence closest to the question is in [1]: a small model
    leans on the first passage), units keep reading order, and a gap between kept units shows as "…"."""
    chosen: dict[int, list[Unit]] = {}
    used = 0
    by_place = {(u.source, u.position): u for u in ranked}

    def take(unit: Unit) -> None:
        nonlocal used
        if unit in chosen.get(unit.source, ()):
            return
        cost = count_tokens(encoding, unit.text) + 1
        if unit.source not in chosen:
            cost += _header_tokens(encoding, hits[unit.source])
        if used + cost > budget:
            return  # a shorter unit further down may still fit
        chosen.setdefault(unit.source, []).append(unit)
        used += cost

    for rank, unit in enumerate(ranked):
        take(unit)
        if rank < NEIGHBOURS_OF and unit in chosen.get(unit.source, ()):
            # the sentence before names who "ia"/"it" is; the one after often holds the reason or the number
            for step in (-1, 1):
                neighbour = by_place.get((unit.source, unit.position + step))
                if neighbour is not None:
                    take(neighbour)
    passages = []
    for n, source in enumerate(chosen, start=1):  # the passage holding the best sentence first
        units = sorted(chosen[source], key=lambda u: u.position)
        text = units[0].text
        for before, unit in zip(units, units[1:]):
            text += (" " if unit.position == before.position + 1 else " … ") + unit.text
        passages.append(Passage(n=n, hit=hits[source], text=text, tokens=count_tokens(encoding, text)))
    return passages


def _trim(text: str, encoding, budget: int) -> str:
    kept: list[str] = []
    used = 0
    for sentence in split_sentences(text):
        cost = count_tokens(encoding, sentence) + 1
        if used + cost > budget:
            break
        kept.append(sentence)
        used += cost
    return " ".join(kept)


def pack_passages(hits: Sequence[Hit], encoding, budget: int) -> list[Passage]:
    """Whole passages, most relevant first, within ``budget`` tokens; the last one cut at a sentence."""
    passages: list[Passage] = []
    used = 0
    for hit in hits:
        room = budget - used - _header_tokens(encoding, hit)
        if room < MIN_TRIMMED_TOKENS:
            break
        text = hit.text
        if count_tokens(encoding, text) > room:
            text = _trim(text, encoding, room)
            if count_tokens(encoding, text) < MIN_TRIMMED_TOKENS:
                break
        tokens = count_tokens(encoding, text)
        passages.append(Passage(n=len(passages) + 1, hit=hit, text=text, tokens=tokens))
        used += tokens + _header_tokens(encoding, hit)
    return passages
