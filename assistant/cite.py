"""Citations as data: parse [n] markers, drop the ones that point nowhere, add the missing ones, quote.

Small models write markers only sometimes, and sometimes wrong. So after generation:

1. markers outside 1..len(passages) are removed;
2. every answer sentence is matched to the passage sentences by embedding similarity; a sentence
   without a marker gets the marker of its best-supporting passage, or is listed as unsupported;
3. markers are renumbered 1..m in order of first use, and each citation carries the passage
   sentence(s) that support the answer (the quote).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from assistant.prompts import REFUSAL
from assistant.records import Citation, Passage
from ingest.sentences import split_sentences

MARKER = re.compile(r"\s?\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use placeholders for "[" and "]" of kept markers
SUPPORT_THRESHOLD = 0.83  # e5 "query:" cosine between an answer sentence and a passage sentence

Similarity = Callable[[Sequence[str], Sequence[str]], np.ndarray]  # (a, b) -> |a| x |b| cosine matrix

_REFUSAL_PATTERNS = re.compile(
    r"could not find the answer|cannot find the answer|can't find the answer|do(?:es)? not contain (?:the|an|any) answer|"
    r"no information (?:about|on)|not (?:mentioned|covered) in the (?:passages|articles)|"
    r"tidak menemukan jawaban|tidak (?:ada|terdapat) (?:informasi|jawaban)|tidak disebutkan dalam",
    re.IGNORECASE,
)


def _numbers(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group):
        if re.fullmatch(r"\d+\s*[–-]\s*\d+", part):
            lo, hi = (int(x) for x in re.split(r"\s*[–-]\s*", part))
            if 0 < hi - lo < 10:
                out.extend(range(lo, hi + 1))
                continue
            out.extend((lo, hi))
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def parse_markers(text: str) -> list[int]:
    """Passage numbers cited in ``text``, in order of first appearance ("[1, 3]" and "[2-4]" expand)."""
    seen: list[int] = []
    for match in MARKER.finditer(text):
        for n in _numbers(match.group(1)):
            if n not in seen:
                seen.append(n)
    return seen


def strip_markers(text: str) -> str:
    return re.sub(r"\s+([.,;:!?])", r"\1", MARKER.sub("", text)).strip()


def rewrite_markers(text: str, mapping: dict[int, int]) -> str:
    """Replace each marker group by the mapped numbers; numbers not in ``mapping`` are dropped.

    Kept markers are held as placeholders until the end, and removing a marker can join its neighbours
    into a new one ("[[9]3]" -> "[3]"): such accidental markers are removed too, never mapped.
    """

    def repl(match: re.Match[str]) -> str:
        numbers: list[int] = []
        for n in _numbers(match.group(1)):
            if n in mapping and mapping[n] not in numbers:
                numbers.append(mapping[n])
        return " " + "".join(f"{_OPEN}{n}{_CLOSE}" for n in numbers) if numbers else ""

    text = MARKER.sub(repl, text.replace(_OPEN, "").replace(_CLOSE, ""))
    while MARKER.search(text):
        text = MARKER.sub("", text)
    text = text.replace(_OPEN, "[").replace(_CLOSE, "]")
    text = re.sub(r"(\[\d+\])(\s*\1)+", r"\1", text)  # "[1] [1]" -> "[1]"
    return re.sub(r"\s+([.,;:!?])", r"\1", text).strip()


def is_refusal(text: str) -> bool:
    return bool(_REFUSAL_PATTERNS.search(text))


def _with_marker(sentence: str, n: int) -> str:
    match = re.search(r"([.!?…]+[\"'”’)]*)$", sentence)
    if match:
        return f"{sentence[: match.start()]} [{n}]{match.group(1)}"
    return f"{sentence} [{n}]"


def attach_citations(
    answer: str, passages: Sequence[Passage], similarity: Similarity, *, threshold: float = SUPPORT_THRESHOLD
) -> tuple[str, list[Citation], list[str]]:
    """Verify and repair the citations of ``answer``; returns (text, citations, unsupported sentences)."""
    by_n = {p.n: p for p in passages}
    text = rewrite_markers(answer, {n: n for n in by_n})
    sentences = [s for s in split_sentences(text) if strip_markers(s)]
    if not sentences:  # nothing but markers: nothing to cite
        return strip_markers(text), [], []
    source = [(p.n, s) for p in passages for s in split_sentences(p.text) if len(s) > 3]
    claims = [strip_markers(s) for s in sentences]
    sims = similarity(claims, [s for _, s in source]) if source else np.zeros((len(claims), 0))
    quotes: dict[int, list[str]] = {}
    unsupported: list[str] = []
    repaired: list[str] = []
    for i, sentence in enumerate(sentences):
        row = sims[i]
        cited = [n for n in parse_markers(sentence) if n in by_n]
        if not cited:
            best = int(np.argmax(row)) if len(source) else -1
            if best < 0 or row[best] < threshold:
                unsupported.append(claims[i])
                repaired.append(sentence)
                continue
            cited = [source[best][0]]
            sentence = _with_marker(sentence, cited[0])
        for n in cited:  # quote the sentence of each cited passage closest to this answer sentence
            rows = [j for j, (k, _) in enumerate(source) if k == n]
            if rows:
                quote = source[max(rows, key=lambda j: row[j])][1]
                if quote not in quotes.setdefault(n, []):
                    quotes[n].append(quote)
        repaired.append(sentence)
    text = " ".join(repaired)
    order = parse_markers(text)
    mapping = {old: new for new, old in enumerate(order, start=1)}
    text = rewrite_markers(text, mapping)
    citations = []
    for old in order:
        p = by_n[old]
        h = p.hit
        citations.append(Citation(
            n=mapping[old], article_id=h.article_id, chunk_id=h.chunk_id, title=h.title, outlet=h.outlet,
            published=h.published, url=h.url, passage=h.text, quote=" ".join(quotes.get(old, [])[:2]),
        ))
    return text, citations, unsupported


def refusal(language: str) -> str:
    return REFUSAL.get(language, REFUSAL["en"])
