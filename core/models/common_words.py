"""The everyday words FreeDict's English-Indonesian dictionary lacks, both ways, added to it when it loads.

FreeDict eng-ind (~9,800 headwords) lacks most common words: of the 12,000 most frequent English words
(``wordfreq``'s list, CC-BY-SA 4.0) 5,258 that are no stop word have no entry nor a lemma with one ("seat",
"lunch", "borrower", "height", "rubbish", "said", "children"), and of the rest of its words used at least once in a
million (Zipf frequency 3 or more: 29,151 words in all) 10,155 more ("coastline", "tributary", "exemption",
"readership"; 3,841 of them are names or slang, left untranslated); of the 10,000 most frequent Indonesian words
5,494 are the translation of no headword ("pembudidaya", "klaim", "paket", "kurs", "memiliki"). An English question
over Indonesian reports then cannot name what it counts, nor an Indonesian question over English ones.

``data/common_en_id.tsv`` gives each of those English words its Indonesian translations in the sense news uses
most, ``data/common_id_en.tsv`` each of those Indonesian words its English ones: ``word<TAB>t1, t2`` per line,
``-`` for a word with no useful translation (a name spelled the same, slang, a web word). They were written for
Warta on 2026-12-06 (the 12,000 commonest English words in the morning, the rest down to Zipf 3 in the evening) by
helpers given only the word lists and the rules above (no question, answer or code), the words chosen by frequency
alone, no word picked by hand (the Zipf 3 cut-off, wordfreq's mark of an ordinary word, was chosen after reading
xling's retrieval misses: README). They come after the dictionary's and the news glossary's senses
(``dictionary.with_glossary``).

What they changed, measured on the dev sets and the stories: README, "Quality on the dev data".
"""

from __future__ import annotations

from functools import cache
from importlib import resources

NO_TRANSLATION = "-"


def _pairs(name: str) -> list[tuple[str, list[str]]]:
    """The ``word<TAB>t1, t2`` lines of the data file ``name``, words without a translation left out."""
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        word, _, said = line.partition("\t")
        translations = [t.strip() for t in said.split(",") if t.strip() and t.strip() != NO_TRANSLATION]
        if word.strip() and translations:
            pairs.append((word.strip(), translations))
    return pairs


@cache
def common_words() -> dict[str, list[str]]:
    """English headword -> Indonesian translations, from both files (the Indonesian -> English one read
    backwards: "kurs" -> "exchange rate" makes "exchange rate" -> "kurs")."""
    entries: dict[str, list[str]] = {}
    for english, translations in _pairs("common_en_id.tsv"):
        entries.setdefault(english, []).extend(translations)
    for indonesian, heads in _pairs("common_id_en.tsv"):
        for head in heads:
            entries.setdefault(head, []).append(indonesian)
    return {head: list(dict.fromkeys(translations)) for head, translations in entries.items()}
