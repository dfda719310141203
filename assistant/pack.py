"""Context packing: number the passages [1]..[n], most relevant first, within a token budget.

Time to first token on 2 cores grows with the prompt (~90 tokens/s of prompt reading), so the budget
is tight. Two ways to fill it:

- ``pack``: whole passages; one that does not fit is cut at a sentence boundary;
- ``pack_focused``: only the sentences of each passage closest to the question (``answer.context_mode
  = "sentences"``), so the same budget holds evidence from more articles.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.focus import ScoredSentence
from assistant.prompts import format_passage
from assistant.records import Passage
from ingest.records import Hit
from ingest.sentences import split_sentences

MIN_TRIMMED_TOKENS = 40  # a trimmed passage shorter than this is not worth its header


def _count(encoding, text: str) -> int:
    return len(encoding.encode(text, disallowed_special=()))


def _trim(text: str, encoding, budget: int) -> str:
    kept: list[str] = []
    used = 0
    for sentence in split_sentences(text):
        cost = _count(encoding, sentence) + 1
        if used + cost > budget:
            break
        kept.append(sentence)
        used += cost
    return " ".join(kept)


def pack(hits: Sequence[Hit], encoding, budget: int) -> list[Passage]:
    """Numbered passages whose formatted size (header included) fits ``budget`` tokens."""
    passages: list[Passage] = []
    used = 0
    for hit in hits:
        n = len(passages) + 1
        header = _count(encoding, format_passage(n, hit.title, hit.outlet, hit.published, "")) + 2
        room = budget - used - header
        if room < MIN_TRIMMED_TOKENS:
            break
        text = hit.text
        tokens = _count(encoding, text)
        if tokens > room:
            text = _trim(text, encoding, room)
            tokens = _count(encoding, text)
            if tokens < MIN_TRIMMED_TOKENS:
                break
        passages.append(Passage(n=n, hit=hit, text=text, tokens=tokens + header))
        used += tokens + header
    return passages


def pack_focused(hits: Sequence[Hit], ranked: Sequence[ScoredSentence], encoding, budget: int) -> list[Passage]:
    """Numbered passages made of each hit's best sentences only (``ranked`` from ``focus.rank_sentences``
    over the hits' texts), within ``budget`` tokens; passages keep retrieval order, sentences reading order.
    """
    chosen: dict[int, list[ScoredSentence]] = {}
    used = 0
    header = _count(encoding, format_passage(9, "", "", "", "")) + 2
    for sentence in ranked:
        hit = hits[sentence.source]
        cost = _count(encoding, sentence.text) + 1
        if sentence.source not in chosen:
            cost += header + _count(encoding, f"{hit.title} ({hit.outlet}, {hit.published})")
        if used + cost > budget:
            continue  # a shorter sentence further down may still fit
        chosen.setdefault(sentence.source, []).append(sentence)
        used += cost
    passages = []
    for n, source in enumerate(sorted(chosen), start=1):
        text = " ".join(s.text for s in sorted(chosen[source], key=lambda s: s.position))
        passages.append(Passage(n=n, hit=hits[source], text=text, tokens=_count(encoding, text)))
    return passages
