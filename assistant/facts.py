"""The checkable facts of a text: numbers (with their scale words), months, weekdays and names.

An answer may only state what its sources state. Names and numbers are the claims a reader cannot check
at a glance and a small model gets wrong ("US$14,3 million" for "US$14,3 miliar", "Joko Widodo" in a
2005 article), so they are read out of both sides and compared, across the two languages:

- numbers: "14,3" = "14.3"; "1.000" = "1,000" = "1000"; scale words miliar = billion, juta = million,
  triliun = trillion, ribu = thousand; number words ("dua belas", "twelve"); "persen" = "percent" = "%";
- months and weekdays in Indonesian or English, and the month of a "Kamis (8/9)" date;
- names: capitalized words that are not ordinary words of either language.

Pure functions over strings; the evidence side is prepared once per answer (``Evidence``). One module of
~400 lines on purpose: the number, date and name readers share the token rules and are only correct
together (a month name is not a name, "14,3" belongs to the "miliar" after it); ``cite`` uses the result.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.eval.metrics import canonical_number

# --- numbers --------------------------------------------------------------------------------------

SCALES = {  # scale word -> (power of ten, canonical name)
    "ribu": 3, "rb": 3, "thousand": 3, "k": 3,
    "juta": 6, "jt": 6, "million": 6, "mn": 6, "mio": 6,
    "miliar": 9, "milyar": 9, "billion": 9, "bn": 9,
    "triliun": 12, "trilyun": 12, "trillion": 12,
}
SCALE_WORD = {"id": {3: "ribu", 6: "juta", 9: "miliar", 12: "triliun"},
              "en": {3: "thousand", 6: "million", 9: "billion", 12: "trillion"}}
_PERCENT = r"%|persen\b|percent\b|per\s+cent\b"
_NUMBER = re.compile(
    r"(?<![\w.,])(?:[A-Za-z]{1,3}\$|Rp\.?|USD|IDR)?\s?"  # an optional currency glued in front ("US$", "Rp")
    r"(?P<digits>\d+(?:[.,]\d+)*)"
    r"(?:\s?(?P<scale>" + "|".join(sorted(SCALES, key=len, reverse=True)) + r")\b)?"
    r"(?:\s?(?P<percent>" + _PERCENT + r"))?",
    re.IGNORECASE,
)

_ID_UNITS = {"nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
             "sembilan": 9}
_EN_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
             "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
             "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
            "ninety": 90}
_NUMBER_WORD = re.compile(
    r"\b(?:" + "|".join([*_ID_UNITS, *_EN_UNITS, *_EN_TENS, "sepuluh", "sebelas", "seratus", "seribu", "sejuta",
                         "belas", "puluh", "ratus", "ribu", "juta", "miliar", "milyar", "triliun", "hundred",
                         "thousand", "million", "billion", "trillion", "and", "dan"])
    + r")(?:[\s-]+(?:" + "|".join([*_ID_UNITS, *_EN_UNITS, *_EN_TENS, "belas", "puluh", "ratus", "ribu", "juta",
                                     "miliar", "milyar", "triliun", "hundred", "thousand", "million", "billion",
                                     "trillion", "sepuluh", "sebelas", "seratus", "seribu"]) + r"))*\b",
    re.IGNORECASE,
)
_WORD_SCALES = {"ribu": 3, "thousand": 3, "juta": 6, "million": 6, "miliar": 9, "milyar": 9, "billion": 9,
                "triliun": 12, "trillion": 12}


@dataclass(frozen=True)
class Quantity:
    """A number as written in a text, with its value."""

    text: str
    start: int
    end: int
    mantissa: float  # the number as written, without its scale word ("14,3 miliar" -> 14.3)
    power: int  # the scale word's power of ten (0: none)
    percent: bool

    @property
    def value(self) -> float:
        return self.mantissa * 10**self.power


def words_value(words: Sequence[str]) -> float | None:
    """The number that number words spell: ("dua", "belas") -> 12, ("tiga", "ratus", "ribu") -> 300000,
    ("twenty", "five") -> 25; None when they do not spell one."""
    total, hundreds, small = 0.0, 0.0, 0.0
    seen = False
    for word in (w.lower() for w in words):
        if word in ("and", "dan"):
            continue
        seen = True
        if word in _ID_UNITS or word in _EN_UNITS or word in _EN_TENS:
            small += _ID_UNITS.get(word, _EN_UNITS.get(word, _EN_TENS.get(word, 0)))
        elif word in ("sepuluh", "sebelas"):
            small += 10 if word == "sepuluh" else 11
        elif word == "belas":
            small += 10
        elif word == "puluh":
            small *= 10
        elif word in ("ratus", "hundred", "seratus"):
            hundreds += 100 if word == "seratus" else (small or 1) * 100
            small = 0
        elif word in ("seribu", "sejuta"):
            total += 1000 if word == "seribu" else 1_000_000
        elif word in _WORD_SCALES:
            if not (hundreds or small):
                return None
            total += (hundreds + small) * 10 ** _WORD_SCALES[word]
            hundreds = small = 0
        else:
            return None
    return total + hundreds + small if seen else None


def _number_groups(phrase: str) -> list[list[str]]:
    """A run of number words split into numbers: "satu dua tiga" is 1, 2, 3 (a list), "dua puluh tiga" is 23,
    "twenty five" is 25; a trailing "dan"/"and" is not part of a number."""
    units = set(_ID_UNITS) | set(_EN_UNITS) | {"sepuluh", "sebelas"}
    groups: list[list[str]] = []
    previous = ""
    for word in re.split(r"[\s-]+", phrase.strip()):
        w = word.lower()
        if w in ("and", "dan"):
            previous = w
            continue
        starts_new = (w in units and previous in units) or (w in _EN_TENS and previous in (*units, *_EN_TENS)) \
            or previous in ("and", "dan") and w in units and groups and groups[-1][-1].lower() in units
        if not groups or starts_new:
            groups.append([])
        groups[-1].append(word)
        previous = w
    return groups


_ONE_COUNTED = re.compile(r"\s+(?:orang|jiwa|unit|buah|ekor|person|persons)\b", re.IGNORECASE)
# ... or after a word that says it is all that is left: "kini *tinggal satu* sipir yang masih dirawat", "only one"
_ONE_LEFT = re.compile(r"\b(?:tinggal|tersisa|hanya|only|just)\s+$", re.IGNORECASE)


def quantities(text: str) -> list[Quantity]:
    """Every number of ``text``: digits (with an optional scale word or percent) and number words.

    The number word "one"/"satu" alone is left out: "one of", "salah satu" are not claims; one before a word that
    counts people or things is ("*satu orang*", "one person"), and so is one that is all that is left ("tinggal
    *satu* sipir", "only one").
    """
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _NUMBER.finditer(text):
        digits = m.group("digits")
        try:
            mantissa = float(canonical_number(digits))
        except ValueError:
            continue
        scale = (m.group("scale") or "").lower()
        # "k"/"mn"/"bn" only count glued or as a separate scale token; "2 k" is rare but harmless
        out.append(Quantity(m.group(0).strip(), m.start("digits"), m.end(), mantissa, SCALES.get(scale, 0),
                            bool(m.group("percent"))))
        taken.append((m.start(), m.end()))
    for m in _NUMBER_WORD.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        for group in _number_groups(m.group(0)):
            parsed = words_value(group)
            if parsed is None or parsed == 1 and (not (_ONE_COUNTED.match(text, m.end())
                                                        or _ONE_LEFT.search(text[:m.start()]))
                                                   or text[:m.start()].rstrip().lower().endswith("salah")):
                continue
            after = text[m.end():m.end() + 12]
            percent = bool(re.match(r"\s?(?:" + _PERCENT + ")", after, re.IGNORECASE))
            out.append(Quantity(" ".join(group), m.start(), m.end(), parsed, 0, percent))
    return sorted(out, key=lambda q: q.start)


# --- months and weekdays -----------------------------------------------------------------------------

MONTHS = {
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "agustus": 8, "september": 9, "oktober": 10, "november": 11, "nopember": 11, "desember": 12,
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8, "october": 10,
    "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8, "aug": 8,
    "sep": 9, "sept": 9, "okt": 10, "oct": 10, "nov": 11, "des": 12, "dec": 12,
}
WEEKDAYS = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "sabtu": 5, "minggu": 6, "ahad": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
_CAPITALIZED = re.compile(r"(?<![\w'’])([A-ZÀ-ÖØ-Þ][\w'’]*(?:-[\w'’]+)*)", re.UNICODE)
_DAY_MONTH = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?(?![\d/])")
_ISO_DATE = re.compile(r"\b\d{4}-(\d{2})-\d{2}\b")


def months(text: str) -> set[int]:
    """Months a text names (capitalized month names in either language, "8/9" and ISO dates)."""
    found = {MONTHS[w.lower()] for w in _CAPITALIZED.findall(text) if w.lower() in MONTHS and w.lower() != "may"
             or w == "May"}
    found |= {int(m.group(2)) for m in _DAY_MONTH.finditer(text) if 1 <= int(m.group(2)) <= 12}
    found |= {int(m.group(1)) for m in _ISO_DATE.finditer(text) if 1 <= int(m.group(1)) <= 12}
    return found


def weekdays(text: str) -> set[int]:
    return {WEEKDAYS[w.lower()] for w in _CAPITALIZED.findall(text) if w.lower() in WEEKDAYS}


# --- names ------------------------------------------------------------------------------------------

# Words that start sentences or are capitalized for other reasons, in both languages: never names.
_STARTERS = frozenset("""
a an the this that these those there here it its he she his her him they their them we our you your i my me
in on at by for from with without of to into onto about after before during while when where who whom whose
what which why how although though but and or so as since until unless if because however therefore thus
also yes no not according based both either neither each every all some many most several one two
meanwhile currently today yesterday tomorrow now then finally first second third last next overall
unfortunately fortunately instead indeed only even just still
karena namun tetapi tapi jadi selain menurut berdasarkan pada di ke dari dalam untuk yang ini itu dia ia
mereka kami kita saya anda beliau saat ketika setelah sebelum sejak hingga sampai jika kalau walaupun meskipun
sementara adapun oleh sebab maka ya tidak bukan ada adalah yaitu yakni dengan tentang terhadap bagi para
semua beberapa banyak sebagian setiap kedua ketiga pertama terakhir lalu kemudian akhirnya kini sekarang
hari ini kemarin besok juga hanya bahkan masih sedangkan sehingga agar supaya bahwa apakah siapa apa berapa
mengapa kenapa bagaimana kapan dimana mana
jawaban jawabannya answer passage passages article articles bagian artikel sumber source
rp us usd idr eur sgd
""".split())
_MARKER = re.compile(r"\[\d+(?:\s*[,;–-]\s*\d+)*\]")  # citation markers are not numbers


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    from core.text.analyze import ENGLISH_STOPWORDS, indonesian_stopwords
    from core.text.lang import ENGLISH_WORDS, INDONESIAN_WORDS

    return frozenset(_STARTERS | ENGLISH_STOPWORDS | ENGLISH_WORDS | INDONESIAN_WORDS | indonesian_stopwords())


def fold(text: str) -> str:
    """Lower case without accents or apostrophes: the form names are compared in."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"['’`´]", "", text)


@dataclass(frozen=True)
class Name:
    """A run of capitalized words ("Jason Droege", "Scale AI") and the words of it that carry the claim."""

    text: str
    start: int
    end: int
    words: tuple[str, ...]  # the capitalized words that are not ordinary words, months or weekdays


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'“‘([")
    return not before or before[-1] in ".!?…:\n"


def _name_like(word: str) -> bool:
    """A word that is a name wherever it stands: an acronym ("AS", "DBD") or mixed case ("OpenAI", "iPhone")."""
    return (len(word) > 1 and word.isupper()) or any(ch.isupper() or ch.isdigit() for ch in word[1:])


def names(text: str) -> list[Name]:
    """Runs of capitalized words; words that are ordinary in either language, months and weekdays are not
    claims ("Menurut", "The", "September") and are left out of ``words``, and so is a sentence's first word
    ("Keputusan ini ...", "Lokasinya di ...") unless it looks like a name on its own ("OpenAI", "DBD"): the
    rest of a name ("Jason *Droege*") is still checked."""
    common = _common_words()
    runs: list[list[re.Match[str]]] = []
    for m in _CAPITALIZED.finditer(text):
        if runs and re.fullmatch(r"[ \t]+|[ \t]*(?:de|van|von|der|bin|binti|al|el|la|le)[ \t]+",
                                 text[runs[-1][-1].end():m.start()]):
            runs[-1].append(m)
        else:
            runs.append([m])
    out = []
    for run in runs:
        if _sentence_initial(text, run[0].start()) and not _name_like(run[0].group(1)):
            run = run[1:]  # capitalized because it starts the sentence ("Lokasinya", "Keputusan", "Jason")
        words = [
            w for w in (m.group(1).strip("'’-") for m in run)
            if w and fold(w) not in common and w.lower() not in MONTHS and w.lower() not in WEEKDAYS
            and not re.fullmatch(r"[IVXLC]+", w)  # roman numerals ("abad XI") are numbers, checked loosely
        ]
        if words:
            out.append(Name(text[run[0].start():run[-1].end()], run[0].start(), run[-1].end(), tuple(words)))
    return out


# --- evidence --------------------------------------------------------------------------------------

def _levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def similar_spelling(a: str, b: str) -> bool:
    """The same name spelled a little differently: "Indonesian"/"Indonesia", "Normandy"/"Normandia",
    "Brazil"/"Brasil". Short words must match exactly: "Mark" is not "Marx"."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5:
        return False
    prefix = len(next((a[:i] for i in range(min(len(a), len(b)), 0, -1) if a[:i] == b[:i]), ""))
    if prefix >= 5 and prefix >= 0.75 * min(len(a), len(b)):
        return True
    return 1 - _levenshtein(a, b) / max(len(a), len(b)) >= 0.8


NameMatcher = Callable[[Sequence[str], Sequence[str]], list[bool]]  # (names, candidate spans) -> found each?


class Evidence:
    """What a set of texts (cited passages, the question, the conversation) states, ready for checks."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.texts = [t for t in texts if t]
        joined = "\n".join(self.texts)
        self._quantities = quantities(joined)
        self.values = {round(q.value, 6) for q in self._quantities}
        self.plain = {round(q.mantissa, 6) for q in self._quantities}
        self.months = months(joined)
        self.weekdays = weekdays(joined)
        self.words = set(re.findall(r"\w+", fold(joined)))
        self.spelled: dict[str, str] = {}  # folded word -> as the texts write it (first seen)
        for word in re.findall(r"[\w'’]+", joined):
            self.spelled.setdefault(re.sub(r"['’]", "", fold(word)), word)
        self.name_spans = sorted({n.text for t in self.texts for n in names(t)})

    def states_quantity(self, q: Quantity) -> bool:
        """A number with a scale word must match a value stated with its scale ("14,3 miliar" = "14.3 billion",
        also "14.300.000.000"); a bare number may match a number as written ("45,9" in "45,9 persen")."""
        if q.power:
            return round(q.value, 6) in self.values
        return round(q.mantissa, 6) in self.plain or round(q.value, 6) in self.values

    def states_word(self, word: str) -> bool:
        w = fold(word)
        if all(part in self.words for part in re.findall(r"\w+", w)):
            return True
        return any(similar_spelling(w, other) for other in self.words if abs(len(other) - len(w)) <= 3)

    def spelling_of(self, word: str) -> str | None:
        """How the texts spell a name written a little differently ("Kawibengkok" -> "Awibengkok"): the one
        word within two edits of it, when there is exactly one and the word itself is not in the texts."""
        w = fold(word)
        if len(w) < 5 or w in self.words:
            return None
        close = {other for other in self.words
                 if abs(len(other) - len(w)) <= 2 and len(other) >= 5 and _levenshtein(w, other) <= 2}
        return self.spelled.get(close.pop()) if len(close) == 1 else None

    def scale_repair(self, q: Quantity) -> int | None:
        """The one scale the evidence states for this number as written, when it differs from the answer's
        ("14,3 million" where the passage says "14,3 miliar" -> 9); None when there is no single such scale."""
        powers = {e.power for e in self._quantities if round(e.mantissa, 6) == round(q.mantissa, 6) and e.power}
        if len(powers) == 1 and q.power not in powers:
            return powers.pop()
        return None


@dataclass(frozen=True)
class Unsupported:
    """A name or number of an answer sentence that the evidence does not state."""

    text: str
    kind: str  # "number" | "name" | "month" | "weekday"
    repair: int | None = None  # for numbers: the scale (power of ten) the evidence states instead


def has_facts(sentence: str) -> bool:
    """Whether ``sentence`` states a name, number, month or weekday (markers aside)."""
    sentence = _MARKER.sub(" ", sentence)
    return bool(quantities(sentence) or months(sentence) or weekdays(sentence) or names(sentence))


def unsupported_facts(sentence: str, evidence: Evidence, *, translated: NameMatcher | None = None) -> list[Unsupported]:
    """The facts of ``sentence`` that ``evidence`` does not state.

    ``translated`` (optional) decides whether names that are not found as written are the same names in the
    evidence's language ("France" for "Perancis"); it is given the unmatched names and the evidence's own names.
    """
    sentence = _MARKER.sub(" ", sentence)
    missing: list[Unsupported] = []
    for q in quantities(sentence):
        if not evidence.states_quantity(q):
            missing.append(Unsupported(q.text, "number", evidence.scale_repair(q)))
    for month in months(sentence) - evidence.months:
        missing.append(Unsupported(str(month), "month"))
    for day in weekdays(sentence) - evidence.weekdays:
        missing.append(Unsupported(str(day), "weekday"))
    unmatched = [n for n in names(sentence) if not all(evidence.states_word(w) for w in n.words)]
    if unmatched and translated is not None and evidence.name_spans:
        found = translated([n.text for n in unmatched], evidence.name_spans)
        unmatched = [n for n, ok in zip(unmatched, found) if not ok]
    missing += [Unsupported(n.text, "name") for n in unmatched]
    return missing


def respelled(sentence: str, evidence: Evidence) -> tuple[str, list[tuple[str, str]]]:
    """``sentence`` with its names spelled as the evidence spells them (only for answers in the evidence's own
    language: across languages "Normandy" is not a misspelling of "Normandia"); returns the changes too."""
    changes = []
    for name in names(sentence):
        for word in name.words:
            fixed = evidence.spelling_of(word)
            if fixed and fixed != word:
                changes.append((word, fixed))
    for word, fixed in changes:
        sentence = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", fixed, sentence)
    return sentence, changes


def with_scale(sentence: str, q_text: str, power: int, language: str) -> str:
    """``sentence`` with the scale word of the number ``q_text`` replaced by ``power``'s word in ``language``."""
    word = SCALE_WORD.get(language, SCALE_WORD["en"])[power]
    fixed = re.sub(r"(\d)(\s?)(" + "|".join(sorted(SCALES, key=len, reverse=True)) + r")\b",
                   lambda m: f"{m.group(1)} {word}", q_text, count=1, flags=re.IGNORECASE)
    return sentence.replace(q_text, fixed, 1)
