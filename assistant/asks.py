"""What kind of answer a question asks for, and whether a sentence can be one: rules in code, both languages.

A "berapa" / "how many" question is answered by a number, a "kapan" / "when" question by a date. A sentence
without one may be about the question's topic (a news lead, a background line) and close to it in meaning, but
it does not answer it: the extractive answer and the quotes skip it when a sentence that does is at hand
(``assistant.extractive.best_sentences``). Questions of other kinds ("siapa", "why") are not filtered: a name or
a reason has no form that rules can check this cheaply.
"""

from __future__ import annotations

import re
from typing import Literal

from assistant.facts import Quantity, months, quantities, weekdays
from core.text.calendar import MONTHS_FULL

AnswerKind = Literal["quantity", "date", "other"]

# "when" asks for a date only before an auxiliary ("When did ...", "when was ..."): "When the Rhine emerges from
# Lake Constance, which way does it flow?" asks for a direction. Indonesian "kapan" is never a conjunction.
_DATE_QUESTION = re.compile(
    r"\b(?:kapan(?:kah)?|(?:tanggal|tahun|bulan|abad) berapa|(?:hari|tanggal|bulan|tahun) apa|pada (?:tanggal|tahun) "
    r"berapa|when\s+(?:did|does|do|was|were|is|are|will|would|has|have|had|can|could)|what (?:date|day|year|month|"
    r"time|century)|which (?:date|day|year|month|century))\b",
    re.IGNORECASE,
)
_QUANTITY_QUESTION = re.compile(
    r"\b(?:berapa(?:kah)?|how (?:many|much|old|long|far|big|large|tall|high|deep)|what (?:percentage|share|number|"
    r"amount|proportion|price|death toll)|seberapa)\b",
    re.IGNORECASE,
)
# Dates written with digits are not quantities: "Rabu (7/2)", "7 Februari 2024", "February 7, 2024", "2024-02-07".
_MONTH_NAMES = "(?:" + "|".join(MONTHS_FULL) + ")"
_DIGIT_DATE = re.compile(
    r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b"
    rf"|\b\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+{_MONTH_NAMES}(?:\s+\d{{4}})?\b"
    rf"|\b{_MONTH_NAMES}\s+\d{{1,2}}(?:,\s*\d{{4}})?\b|\b{_MONTH_NAMES}\s+\d{{4}}\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d{2}\b")
# Times without digits or month names: "abad ke-19", "akhir Perang Dunia I", "zaman prasejarah", "kemarin".
_TIME_WORD = re.compile(
    r"\b(?:kemarin|hari ini|besok|lusa|yesterday|today|tomorrow|tonight|malam ini|abad|century|centuries|era|zaman|"
    r"masa|periode|period|dekade|decade|tahun|years?|musim|season|awal|akhir|pertengahan|beginning|end|middle|"
    r"sebelum|sesudah|setelah|sejak|selama|ketika|before|after|since|during|ago|lalu|silam|kini|sekarang|now)\b",
    re.IGNORECASE)


def asked_kind(question: str) -> AnswerKind:
    """"date" for kapan / when / tanggal berapa, "quantity" for berapa / how many / how much, else "other"."""
    if _DATE_QUESTION.search(question):
        return "date"
    return "quantity" if _QUANTITY_QUESTION.search(question) else "other"


def figures(sentence: str) -> list[Quantity]:
    """The numbers of ``sentence`` that are not part of a date ("Rabu (7/2)", "7 Februari 2024")."""
    return quantities(_DIGIT_DATE.sub(" ", sentence))


# A figure right after these words, or followed by a span of time, is a change, not the level a report gives:
# "naik 72 kasus dalam sehari", "bertambah tiga", "rose by 40", "hanya 23 kasus sejak kemarin".
_CHANGE_BEFORE = re.compile(r"\b(?:naik|bertambah|berkurang|turun|tambah|penambahan|by)\s*$", re.IGNORECASE)
_CHANGE_AFTER = re.compile(r"^\s*[^\W\d_]*\s*(?:sejak kemarin|dalam sehari|per hari|since yesterday|in a day|a day)\b",
                           re.IGNORECASE)
_CURRENCY = re.compile(r"(Rp|[A-Za-z]{0,3}\$|USD|IDR)", re.IGNORECASE)


def _is_change(text: str, q: Quantity) -> bool:
    return bool(_CHANGE_BEFORE.search(text[:q.start]) or _CHANGE_AFTER.match(text[q.end:]))


def counted(sentence: str) -> dict[str, set[float]]:
    """The figures of ``sentence`` by what they count: the word after the number ("18 orang", "850 rumah"), the
    currency of an amount ("Rp 3,5 miliar"), "%" for a share; "" when nothing follows ("the toll rose to 18.").
    Changes ("naik 72 kasus dalam sehari") are left out: they are not the figure a report gives."""
    text = _DIGIT_DATE.sub(" ", sentence)
    out: dict[str, set[float]] = {}
    for q in quantities(text):
        if _is_change(text, q):
            continue
        currency = _CURRENCY.match(q.text)
        after = re.match(r"\s*([^\W\d_]+)", text[q.end:])
        unit = "%" if q.percent else currency.group(1).lower() if currency else after.group(1).lower() if after else ""
        out.setdefault(unit, set()).add(q.value)
    return out


# After "berapa", words that say "the number of" without naming what is counted; in English, the words that end
# the counted noun phrase ("How many dengue *patients* are ...").
_COUNT_WORDS = frozenset("jumlah banyak total besar banyaknya kah".split())
_AUX = frozenset("is are was were has have had does do did will would can could should may might".split())
_QUESTION_WORDS = re.compile(r"\b(?:berapa(?:kah)?|seberapa|how (?:many|much))\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
# Words after a number that do not name another counted thing: measure words ("33 orang" of "korban") and the
# small words that end a figure ("1.421 hingga Senin", "rose to 42 on Monday"). Any other word names what the
# number counts ("tersebar di 7 *kecamatan*"), so a thing named before it is not what it counts.
_NOT_A_THING = frozenset(
    "orang jiwa unit buah ekor kali persen people persons percent "
    "hingga sampai per pada di ke dari dan dengan sejak yang atau untuk dalam menjadi oleh serta pukul kepada bagi "
    "atas terhadap lebih sebelumnya "
    "to in on at by as and since from of until for with after before the a than more".split())


def _stem(word: str) -> str:
    """English plural folded ("patients" -> "patient"), lower case; Indonesian words as they are."""
    word = word.lower()
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def asked_thing(question: str) -> str:
    """What a "berapa" / "how many" question counts, as one word: the first word after "berapa" that is not
    "jumlah"/"banyak" ("Berapa jumlah *kasus* DBD terbaru?" -> "kasus"), the last word before the verb after "how
    many" ("How many dengue *patients* are in hospital?" -> "patient"); "" when there is none ("Berapa?")."""
    found = _QUESTION_WORDS.search(question)
    if not found:
        return ""
    words = _WORD.findall(question[found.end():])
    if found.group(0).lower().startswith("how"):
        phrase = []
        for word in words:
            if word.lower() in _AUX:
                break
            phrase.append(word)
        return _stem(phrase[-1]) if phrase else ""
    return next((_stem(w) for w in words if w.lower() not in _COUNT_WORDS), "")


def counts_of(sentence: str, thing: str) -> set[float]:
    """The figures of ``sentence`` that count ``thing`` (``asked_thing``): it is the word right after the number
    ("1,287 *cases*") or it comes before the number in the sentence with no other figure between them, and no
    other thing after the number ("Jumlah *kasus* DBD di Banyusari mencapai 1.421 hingga Senin", "*Korban*
    meninggal bertambah dua menjadi 33 orang": the change "bertambah dua" is not a figure here, as in
    ``counted``; not "*Kasus* tersebar di 7 kecamatan")."""
    if not thing:
        return set()
    thing = _stem(thing)
    text = _DIGIT_DATE.sub(" ", sentence)
    found: set[float] = set()
    since = 0  # where the words that can name the next figure's thing begin: after the previous figure
    for q in quantities(text):
        change = _is_change(text, q)
        after = _WORD.match(text[q.end:].lstrip())
        # an amount of money or a share counts what is named before it, whatever word follows
        money = q.percent or _CURRENCY.match(q.text)
        unit = _stem(after.group(0)) if after is not None and not money else ""
        named_before = (not unit or unit in _NOT_A_THING) and thing in map(_stem, _WORD.findall(text[since:q.start]))
        if not change and (named_before or unit == thing):
            found.add(q.value)
        if not change:
            since = q.end
    return found


def can_answer(sentence: str, kind: AnswerKind) -> bool:
    """Whether ``sentence`` holds what a question of ``kind`` asks for: a number that is not part of a date, or a
    time (a month, weekday, year, "kemarin", "abad ke-19", "setelah perang"). Every sentence can answer an "other"
    question."""
    if kind == "quantity":
        return bool(figures(sentence))
    if kind == "date":
        return bool(months(sentence) or weekdays(sentence) or _YEAR.search(sentence) or _TIME_WORD.search(sentence)
                    or _DIGIT_DATE.search(sentence))
    return True
