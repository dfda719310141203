"""What a question names, and whether a report is about it.

A collection of news holds other events of the same kind: the whirlwind in the next regency, the armyworm on the
next island, a bribery case in another league. Their reports count the same things ("410 warga mengungsi", "Rp 2.1
billion in emergency funds"), so a question about *this* event ("... di Pandansewu", "... Pemkab Sandawa Timur") is
answered only from reports about the place or body it names: the article's title or lead names it, or the sentence
that gives the figure does (a market report from the island: "antrean truk *di Labuan Sarai* tinggal 18 truk").

What tells the places apart is a question's *proper* names, the words the dictionary does not translate
("Pandansewu", "Sagaraloka"; not "Kabupaten", "Liga", "Bay"), each with the direction its name holds: "Sandawa Timur"
is not "Sandawa Barat" (written "East Sandawa" in English), while "Tanjung Marawa", "Marawa" and "Marawa regency"
are one place. A question without a proper name falls back to any of its names.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.models.dictionary import Translate
from core.records import Hit
from core.text.analyze import name_runs, words

# Directions that are part of a place's name, both languages, to one key: "Sandawa Timur" = "East Sandawa".
DIRECTIONS = {
    "timur": "east", "east": "east", "barat": "west", "west": "west", "utara": "north", "north": "north",
    "selatan": "south", "south": "south", "tengah": "central", "central": "central",
    "tenggara": "southeast", "southeast": "southeast", "southwest": "southwest", "northeast": "northeast",
    "northwest": "northwest",
}


@dataclass(frozen=True)
class Named:
    """A question's names: ``proper``, each proper name with the directions of the name it is part of ("sandawa",
    {"east"}); ``any``, every folded name word, for a question without a proper name."""

    proper: tuple[tuple[str, frozenset[str]], ...] = ()
    any: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.proper or self.any)

    def said_by(self, text: str) -> bool:
        """Whether ``text`` names what the question names: one of its proper names with the direction of its name
        right before or after it ("Sandawa Timur", "East Sandawa"), or, without proper names, one of its names."""
        found = words(text)
        if not self.proper:
            return not self.any.isdisjoint(found)
        for name, directions in self.proper:
            for at, word in enumerate(found):
                if word != name:
                    continue
                beside = {DIRECTIONS.get(found[i]) for i in (at - 1, at + 1) if 0 <= i < len(found)}
                if directions <= beside:
                    return True
        return False


def question_names(question: str, language: str, translate: Translate | None = None) -> Named:
    """What ``question`` (in ``language``) names (``Named``). A proper name is a word that ``translate`` does not
    translate, not a direction and not a two-letter abbreviation ("PT", "TV"); without ``translate`` every name is."""
    proper: list[tuple[str, frozenset[str]]] = []
    every: set[str] = set()
    for run in name_runs(question):
        every.update(run)
        directions = frozenset(DIRECTIONS[w] for w in run if w in DIRECTIONS)
        for word in run:
            if word in DIRECTIONS or len(word) <= 2 or not word.isalpha():
                continue
            if translate is None or not translate(word, language):
                proper.append((word, directions))
    return Named(tuple(dict.fromkeys(proper)), frozenset(every))


def reports_on(named: Named, hit: Hit, sentence: str = "") -> bool:
    """Whether ``hit`` (a passage) is from a report about what a question names (``named``; any report when it names
    nothing): the article's title or lead (the first paragraph of its first passage) names it ("Wanakerti", "KMP
    Citra Bahari": a report filed from a village of the regency names the village in its title and the regency in
    its lead), or ``sentence``, the one that gives what is asked, does (a market report from the island: "antrean
    truk *di Labuan Sarai* tinggal 18 truk"). The lead is the first paragraph: its first sentence often gives the
    news and the next one where ("Total ganti rugi ... mencapai Rp 4,36 miliar. Senin siang, Polres Muara Kelawai
    menetapkan Kepala TBBM *Sungai Gelumbang* ... sebagai tersangka ketiga.")."""
    if not named:
        return True
    lead = hit.text.strip().split("\n\n", 1)[0] if hit.index == 0 else ""
    return named.said_by(f"{hit.title} {lead}") or bool(sentence) and named.said_by(sentence)
