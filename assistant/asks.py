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


def counted(sentence: str) -> dict[str, set[float]]:
    """The figures of ``sentence`` by what they count: the word after the number ("18 orang", "850 rumah"), the
    currency of an amount ("Rp 3,5 miliar"), "%" for a share; "" when nothing follows ("the toll rose to 18.").
    Changes ("naik 72 kasus dalam sehari") are left out: they are not the figure a report gives."""
    text = _DIGIT_DATE.sub(" ", sentence)
    out: dict[str, set[float]] = {}
    for q in quantities(text):
        if _CHANGE_BEFORE.search(text[:q.start]) or _CHANGE_AFTER.match(text[q.end:]):
            continue
        currency = re.match(r"(Rp|[A-Za-z]{0,3}\$|USD|IDR)", q.text, re.IGNORECASE)
        after = re.match(r"\s*([^\W\d_]+)", text[q.end:])
        unit = "%" if q.percent else currency.group(1).lower() if currency else after.group(1).lower() if after else ""
        out.setdefault(unit, set()).add(q.value)
    return out


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
