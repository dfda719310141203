"""What a count of people says happened to them: died, in hospital, injured, missing, recovered, survived, made a
suspect, detained, released; and what a count of things does: cancelled, delayed, destroyed (animals culled),
vaccinated, grounded (out of service), back in service, damaged badly, moderately or lightly, blocked (money frozen,
apps blocked). Rules, both languages.

A developing story counts the same people several ways in one sentence ("Kecelakaan itu menewaskan 16 orang dan
melukai 86 orang", "180 orang luka-luka dan 152 di antaranya masih dirawat"), and every report counts its victims
("korban", "victims"), so the noun a question counts does not tell its figure from the others: what it says of them
does ("Berapa *korban jiwa* ...?", "How many of those hurt are *still in hospital*?"). ``asked_condition`` reads
that from the question, ``condition_counts`` reads which of a sentence's figures count people in that condition: each
figure belongs to the condition named nearest to it between the figures before and after it ("menewaskan *16*
orang", "*86* injured"), a condition said of it as a predicate first ("Forty-one people injured in the crush *are still
in hospital*"), and, for a part of a group ("152 *di antaranya*", "Six *of the injured*"), the condition said of the
part, not of the group. A figure whose noun is itself a condition counts in it as well ("Twelve *suspects* are now
in custody": suspects, and detained).
"""

from __future__ import annotations

import functools
import re
from typing import Literal

from assistant.asks import PEOPLE_NOUNS, compound_head, is_money, reported, stem, turns_to, word_after

Condition = Literal["died", "hospitalised", "injured", "missing", "recovered", "survived", "suspect", "detained",
                    "released", "cancelled", "delayed", "destroyed", "vaccinated", "grounded", "in_service",
                    "badly_damaged", "moderately_damaged", "lightly_damaged", "blocked"]

# How news says it, both languages. Not "rawat jalan" (outpatients) nor "perawatan intensif", "dirawat di ICU" (a part
# of those in hospital), nor "kehilangan" (lost: "pelanggan kehilangan aliran listrik"), nor "have been treated for" an
# illness (all it infected, in hospital or not: ``asks.asked_state``).
_FORMS: dict[Condition, str] = {
    "recovered": r"sembuh|dipulangkan|(?:diperbolehkan|dibolehkan|boleh|sudah|telah)\s+pulang|(?:pulang|kembali)\s+ke"
                 r"\s+rumah|recovered|discharged|(?:gone|went|sent|returned|come|came)\s+(?:back\s+)?"
                 r"(?:to\s+(?:their\s+)?)?homes?|released\s+from\s+(?:the\s+)?hospitals?|left\s+(?:the\s+)?hospitals?",
    "died": r"meninggal(?:\s+dunia)?|tewas|wafat|korban\s+jiwa|kematian|menewaskan|merenggut\s+nyawa|meregang\s+nyawa|"
            r"death\s+toll|deaths?|dead|died|killed|killing|fatalit(?:y|ies)|jenazah|bodies|nyawa|lives",
    "hospitalised": r"(?:di)?rawat(?:\s+inap)?(?!\s+jalan|\s+di\s+(?:ruang\s+)?(?:ICU|ICCU|PICU|NICU|HCU)\b)|"
                    r"rawat\s+inap|perawatan(?!\s+intensif)|(?:di)?opname|"
                    r"in\s+(?:the\s+)?hospitals?|hospitali[sz]ed|(?:being|still)\s+treated|been\s+treated(?!\s+for\b)|"
                    r"under\s+treatment|"
                    r"receiving\s+treatment|inpatients?",
    "injured": r"luka(?:-luka)?(?:\s+(?:berat|ringan))?|terluka|cedera|melukai|injur(?:ed|ies|y|ing)|hurt|wounded",
    # not found yet: people missing, and people sought who are still at large ("belum tertangkap": not detained); not
    # the nouns "buronan", "fugitives": a figure of them may be of those caught ("menangkap tiga buronan")
    "missing": r"hilang|belum\s+ditemukan|masih\s+dicari|(?:belum|tidak|tak)\s+diketahui\s+keberadaannya|missing|"
               r"unaccounted(?:\s+for)?|whereabouts\s+(?:are\s+|is\s+)?(?:still\s+)?unknown|belum\s+(?:di|ter)tangkap|"
               r"buron|at\s+large|on\s+the\s+run",
    "survived": r"(?:ditemukan\s+)?selamat|diselamatkan|menyelamatkan|survived|survivors?|rescued|found\s+alive",
    "suspect": r"tersangka|suspects?",
    # held by the police, and let go ("released from hospital" is recovered: that form comes first)
    # verbs, not the nouns that name who is counted ("Berapa *tahanan* yang masih buron?", "detainees")
    "detained": r"(?:di|ter)tangkap|menangkap|(?:di)?amankan|mengamankan|ditahan|menahan|dibekuk|diciduk|detained|"
                r"(?:re-?)?arrested|(?:re)?captured|in\s+custody",
    "released": r"dibebaskan|membebaskan|dilepas(?:kan)?|melepas(?:kan)?|released|freed|set\s+free|let\s+go",
}
# What happened to things a story counts one by one: flights and trips cancelled or delayed, animals culled (and
# goods or fields destroyed) or vaccinated, aircraft, ships or machines kept out of service and back in it
# ("membatalkan 412 penerbangan", "301 flights delayed", "97.300 ekor unggas dimusnahkan", "tinggal dua pesawat yang
# masih dikandangkan", "seven have been cleared to fly again"), and how badly buildings were damaged ("dari 285 rumah
# itu, 55 *rusak berat*", "46 are *badly damaged*": a count of all damaged homes is none of them).
_THING_FORMS: dict[Condition, str] = {
    "cancelled": r"(?:di)?batal(?:kan)?|membatalkan|pembatalan|cancel(?:l?ed|lations?|s)?",
    "delayed": r"terlambat|keterlambatan|(?:di|ter)tunda|menunda|penundaan|delay(?:ed|s)?",
    "destroyed": r"(?:di)?musnahkan|memusnahkan|pemusnahan|dimatikan|culled|culling|destroyed|slaughtered",
    "vaccinated": r"divaksin(?:asi)?|vaksinasi|disuntik|menyuntik|diimunisasi|vaccinated|vaccinations?|inoculated|"
                  r"immuni[sz]ed",
    "in_service": r"kembali\s+(?:di)?(?:terbang|mengudara|beroperasi|operasikan|berlayar|melayani|digunakan)|"
                  r"(?:boleh|bisa|diizinkan)\s+(?:terbang|beroperasi|dioperasikan|berlayar)\s+(?:lagi|kembali)|"
                  r"(?:returned|back)\s+(?:to|in)\s+(?:service|operation)|cleared\s+to\s+fly|flying\s+again",
    "grounded": r"(?:di)?kandangkan|mengandangkan|pengandangan|"
                r"(?:dilarang|(?:tidak|belum)\s+(?:boleh|bisa|dapat|diizinkan))\s+(?:di)?(?:terbang|mengudara|"
                r"beroperasi|operasikan|berlayar)|grounded|grounding|(?:taken|pulled|withdrawn|kept)\s+out\s+of\s+"
                r"service|out\s+of\s+service",
    "badly_damaged": r"rusak\s+berat|(?:badly|heavily|severely|seriously)\s+damaged|severe\s+damage",
    "moderately_damaged": r"rusak\s+sedang|moderately\s+damaged|moderate\s+damage",
    "lightly_damaged": r"rusak\s+ringan|(?:lightly|slightly)\s+damaged|(?:light|minor)\s+damage",
    # money frozen and apps or sites blocked: "PPATK memblokir dana Rp 20,9 miliar", "has now frozen Rp 22.4 billion",
    # "total aplikasi jaringan itu yang diblokir menjadi 38 aplikasi"
    "blocked": r"(?:di|ter)?blokir|memblokir|pemblokiran|(?:di)?bekukan|membekukan|pembekuan|frozen|froze|"
               r"freez(?:e|es|ing)|blocked|blocking",
}


def _pattern(forms: dict[Condition, str]) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?P<{name}>\b(?:{form})\b)" for name, form in forms.items()), re.IGNORECASE)


# One pattern each, the longer forms first ("released from hospital" is recovered, not in hospital).
_MARK = _pattern(_FORMS)
_THING_MARK = _pattern(_THING_FORMS)
# Said of the people as a predicate: "are still in hospital", "masih dirawat", "remain missing", "were killed".
# Not "yang" / "who": "menemukan tujuh nelayan *yang* hilang" says who they were, not what they are.
_PREDICATE = re.compile(r"\b(?:is|are|was|were|been|remain(?:s|ed)?|still|now|masih|kini|sudah|telah|tinggal|"
                        r"sedang|tengah|have|has|had)\s+(?:[^\W\d_]+\s+)?$", re.IGNORECASE)
# A part of a group named right after a figure: "152 *di antaranya*", "Six *of the injured*", "268 *of them*"; not "224
# *out of* the 268 people aboard" (of all of them).
_PART = re.compile(r"^\s*(?!out\s+of\b)(?:[^\W\d_]+\s+)?(?:di\s+antaranya|di\s+antara\s+mereka|dari\s+mereka|of\s+them|"
                   r"of\s+whom|among\s+them|of\s+(?:the|those))\b", re.IGNORECASE)
# ... of a total: "53 *of the 61* inmates"
_OF_A_TOTAL = re.compile(r"^\s*of\s+the\s+\d", re.IGNORECASE)
# Bodies found are what a search found that day, not the count of the dead: "menemukan *lima jenazah*", "recovered six
# bodies" (the word still names the dead for a figure near it: "menemukan enam jenazah, korban kini *18*").
_BODIES = re.compile(r"\s*(?:jenazah|bodies)\b", re.IGNORECASE)
# A comma or a semicolon between a figure and a condition weighs as this many words: "Selain korban meninggal, *180*
# orang luka-luka" is about the injured.
_CLAUSE_WORDS = 3
# Who counts, not who is counted: "How many rescuers are searching for the missing fishermen?"
_RESPONDERS = frozenset(stem(word) for word in """
    petugas personel personil relawan tim dokter perawat tenaga penyidik polisi tentara prajurit saksi
    rescuer officer personnel volunteer doctor nurse investigator police soldier witness
    """.split())
# Words after a figure of people: a noun for them, or words that say something of them ("12 *masih* dirawat", "23
# *were* killed", "152 *di* antaranya"); another noun after it counts something else ("15 *keluarga*", "sembilan
# *rumah* sakit").
_AFTER_PEOPLE = frozenset("""
    di dari of out in at on among were was are is have has had remain remained remains still now who yang masih sudah
    telah kini tinggal sedang tengah lagi more other others
    after since following when as by for with from and or while setelah sejak pada karena akibat usai hingga sampai
    dengan dalam dan atau serta sementara sedangkan
    """.split())  # and words that name nothing: "The death toll rose to 20 *after* a girl died"


def names_condition(word: str) -> bool:
    """Whether ``word`` is itself a condition ("How many of those *hurt* ...?", "the *injured*"): what it counts is
    people, whatever else the question asks about them."""
    return _MARK.fullmatch(word) is not None


def responds(thing: str) -> bool:
    """Whether ``thing`` (``asks.asked_thing``) names those who respond to a disaster (rescuers, officers, doctors),
    not those it struck."""
    return stem(thing) in _RESPONDERS


_VICTIMS: tuple[Condition, ...] = ("died", "hospitalised", "injured", "missing", "recovered", "survived")


def victims_counted(sentence: str) -> frozenset[float]:
    """The figures of ``sentence`` that count people a disaster struck (dead, missing, in hospital, rescued, ...) by
    a noun that is not one of those who respond: none of them counts rescuers or officers ("Rescuers will end the
    search ..., with *19 people* still missing"; not "*five police officers* were hurt")."""
    struck = frozenset().union(*(condition_counts(sentence, condition) for condition in _VICTIMS))
    if not struck:
        return struck
    responders = {q.value for q, _, rest in reported(sentence)[1] if (word := word_after(rest)) and responds(word)}
    return struck - responders


def names_a_condition(question: str) -> bool:
    """Whether ``question`` names a condition of people at all, of those it counts or not ("Berapa polisi yang
    *terluka*?"), but not of others ("searching for *the missing* fishermen")."""
    return _last_condition(question, _MARK) is not None


def asked_condition(question: str, thing: str) -> Condition | None:
    """What a question that counts people (``thing``, ``asks.asked_thing``) asks happened to them, the last condition
    it names ("Berapa korban luka gempa yang masih *dirawat di rumah sakit*?": in hospital; "What is the latest *death
    toll*?": died); ``None`` when it names none, or counts those who respond (rescuers, officers, witnesses)."""
    if responds(thing):
        return None
    return _last_condition(question, _MARK)


def asked_happening(question: str) -> Condition | None:
    """What a question that counts things asks happened to them, the last it names ("How many flights have been
    *delayed* ...?", "berapa ekor unggas yang *dimusnahkan*?"); ``None`` when it names none."""
    return _last_condition(question, _THING_MARK)


def of_things(condition: Condition) -> bool:
    """Whether ``condition`` is what happened to things (``asked_happening``), not to people."""
    return condition in _THING_FORMS


def _last_condition(question: str, pattern: re.Pattern[str]) -> Condition | None:
    marks = [m for m in pattern.finditer(question) if not _attributive(question[:m.start()])]
    return _condition(marks[-1]) if marks else None


# Before a condition said of others: "searching for the missing fishermen", "repair aid *for each* badly damaged
# house", "penumpang yang *penerbangannya* batal" (a noun with "-nya" is whose flight it was).
_ATTRIBUTIVE = re.compile(r"\b(?:(?:for|to|of|from|with|mencari|untuk)\s+(?:(?:the|a|an|each|every)\s+)?|"
                          r"[^\W\d_]{3,}nya\s+)$", re.IGNORECASE)


def _attributive(before: str) -> bool:
    """Whether a condition right after ``before`` names other people or things than those counted: "searching for
    *the* missing fishermen", "berapa uang tiket yang dikembalikan kepada penumpang yang *penerbangannya* batal"."""
    return _ATTRIBUTIVE.search(before) is not None


_BY_NAME: dict[str | None, Condition] = {name: name for name in (*_FORMS, *_THING_FORMS)}


def _condition(mark: re.Match[str]) -> Condition:
    return _BY_NAME[mark.lastgroup]  # the named group of ``_MARK`` that matched


@functools.lru_cache(maxsize=4096)
def condition_counts(sentence: str, condition: Condition) -> frozenset[float]:
    """The figures of ``sentence`` that count people in ``condition`` (see the module's docstring): given as the
    report's figure (not an older value, a change, nor money but for what happened to things), of people (a person
    noun after it, or words that say something of them), and nearest to that condition; for what happened to things
    (``asked_happening``), the figures nearest to it of any thing (what they count is the caller's to check). Read
    once per sentence and condition: an answer's sentences are asked again by the figure finder, the ranking and the
    newest report (as ``asks.reported`` is)."""
    text, found = reported(sentence)
    things = of_things(condition)
    pattern = _THING_MARK if things else _MARK
    marks = list(pattern.finditer(text))
    # a change between a condition and its figure does not part them: "Korban meninggal bertambah *dua* menjadi 33";
    # nor does the older value it changed from: "jumlah korban meninggal *dari 19* menjadi 17 orang"
    bounds = [q for q, reading, rest in found if reading != "other" and not (reading == "older" and turns_to(rest))]
    # things it happens to are also counted per span of time ("26 perjalanan per hari dibatalkan": whether a rate is
    # asked is the caller's to check)
    counted = ("figure", "rate") if things else ("figure",)
    out: set[float] = set()
    for q, reading, rest in found:
        if reading not in counted or q.percent or is_money(q) and not things:
            continue  # money is counted only as a thing it happened to ("dana Rp 20,9 miliar diblokir")
        if not things and (not _of_people(rest) or _BODIES.match(rest)):
            continue  # of people: a noun for them or words said of them after it; not bodies found that day
        start = max((b.end for b in bounds if b.end <= q.start), default=0)
        end = min((b.start for b in bounds if b.start >= q.end), default=len(text))
        before = [m for m in marks if start <= m.start() and m.end() <= q.start]
        after = [m for m in marks if q.end <= m.start() and m.end() <= end]
        # a noun after the figure that is a condition says it too: "Twelve *suspects* are now in custody"
        named = pattern.match(rest.lstrip())
        if _nearest(text, q.start, q.end, before, after) == condition or named and _condition(named) == condition:
            out.add(q.value)
    return frozenset(out)


# The second word after a figure, an English plural, when the first is a word: the noun an English modifier comes
# before ("38 *cholera* patients"; not "tiga *laporan* orang hilang", three reports of the missing).
_SECOND_WORD = re.compile(r"\s*[^\W\d_]+\s+([^\W\d_]+(?:s|men)|people|children)\b")


def _of_people(rest: str) -> bool:
    """Whether the words after a figure (``rest``) make it a count of people: not an age or a name's number, in
    brackets or joined on ("tersangka berinisial BS *(52)*", "a *58-year-old* trader")."""
    if rest.startswith(("-", ")", "\u2011")):
        return False
    word = word_after(rest)
    if not word:
        return True  # "The death toll rose to 14, ..."
    lower = word.lower()
    # ... or a noun after a modifier: "Nineteen heat-illness patients", "Thirty-eight cholera patients"
    return lower in _AFTER_PEOPLE or stem(lower) in PEOPLE_NOUNS or _MARK.match(rest.lstrip()) is not None \
        or stem(compound_head(rest)[0].lower()) in PEOPLE_NOUNS \
        or (second := _SECOND_WORD.match(rest)) is not None and stem(second.group(1).lower()) in PEOPLE_NOUNS


def _nearest(text: str, start: int, end: int, before: list[re.Match[str]],
             after: list[re.Match[str]]) -> Condition | None:
    """The condition a figure at ``text[start:end]`` counts, of the conditions named ``before`` and ``after`` it."""
    part = _PART.match(text[end:])
    if part is not None:  # the part's condition: said after the group's ("Six of the injured remain in hospital")
        of_part = [m for m in after if m.start() >= end + part.end()]
        said = [m for m in of_part if _PREDICATE.search(text[end:m.start()])]
        if of_part:
            return _condition(said[0] if said else of_part[-1])
        if not _OF_A_TOTAL.match(text[end:]):
            return None
        # a part of a total that says nothing of it: the condition named for the figure ("the number *recaptured* to
        # 53 of the 61 inmates who fled")
    # a predicate in the figure's own clause comes first ("Forty-one people injured ... are still in hospital")
    said = [m for m in after if _PREDICATE.search(text[end:m.start()]) and not re.search(r"[,;]", text[end:m.start()])]
    if said:
        return _condition(said[0])

    def distance(gap: str) -> int:
        return len(gap.split()) + _CLAUSE_WORDS * len(re.findall(r"[,;]", gap))

    near = [(distance(text[m.end():start]), 1, m) for m in before] + [(distance(text[end:m.start()]), 0, m)
                                                                      for m in after]
    return _condition(min(near, key=lambda t: (t[0], t[1]))[2]) if near else None
