"""Keyword analysis: the words of a text as search terms, per language (Indonesian, English, other).

Text is folded first (case, accents: "Bahá'í", "Société", "Müller" match "bahai", "societe", "muller"; apostrophes
inside words joined: "Jum'at" = "Jumat", possessive "'s" dropped), then Indonesian is stop-worded and
stemmed with Sastrawi, English with Snowball (PyStemmer) and an English stop list. The same ``analyze``
runs at ingest and at query time, and it never emits an empty token or one with whitespace in it (bm25s
maps the empty string to an id outside its index: a query holding one used to crash the search).

``ANALYZER_VERSION`` names the analysis stored tokens came from; the store re-analyses a catalog of an older
version (see ``store.index.Index.upgrade_keywords``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

# Bump when ``analyze`` changes what it emits: catalogs of an older version are re-analysed on open.
# 1: lower-case words, Sastrawi/Snowball (split "Bahá'í" into "bah" and an empty token).
# 2: folded accents, apostrophes inside words, no empty tokens.
ANALYZER_VERSION = 2

_APOSTROPHES = "'\u2019\u2018\u02bc`"
# A word: letters/digits, possibly joined by apostrophes ("Bahá'í", "Jum'at", "OpenAI's").
_WORD = re.compile(rf"[^\W_]+(?:[{_APOSTROPHES}][^\W_]+)*", re.UNICODE)
_POSSESSIVE = re.compile(rf"[{_APOSTROPHES}]s$")
_NOT_WORD = re.compile(rf"[{_APOSTROPHES}]")
MAX_STEM_CHARS = 40  # longer "words" (URLs squashed, hashes, noise) are kept as they are, not stemmed

ENGLISH_STOPWORDS = frozenset(
    """a an the and or but if then else of to in on at by for with about against between into through during
    before after above below from up down out off over under again further once here there when where why how
    all any both each few more most other some such no nor not only own same so than too very s t can will
    just don should now is are was were be been being have has had having do does did doing i me my myself we
    our ours you your he him his she her it its they them their what which who whom this that these those am
    would could might must shall may""".split()
)


@lru_cache(maxsize=1)
def _indonesian() -> tuple[Any, frozenset[str]]:  # (Sastrawi's stemmer, its stop words)
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return StemmerFactory().create_stemmer(), frozenset(StopWordRemoverFactory().get_stop_words())


def indonesian_stopwords() -> frozenset[str]:
    """Sastrawi's Indonesian stop words."""
    return _indonesian()[1]


@lru_cache(maxsize=1)
def _english() -> Any:  # PyStemmer's English stemmer
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def _stem_id(word: str) -> str:
    # Sastrawi is slow (~0.1 ms a word); news vocabulary repeats, so the cache makes it cheap.
    return _indonesian()[0].stem(word)


def indonesian_root(word: str) -> str:
    """The root of an Indonesian word, lower case (Sastrawi: "penambang" -> "tambang", "pelabuhan" -> "labuh")."""
    return _stem_id(word.lower())


def fold(text: str) -> str:
    """Case- and accent-folded text: casefolded, NFKD, combining marks dropped ("Bahá'í" -> "baha'i",
    "İstanbul" -> "istanbul", "ﬁnance" -> "finance", "Straße" -> "strasse")."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of ``text``, apostrophes inside words removed and possessive "'s" dropped."""
    return [_NOT_WORD.sub("", _POSSESSIVE.sub("", w)) for w in _WORD.findall(fold(text))]


def _stemmable(word: str) -> bool:
    return word.isascii() and word.isalpha() and len(word) <= MAX_STEM_CHARS


def analyze(text: str, lang: str) -> list[str]:
    """Keyword tokens of ``text`` in language ``lang`` ("id", "en", or anything else: no stemming).

    Every token is non-empty and free of whitespace; non-Latin words (中文, Кириллица) are kept unstemmed.
    """
    found = words(text)
    if lang == "id":
        stop = _indonesian()[1]
        tokens = [(_stem_id(w) or w) if _stemmable(w) else w for w in found if w not in stop]
    elif lang == "en":
        kept = [w for w in found if w not in ENGLISH_STOPWORDS]
        tokens = [stem or w for stem, w in zip(_english().stemWords(kept), kept)]
    else:
        tokens = found
    # Sastrawi strips characters it does not know and may split what remains: keep whole, single tokens only.
    return [t for t in tokens if t and not any(ch.isspace() for ch in t)]


def entity_terms(text: str) -> str:
    """Names and numbers of a question ("Why did OpenAI drop Scale AI?" -> "OpenAI Scale AI"): the words that
    carry over between languages, for keyword search against passages in another language."""
    found = _WORD.findall(text)
    keep = [
        w for i, w in enumerate(found)
        if (w.isdigit() or (i > 0 and w[:1].isupper()) or (len(w) > 1 and w.isupper()))
        and w.lower() not in ENGLISH_STOPWORDS
    ]
    return " ".join(keep)
