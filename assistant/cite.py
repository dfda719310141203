"""Citations as data: parse [n] markers, check what each sentence claims against what it cites, quote.

Small models write markers only sometimes, sometimes wrong, and a marker is no proof: "Presiden Indonesia
sekarang adalah Joko Widodo [1]" cited a 2005 article about Susilo Bambang Yudhoyono. So after generation
(``ground``):

1. markers outside 1..len(passages) are removed, and sentences about the passages are dropped;
2. a sentence with names or numbers must cite passages that state them (``assistant.facts``): it is
   re-cited to the passages that do, its number's scale word is corrected when the passages state that
   number with one scale, or it is removed;
3. a sentence without names or numbers keeps its markers; without one it gets the passage whose sentence is
   closest by embedding similarity, or is removed;
4. markers are renumbered 1..m in order of first use, and each citation carries the passage sentence(s)
   closest to the answer (the quote).

``with_quotes`` then adds, under the answer, the articles' own sentences closest to the question, so a reader
sees what the answer rests on (and a wrong paraphrase next to the sentence it misread).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant.facts import Evidence, NameMatcher, has_facts, respelled, unsupported_facts, with_scale
from assistant.prompts import QUOTE_LEAD, REFUSAL
from assistant.records import Citation, Passage
from core.records import Hit
from core.text.sentences import split_sentences

MARKER = re.compile(r"\s?\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use placeholders for "[" and "]" of kept markers
QUOTE_LINE = "\n\n> "  # what sets the quoted sentences under an answer apart (a Markdown block quote)
SUPPORT_THRESHOLD = 0.83  # e5 "query:" cosine between an answer sentence and a passage sentence

Similarity = Callable[[Sequence[str], Sequence[str]], np.ndarray]  # (a, b) -> |a| x |b| cosine matrix

_REFUSAL_PATTERNS = re.compile(
    r"could not find the answer|cannot find the answer|can't find the answer|"
    r"do(?:es)? not contain (?:the|an|any) answer|"
    r"no information (?:about|on)|not (?:mentioned|covered) in the (?:passages|articles)|"
    r"(?:passages?|articles?) (?:do(?:es)? not|don't|doesn't) (?:state|mention|say|give|specify)|"
    r"tidak menemukan jawaban|tidak (?:ada|terdapat) (?:informasi|jawaban)|tidak disebutkan dalam|"
    r"tidak (?:ada|terdapat) (?:data|keterangan)[^.]{0,40}\b(?:di|dalam) (?:bagian|artikel)",
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


def with_marker(sentence: str, numbers: Sequence[int]) -> str:
    """``sentence`` with its markers replaced by ``numbers``, placed before the final punctuation."""
    sentence = strip_markers(sentence)
    markers = "".join(f"[{n}]" for n in numbers)
    match = re.search(r"([.!?…]+[\"'”’)]*)$", sentence)
    if match:
        return f"{sentence[: match.start()]} {markers}{match.group(1)}"
    return f"{sentence} {markers}"


_META = re.compile(  # sentences about the passages instead of about the news: "The passage [1] provides the reason."
    r"^(?:the |this |these |that )?(?:passage|passages|article|articles|text|source|sources)\b[^.!?]{0,40}?\b"
    r"(?:provides?|mentions?|states?|says|explains?|describes?|gives?|contains?|does not|doesn't|do not|is about)\b"
    r"|^(?:bagian|artikel|teks|sumber|kutipan)\b[^.!?]{0,40}?\b"
    r"(?:memberikan|menyebutkan|menjelaskan|menyatakan|menggambarkan|berisi|memuat|tidak)\b"
    # "This is stated in Passage [1].", "This information is found in passage 2.", "Hal ini disebutkan di bagian [1]."
    r"|^(?:this|that|it|the information|this information)\b[^.!?]{0,30}?\b(?:stated|found|mentioned|given|"
    r"provided|shown|written|explained|evident)\b[^.!?]{0,20}?\b(?:in|by|from) (?:the )?(?:passage|article|text)s?\b"
    r"|^(?:hal ini|ini|informasi ini|informasi tersebut)\b[^.!?]{0,30}?\b(?:disebutkan|dinyatakan|ditemukan|"
    r"dijelaskan|tertulis|terdapat)\b[^.!?]{0,20}?\b(?:di|dalam|pada) (?:bagian|artikel|teks)\b",
    re.IGNORECASE,
)


def is_meta(sentence: str) -> bool:
    """A sentence that talks about the passages rather than the news ("The passage [1] provides the reason for
    this decision.", "Bagian [2] menjelaskan hal ini."): filler, never an answer."""
    return bool(_META.search(strip_markers(sentence).strip()))


@dataclass(frozen=True)
class Grounded:
    """An answer after its citations and claims were checked against the passages."""

    text: str  # with markers renumbered 1..m in order of first use
    citations: list[Citation]
    unsupported: list[str]  # sentences removed: a name or number in no passage, or no passage close to them
    repaired: list[tuple[str, str]]  # (as written, as corrected): a number's scale word, a name's spelling


def _cover(facts_ok: Callable[[Sequence[int]], bool], cited: list[int], order: Sequence[int]) -> list[int] | None:
    """The passages to cite for a sentence: its own markers when they state its facts, else the first single
    passage (in retrieval order) that does, else the first two together; None when none do."""
    if cited and facts_ok(cited):
        return cited
    for n in order:
        if facts_ok([n]):
            return [n]
    for i, a in enumerate(order):
        for b in order[i + 1:]:
            if facts_ok([a, b]):
                return [a, b]
    return None


def ground(
    answer: str,
    passages: Sequence[Passage],
    similarity: Similarity,
    *,
    question: str = "",
    context: Sequence[str] = (),
    language: str = "en",
    translated: NameMatcher | None = None,
    threshold: float = SUPPORT_THRESHOLD,
) -> Grounded:
    """Check and repair the citations and claims of ``answer``.

    Every sentence must cite passages that state its names and numbers (``assistant.facts``); the question and
    ``context`` (the earlier turns) may supply them too. A sentence whose markers point elsewhere is re-cited
    to the passages that state its facts; a number whose scale word is wrong is corrected when the passages
    state that number with one scale ("million" -> "billion"), and a name spelled a little differently from the
    passages (in their own language) is spelled as they spell it; what no passage states is removed and
    returned in ``unsupported``. Sentences without names or numbers keep their markers; without one they get the
    passage whose sentence is closest (e5 ``similarity`` >= ``threshold``) or are removed. Sentences about the
    passages instead of the news ("The passage [1] provides ...") and questions are dropped.
    """
    by_n = {p.n: p for p in passages}
    order = [p.n for p in passages]
    text = rewrite_markers(answer, {n: n for n in by_n})
    # fragments ("L [1]."), filler about the passages and questions (a small model sometimes repeats the
    # question as its answer: "Sejak kapan rakyat Ekuador turun ke jalan [1]?") are not sentences of an answer
    sentences = [s for s in split_sentences(text) if sum(ch.isalnum() for ch in strip_markers(s)) >= 2
                 and not is_meta(s) and not strip_markers(s).rstrip().endswith("?")]
    if not sentences:
        return Grounded("", [], [], [])
    base = [question, *context]
    evidence = {n: Evidence([p.hit.text, *base]) for n, p in by_n.items()}
    everything = Evidence([*(p.hit.text for p in passages), *base])

    def states(numbers: Sequence[int], claim: str) -> bool:
        ev = evidence[numbers[0]] if len(numbers) == 1 else Evidence([*(by_n[n].hit.text for n in numbers), *base])
        return not unsupported_facts(claim, ev, translated=translated)

    source = [(p.n, s) for p in passages for s in split_sentences(p.hit.text) if len(s) > 3]
    claims = [strip_markers(s) for s in sentences]
    sims = similarity(claims, [s for _, s in source]) if source else np.zeros((len(claims), 0))
    kept: list[tuple[str, list[int], int]] = []  # (sentence, cited passage numbers, row in sims)
    unsupported: list[str] = []
    repaired: list[tuple[str, str]] = []
    for i, sentence in enumerate(sentences):
        claim = claims[i]
        cited = [n for n in parse_markers(sentence) if n in by_n]
        if has_facts(claim):
            if translated is None:  # same language: a name is spelled as the passages spell it
                fixed, changes = respelled(claim, everything)
                if changes:
                    repaired.append((claim, fixed))
                    claim = fixed
            missing = unsupported_facts(claim, everything, translated=translated)
            fixable = [m for m in missing if m.kind == "number" and m.repair is not None]
            if missing and len(fixable) == len(missing):
                fixed = claim
                for m in fixable:
                    fixed = with_scale(fixed, m.text, m.repair, language)  # type: ignore[arg-type]  # not None: fixable
                repaired.append((claim, fixed))
                claim = fixed
            chosen = _cover(lambda ns: states(ns, claim), cited, order)  # noqa: B023 (called right here)
            if chosen is None:
                unsupported.append(claim)
                continue
            kept.append((with_marker(claim, chosen), chosen, i))
            continue
        if not cited:
            row = sims[i]
            best = int(np.argmax(row)) if len(source) else -1
            if best < 0 or row[best] < threshold:
                unsupported.append(claim)
                continue
            cited = [source[best][0]]
        kept.append((with_marker(claim, cited), cited, i))
    if not kept:
        return Grounded("", [], unsupported, repaired)
    quotes: dict[int, list[str]] = {}
    for _, cited, i in kept:  # quote the sentence of each cited passage closest to this answer sentence
        for n in cited:
            rows = [j for j, (k, _) in enumerate(source) if k == n]
            if rows:
                quote = source[max(rows, key=lambda j: sims[i][j])][1]
                if quote not in quotes.setdefault(n, []):
                    quotes[n].append(quote)
    text = " ".join(sentence for sentence, _, _ in kept)
    first_use = parse_markers(text)
    mapping = {old: new for new, old in enumerate(first_use, start=1)}
    text = rewrite_markers(text, mapping)
    citations = []
    for old in first_use:
        h = by_n[old].hit
        citations.append(Citation(
            n=mapping[old], article_id=h.article_id, chunk_id=h.chunk_id, title=h.title, outlet=h.outlet,
            published=h.published, url=h.url, passage=h.text, quote=" ".join(quotes.get(old, [])[:2]),
            also_in=h.also_in,
        ))
    return Grounded(text, citations, unsupported, repaired)


def with_quotes(grounded: Grounded, quotes: Sequence[tuple[Hit, str]], lead: str) -> Grounded:
    """``grounded`` followed by the articles' own sentences closest to the question, each with its marker: the
    evidence a reader checks the answer against (a small model's paraphrase can be wrong; the quote cannot be).

    The quotes come as one line after a blank one, ``> {lead} sentence [n] ...``. A passage the answer already
    cites keeps its number; another one is numbered after the answer's. A sentence the answer already holds
    word for word is not repeated; with nothing left to quote the answer is returned as it was.
    """
    said = " ".join(strip_markers(grounded.text).split())
    by_chunk = {c.chunk_id: c for c in grounded.citations}
    citations = list(grounded.citations)
    pieces = []
    for hit, sentence in quotes:
        if " ".join(sentence.split()) in said:
            continue
        citation = by_chunk.get(hit.chunk_id)
        if citation is None:
            citation = Citation(n=len(citations) + 1, article_id=hit.article_id, chunk_id=hit.chunk_id,
                                title=hit.title, outlet=hit.outlet, published=hit.published, url=hit.url,
                                passage=hit.text, quote=sentence, also_in=hit.also_in)
            citations.append(citation)
            by_chunk[hit.chunk_id] = citation
        pieces.append(with_marker(sentence, [citation.n]))
    if not pieces:
        return grounded
    return replace(grounded, text=f"{grounded.text}{QUOTE_LINE}{lead} {' '.join(pieces)}", citations=citations)


def split_quotes(text: str) -> tuple[str, str | None, str]:
    """``(answer, language of the quote line's lead or None, quoted sentences)`` of a text ``with_quotes`` wrote
    (with ``QUOTE_LEAD``); a text without quotes is ``(text, None, "")``."""
    for language, lead in QUOTE_LEAD.items():
        answer, found, quoted = text.partition(f"{QUOTE_LINE}{lead} ")
        if found:
            return answer, language, quoted
    return text, None, ""


def refusal(language: str) -> str:
    return REFUSAL.get(language, REFUSAL["en"])
