"""Sentence splitting that is safe for Indonesian and English news text.

Rules that matter here: a period inside a number is not a boundary ("US$14,3 miliar", "Rp472 triliun",
"3.5 persen", "14.300"); abbreviations are not boundaries ("Jl. Sudirman", "Dr. Budi", "dll.", "U.S.",
"No. 5"); single capital initials ("B. J. Habibie") are not boundaries; line breaks between paragraphs
always are.
"""

from __future__ import annotations

import re

# Lower-cased, without the final period. Indonesian and English news abbreviations.
ABBREVIATIONS = frozenset(
    """jl jln no nos hlm hal dr drs dra ir prof h hj kh st sh se mm mt msi mh md spd skm sp tn ny nn sdr
    bpk yth dll dsb dst tsb sbg dkk kab kec kel prov gub bup wamen kapolri pt cv tbk ltd co inc corp bros
    mr mrs ms st jr sr vs etc eg ie al approx dept est fig gen gov govt lt col capt sgt rep sen jan feb
    mar apr jun jul aug agu sep sept okt oct nov des dec rp u.s a.s p.m a.m""".split()
)

# A boundary candidate: terminal punctuation, optional closing quotes/brackets, then whitespace.
_CANDIDATE = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\s+)")
_WORD_BEFORE = re.compile(r"([\w.$]+)$", re.UNICODE)


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    punct = match.group(1)
    end = match.end()
    if end >= len(text):
        return True
    nxt = text[end]
    # The next sentence must start like one: capital letter, digit, quote or bracket.
    if not (nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘([" ):
        return False
    if punct != ".":
        return True
    before = _WORD_BEFORE.search(text, 0, match.start())
    if before is None:
        return True
    word = before.group(1).rstrip(".").lower()
    if word in ABBREVIATIONS or word.replace(".", "") in ABBREVIATIONS:
        return False
    # Initials such as "B. J. Habibie" or "A.S." (Amerika Serikat).
    if len(word) == 1 and word.isalpha():
        return False
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
        return False
    return True


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences; paragraph and line breaks always end a sentence."""
    sentences: list[str] = []
    for line in re.split(r"\n\s*\n|\n", text):
        line = line.strip()
        if not line:
            continue
        start = 0
        for match in _CANDIDATE.finditer(line):
            if _is_boundary(line, match):
                piece = line[start : match.end()].strip()
                if piece:
                    sentences.append(piece)
                start = match.end()
        rest = line[start:].strip()
        if rest:
            sentences.append(rest)
    return sentences
