"""What kind of answer a question asks for, and whether a sentence can be one: rules in code, both languages.

A "berapa" / "how many" question is answered by a number, a "kapan" / "when" question by a date. A sentence
without one may be about the question's topic (a news lead, a background line) and close to it in meaning, but
it does not answer it: the extractive answer and the quotes skip it when a sentence that does is at hand
(``assistant.extractive.best_sentences``).

A "mengapa" / "why" question is answered by a reason, a "bagaimana cara" / "how did" question by a means. News
states them with words a rule can see ("karena", "akibat", "agar", "untuk menjaga", "dengan cara", "lewat"), but
also without ("... telah dipertimbangkan sejak enam bulan, jauh sebelum investasi Meta"), so a sentence that
states one is *preferred* (ranked first among those close enough to the question), never required. "siapa"
questions are not sorted at all: a name has no form that rules can check this cheaply.

A question about what did *not* happen ("Mengapa Setya Novanto tidak datang?", "Siapa yang tidak setuju ...?") is
answered only by a sentence that says something did not ("tidak", "gagal", "menolak", "without"): a passage on
the topic that says what did happen is the near miss a model answers from anyway (``asks_negated``,
``states_negation``; the assistant refuses before the model when no quoted sentence says so).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterator, Sequence
from itertools import dropwhile, islice
from typing import Literal

from assistant.facts import Quantity, months, quantities, weekdays
from core.text.analyze import indonesian_root, indonesian_stopwords
from core.text.calendar import MONTHS_FULL, MONTHS_SHORT, REPORTS
from core.text.lang import detect_language

AnswerKind = Literal["quantity", "date", "reason", "means", "other"]

# "when" asks for a date only before an auxiliary ("When did ...", "when was ..."): "When the Rhine emerges from
# Lake Constance, which way does it flow?" asks for a direction. Indonesian "kapan" is never a conjunction.
_DATE_QUESTION = re.compile(
    r"\b(?:kapan(?:kah)?|(?:tanggal|tahun|bulan|abad) berapa|(?:hari|tanggal|bulan|tahun) apa|pada (?:tanggal|tahun) "
    r"berapa|when\s+(?:did|does|do|was|were|is|are|will|would|has|have|had|can|could)|what (?:date|day|year|month|"
    r"time|century)|which (?:date|day|year|month|century))\b",
    re.IGNORECASE,
)
# A measure a question names after "what" ("*What magnitude* does BMKG now give for the main earthquake?"): the
# figure asked, as the noun names it.
_MEASURE_ASKED = "magnitude"
_WHAT_MEASURE = re.compile(rf"\bwhat\s+({_MEASURE_ASKED})\b", re.IGNORECASE)
# The nouns that name a figure ("What is the latest *budget* ...?") and the words that qualify it before them.
_FIGURE_NOUNS = ("number|amount|budget|fund|cost|price|fare|figure|estimate|percentage|share|count|total|tally|"
                 "compensation|fine|penalty|coverage")
# A dimension names a figure when it is of something: "What is the *length of* the queue?", not "What is the area
# called?"
_DIMENSION_NOUNS = "length|area|distance|radius|weight|volume|height|depth|size"
_FIGURE_QUALIFIERS = r"(?:(?:latest|current|newest|new|total|official|estimated|reported|most recent)\s+)*"
_WHAT_IS = r"what(?:'s|\u2019s|\s+is|\s+are|\s+was|\s+were)"  # "What is", "What's"
# Up to two words that say which figure ("the latest *contingency* budget", "the current *emergency (BTT)* fund").
_FIGURE_MODIFIERS = r"(?:[\w()-]+\s+){0,2}?"
# "sepanjang", "setinggi", ...: how long, how high (before "berapa", or with "apa": "*setinggi apa* genangan itu?")
_SE_DIMENSIONS = "panjang|tinggi|dalam|lebar|luas|berat|jauh"
_QUANTITY_QUESTION = re.compile(
    r"\b(?:berapa(?:kah)?|how (?:many|much|old|long|far|big|large|tall|high|deep)|what (?:percentage|share|number|"
    rf"amount|proportion|price|death toll|{_MEASURE_ASKED})|seberapa|se(?:{_SE_DIMENSIONS})\s+apa"
    # "What is the latest (contingency) budget ...?", "What was the total cost ...?"
    rf"|{_WHAT_IS} the {_FIGURE_QUALIFIERS}{_FIGURE_MODIFIERS}(?:{_FIGURE_NOUNS}|toll)"
    rf"|{_WHAT_IS} the {_FIGURE_QUALIFIERS}(?:{_DIMENSION_NOUNS})\s+of)\b",
    re.IGNORECASE,
)
# Dates written with digits are not quantities: "Rabu (7/2)", "7 Februari 2024", "February 7, 2024", "2024-02-07",
# "Nov. 5" (a short month name only with its full stop: "mar", "des" are words too), a year in brackets ("sepanjang
# tahun ini (2026)", as a resolved date reads: it counted "pekerja" in place of the 3.460 after it).
_MONTH_NAMES = "(?:" + "|".join(MONTHS_FULL) + ")"
_SHORT_MONTHS = "(?:" + "|".join(MONTHS_SHORT) + ")"
_DIGIT_DATE = re.compile(
    r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b"
    rf"|\b\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+{_MONTH_NAMES}(?:\s+\d{{4}})?\b"
    rf"|\b{_MONTH_NAMES}\s+\d{{1,2}}(?:,\s*\d{{4}})?\b|\b{_MONTH_NAMES}\s+\d{{4}}\b"
    rf"|\b{_SHORT_MONTHS}\.\s*\d{{1,2}}(?:,\s*\d{{4}})?\b"
    r"|\(\s*(?:1[5-9]|20)\d{2}\s*\)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d{2}\b")
# Times without digits or month names: "abad ke-19", "akhir Perang Dunia I", "zaman prasejarah", "kemarin".
_TIME_WORD = re.compile(
    r"\b(?:kemarin|hari ini|besok|lusa|yesterday|today|tomorrow|tonight|malam ini|abad|century|centuries|era|zaman|"
    r"masa|periode|period|dekade|decade|tahun|years?|musim|season|awal|akhir|pertengahan|beginning|end|middle|"
    r"sebelum|sesudah|setelah|sejak|selama|ketika|before|after|since|during|ago|lalu|silam|kini|sekarang|now)\b",
    re.IGNORECASE)


# "why", and the ways news questions ask it: "Apa alasan ...", "Apa penyebab ...", "What caused ...".
_REASON_QUESTION = re.compile(
    r"\b(?:mengapa|kenapa|why|apa (?:\w+ )?(?:alasan|penyebab|sebab|tujuan|motif|latar belakang)\w*|alasan\w* apa|"
    r"(?:what|which) (?:was |is |were |are )?(?:the )?(?:main )?(?:reasons?|causes?|motives?|purpose)|"
    r"what (?:caused|causes|led|prompted|made)|for what (?:reason|purpose)|how come)\b",
    re.IGNORECASE,
)
# "how" asks for a means before a verb or an auxiliary ("How did Laudya cope ...", "Bagaimana cara ...",
# "Bagaimana KPK menyiasati ..."), not before a state ("Bagaimana perkembangan ...", ``_STATE_QUESTION``); one
# taken for a means by mistake loses little: the means is preferred, never required.
_STATE_NOUNS = ("perkembangan|kondisi|keadaan|situasi|nasib|performa|penampilan|kabar|tanggapan|reaksi|respons|respon|"
                "pendapat|sikap|hasil|suasana|dampak|pengaruh|kelanjutan|status|kinerja|prestasi")
_MEANS_QUESTION = re.compile(
    rf"\b(?:bagaimana(?:kah)? (?:cara|upaya|langkah|strategi)|dengan cara apa|(?:lewat|melalui) apa|"
    rf"bagaimana(?:kah)? (?!(?:{_STATE_NOUNS})\b)\w+|"
    r"how (?:did|does|do|can|could|will|would|should|is|are|was|were|has|have|had)\b|"
    r"in what way|by what means)",
    re.IGNORECASE,
)

# "How are the victims doing?", "How has Manchester United done since February?": a state, not a means
_STATE_QUESTION = re.compile(r"\bhow (?:\w+ ){1,4}?(?:doing|done|going|gone|faring|fared)\b|\blike\W*$", re.IGNORECASE)


def asked_kind(question: str) -> AnswerKind:
    """"date" for kapan / when / tanggal berapa, "quantity" for berapa / how many / how much / what ... cost,
    "reason" for mengapa / why / apa alasan, "means" for bagaimana cara / how did, else "other"."""
    if _DATE_QUESTION.search(question):
        return "date"
    if _QUANTITY_QUESTION.search(question) or _charge(question) or _COST_ASKED.search(question):
        # "What does a kilo of beef cost ...?", "What does the airline estimate the grounding has cost it?"
        return "quantity"
    if _REASON_QUESTION.search(question):
        return "reason"
    means = _MEANS_QUESTION.search(question) and not _STATE_QUESTION.search(question)
    return "means" if means else "other"


# A question about how a figure developed names it without "berapa": "Bagaimana perkembangan *jumlah* korban ...?",
# "How has the *number of* people displaced changed?"
_FIGURE_NAMED = re.compile(r"\b(?:jumlah|angka|number of|the number|death toll|toll|figures?)\b", re.IGNORECASE)


def about_a_figure(question: str) -> bool:
    """Whether ``question`` asks for a figure ("berapa", "how many") or about one ("perkembangan jumlah korban")."""
    return asked_kind(question) == "quantity" or bool(_FIGURE_NAMED.search(question))


def figures(sentence: str) -> list[Quantity]:
    """The numbers of ``sentence`` that are not part of a date ("Rabu (7/2)", "7 Februari 2024")."""
    return quantities(_DIGIT_DATE.sub(" ", sentence))


# A figure right after these words, or followed by a span of time or "more", is a change, not the level a report
# gives: "naik 72 kasus dalam sehari", "bertambah tiga", "rose by 40", "hanya 23 kasus sejak kemarin", "menangkap tiga
# orang lagi", "three more people", "46 perjalanan KA per hari" (a rate is not a count either).
_CHANGE_BEFORE = re.compile(r"\b(?:naik|bertambah|berkurang|turun|tambah|penambahan|by)\s*$", re.IGNORECASE)
_ONE_DAY = r"dalam sehari|in a day"  # one day's change: "bertambah 12 orang dalam sehari"
_CHANGE_AFTER = re.compile(rf"^\s*[^\W\d_]*\s*(?:sejak kemarin|since yesterday|{_ONE_DAY})\b"
                           r"|^\s*(?:[^\W\d_]+\s+){0,2}?(?:per hari|per day|a day|lagi)\b"
                           r"|^\s*more\s+(?!than\b)[^\W\d_]", re.IGNORECASE)
_IN_A_DAY = re.compile(rf"\s*[^\W\d_]*\s*(?:{_ONE_DAY})\b", re.IGNORECASE)
# ... unless it is what the thing became: "bertambah dua menjadi 33 orang", "menjadi 3 kilometer sejak kemarin malam".
_LEVEL_BEFORE = re.compile(r"\b(?:menjadi|mencapai|jadi|to|reached)\s*$", re.IGNORECASE)
_CURRENCIES = r"Rp|[A-Za-z]{0,3}\$|USD|IDR"
_CURRENCY = re.compile(rf"({_CURRENCIES})", re.IGNORECASE)  # the start of an amount's text ("Rp 3,5 miliar")


def is_money(q: Quantity) -> bool:
    """Whether ``q`` is an amount of money ("Rp 3,5 miliar", "US$14.3 billion")."""
    return _CURRENCY.match(q.text) is not None


_CURRENCY_BEFORE = re.compile(rf"(?:{_CURRENCIES})\.?\s*$", re.IGNORECASE)  # an amount's digits start after it
# The older value of a change: "naik dari 187 orang", "turun dari 196", "up from 214", "dari Rp 1,2 miliar menjadi";
# and of a correction: "32 dari 42 SPBU, *bukan* 35 seperti diumumkan kemarin", "instead of 35".
_OLD_BEFORE = re.compile(r"\b(?:(?:naik|turun|bertambah|berkurang|meningkat|menurun|dinaikkan|diturunkan)\s+dari|"
                         r"(?:up|down|rose|fell|increased|decreased|risen|fallen)\s+from|bukan|instead of|rather than)"
                         r"\s*$", re.IGNORECASE)
_FROM_BEFORE = re.compile(r"\b(?:dari|from)\s*$", re.IGNORECASE)
# A figure a report restates from an earlier day: its peak or what it had been ("dibanding puncaknya pada Rabu (26/11)
# lalu, yakni 18.745 jiwa", "sempat memutus aliran air ke 31.200 pelanggan", "dari sebelumnya 1.509 orang", "121 orang
# pada puncaknya", "down from its peak of 535"), read in the words just before it (no other figure between) or right
# after it and its unit; not the figure "dari sebelumnya" follows ("menjadi Rp 1,25 miliar dari sebelumnya Rp 750
# juta": the amount's unit is part of it, so "dari" is the word right after it).
_RESTATED_BEFORE = re.compile(r"\b(?:puncak\w*|sempat|dibanding\w*|sebelumnya|semula|peak\w*|compared (?:with|to)|"
                              r"previously|had (?:reached|risen|climbed|peaked)|at (?:its|the) height)\b",
                              re.IGNORECASE)
# ... but what a report says "had reached" is its figure now, told in the past of reported speech ("KNS *said* refunds
# *had reached* Rp 5.38 billion"; not "had peaked").
_BACKSHIFTED = re.compile(r"had (?:reached|risen|climbed)", re.IGNORECASE)
_REPORTING = re.compile(rf"(?<![\w])(?:{REPORTS}|confirmed)(?![\w])", re.IGNORECASE)
# ... or a day of an earlier week or month ("112,600 tonnes *last weekend*", "3.000 ton *pekan lalu*").
_RESTATED_AFTER = re.compile(r"^\s*(?!(?:dari|from)\b)[^\W\d_]*\s*(?:\(?(?:pada|saat|di) puncak\w*|sebelumnya|"
                             r"at (?:its|the) (?:peak|height)|earlier|previously|"
                             r"last (?:week|weekend|month)|an? (?:week|month) (?:ago|earlier)|"
                             r"(?:pekan|minggu|bulan|sepekan|seminggu|sebulan) (?:lalu|sebelumnya))\b", re.IGNORECASE)
RESTATED_WINDOW = 60  # characters before a figure read for a restating word
# Between two figures of one clause: the first's unit, "dan"/"and"/a comma, and up to three words ("18 hektare *dan
# membuat* 5.540 ton", "535 patients *and* 41 deaths").
_JOINED = re.compile(r"\s*(?:[^\W\d_]+\s*)?(?:,\s*)?(?:dan|serta|and)?\s+(?:[^\W\d_]+\s+){0,3}", re.IGNORECASE)
_ASIDE = re.compile(r"\s*\([^()]*\)")  # "(Rabu, 26 November 2025)", "(26/11)"
# ... unless the words after it turn to the present: "sempat dirawat di RS, *kini* 3 orang masih dirawat".
_NOW_AGAIN = re.compile(r"\b(?:kini|sekarang|saat ini|masih|tinggal|menjadi|now|currently|still|to)\b", re.IGNORECASE)
_TO_AFTER = re.compile(r"^\s*[^\W\d_]*\s*(?:menjadi|to)\b", re.IGNORECASE)


def turns_to(after: str) -> bool:
    """Whether the words ``after`` an older value say what it changed to: "dari 19 *menjadi* 17 orang", "from 19
    *to* 17": what names the one names the other."""
    return _TO_AFTER.match(after) is not None


# A number right after an upper-case abbreviation is a name, not a figure: "Tol Kartasuka KM 47", "RT 03"; so is one
# after a word that numbers things: "tank *No.* 7", "tangki *nomor* 7", "*#*3".
_LABEL_BEFORE = re.compile(r"(?:\b[A-Z]{2,}|\b(?:[Nn]o\.|[Nn]omor|[Nn]umber|[Nn]r\.)|#)\s*$")
# A person's age in brackets after the name ("Odang *(58)* sudah menyemai benih", "Siti (34), warga Desa ..."): not a
# figure of anything the report counts.
_AGE_BEFORE = re.compile(r"\b[A-Z][\w'.-]*\s*\($")
# A goal is no count of what was done ("Vaksinasi sapi masih berjalan dengan *target* 18.000 ekor", "a target of
# 20,000 doses", "ditargetkan 500 rumah"): a figure right after the word that sets it.
_GOAL_BEFORE = re.compile(r"\b(?:target(?:nya|kan)?|ditargetkan|sasaran(?:nya)?|targets?(?:\s+of)?|goal(?:\s+of)?)"
                          r"\s+(?:(?:sebanyak|sekitar|about|around|some)\s+)?$", re.IGNORECASE)
_GOAL_WORDS = frozenset("target sasaran goal".split())  # what a question asks when it asks for a goal
# A figure of one place of the story's ("Dari kelurahan padat itu *saja*, 17 warga meninggal", "In Sukaraja *alone*, 17
# residents died") is a part of its count, not the count a report gives.
_ONE_PLACE = re.compile(r"\b(?:(?:itu|ini|tersebut)\s+saja|alone)\b[^.;]*$", re.IGNORECASE)
# The group one of whom a report is about ("Korban adalah *salah satu dari* tiga warga yang hilang", "*one of the*
# three people missing") is not the count it gives: the group is as it was, before that one was found.
_ONE_OF = re.compile(r"\b(?:(?:salah\s+)?(?:satu|seorang|seekor|sebuah)\s+(?:dari|di\s+antara)|"
                     r"one\s+of(?:\s+the)?)\s*$", re.IGNORECASE)
# "15 dari 19 kecamatan", "15 of its 19 districts": the total is not a figure of its own.
_PART_OF = re.compile(r"\s*(?:dari|of|out of|di antara)(?:\s+(?:total|the|all|its|[A-Z][\w-]*'s))*\s*", re.IGNORECASE)

Reading = Literal["figure", "older", "rate", "goal", "other"]


@functools.lru_cache(maxsize=4096)
def reported(sentence: str) -> tuple[str, tuple[tuple[Quantity, Reading, str], ...]]:
    """``sentence`` with its dates blanked ("Rabu (7/2)", "7 Februari 2024": not figures), and its numbers, each with
    how it reads: a "figure" the report gives, the "older" value of a change ("naik dari 187 orang") or one restated
    from an earlier day ("sempat mencapai 31.200", "18.745 jiwa pada puncaknya"), a "rate" (a level per span of time:
    "110 crossings a day"), or "other" (a change, a name such as "KM 47", the total of "15 dari 19", a part: "di
    kelurahan itu saja, 17 warga"), or a "goal" ("dengan target 18.000 ekor": no count of what was done); and the text
    after it, where its unit is read ("15 dari 19 kecamatan" -> " kecamatan"). Read once per sentence: ``counted``,
    ``replaced``, ``prices``, ``amounts`` and ``counts_of`` all read the same sentences of an answer's sources."""
    text = _DIGIT_DATE.sub(" ", sentence)
    return text, tuple(_read(text))


def _read(text: str) -> Iterator[tuple[Quantity, Reading, str]]:
    found = quantities(text)
    restated = False  # whether the previous figure was restated from an earlier day
    for i, q in enumerate(found):
        money = is_money(q)
        before = _CURRENCY_BEFORE.sub("", text[:q.start]) if money else text[:q.start]
        after = text[q.end:]
        old = bool(_OLD_BEFORE.search(before) or (_FROM_BEFORE.search(before) and _TO_AFTER.match(after)))
        # the window is read without asides in brackets: a date resolved in them ("Pada puncaknya, Rabu (26/11) (Rabu,
        # 26 November 2025), personel ... mencapai 2.180") does not push the restating word out of it
        aside_free = _ASIDE.sub("", text[found[i - 1].end if i else 0:q.start])
        # restated, or joined to a figure restated just before it ("pada puncaknya melalap 18 hektare *dan membuat*
        # 5.540 ton sampah menumpuk": both are the peak's)
        restated = _restated(aside_free[-RESTATED_WINDOW:], after) or restated \
            and _JOINED.fullmatch(aside_free) is not None and not _NOW_AGAIN.search(aside_free)
        old = old or restated
        change = not _LEVEL_BEFORE.search(before) and bool(_CHANGE_BEFORE.search(before) or _CHANGE_AFTER.match(after))
        total = i > 0 and _PART_OF.fullmatch(text[found[i - 1].end:q.start]) is not None
        label = not money and (_LABEL_BEFORE.search(before) is not None
                               or _AGE_BEFORE.search(before) is not None and after.startswith(")"))
        part = _ONE_PLACE.search(aside_free[-RESTATED_WINDOW:]) is not None or _ONE_OF.search(before) is not None
        goal = _GOAL_BEFORE.search(before) is not None
        if i + 1 < len(found) and _PART_OF.fullmatch(text[q.end:found[i + 1].start]):
            after = text[found[i + 1].end:]
        # a level per span of time ("kini 90 kali per hari", "slowed to about 230 a day"), not a change per day
        # ("naik 12 orang per hari") nor one day's ("bertambah 12 orang dalam sehari")
        rate = not (total or label or _CHANGE_BEFORE.search(before) or _IN_A_DAY.match(after)) \
            and _per_span(text[found[i - 1].end if i else 0:q.start], after)
        other = change or total or label or part
        yield q, "older" if old else "goal" if goal else "rate" if rate else "other" if other else "figure", after


def _restated(before: str, after: str) -> bool:
    """Whether the figure between ``before`` (the words just before it, no other figure among them) and ``after``
    is restated from an earlier day (``_RESTATED_BEFORE``, ``_RESTATED_AFTER``)."""
    marks = [m for m in _RESTATED_BEFORE.finditer(before) if not _BACKSHIFTED.fullmatch(m.group(0))
             or not _REPORTING.search(before[:m.start()])]
    return bool(marks and not _NOW_AGAIN.search(before[marks[-1].end():])) or bool(_RESTATED_AFTER.match(after))


def replaced(sentence: str) -> tuple[set[float], set[float]]:
    """The figures ``sentence`` gives in place of older ones it names, and those older values: "puts the total at
    10,170, up from 9,530", "kini 640 jiwa, turun dari 1.200 jiwa". A figure counts what an older one counted, or
    one of the two names nothing ("the total at *10,170*, up from 9,530 on Wednesday"): "Hampir *dua pekan* setelah
    kebakaran yang pada puncaknya membuat 5.540 ton sampah menumpuk" replaces no tonnage with a fortnight."""
    found = [(q.value, reading, _replaced_kind(_unit(q, rest))) for q, reading, rest in reported(sentence)[1]]
    older = {unit for _, reading, unit in found if reading == "older"}
    replacing = {value for value, reading, unit in found if reading == "figure"
                 and (unit in older or not unit or "" in older)}
    return replacing, {value for value, reading, _ in found if reading == "older"}


def _replaced_kind(unit: str) -> str:
    """What a figure counts, as ``replaced`` compares an older figure and a new one: its unit, the kind a counter says
    (``_COUNTER_KINDS``: "orang", "jiwa", "people" count people, "ekor" animals), nothing ("") for a word that names
    no thing ("18 *on* Monday"). So "sempat 13 desa" is no older value of "3.815 ekor babi" in the same sentence."""
    return _COUNTER_KINDS.get(stem(unit)) or ("" if unit in _NOT_A_THING else unit)


_WORD_AFTER = re.compile(r"\s*([^\W\d_]+)")


def word_after(rest: str) -> str:
    """The word right after a figure (``rest``: the text after it, as ``reported`` gives it), "" when none is."""
    found = _WORD_AFTER.match(rest)
    return found.group(1) if found else ""


def compound_head(rest: str) -> tuple[str, int]:
    """The noun a hyphenated compound after a figure ends in (``rest``: the text after it), with where it ends: "134
    tanker-truck *loads*", "Nineteen heat-illness *patients*"; ("", 0) when no compound follows."""
    named = _COMPOUND.match(rest)
    return (named.group(1), named.end()) if named is not None else ("", 0)


def _unit(q: Quantity, rest: str) -> str:
    """What a number counts, by ``rest`` (the text after it): the word after it ("18 orang", "850 rumah"; a unit of
    measure by its one name, ``unit_name``: "5 km" and "5 kilometres" both count "kilometer"), the currency of an
    amount ("Rp 3,5 miliar"), "%" for a share; "" when nothing follows ("the toll rose to 18.")."""
    if q.percent:
        return "%"
    if currency := _CURRENCY.match(q.text):
        return currency.group(1).lower()
    after = word_after(rest)
    return unit_name(after) if after else ""


def counted(sentence: str) -> dict[str, set[float]]:
    """The figures of ``sentence`` by what they count (``_unit``: "18 orang", "5 km" and "5 kilometres" both
    "kilometer", "Rp 3,5 miliar" "rp", a share "%"; "" when nothing follows: "the toll rose to 18."). Changes ("naik 72
    kasus dalam sehari"), older values ("naik dari 187 orang"), names ("KM 47") and totals ("15 dari *19* kecamatan")
    are left out: they are not the figure a report gives."""
    out: dict[str, set[float]] = {}
    for q, reading, rest in reported(sentence)[1]:
        if reading == "figure":
            out.setdefault(_unit(q, rest), set()).add(q.value)
    return out


# What a price is called: a question about one is answered by an amount per unit of what is sold.
PRICE_WORDS = frozenset("price harga fare tarif cost biaya ongkos".split())
# "Rp 30.000 per kilogram", "Rp 32,500 a kilogram", "Rp 8.000/jeriken", "Rp 5.000 sebotol", "Rp 12.000 perkilo": an
# amount for one of a unit, and the unit as written (``_priced_unit`` reads "se" and a joined "per").
_UNIT_PRICED = re.compile(r"\s*(?:(?:per|a|an|each)\s+|/\s*|(?P<joined>se|per)(?=[^\W\d_]{3,}))(?P<unit>[^\W\d_]+)",
                          re.IGNORECASE)
# ... and asked: "Berapa harga air *per jeriken* ...?", "the fare per passenger": the unit a question prices.
_PER_ASKED = re.compile(r"(?:\bper\s+|/\s*)([^\W\d_]+)", re.IGNORECASE)
# "satu jeriken ... kini dijual Rp 10.000", "sold at Rp 5,000": what is sold, at an amount ("costs" is a price word,
# ``_PRICE_BEFORE``).
_SOLD_BEFORE = re.compile(r"\b(?:dijual|dibanderol|dipatok|seharga|dihargai|sold (?:at|for)|priced at)\s*$",
                          re.IGNORECASE)
# "*Harga* pompa bensin ... turun menjadi Rp 520.000", "a unit *now costs about* Rp 2.2 million", "water was still
# *selling for* Rp 20,000": an amount a price word names before it, with no other number between.
_PRICE_BEFORE = re.compile(rf"\b(?:(?:{'|'.join(sorted(PRICE_WORDS))})(?:s|nya|ing)?|sell(?:s|ing)\s+(?:at|for))\b",
                           re.IGNORECASE)


# A figure for a span of time: "110 crossings *a day*", "90 kali *per hari*", "118.000 tabung per titik *setiap hari*",
# "dua kali *sehari*", "kebutuhan normal *harian* sekitar 118.000 tabung"; a question asks for one the same ways.
_SPAN = r"(?:hari|day|jam|hour|pekan|minggu|week|bulan|month)"
_RATE_AFTER = re.compile(
    rf"\s*(?:[^\W\d_]+\s+){{0,3}}?(?:(?:per|a|an|each|every|setiap|tiap)\s+{_SPAN}|sehari|sejam|daily)\b",
    re.IGNORECASE)
_RATE_BEFORE = re.compile(r"\b(?:harian|daily)\s+(?:[^\W\d_]+\s+){0,2}$", re.IGNORECASE)
_RATE_ASKED = re.compile(rf"\b(?:(?:per|setiap|tiap|each|every|a|an)\s+{_SPAN}|sehari|sejam|daily|harian|perhari)\b",
                         re.IGNORECASE)


# "How much does a getek raft currently *charge* to carry a motorcycle?", "How much are kiosks *charging* for a
# cylinder?", "How much does a kilo of rice *cost* now?", "What does a kilo of beef *cost* ...?", "How much did a
# bottle ... *cost*?": a price, of what sells it or is sold. Not when a verb comes between ("What does the airline
# estimate the grounding *has cost* it?": a total, ``_SELLER_VERB``).
_CHARGE = re.compile(r"\b(?:how much (?:does|do|did|is|are|was|were|will|would)\s+(?P<seller>.+?)\s+"
                     r"(?:charg\w*|costs?|costing|sell\w*)|what (?:does|do|did|will|would)\s+(?P<buyer>.+?)\s+"
                     r"cost)\b(?P<sold>.*)", re.IGNORECASE)
_SELLER_VERB = re.compile(r"\b(?:has|have|had|is|are|was|were|will|would|estimates?|says?|said|thinks?)\b",
                          re.IGNORECASE)


# "What does the airline estimate the grounding *has cost* it?", "the latest estimate of what it *will cost* to
# repair ...": a total cost, asked without "how much".
_PRONOUNS = frozenset("it they this that them".split())
_COST_ASKED = re.compile(r"\bwhat\s+(?:\S+\s+){0,14}?(?:has|have|had|will|would|could|might)\s+cost\b", re.IGNORECASE)


def _charge(question: str) -> tuple[str, str] | None:
    """What a question about what something charges or costs (``_CHARGE``) says sells or is sold, before and after its
    verb ("a getek raft", "to carry a motorcycle"); ``None`` for other questions."""
    found = _CHARGE.search(question)
    seller = found.group("seller") or found.group("buyer") if found else ""
    return None if found is None or _SELLER_VERB.search(seller) else (seller, found.group("sold"))


# "*Harga* elpiji 3 kg ...", "*Tarif* getek ...", "the *price of* rice", "the *fare for* ...": what the price is of.
_PRICE_OF = re.compile(r"\b(?:harga|tarif|ongkos|biaya|prices?|fares?|costs?)\s+(?:(?:of|for)\s+)?(?P<sold>.*)",
                       re.IGNORECASE)
# Words that end what a price is of: places, times and the question's own words ("di kios", "sekarang", "now").
_ENDS_PRICED = frozenset("di ke dari pada untuk yang dalam menurut oleh dan atau saat kini sekarang terbaru terkini "
                         "berapa berlaku now currently current latest today".split())
# Words in it that are not what is sold: articles, and the sale's own words.
_NOT_PRICED = frozenset("a an the one satu sebuah it currently to carry per for kg".split())


def priced_item(question: str) -> tuple[str, ...]:
    """The words of what a price question prices ("Harga *elpiji* 3 kg di kios ...?": "elpiji"; "Harga *Dieselux* per
    liter ...": "Dieselux"; "How much does a *getek raft* currently charge to carry a *motorcycle*?"); () for other
    questions. Several goods are priced in one story (LPG and the snacks it cooks; two fuels), and a report names
    what it prices: the figure of the one asked is in a sentence that names it."""
    charge = _charge(question)
    spans = list(charge) if charge else []
    if not spans and (named := _PRICE_OF.search(question)) is not None:
        spans = [named.group("sold")]
    found: list[str] = []
    for span in spans:
        began = measure = False  # the span has named something; the last word was a measure ("a *kilo* of beef")
        taken = 0  # words of this span taken so far
        for word in re.findall(r"[^\W\d_]+|\d+", span):
            lower = word.lower()
            if lower == "of" and taken == 1 and not measure:
                found.pop()  # "a *tray* of eggs", "a *sack* of rice": what holds it, not what is sold
                taken = 0
                continue
            if lower == "of" and measure or not began and lower in _ENDS_PRICED | _NOT_PRICED:
                continue  # "a kilo *of* beef"; "cost *now to* hire a generator"
            if lower in _ENDS_PRICED or lower in _ENDS_PHRASE - {"per", "for"}:
                break
            measure = stem(lower) in _MEASURES
            if not word.isdigit() and lower not in _NOT_PRICED and not measure:
                found.append(lower)
                taken += 1
                began = True
    return tuple(dict.fromkeys(found))


def asks_rate(question: str) -> bool:
    """Whether ``question`` asks for a figure per span of time ("Berapa kali ponton menyeberang *dalam sehari*?",
    "rata-rata kasus baru *per hari*", "How many trains run *a day*?"): only a rate gives it, not a total."""
    return _RATE_ASKED.search(question) is not None


# "Berapa persen ...?", "What percentage / share / proportion of ...?": a share is asked, and only a share gives it.
_SHARE_ASKED = re.compile(r"\b(?:berapa\s+persen|persentase|what\s+(?:percentage|percent|share|proportion)|"
                          r"(?:percentage|share|proportion)\s+of)\b", re.IGNORECASE)


def asks_share(question: str) -> bool:
    """Whether ``question`` asks for a share ("Berapa persen kapasitas produksi yang sudah berjalan?", "What share of
    the debris has been cleared?"): the litres a plant produces do not answer it, "95 persen" does."""
    return _SHARE_ASKED.search(question) is not None


def _per_span(before: str, after: str) -> bool:
    """Whether a number is given per span of time, by the words just ``before`` it (none of another figure) or
    ``after`` it (``_RATE_BEFORE``, ``_RATE_AFTER``)."""
    return _RATE_AFTER.match(after) is not None or _RATE_BEFORE.search(before[-40:]) is not None


# An amount asked for each one of something: "compensation *each* passenger", "*per* household", "untuk *setiap* ekor
# sapi", "keluarga *tiap* korban" (not "per 24 Juli 2025", a day; a price or a rate is read on its own).
_EACH = "each|every|setiap|tiap|masing-masing"
_EACH_ASKED = re.compile(rf"\b(?:{_EACH}|per\s+(?![\d(]))", re.IGNORECASE)
# ... and said in a sentence: "Rp 1,5 juta *per* penumpang", "Rp 250 million for the family of *each* person".
_EACH_SAID = re.compile(rf"\b(?:{_EACH}|per|apiece|a head)\b", re.IGNORECASE)
# A total paid out: "a *total* of Rp 236 million", "kompensasi kepada 301 penumpang *senilai* Rp 507,2 juta".
_TOTAL_SAID = re.compile(r"\b(?:total\w*|senilai|seluruhnya|keseluruhan|in all|altogether)\b", re.IGNORECASE)


def asks_each(question: str) -> bool:
    """Whether ``question`` asks for an amount for each one of something ("What is the latest compensation the
    operator is offering *each* passenger?", "kompensasi *per* kepala keluarga", "untuk *setiap* ekor sapi")."""
    return _EACH_ASKED.search(question) is not None


def says_each(sentence: str) -> bool:
    """Whether ``sentence`` says its amounts are for each one of something ("Rp 1,5 juta *per* penumpang", "pay
    Rp 50 million to the owner of *every* house")."""
    return _EACH_SAID.search(sentence) is not None


def gives_each(sentence: str) -> bool:
    """Whether the amounts of ``sentence`` can be amounts for each one of something: it says so ("Rp 1,5 juta *per*
    penumpang", "pay *each* of them Rp 500,000"), or it neither calls them a total nor counts those paid ("PT CPL
    mengklaim telah membayar kompensasi kepada *301 penumpang* senilai Rp 507,2 juta" is what all of them got)."""
    if says_each(sentence):
        return True
    text, found = reported(sentence)
    return not _TOTAL_SAID.search(text) and all(is_money(q) for q, reading, _ in found if reading == "figure")


# Work done a share at a time: "Berapa persen *pembangunan* jembatan Bailey ...?" is answered by "Work on the temporary
# Bailey bridge is 60 percent *complete*", whatever a report calls the work.
PROGRESS_WORDS = frozenset("pembangunan perbaikan pengerjaan pemasangan konstruksi rehabilitasi construction "
                           "building repair repairs work works progress assembly rebuilding".split())
_DONE_AFTER = re.compile(r"\s*(?:complete|completed|done|finished|selesai|rampung|tuntas)\b", re.IGNORECASE)


def shares_done(sentence: str) -> set[float]:
    """The shares ``sentence`` gives of work done ("is 60 percent *complete*", "80 persen *rampung*")."""
    return {q.value for q, reading, rest in reported(sentence)[1]
            if q.percent and reading == "figure" and _DONE_AFTER.match(rest)}


# What money is called when a question asks for an amount of it and nothing more: any amount gives it.
MONEY_WORDS = frozenset("money uang duit".split())


def amounts(sentence: str) -> set[float]:
    """The amounts of money ``sentence`` gives ("total denda administratif menjadi Rp 7,25 miliar", "It has paid out
    Rp 98.3 billion so far"): what a question about money that names nothing else asks for ("How much has the
    company been fined?", "Berapa total uang yang sudah dibayarkan?"). Older values and changes are left out, as in
    ``counted``."""
    return {q.value for q, reading, _ in reported(sentence)[1] if reading == "figure" and is_money(q)}


def prices(sentence: str) -> set[float]:
    """The amounts of money ``sentence`` gives for one unit of something (``_priced_unit``), as what something is
    sold at (``_SOLD_BEFORE``) or as what a price word names (``_PRICE_BEFORE``): its prices ("Telur ayam ras ...
    dijual Rp 30.000 per kilogram", "satu jeriken kini dijual Rp 7.000", "Harga pompa bensin ... turun menjadi Rp
    520.000"). Older values ("turun dari Rp 32.500") and changes are left out, as in ``counted``."""
    return {value for value, _ in priced_per(sentence)}


def priced_per(sentence: str) -> list[tuple[float, str]]:
    """The prices of ``sentence`` (``prices``), each with the unit it is for as written ("Rp 275.000 per *tangki*",
    "Rp 5.000 se*botol*"; "" for what something is sold at, "satu jeriken kini dijual Rp 7.000", or what a price word
    names, "Harga pompa bensin ... turun menjadi Rp 520.000")."""
    text, found = reported(sentence)
    out = []
    for i, (q, reading, rest) in enumerate(found):
        if reading != "figure" or not _CURRENCY.match(q.text):
            continue
        if (unit := _priced_unit(rest)) is not None:
            out.append((q.value, unit))
            continue
        before = _CURRENCY_BEFORE.sub("", text[:q.start])
        if _SOLD_BEFORE.search(before) or _PRICE_BEFORE.search(before[found[i - 1][0].end if i else 0:]):
            out.append((q.value, ""))
    return out


def _priced_unit(rest: str) -> str | None:
    """The unit an amount is for when ``rest``, the words after it, begins with one ("per kilogram", "a kilogram",
    "/jeriken": "kilogram", "jeriken"), else ``None``. "se-" is "one" before a counter ("*sebuah*", "*seorang*") or
    a noun ("*sebotol*", "*seekor*"), not in a function word ("Rp 7 miliar *sebagai* kompensasi", "*sekitar*",
    "*setelah*"); a joined "per" only before a counter or a unit of measure ("*perkilo*", "*perorang*", not
    "*pertama*"); "a", "an" and "each" are words of their own ("Rp 1,9 miliar *akibat* banjir", "Rp 3 billion *as*
    compensation" are no prices)."""
    per = _UNIT_PRICED.match(rest)
    if per is None:
        return None
    unit = per.group("unit").lower()
    joined = (per.group("joined") or "").lower()
    if joined and stem(unit) not in _COUNTERS and unit_name(unit) not in _MEASURES and (
            joined == "per" or joined + unit in indonesian_stopwords()):
        return None
    return unit


def asked_per(question: str) -> str:
    """The unit a question about a price prices ("Berapa harga air *per jeriken* ...?": "jeriken"), "" when it names
    none: a price for one of another unit ("Rp 275.000 per tangki") is not the price asked."""
    found = _PER_ASKED.search(question)
    return found.group(1).lower() if found is not None else ""


# A figure written as a lower bound: "*Lebih dari* 300 peternakan masih dikarantina", "*More than* 80,000 litres".
_AT_LEAST_BEFORE = re.compile(r"\b(?:lebih dari|di atas|more than|over|upwards of|in excess of)\s+$", re.IGNORECASE)


def lower_bounds(sentence: str) -> set[float]:
    """The figures ``sentence`` gives only as a lower bound (``_AT_LEAST_BEFORE``): "Lebih dari 300 peternakan",
    "more than Rp 2 miliar". A report that rounds a count it gave before ("has risen to 341", days later "Lebih dari
    300 peternakan masih dikarantina") gives no new figure with it."""
    text, found = reported(sentence)
    return {q.value for q, reading, _ in found if reading == "figure"
            and _AT_LEAST_BEFORE.search(_CURRENCY_BEFORE.sub("", text[:q.start]))}


# After "berapa", words that say "the number of" without naming what is counted; in English, the words that end
# the counted noun phrase ("How many dengue *patients* are ...").
# "persen" too: "Berapa persen *material* yang sudah dipindahkan?" asks for a share of the material; "Berapa
# *taksiran* kerugian ...?" for the loss, "berapa jumlah *kumulatif* pekerja" for the workers.
_COUNT_WORDS = frozenset("jumlah banyak total besar banyaknya kah persen persentase taksiran perkiraan estimasi "
                         "nilai angka kumulatif keseluruhan rata tambahan".split())
_AUX = frozenset("is are was were has have had does do did will would can could should may might cannot".split())
# A preposition ends the counted noun phrase too: "How many smoke *victims* from the factory fire are ...?"
# "How many *days* without rain ...?", "How many villages *below* the dam ...?"
_PREPOSITIONS = frozenset("from of in at on for by with without under after before since near around about into "
                          "during across over per below above beneath inside outside within along behind beyond "
                          "through against among between towards toward via".split())
_QUESTION_WORDS = re.compile(r"\b(?:berapa(?:kah)?|seberapa|how (?:many|much))\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
# Words after a number that do not name another counted thing: measure words ("33 orang" of "korban") and the
# small words that end a figure ("1.421 hingga Senin", "rose to 42 on Monday"). Any other word names what the
# number counts ("tersebar di 7 *kecamatan*"), so a thing named before it is not what it counts. A verb after it
# too: the thing was named before it ("Most of the frozen accounts have been released ...; 2,130 *remain* frozen").
_NOT_A_THING = frozenset(
    "orang jiwa unit buah ekor kali persen people persons percent "
    "hingga sampai per pada di ke dari dan dengan sejak yang atau untuk dalam menjadi oleh serta pukul kepada bagi "
    "atas terhadap lebih sebelumnya masih sudah telah tersisa "
    "to in on at by as and since from of until for with after before the a than more "
    "remain remained still is are was were has have had "
    # what happened to what was named before: "dari 285 rumah itu, 55 *rusak* berat"
    "rusak hancur hanyut roboh ambruk tenggelam terendam terbakar".split())
_PEOPLE_MEASURES = frozenset("orang jiwa people person".split())  # as `stem` reads them: counts of people alone
# What a counter says of what it counts, as ``replaced`` compares figures: people however they are counted, animals.
_COUNTER_KINDS = {**dict.fromkeys(_PEOPLE_MEASURES, "people"), "ekor": "animals"}
# A hyphenated modifier before the counted noun: "134 tanker-truck *loads*", "12 long-distance *trains*".
_COMPOUND = re.compile(r"\s*[^\W\d_]+(?:-[^\W\d_]+)+\s+([^\W\d_]+)")
# Two words after a number: in English the second is what is counted when the first only says which ("93 bank
# *accounts*", "27 lending *apps*"); in Indonesian the first is ("87 *rekening* bank").
_TWO_WORDS = re.compile(r"([^\W\d_]+)\s+([^\W\d_]+)")
# A counter or a unit of measure and what it counts or measures: "97.300 ekor *unggas*", "3.720 ton *beras*",
# "2.34 million litres of *water*", "45 unit *rumah*", "17 orang *korban*".
_COUNTER_OF = re.compile(r"([^\W\d_]+)\s+(?:(?:of|dari)\s+)?([^\W\d_]+)", re.IGNORECASE)
_COUNTER_OF_KIND = re.compile(r"([^\W\d_]+)\s+of\s+[^\W\d_]+\s+([^\W\d_]+)", re.IGNORECASE)  # "tonnes of unhusked rice"
# Things counted together: "1,468 kiosks and *stalls*", "214 SD dan *SMP*".
_AND_ALSO = re.compile(r"[^\W\d_]+\s+(?:and|dan|or|atau|serta|&)\s+([^\W\d_]+)", re.IGNORECASE)
# What an amount of money is, named after it in English: "Rp 1.9 billion in *compensation*", "Rp 26.9 billion in
# ticket *refunds*", "Rp 2.3 billion in lost *revenue*" (up to three words, up to a word that ends the phrase: "in aid
# *from*").
_MONEY_IN = re.compile(r"\s*in\s+((?:[^\W\d_]+\s+){0,2}[^\W\d_]+)", re.IGNORECASE)
_MONEY_IN_WORDS = 3  # words after "in" read for what the money is: the thing and up to two modifiers before it
# A share that restates the figure before it: "252,317 votes*, or* 43.55 percent", "1.070 TPS *atau* 61,4 persen".
_OR_SHARE = re.compile(r"\s*,?\s*(?:or|atau)\s+", re.IGNORECASE)
# A whole, and a part of it after a comma: "*dari* 285 rumah *itu,* 55 rusak berat", "*Of the* 244 homes*,* 46 are ...".
_OF_BEFORE = re.compile(r"\b(?:dari|of(?:\s+the)?)\s+$", re.IGNORECASE)
_OF_BEFORE_REACH = 24  # characters before a number that ``_OF_BEFORE`` reads: "of the" and its spaces
_PART_GAP = re.compile(r"\s*(?:itu|tersebut|ini)?\s*,\s*", re.IGNORECASE)


# Households, however a report counts them: "rumah tangga", "KK" (kepala keluarga), "keluarga", "households",
# "families"; one thing under one name, and never houses ("612 *rumah* rusak" is no count of "rumah tangga").
HOUSEHOLD = "keluarga"
_HOUSEHOLD_PAIRS = frozenset({("rumah", "tangga"), ("kepala", "keluarga")})
_HOUSEHOLD_NAMES = frozenset("keluarga kk household family".split())  # as ``stem`` reads them
_HOUSEHOLDS_AFTER = re.compile(
    r"\s*(?:" + "|".join(rf"{first}\s+{second}" for first, second in sorted(_HOUSEHOLD_PAIRS)) + r")\b", re.IGNORECASE)


def stem(word: str) -> str:
    """English plural folded ("patients" -> "patient", "bodies" -> "body", "losses" -> "loss", "boxes" -> "box",
    "buses" -> "bus", "fishermen" -> "fisherman") and British spelling with it ("kilolitres" -> "kiloliter",
    "metre" -> "meter": the Indonesian words and the dictionary's), lower case. Indonesian words are folded the
    same way on both sides of a comparison ("dokumen" -> "dokuman"), which changes nothing they match."""
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes", "uses")) and not word.endswith(("ouses",
                                                                                                    "auses")):
        word = word[:-2]  # not "houses", "causes"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("men"):
        word = word[:-3] + "man"
    word = word[:-3] + "ter" if len(word) > 4 and word.endswith("tre") else word
    return _UNIT_SPELLINGS.get(word, word)


# Units of measure, each under one name whatever the language or spelling after ``stem``'s plural and British
# folds ("km", "kilometres", "kilometer": "kilometer"; "ha", "hektar", "hectares": "hektare"; "tonnes": "ton"), so a
# figure is recognised as the one asked however the report writes its unit.
_UNIT_SPELLINGS = {
    "km": "kilometer", "kilometre": "kilometer", "m": "meter", "cm": "sentimeter", "centimeter": "sentimeter",
    "mm": "milimeter", "millimeter": "milimeter", "mil": "mile",
    "ha": "hektare", "hektar": "hektare", "hectare": "hektare",
    "kg": "kilogram", "kilo": "kilogram", "tonne": "ton", "mdpl": "elevation",
    "l": "liter", "ltr": "liter", "kl": "kiloliter", "kilolitre": "kiloliter",
    "mw": "megawatt", "kw": "kilowatt",
}
# The units of each dimension, as ``stem`` names them, and the words that ask for it ("Berapa *luas* lahan yang
# terbakar?", "the *length* of the queue", "radius"): a figure in one of its units gives it ("4.780 hektare").
_LENGTHS = frozenset("kilometer meter sentimeter milimeter mile".split())
# A height above the sea ("116.95 metres above sea level", "1.200 mdpl") is an elevation, no length of anything: it
# gives how high something stands ("Berapa ketinggian muka air waduk?"), not how long a crack has grown.
_ELEVATIONS = frozenset({"elevation"})
_AREAS = frozenset("hektare square".split())  # "square": "180 square nautical miles", "300 mil laut persegi"
_MASSES = frozenset("ton kilogram gram".split())
_VOLUMES = frozenset("liter kiloliter cubic".split())  # "cubic": "40 cubic metres", "40 meter kubik"
_POWERS = frozenset("square cubic".split())  # a length unit squared or cubed ("180 square miles", "75 cubic metres")
_MEASURES = _LENGTHS | _ELEVATIONS | _AREAS | _MASSES | _VOLUMES | frozenset("megawatt kilowatt".split())
_AMOUNTS = _AREAS | _MASSES | _VOLUMES  # how much there is of something
# Words after a number that count or measure what follows them (as ``stem`` reads them): classifiers, people counted
# as "orang", units of measure.
# Counters of things, not people: what follows them is counted ("berapa *ekor* unggas", "berapa *kali* gempa").
_CLASSIFIERS = frozenset("unit buah ekor kali lembar biji batang pucuk helai butir ruas".split())
_MEASURE_WORDS = frozenset("orang jiwa".split()) | _CLASSIFIERS  # "... kini jadi berapa *orang*?"
# ... all of them but "kali" (times: "dua kali sehari" counts no thing after it), and "head" of cattle
_COUNTERS = _MEASURES | frozenset(stem(word) for word in _MEASURE_WORDS - {"kali"} | {"head"})
_DIMENSION_WORDS = {
    _LENGTHS: "panjang length jarak sejauh distance radius jangkauan lebar width diameter kedalaman depth",
    _LENGTHS | _ELEVATIONS: "tinggi height ketinggian elevasi elevation",
    _AREAS: "luas luasan area",
    _MASSES: "berat bobot weight tonase",
    _VOLUMES: "volume",
}
_DIMENSIONS = {stem(word): units for units, spelled in _DIMENSION_WORDS.items() for word in spelled.split()}


def _measured(things: Collection[str]) -> set[str]:
    """``things`` (as ``stem`` reads them) with the units of the dimensions among them ("luas": "hektare")."""
    return set(things).union(*(_DIMENSIONS.get(thing, ()) for thing in things))


def unit_name(word: str) -> str:
    """``word`` under its unit's one name when it is a unit of measure ("km", "kilometres": "kilometer"), else as
    written, in lower case: what ``counted`` keys a figure by."""
    stemmed = stem(word)
    return stemmed if stemmed in _MEASURES else word.lower()


# "What is the latest *price* of ...?", "What is the current *number of* schools ...?": the figure a question names
# without "how many"; a number, count or share is of the noun after "of", also when the time or the way it was
# reported comes between ("the most recent count *last week* of bird flu patients", "the most recent figure
# *reported last week* for the money frozen").
_REPORTED_WHEN = (r"(?:\s+(?:reported|given|published|released|announced|recorded|yesterday|so\s+far|"
                  r"(?:last|this|that|the\s+previous)\s+(?:week|month|year)|on\s+[^\W\d_]+(?:\s+\d{1,2})?)){0,3}")
_FIGURE_ASKED = re.compile(rf"\b{_WHAT_IS} the {_FIGURE_QUALIFIERS}{_FIGURE_MODIFIERS}"
                           rf"(?P<head>{_FIGURE_NOUNS}|(?:{_DIMENSION_NOUNS})(?=\s+of\b))\b"
                           rf"(?:{_REPORTED_WHEN}\s+(?:of|for)\s+(?P<of>.*))?", re.IGNORECASE)
_DEATH_TOLL = re.compile(r"\bdeath toll\b", re.IGNORECASE)
_LIVES = re.compile(r"\bhow many lives\b", re.IGNORECASE)  # "How many lives has the flood claimed?": the dead
# "What share of the *customers* ... have had their electricity restored?": a share of the noun phrase after "of", as
# "Berapa persen *pelanggan* ...?" asks it.
_SHARE_OF = re.compile(r"\bwhat (?:share|percentage|proportion|fraction) of\s+(?P<of>.*)", re.IGNORECASE)
# "How far ...?", "How large an area ...?", "how long a stretch of shoreline": the dimension asked, named as
# ``_DIMENSIONS`` names it. Not "how far along" (progress), "how long" alone (mostly a duration) nor "how large" /
# "how big" alone (a budget, a loss, a crowd).
_HOW_DIMENSION = re.compile(r"\bhow (?P<adjective>far(?!\s+along)|wide|tall|high|deep|heavy|(?:large|big)(?=\s+an?\s+"
                            r"area)|long(?=\s+an?\s+(?:stretch|section|strip|line|queue)))\b", re.IGNORECASE)
_ADJECTIVE_DIMENSION = {"far": "distance", "large": "area", "big": "area", "wide": "width", "tall": "height",
                        "high": "height", "deep": "depth", "heavy": "weight", "long": "length"}
_HYPHENATED = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
# "sepanjang / setinggi / sedalam ... berapa": the dimension asked ("panjang"), right before the question word
_SE_DIMENSION = re.compile(rf"\bse({_SE_DIMENSIONS})\s+$", re.IGNORECASE)
_SE_DIMENSION_NOUN = {"dalam": "kedalaman", "jauh": "sejauh"}  # "dalam" alone is "in"
# "*Setinggi apa* genangan rob ...?": the dimension asked without "berapa"
_SE_WHAT = re.compile(rf"\bse({_SE_DIMENSIONS})\s+apa\b", re.IGNORECASE)
_DETERMINERS = frozenset("the a an its their these those all".split())
_OF_SOMETHING = frozenset("number amount figure estimate percentage share count total tally size".split())
# Words before a trailing "berapa" that do not name what is asked.
_NOT_ASKED = frozenset("ada yang apa jadi kini sekarang saat ini hingga sampai terkini terbaru".split())
# Adverbs and prepositions after "berapa" that do not name what is asked.
_ADVERBS = frozenset("sebenarnya lagi saja sih kira".split())
_PREPOSITIONS_ID = frozenset("dari dalam di ke pada untuk bagi sejak terhadap dengan".split())
_NOT_THE_THING = _COUNT_WORDS | _NOT_ASKED | _ADVERBS  # after "berapa"
_NOT_IN_PHRASE = _DETERMINERS | {"what"}  # "the latest estimate of *what* a new bridge will cost"
# ... adverbs of place, "still", and adjectives that follow what is counted ("How many villages *downstream* of the dam
# ...?", "in how many places *online* ...?", "the most recent count of crash victims *still* in hospital", "fishermen
# *unable* to go to sea")
_ENDS_PHRASE = _AUX | _PREPOSITIONS | frozenset("whose who which that where when being been downstream upstream "
                                                "online offline nationwide overseas abroad still unable able".split())
_NOT_A_MODIFIER = _ENDS_PHRASE | _NOT_A_THING  # before the counted noun of an English compound ("93 *bank* accounts")
# Participles that do not end in "-ed", as news uses them after what they count ("workers *laid* off").
_PARTICIPLES = frozenset("laid hit left held sold paid built kept lost made taken given found hurt struck shut cut "
                         "spent sent brought caught stuck burnt set put frozen stolen lent won bought thrown torn "
                         "broken swept blown fallen withdrawn written driven grown shown known chosen hidden shot fed "
                         "led dug sunk flown begun borne drawn".split())
# Verbs in the present that follow what they count ("personnel *remain* at the site", "families *live* in tents").
_PRESENT_VERBS = frozenset("remain remains stay stays live wait waits sit sits stand stands lie lies need needs"
                           .split())


def _noun_phrase(words: Sequence[str]) -> list[str]:
    """The counted noun phrase that ``words`` begin with (``_noun_phrase_at``)."""
    return _noun_phrase_at(words)[0]


def _noun_phrase_at(words: Sequence[str]) -> tuple[list[str], int]:
    """The counted noun phrase that ``words`` (what follows "how many" or "the number of") begin with: up to a verb,
    a preposition, "to" or a relative word (``_ENDS_PHRASE``), and, once it has a word, up to a participle ("workers
    *laid* off", "services *knocked* out", "ships *taking* part"), a verb in the present ("personnel *remain*") or
    what begins a relative clause without "that":
    a determiner ("records *the* hackers say they stole", "lunches *a* day") or a name before a verb ("compensation
    *PLN* will give"; not "the derailed *Bayuswara* carriages"), with where its last word ends in ``words`` (0 when it
    has none)."""
    phrase: list[str] = []
    end = 0
    for i, word in enumerate(words):
        lower = word.lower()
        if lower in _ENDS_PHRASE or lower == "to" or phrase and (
                lower.endswith("ed") or lower in _PARTICIPLES | _PRESENT_VERBS or lower in _DETERMINERS
                # "ships *taking* part", not "fishing boats" nor "water-bombing helicopters": after a plural
                or len(lower) > 5 and lower.endswith("ing") and (stem(phrase[-1]) != phrase[-1].lower()
                                                                 or phrase[-1].lower() in PERSON_WORDS)
                or word[0].isupper() and not phrase[-1][0].isupper() and _subject_of_verb(words[i:])):
            break
        if lower not in _NOT_IN_PHRASE:
            phrase.append(word)
            end = i + 1
    return phrase, end


def _head_noun(words: Sequence[str]) -> str:
    """The last word of the noun phrase ``words`` begin with (``_noun_phrase``; determiners before it are skipped),
    as ``stem`` reads it; "" when they begin with none."""
    phrase = _noun_phrase(words)
    return stem(phrase[-1]) if phrase else ""


def _subject_of_verb(words: Sequence[str]) -> bool:
    """Whether ``words`` begin with a name followed by a verb ("PLN will give ...")."""
    rest = list(dropwhile(lambda word: word[0].isupper(), words))
    return bool(rest) and rest[0].lower() in _AUX


def _figure_asked(named: re.Match[str]) -> str:
    """What a figure named by ``_FIGURE_ASKED`` is of: "price" for "What is the latest price of a water tanker?",
    "school" for "What is the latest number of schools whose pupils fell ill?" (the last word of the noun phrase
    after "of": ``_noun_phrase``), "" when a number is of nothing named."""
    head = named.group("head").lower()
    if head not in _OF_SOMETHING:
        return stem(head)
    words = _WORD.findall(named.group("of") or "")
    # "the latest estimate of the total *amount of* fuel oil": a figure of a figure is of the noun after its "of"
    while ((phrase := _noun_phrase_at(words))[0] and phrase[0][-1].lower() in _OF_SOMETHING
           and phrase[1] < len(words) and words[phrase[1]].lower() == "of"):
        words = words[phrase[1] + 1:]
    return _head_noun(words)


_GLOSS = re.compile(r"([^\W\d_]+)\s*\(\s*([^\W\d_]+)\s*\)")  # "volunteer larva monitors *(jumantik)*"


def glossed(question: str, thing: str) -> str:
    """The one word a question gives in brackets right after what it counts (``thing``, as ``asked_thing`` reads
    it) as another name of it ("How many volunteer larva monitors *(jumantik)* ...?": "jumantik", as reports in the
    other language call them), "" when it gives none."""
    return next((found.group(2).lower() for found in _GLOSS.finditer(question)
                 if stem(found.group(1)) == thing and found.group(2).lower() != thing), "")


# Trips and what makes them: reports count trips cancelled or delayed by either ("perjalanan KA yang dibatalkan",
# "six trains a day were still cancelled"; "membatalkan 412 penerbangan"), as ``stem`` reads them.
_TRIP_WORDS = frozenset("perjalanan trip journey service sailing".split())
_VEHICLES = frozenset("kereta ka train penerbangan flight pesawat plane kapal feri ferry ship bus".split())


def trip_names(question: str, thing: str) -> tuple[str, tuple[str, ...]]:
    """The other names of what a question about trips cancelled or delayed counts (``thing``, as ``asked_thing``
    reads it): for trips, the vehicle it names after them ("Berapa perjalanan *kereta* per hari yang masih
    dibatalkan?": "kereta", to be translated), for a vehicle the words for trips in both languages ("How many trains
    were cancelled?": "perjalanan", "trip", ...); "" and none for anything else."""
    if stem(thing) in _TRIP_WORDS:
        vehicle = with_next_word(question, thing).partition(" ")[2]
        return (vehicle if stem(vehicle) in _VEHICLES else ""), ()
    return "", tuple(sorted(_TRIP_WORDS)) if stem(thing) in _VEHICLES else ()


def with_next_word(question: str, thing: str) -> str:
    """``thing`` (as ``asked_thing`` reads it) with the word the question writes after it, lower case: the
    Indonesian compound it may head ("Berapa total *pengembalian uang* tiket ...?", which the dictionary knows as
    "refund" while "pengembalian" alone is "payback"); "" when nothing follows it."""
    after = re.search(rf"\b{re.escape(thing)}\s+([^\W\d_]+)", question, re.IGNORECASE)
    return f"{thing} {after.group(1)}".lower() if after is not None else ""


def asked_thing(question: str) -> str:
    """What a "berapa" / "how many" question counts, as one word: the first word after "berapa" that is not
    "jumlah"/"banyak" or a counter ("Berapa jumlah *kasus* DBD terbaru?" -> "kasus", as written: it is looked up in
    the dictionary; "berapa ekor *unggas*"), the last word before the verb after "how many" or before a preposition
    ("How many dengue *patients* are in hospital?" -> "patient", "How many smoke *victims* from the fire ...?" ->
    "victim"); the first word of a question that ends in "berapa" ("*Harga* beras premium sekarang berapa?"); what a
    question names as its figure without them ("What is the latest *price* of ...?", "What is the current number of
    *schools* ...?": ``_figure_asked``; "people" for a death toll; "cost" for what something has cost or will cost:
    ``_COST_ASKED``); the dimension a "how far" / "how large" question
    asks ("distance", "area": ``_DIMENSIONS``); "" when there is none ("Berapa?")."""
    found = _QUESTION_WORDS.search(question)
    named = _FIGURE_ASKED.search(question)
    total = _COST_ASKED.search(question)
    if named and not found:
        thing = _figure_asked(named)  # "... estimate of what a new *bridge* will cost?"
        return "cost" if thing in _PRONOUNS and total else thing  # "... of what *it* will cost to repair ...?"
    if total and not found:
        return "cost"  # "What does the airline estimate the grounding has cost it?": a total
    if (share_of := _SHARE_OF.search(question)) and not found:
        return _head_noun(_WORD.findall(share_of.group("of")))
    if (measure := _WHAT_MEASURE.search(question)) is not None and not found:
        return measure.group(1).lower()  # "What magnitude does BMKG now give ...?"
    if _DEATH_TOLL.search(question) and not found:
        return "people"  # "What is the latest death toll ...?": people, who died (``conditions.asked_condition``)
    if _LIVES.search(question):
        return "people"  # "How many lives has the flood claimed?": people, who died, not what "lives" somewhere
    if _charge(question):  # "How much does a raft *charge* ...?", "What does a kilo of beef *cost* ...?": a price
        return "price"
    if not found and (measure := _SE_WHAT.search(question)) is not None:
        return _SE_DIMENSION_NOUN.get(measure.group(1).lower(), measure.group(1).lower())
    if not found:
        how = _HOW_DIMENSION.search(question)
        return _ADJECTIVE_DIMENSION[how.group("adjective").lower()] if how else ""
    if (measure := _SE_DIMENSION.search(question[:found.start()])) is not None:
        # "retakan itu sudah *sepanjang* berapa meter?": its length, not any metres
        return _SE_DIMENSION_NOUN.get(measure.group(1).lower(), measure.group(1).lower())
    words = _WORD.findall(question[found.end():])
    if found.group(0).lower().startswith("berapa") and len(words) > 1 and words[0].lower() in _CLASSIFIERS:
        words = words[1:]  # "berapa *ekor* unggas": the classifier counts, the noun after it is what is counted
    if found.group(0).lower().startswith("berapa") and all(w.lower() in _COUNT_WORDS | _MEASURE_WORDS for w in words):
        # "Harga beras premium di Pasar Induk sekarang berapa?": what is asked comes first
        return next((w.lower() for w in _WORD.findall(question[:found.start()]) if w.lower() not in _NOT_ASKED), "")
    if found.group(0).lower().startswith("how"):
        # a hyphenated modifier is one word: "flood-*hit* residents", "fire-*damaged* houses" (no participle ends them)
        # ... and a name in brackets is a gloss, not the noun: "How many volunteer larva *monitors* (jumantik) ...?"
        words = _WORD.findall(_HYPHENATED.sub("", _ASIDE.sub("", question[found.end():])))
        if words and words[0].lower() == "of":  # "How many of the derailed carriages have been lifted?"
            words = words[1:]
        if found.group(0).lower() == "how much" and words and words[0].lower() in MONEY_WORDS:
            return "money"  # "how much money Bank Warangin customers have lost": money, whoever lost it
        thing = _head_noun(words)  # "How many of the *vehicles* that plunged into ...?"
        # "How much has the company been fined ...?", "How much has it paid out so far?": money, named by no noun
        return thing or ("money" if found.group(0).lower() == "how much" else "")
    # Indonesian: as written; not an adverb ("berapa *sebenarnya* nilai kontrak"), and a preposition right after
    # "berapa" leaves what is asked before it ("posisi berapa *dalam* klasemen", "sejauh berapa *dari* sumur")
    asked = [w.lower() for w in words if w.lower() not in _NOT_THE_THING]
    if len(asked) > 1 and (asked[0], asked[1]) in _HOUSEHOLD_PAIRS:  # "berapa *rumah tangga*": households, not houses
        return HOUSEHOLD
    if asked and asked[0] == "per":  # "Harga ikan nila sekarang berapa *per* kilogram?": the first word, as above
        return next((w.lower() for w in _WORD.findall(question[:found.start()]) if w.lower() not in _NOT_ASKED), "")
    if asked and asked[0] in _PREPOSITIONS_ID:
        return next((w.lower() for w in reversed(_WORD.findall(question[:found.start()]))
                     if w.lower() not in _NOT_ASKED), "")
    return asked[0] if asked else ""


# Nouns that count people without saying which ("How many *people* are displaced?", "Berapa *warga* yang masih
# mengungsi?"): what the question asks about them (``asked_state``) names the figure, not the noun.
PERSON_WORDS = frozenset("people person resident individual orang warga jiwa penduduk masyarakat".split())
# English nouns that count people by what happened to them, as keyword tokens, with the token of the verb that says
# it: "79 accidents and 23 *deaths*" counts people who died ("died": "die"), "15 *injuries*" people injured.
STATE_NOUNS = {"death": "die", "dead": "die", "fatal": "die", "injuri": "injur", "casualti": "die"}
# People infected are counted as cases ("437 *kasus* kolera" for "Berapa orang yang *terjangkit* kolera?"): the
# keyword tokens of the state, both languages, and the nouns (as ``stem`` reads them) that count them.
# "serang": "warga *terserang* ISPA"; "obat": "warga yang *berobat* karena ISPA" (treated for it)
INFECTED = frozenset("jangkit infeksi tular infect serang obat".split())
# People treated for an illness, or who caught it ("How many people have been *treated for* respiratory infections?",
# "... *came down with* ...?", "... *sought treatment for* ...?", "gone to health workers *with signs of* ...?"), are
# those it infected: counted as its cases, not as patients in hospital.
_ILL_WITH = re.compile(r"\b(?:(?:been|were|was)\s+treated\s+for|(?:came|come|coming)\s+down\s+with|"
                       r"(?:fallen|fell|falling)\s+ill\s+with|sick(?:ened)?\s+with|suffering\s+from|"
                       r"(?:sought|seek|seeking|received|receiving)\s+(?:medical\s+)?(?:treatment|care)\s+for|"
                       r"with\s+(?:signs|symptoms)\s+of)\b", re.IGNORECASE)
CASE_NOUNS = frozenset("kasus case".split())
# Which cases a question counts: "How many *leptospirosis* cases ...?", "Berapa kasus *DBD* ...?". A report counting
# the cases of two illnesses ("961 kasus diare" beside "sebelas kasus leptospirosis") answers with the one named.
_CASES_OF = (re.compile(r"\bcases\s+of\s+([^\W\d_]+)(?![\w-])", re.IGNORECASE),
             re.compile(r"(?<![\w-])([^\W\d_]+)\s+cases\b", re.IGNORECASE),
             re.compile(r"\bkasus\s+(?:(?:baru|positif|aktif|suspek|terkonfirmasi)\s+)?([^\W\d_]+)", re.IGNORECASE))
# Words next to "cases" that say no illness: "new cases", "kasus baru", "kasus yang", "how many cases", "jumlah kasus
# bertambah menjadi ...".
_NOT_AN_ILLNESS = _AUX | _PREPOSITIONS | _PREPOSITIONS_ID | _DETERMINERS | frozenset("""
    new confirmed suspected positive active total reported recorded many much more fresh local imported recent latest
    human possible probable suspect disease diseases illness illnesses as
    baru positif aktif suspek terkonfirmasi total yang itu ini tersebut lagi terbaru terkini kini sekarang saat
    manusia penyakit
    rose rise risen reached climbed fell jumped stood stand now so since this
    naik turun bertambah berkurang meningkat menurun melonjak mencapai menjadi tercatat ditemukan dilaporkan terdata
    terus masih sudah telah kembali sebanyak hingga sampai selama menembus tembus
    """.split())


def case_kind(question: str) -> tuple[str, ...]:
    """The illness whose cases ``question`` counts, as it names it next to "cases" / "kasus" ("How many *leptospirosis*
    cases ...?": "leptospirosis"); () when it names none."""
    named = (word.lower() for pattern in _CASES_OF for found in pattern.finditer(question) for word in found.groups()
             if word)
    return next(((word,) for word in named if word not in _NOT_AN_ILLNESS), ())


# Between such a noun and what is asked about them: auxiliaries, "yang", time and degree words.
_BEFORE_STATE = _AUX | frozenset(
    "been being be yang masih sudah telah sedang tengah kini sekarang saat ini hingga terkini terbaru sebenarnya "
    "currently still now so far already actually who that "
    # light verbs before a state that is a noun or an adjective: "dijadikan *tersangka*", "declared *dead*"
    "dijadikan ditetapkan menjadi jadi sebagai berstatus dinyatakan named declared as "
    # words of the count itself, before what it counts them as: "yang *tercatat* mengungsi", "*recorded* as"
    "tercatat dicatat terdata terdaftar recorded registered listed counted reported "
    # staying somewhere says nothing until the place: "yang *bertahan di tempat* pengungsian", "*staying in* shelters"
    "bertahan tinggal berada menetap di dalam tempat lokasi staying stay remaining in at".split())
_AS = frozenset("sebagai as".split())  # a role given: what follows is the state


def asked_state(question: str) -> str:
    """What a "berapa" / "how many" question about people asks about them, as one word, when the counted noun
    says nothing of it (``PERSON_WORDS``): "How many people are currently *displaced*?", "How many residents have
    been *evacuated*?", "Berapa warga yang saat ini masih *mengungsi*?", "Berapa orang yang ditetapkan polisi sebagai
    *tersangka*?"; "infected" for people of any kind treated for an illness or who caught it ("How many people have
    been *treated for* respiratory infections?", "How many villagers have gone to health workers *with signs of*
    mercury poisoning?": ``_ILL_WITH``); "" for other questions ("Berapa jumlah korban meninggal?": "korban" is what
    is counted)."""
    found = _QUESTION_WORDS.search(question)
    thing = asked_thing(question)
    if found and thing not in PERSON_WORDS and counts_people(thing) and _ILL_WITH.search(question):
        return "infected"  # "How many *villagers* have gone to health workers *with signs of* mercury poisoning?"
    if not found or thing not in PERSON_WORDS:
        return ""
    words = _WORD.findall(question[found.end():])
    at = next((i for i, word in enumerate(words) if stem(word) == thing), None)
    if at is None:
        return ""
    if _ILL_WITH.search(question):
        return "infected"
    # names after the noun say whose, not what ("Berapa warga *Pandanraya* yang berobat ...?")
    rest = [word.lower() for word in words[at + 1:] if not word[0].isupper()]
    if rest and rest[0] in _PREPOSITIONS | _PREPOSITIONS_ID:  # so do words after a preposition, up to the verb:
        # "Berapa orang *dari jajaran PT RNS* yang dijadikan tersangka?", "How many residents *of the two
        # villages* are still displaced?"
        rest = rest[next((i for i, word in enumerate(rest) if word in _BEFORE_STATE), 0):]
    if (role := next((i for i, word in enumerate(rest[:4]) if word in _AS), None)) is not None and role + 1 < len(rest):
        return rest[role + 1]  # "ditetapkan polisi sebagai *tersangka*", "named by police as *suspects*"
    return next((word for word in rest if word not in _BEFORE_STATE), "")


# Kinds of people that news figures count. A report may count them as "warga" or "orang" in a sentence that names
# them another way ("2.800 warga masih bertahan di *pengungsian*" for "pengungsi"); such a count of people is never
# a count of anything else ("6.050 warga yang mengungsi karena *rumah*nya rusak" counts no houses).
PEOPLE_NOUNS = frozenset(stem(word) for word in """
    korban pasien penderita pengungsi penumpang pekerja buruh karyawan pegawai pedagang pelanggan personel petugas
    relawan anak balita bayi siswa murid pelajar mahasiswa guru santri nelayan petani tersangka saksi penyintas
    penonton pengunjung pemudik tentara prajurit polisi peserta jemaah kasus napi narapidana tahanan buronan
    victim patient sufferer evacuee refugee passenger worker employee trader vendor customer personnel officer rescuer
    volunteer child children baby student pupil teacher fisherman fishermen farmer suspect witness survivor visitor
    soldier police participant case driver sopir crew awak inmate prisoner detainee fugitive escapee guard sipir
    warden
    nasabah konsumen anggota client member depositor borrower
    injured wounded dead missing displaced homeless
    """.split()) | PERSON_WORDS  # the last line: English counts people by what happened to them ("How many injured")


# Agent nouns ("miner", "survivor", "evacuee", "operator"); "container" or "order" pass too, and are told apart by
# their translations (``counts_people``). Not "-ian" or "-men": Indonesian "kerugian", "dokumen".
_AGENT_NOUN = re.compile(r"[a-z]{2,}(?:er|or|ee|ist)")


def _agent(word: str) -> bool:
    """Whether ``word`` reads as a kind of people by its form: an agent noun in "-er", "-or", "-ee" or "-ist", or
    an Indonesian one made of "pe-" and a verb's root ("penambang", "pengungsi", "penumpang", "pelayan"; not "pelabuhan"
    or "penerbangan", made with "-an", nor "perahu", which is its own root, nor "pesanan", a root and "-an")."""
    if stem(word) in _MEASURES:  # "kilometer", "meter", "liter": units, whatever their ending
        return False
    if _AGENT_NOUN.fullmatch(word):
        return True
    if not word.startswith("pe") or (root := indonesian_root(word)) == word or word == f"{root}an":
        return False  # "pesanan" is "pesan" and "-an"
    return not word.endswith("an") or root.endswith("an")


def counts_people(thing: str, also: Collection[str] = ()) -> bool:
    """Whether what a "berapa" / "how many" question counts (``thing`` or a translation in ``also``) is people:
    a word of ``PEOPLE_NOUNS``, or ``thing`` reads as a kind of people by its form (``_agent``) and so does one of
    its translations when it has any: "pemudik" and "traveler", not "order" and "pesanan" (loanwords agree by form
    too: "container" and "kontainer")."""
    if any(stem(word) in PEOPLE_NOUNS for word in (thing, *also)):
        return True
    return _agent(thing.lower()) and (not also or any(_agent(word.lower()) for word in also))


# Words in "-er" that are no people: "18 schools *after* they ate", "two days *later*".
_NOT_AGENTS = _NOT_A_MODIFIER | frozenset("other another later never ever either neither whether rather further "
                                          "together altogether over under".split())


def _counts_people_by(word: str) -> bool:
    """Whether ``word`` names a kind of people ("farmers", "drivers", "workers"), by the list or by its form."""
    lower = word.lower()
    return lower not in _NOT_AGENTS and (stem(lower) in PEOPLE_NOUNS or _agent(lower))


_COUNT_QUESTION = re.compile(r"\b(?:how many|number of)\b", re.IGNORECASE)


def asks_count(question: str, thing: str, also: Collection[str] = ()) -> bool:
    """Whether ``question`` counts its ``thing`` one by one ("How many schools ...?", "the latest number of
    schools", people of any kind) rather than asking an amount ("Berapa anggaran ...?", "How much rice ...?"):
    "berapa" says neither, so an Indonesian question about things that are not people is taken as either."""
    return bool(_COUNT_QUESTION.search(question)) or counts_people(thing, also)


def counts_of(sentence: str, thing: str, also: Collection[str] = (), *, countable: bool = False,
              people: bool | None = None, per_span: bool = False, share: bool = False) -> set[float]:
    """The figures of ``sentence`` that count ``thing`` (``asked_thing``) or one of its translations ``also``
    ("patient": "pasien"): it is the word right after the number ("1,287 *cases*") or it comes before the number in
    the sentence with no other figure between them, and no other thing after the number ("Jumlah *kasus* DBD di
    Banyusari mencapai 1.421 hingga Senin", "*Korban* meninggal bertambah dua menjadi 33 orang": the change
    "bertambah dua" is not a figure here, as in ``counted``; not "*Kasus* tersebar di 7 kecamatan"). A ``countable``
    thing (``asks_count``) is never counted by an amount of money or a share named after it ("the *school* meal
    poisoning to Rp 2.5 billion"), nor anything but people by a count of people ("Makan Bergizi *Sekolah* menjadi
    1.476 orang"); ``people``: whether the thing is people, when the caller knows (default: ``counts_people``). A
    question that asks for a rate (``per_span``: ``asks_rate``) is given only by counts per span of time ("110
    crossings a day") or amounts of money, any other only by figures that are not per span ("Truk-truk itu menyiram
    jalan dua kali sehari" counts no trucks). A question that asks for a ``share`` (``asks_share``) is given only by
    shares ("95 persen dari kapasitas", not the plant's "450 liter per detik")."""
    if not thing:
        return set()
    asked = {stem(word) for word in (thing, *also)}  # as the question words it: a dimension or a unit itself
    things = _measured(asked)
    if not things.isdisjoint(_HOUSEHOLD_NAMES):
        things |= _HOUSEHOLD_NAMES
    dimensions = {_DIMENSION_NAMES[word] for word in asked if word in _DIMENSION_NAMES}  # "ketinggian": "height"
    if people is None:  # "Makan Bergizi *Sekolah* menjadi 1.476 orang" counts no schools
        people = counts_people(thing, also)
    text, found_figures = reported(sentence)
    # a goal only for a question that asks for one ("Berapa jumlah *sasaran* anak ...?")
    wanted = "rate" if per_span else "goal" if not asked.isdisjoint(_GOAL_WORDS) else "figure"
    found: set[float] = set()
    since = 0  # where the words that can name the next figure's thing begin: after the previous figure
    # ... and the next amount of money's: after the previous amount, for a count between them names no money ("Losses
    # suffered ... after the theft of 6.3 million records ... have climbed to Rp 17.9 billion")
    since_money = 0
    english = bool(found_figures) and detect_language(sentence) == "en"  # read once, not for every figure
    counted_before = ("", 0)  # the thing the previous figure counts and where its name ends in ``text``
    whole_before = False  # whether the previous figure is a whole that a part may follow ("*dari* 285 rumah itu")
    for q, reading, rest in found_figures:
        lead = rest.lstrip()  # the words after the number
        after = _WORD.match(lead)
        # an amount of money or a share counts what is named before it, whatever word follows
        money = q.percent or _CURRENCY.match(q.text)
        word_after = stem(after.group(0)) if after is not None else ""
        unit = "" if money else word_after
        named_end = after.end() if after is not None else 0  # where the words naming this figure end, after it
        # "260 *cubic* metres" measure a volume, not metres: the power is the unit
        if unit not in _POWERS and (named := _named_after(lead, unit, things, bool(money), english)) is not None:
            unit, named_end = named
        elif unit in _LENGTHS and unit not in asked:
            # a length that says its dimension gives only that one ("sepanjang 42 meter" no height, "5 centimetres
            # wide" no length); one followed by a noun is that thing's ("300 meter *tanggul*" no water's height)
            stated = _stated_dimension(text[:q.start], lead, text[since:q.start], named_end)
            if stated is not None and dimensions and stated[0] not in dimensions and not (
                    _ALONG_THE_GROUND.issuperset(dimensions | {stated[0]})):
                unit, named_end = stated
            # ... unless a length is asked: "6.3 kilometres *of shoreline*" is how long the shoreline is
            elif stated is None and "length" not in dimensions and (measured_thing := _length_of(lead, things)):
                unit, named_end = measured_thing
        fits = not (money and countable) and (unit not in _PEOPLE_MEASURES or people)
        # a thing named before its figure: with no word after it that names another thing, or, for an amount ("How
        # much rice ...?"), a unit of how much there is of it ("Stok *beras* di gudang Bulog kini 41.850 ton"), not
        # of how long, high or far ("Rumah warga terendam banjir setinggi 1 meter" gives no houses)
        measured = not countable and unit in _AMOUNTS
        currency = money and not q.percent
        window = text[since_money if currency else since:q.start]
        window = window[clause.end():] if (clause := _last(_NEW_SUBJECT.finditer(window))) is not None else window
        named_before = fits and (not unit or unit in _NOT_A_THING or measured) and not things.isdisjoint(
            map(stem, _WORD.findall(window)))
        # "15 persen *material*"; "252,317 *votes*, or 43.55 percent": the share of what the figure before it counts
        share_of = q.percent and (word_after in things or share and counted_before[0] in things
                                  and _OR_SHARE.fullmatch(text[counted_before[1]:q.start]) is not None)
        # "dari 285 rumah itu, 55 rusak berat", "Of the 244 homes, 46 are badly damaged": a part of the whole before
        part_of = whole_before and counted_before[0] in things and (not unit or unit in _NOT_A_THING) and \
            _PART_GAP.fullmatch(text[counted_before[1]:q.start]) is not None
        # an amount of money per span is paid for it, however a report words it ("Rp 3,2 juta per nelayan untuk bulan
        # pertama" for "kompensasi per bulan")
        given = reading == wanted or per_span and bool(money) and reading == "figure"
        if given and (named_before or unit in things or share_of or part_of) and (q.percent or not share):
            found.add(q.value)
        named_to = len(text) - len(lead) + named_end if after is not None and unit else q.end
        # an older value ends what names the next figure too, and so does its unit (and a goal's: "Sasarannya 124.300
        # *anak* usia 0 hingga 7 tahun"); not the one it changed to: "Cakupan turun dari 69,4 persen *menjadi* 64,7
        # persen" names the coverage for both
        if reading in (wanted, "goal") or reading == "older" and not turns_to(rest):
            since = named_to
            since_money = named_to if currency else since_money
        counted_before = (unit, named_to)
        whole_before = _OF_BEFORE.search(text, max(0, q.start - _OF_BEFORE_REACH), q.start) is not None
    return found


def _stated_dimension(before: str, lead: str, window: str, unit_end: int) -> tuple[str, int] | None:
    """The dimension a length says it measures (``_DIMENSION_NAMES``), by the word right before its number
    ("*sepanjang* 42 meter", "*setebal* 5 sentimeter"), by the words after its unit ("5 centimetres *wide*"; "8 km
    *from* the crater" is a distance) or by a noun of one in the words that can name it (``window``: "*radius* zona
    bahaya dipersempit menjadi 6 kilometer"), with where the words naming it end in ``lead`` (the words after the
    number; ``unit_end``, after the unit, unless words after the unit say it); ``None`` when it says none."""
    if (after := _DIMENSION_AFTER.match(lead)) is not None:
        return _DIMENSION_NAMES[after.group(1).lower()], after.end()
    if (away := _FROM_AFTER.match(lead)) is not None:  # "eight kilometres *from* the crater", "6 km *dari* kawah"
        return "distance", away.end()
    if (se := _SE_BEFORE.search(before)) is not None and se.group(1).lower() in _DIMENSION_NAMES:
        return _DIMENSION_NAMES[se.group(1).lower()], unit_end
    # "*Diameternya* kini 31 meter": its diameter
    named = [noun for word in _WORD.findall(window) if (noun := _without_nya(word.lower())) in _LENGTH_NOUNS]
    return (_DIMENSION_NAMES[named[-1]], unit_end) if named else None


def _without_nya(word: str) -> str:
    """``word`` without the possessive "-nya" ("diameternya": "diameter"). Not ``indonesian_root``: it strips the
    affixes that make the nouns ("kedalaman": "dalam", which is also "in"; "membentang": "bentang")."""
    return word[:-3] if word.endswith("nya") and len(word) > 5 else word


_DIMENSION_AFTER = re.compile(r"\s*[^\W\d_]+\s+(wide|across|long|deep|high|tall|thick)\b", re.IGNORECASE)
# A length and a distance are read alike: "The queue stretched 5 kilometres *from* the petrol station" is its length.
_ALONG_THE_GROUND = frozenset({"length", "distance"})
_FROM_AFTER = re.compile(r"\s*[^\W\d_]+\s+(?:from|dari)\b", re.IGNORECASE)
# "*se*panjang 42", "*se*panjang sekitar 12": the root of "se-" right before a number, or before an approximation
_SE_BEFORE = re.compile(r"\bse(\w+)\s+(?:sekitar\s+|hingga\s+|lebih dari\s+)?$", re.IGNORECASE)
# Each dimension under one name, whatever the language or the word (noun, adjective, the root of "se-") that says it.
_DIMENSION_NAMES = {
    # what stretches is as long as that ("lorong tambang tua *membentang* sekitar 4,3 kilometer")
    **dict.fromkeys("panjang length long membentang stretch stretches stretched stretching".split(), "length"),
    **dict.fromkeys("tinggi ketinggian height high tall elevasi elevation".split(), "height"),
    # a hole's or a crater's width is its diameter ("berdiameter 4 meter", "36 metres across")
    **dict.fromkeys("lebar width wide diameter berdiameter across".split(), "width"),
    **dict.fromkeys("dalam kedalaman depth deep".split(), "depth"),
    **dict.fromkeys("tebal ketebalan thickness thick".split(), "thickness"),
    **dict.fromkeys("jauh jarak sejauh distance radius jangkauan".split(), "distance"),
}
# Those of them that are nouns, which name a length's dimension anywhere before it ("*panjang* retakan kini 27 meter"),
# and the verbs that say it ("lubangnya *berdiameter* sekitar 4 meter", "tunnels *stretching* 4.3 kilometres")
_LENGTH_NOUNS = frozenset("panjang length tinggi ketinggian height elevasi elevation lebar width kedalaman depth "
                          "ketebalan thickness jarak distance radius jangkauan diameter berdiameter membentang "
                          "stretch stretches stretched stretching".split())


def _length_of(lead: str, things: Collection[str]) -> tuple[str, int] | None:
    """The thing a length measures when a noun follows its unit (``lead``: the words after the number): "300 meter
    *tanggul*", "60 metres *of the* breakwater" (not across "dari": "6 km *dari* kawah" is a distance from it);
    ``None`` when the next word names no thing (a preposition, a verb, "itu") or is one of ``things``. A question
    about a dimension ("Berapa ketinggian genangan?") is not given by the length of something else."""
    named = _UNIT_AND_WORD.match(lead)
    if named is None:
        return None
    word = named.group(1)
    lower = word.lower()
    if (stem(word) in things or lower in _NOT_A_NOUN or _VERB_FORM.fullmatch(lower)
            or stem(lower) in _DIMENSIONS):
        return None
    return stem(word), named.end()


_UNIT_AND_WORD = re.compile(r"\s*[^\W\d_]+\s+(?:of\s+(?:(?:the|its|their)\s+)?)?([^\W\d_]+)", re.IGNORECASE)
# Words after a length's unit that are no thing it measures: small words, adverbs, determiners, adjectives of place.
_NOT_A_NOUN = _NOT_A_THING | _ADVERBS | _DETERMINERS | _ENDS_PHRASE | frozenset(
    "itu ini tersebut pun lebih kurang saja hanya baru lalu terakhir "
    # conjunctions and words of time: "melebar menjadi 38 meter *setelah* dihantam pasang", "27 metres *on* Tuesday"
    "setelah sebelum sesudah ketika saat sewaktu selama karena akibat sehingga namun tetapi tapi sekitar kemarin "
    "hari pagi siang sore malam tadi pekan minggu bulan tahun sejak "
    "when while because yesterday today tonight last this".split())
# Words that look like verbs or participles: Indonesian prefixes, English endings.
_VERB_FORM = re.compile(r"(?:me|ber|di|ter|per|ke)\w+|\w+(?:ed|ing)")


def _last(matches: Iterator[re.Match[str]]) -> re.Match[str] | None:
    """The last of ``matches``, ``None`` when there is none."""
    found = list(matches)
    return found[-1] if found else None


# Words that begin a clause with a subject of its own: what a figure after them counts is named after them ("the
# disease reached another school *and the* death toll stood at four": four deaths, no school).
_NEW_SUBJECT = re.compile(r"\b(?:and the|while|whereas|sedangkan|sementara itu)\s", re.IGNORECASE)


def _named_after(lead: str, unit: str, things: Collection[str], money: bool, english: bool) -> tuple[str, int] | None:
    """What a figure counts when the words after it (``lead``; ``unit``: the first of them as ``stem`` reads it, "" for
    an amount of money or a share) name it some other way than by that word: the thing and where its name ends in
    ``lead``, from the first of ``_AFTER_FIGURE`` that reads one; ``None`` when none does."""
    return next((named for read in _AFTER_FIGURE if (named := read(lead, unit, things, money, english)) is not None),
                None)


def _thing_within(lead: str, start: int, things: Collection[str], count: int,
                  ends: Collection[str]) -> tuple[str, int] | None:
    """The first of ``things`` among the ``count`` words of ``lead`` from ``start`` (numbers among them), with where
    its word ends; ``None`` when a word of ``ends`` comes first or none is one of them."""
    for word in islice(_WORD_OR_NUMBER.finditer(lead, start), count):
        if word.group(0).lower() in ends:
            return None
        if stem(word.group(0)) in things:
            return stem(word.group(0)), word.end()
    return None


def _money_in(lead: str, unit: str, things: Collection[str], money: bool, english: bool) -> tuple[str, int] | None:
    """An amount of money named after it with "in" (``_MONEY_IN``), in English: "Rp 1.9 billion in *compensation*"."""
    named = _MONEY_IN.match(lead) if money and english else None
    if named is None:
        return None
    thing = _thing_within(lead[:named.end(1)], named.start(1), things, _MONEY_IN_WORDS, _NOT_A_MODIFIER)
    return (thing[0], named.end()) if thing is not None else None


def _households(lead: str, unit: str, things: Collection[str], money: bool, english: bool) -> tuple[str, int] | None:
    """Households however a report counts them: "11.842 rumah tangga", "9.315 kepala keluarga"."""
    named = _HOUSEHOLDS_AFTER.match(lead) if unit else None
    return (HOUSEHOLD, named.end()) if named is not None else None


def _compound(lead: str, unit: str, things: Collection[str], money: bool, english: bool) -> tuple[str, int] | None:
    """A thing named last in a hyphenated compound (``compound_head``): "134 tanker-truck *loads*"."""
    head, end = compound_head(lead) if unit else ("", 0)
    return (stem(head), end) if head and stem(head) in things else None


def _counter_of(lead: str, unit: str, things: Collection[str], money: bool, english: bool) -> tuple[str, int] | None:
    """What a counter or a unit of measure counts or measures: "97.300 ekor *unggas*", "2.34 million litres of
    *water*", "9,870 tonnes of unhusked *rice*" (one word between "of" and the thing)."""
    if unit not in _COUNTERS or unit in things:
        return None
    for counter_of in (_COUNTER_OF, _COUNTER_OF_KIND):
        named = counter_of.match(lead)
        if named is not None and stem(named.group(2)) in things:
            return stem(named.group(2)), named.end()
    return None


def _and_also(lead: str, unit: str, things: Collection[str], money: bool, english: bool) -> tuple[str, int] | None:
    """Things counted together: "1,468 kiosks and *stalls*"."""
    named = _AND_ALSO.match(lead) if unit and unit not in things else None
    return (stem(named.group(1)), named.end()) if named is not None and stem(named.group(1)) in things else None


def _english_compound(lead: str, unit: str, things: Collection[str], money: bool,
                      english: bool) -> tuple[str, int] | None:
    """An English compound names what it counts last: "93 bank *accounts*" (Indonesian names it first)."""
    named = _TWO_WORDS.match(lead) if english and unit and unit not in things else None
    if named is None or stem(named.group(2)) not in things or named.group(1).lower() in _NOT_A_MODIFIER:
        return None
    return stem(named.group(2)), named.end()


def _of_them(lead: str, unit: str, things: Collection[str], money: bool, english: bool) -> tuple[str, int] | None:
    """A part of something named after it, in English: "all 23 *of its buses* are grounded", "Thirteen of the
    province's oil *mills*", "86 witnesses, 58 *of them supporters*": the thing within the next few words (modifiers
    before it; the next word after "of them"), or else, but after "of them", the noun the phrase ends in, which is
    then what is counted. With a total ("Two of the seven suspects") ``_PART_OF`` reads the words after the total
    instead."""
    named = _OF_THEM.match(lead) if english and unit == "of" else None
    if named is None:
        return None
    them = named.group("them") is not None  # "58 of them supporters": the noun right after
    if (thing := _thing_within(lead, named.end(), things, 1 if them else _OF_THEM_WORDS, _ENDS_PHRASE)) is not None:
        return thing
    if them:
        return None  # "declared 12 of them unsafe": a part of what was named before, whatever follows
    # another noun ends the phrase: "paid compensation to 96 *of the stranded passengers*" counts passengers, not
    # the compensation named before it
    phrase = _PHRASE_END.split(lead[named.end():], maxsplit=1)[0]
    head = None
    for word in islice(_WORD_OR_NUMBER.finditer(phrase), _OF_THEM_WORDS):
        if word.group(0).lower() in _ENDS_PHRASE:
            break
        head = word
    return (stem(head.group(0)), named.end() + head.end()) if head is not None else None


_OF_THEM = re.compile(r"of\s+(?:the|its|their|these|those|(?P<them>them))\s+(?:[^\W\d_]+'s\s+)?", re.IGNORECASE)
_OF_THEM_WORDS = 4  # words after "of its" read for the thing: a total and up to three modifiers before it
_PHRASE_END = re.compile(r"[,.;:()]")
_WORD_OR_NUMBER = re.compile(r"[^\W\d_]+|\d[\d.,]*")


def _people_after(lead: str, unit: str, things: Collection[str], money: bool, english: bool) -> tuple[str, int] | None:
    """People named after the thing, in English, are what is counted: "52 poultry *farmers*", not poultry."""
    named = _TWO_WORDS.match(lead) if english and unit in things else None
    if named is None or not _counts_people_by(named.group(2)) or stem(named.group(2)) in things:
        return None
    return stem(named.group(2)), named.end()


def _squared(lead: str, unit: str, things: Collection[str], money: bool, english: bool) -> tuple[str, int] | None:
    """An area or a volume in a length unit squared or cubed, in Indonesian: "300 mil laut *persegi*", "12 kilometer
    *persegi*", "40 meter *kubik*"."""
    named = _SQUARED.match(lead) if unit in _LENGTHS else None
    return ("square" if named.group(1).lower() == "persegi" else "cubic", named.end()) if named is not None else None


_SQUARED = re.compile(r"\s*[^\W\d_]+(?:\s+laut)?\s+(persegi|kubik)\b", re.IGNORECASE)


def _above_sea(lead: str, unit: str, things: Collection[str], money: bool, english: bool) -> tuple[str, int] | None:
    """A height above the sea is an elevation (``_ELEVATIONS``): "116.95 metres *above sea level*", "2.100 meter *di
    atas permukaan laut*"."""
    named = _ABOVE_SEA.match(lead) if unit in _LENGTHS else None
    return ("elevation", named.end()) if named is not None else None


_ABOVE_SEA = re.compile(r"\s*[^\W\d_]+\s+(?:above (?:mean )?sea level|di atas permukaan (?:air )?laut)\b",
                        re.IGNORECASE)
_AFTER_FIGURE = (_money_in, _households, _compound, _counter_of, _and_also, _english_compound, _people_after, _squared,
                 _above_sea, _of_them)


# A purpose is "untuk"/"guna" before a verb ("untuk menjaga independensi"), not before a noun ("untuk pemerintah").
_VERB = r"(?:me|ber|di|ter|per)\w+"
_REASON_WORDS = re.compile(
    r"\b(?:karena|dikarenakan|sebab|disebabkan|penyebab\w*|menyebabkan|akibat\w*|diakibatkan|mengakibatkan|"
    r"lantaran|gara-gara|alasan\w*|beralasan|dipicu|memicu|pemicu\w*|mengingat|berkat|imbas\w*|dalih\w*|"
    r"agar|supaya|demi|bertujuan|tujuan\w*|sehingga|ingin|berharap|harapan\w*|"
    rf"(?:untuk|guna) {_VERB}|"
    r"because|cause[sd]?|causing|due to|owing to|as a result|result of|led to|leads? to|reasons?|so that|"
    r"in order to|thanks to|aim(?:s|ed)? to|in the hope|hoping|wants? to|wanted to)\b",
    re.IGNORECASE,
)
_MEANS_WORDS = re.compile(
    rf"\b(?:dengan cara|caranya|cara\w* {_VERB}|dengan {_VERB}|melalui|lewat|menggunakan|memakai|memanfaatkan|"
    rf"yakni|yaitu|antara lain|(?:untuk|guna|agar|supaya) {_VERB}|"
    r"by \w+ing|through|using|via|with the help of|by means of)\b",
    re.IGNORECASE,
)


def can_answer(sentence: str, kind: AnswerKind) -> bool:
    """Whether ``sentence`` holds what a question of ``kind`` asks for: a number that is not part of a date, or a
    time (a month, weekday, year, "kemarin", "abad ke-19", "setelah perang"), or words that state a reason
    ("karena", "akibat", "agar", "untuk menjaga", "because") or a means ("dengan cara", "lewat", "melalui", "by
    using"). Every sentence can answer an "other" question."""
    if kind == "quantity":
        return bool(figures(sentence))
    if kind == "date":
        return bool(months(sentence) or weekdays(sentence) or _YEAR.search(sentence) or _TIME_WORD.search(sentence)
                    or _DIGIT_DATE.search(sentence))
    if kind == "reason":
        return bool(_REASON_WORDS.search(sentence))
    if kind == "means":
        return bool(_MEANS_WORDS.search(sentence))
    return True


# Kinds whose answer a sentence may state without words a rule can see: preferred, not required.
PREFERRED_KINDS: frozenset[AnswerKind] = frozenset({"reason", "means"})


# A question about what did not happen, or what a thing is not ("Mengapa Messi tidak bermain?", "Apa yang tidak
# pernah bisa dihubungkan?", "Why didn't the minister come?"), is answered only by a sentence that says so: with a
# negation, or a word that carries one ("gagal", "menolak", "batal", "absen", "without", "refused"). A passage on
# the topic that says only what did happen is a near miss, and the answer to the question as asked is not in it.
# "tidak hanya" / "not only" adds, it does not negate; nor does a negation in a purpose ("Bagaimana petugas berupaya
# *agar* tragedi itu *tidak* terulang?", "How did she make sure she would not win?"): that asks for the means; nor
# an alternative ("yang masih tertimbun *atau belum* ditemukan", "whether or not").
_NEGATED_QUESTION = re.compile(
    r"\b(?:tidak|tak|bukan|belum|never|not)\b(?!\s+(?:hanya|saja|cuma|sekadar|only|just|merely|"
    # adjectives, not a claim that something did not happen: "dana belanja tidak terduga", "pelaku tak dikenal"
    r"terduga|langsung|tetap|resmi|sah|terbatas|menentu|dikenal|teridentifikasi|"
    # what a count leaves out: "rumah yang rusak (*tidak termasuk* yang terbakar)", "*not including* ..."
    r"termasuk|terhitung|including|counting)\b)|\w+n't\b"
    # "Why is there no water ...?", not "No. 10" nor a "no-go zone"
    r"|\b(?:nobody|nothing|none|no(?!\.?\s*\d|-))\b",
    re.IGNORECASE,
)
_PURPOSE = re.compile(r"\b(?:agar|supaya|biar|so that|in order|make sure|ensure|prevent)\b(?:\W+\w+){0,10}?\W*$",
                      re.IGNORECASE)
_ALTERNATIVE = re.compile(r"\b(?:atau|or)\W*$", re.IGNORECASE)
_NEGATION = re.compile(
    r"\b(?:tidak|tak|bukan\w*|belum|tiada|tanpa|jangan|gagal|batal|dibatalkan|membatalkan|urung|menolak|ditolak|"
    r"enggan|absen|berhalangan|kecuali|nihil|never|not|no|none|nothing|neither|nor|without|fail(?:s|ed)?|"
    r"refus(?:e|es|ed)|declin(?:e|es|ed)|except|lack(?:s|ed|ing)?|absent|cancel(?:led|ed)?)\b|\w+n't\b",
    re.IGNORECASE,
)


def asks_negated(question: str) -> bool:
    """Whether ``question`` asks about what did not happen or what a thing is not ("tidak", "belum", "bukan",
    "not", "never", "didn't"), not counting "tidak hanya" / "not only", adjectives ("tidak terduga"), a negation in
    a purpose ("agar ... tidak terulang") or in an alternative ("atau belum ditemukan")."""
    return any(not _PURPOSE.search(question[:m.start()]) and not _ALTERNATIVE.search(question[:m.start()])
               for m in _NEGATED_QUESTION.finditer(question))


# What is still so: a count of what is not so yet ("Berapa napi yang *belum tertangkap*?") is reported in its own
# words ("11 napi *masih* buron", "*tinggal* dua dapur yang ditutup", "seven *remain* at large").
_STILL = re.compile(r"\b(?:masih|tinggal|tersisa|sisa\w*|still|remain(?:s|ed|ing)?)\b", re.IGNORECASE)


def states_negation(sentence: str, *, counting: bool = False) -> bool:
    """Whether ``sentence`` says that something did not happen or is not so: a negation ("tidak", "belum", "not",
    "never") or a word that carries one ("gagal", "menolak", "batal", "tanpa", "failed", "without"); for a question
    ``counting`` what is not so, also what is still so ("masih buron", "tinggal dua dapur", "still missing")."""
    return bool(_NEGATION.search(sentence) or counting and _STILL.search(sentence))
