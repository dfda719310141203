"""The languages Warta knows (``Lang``) and their detection, Indonesian vs English (vs other), from function words.

Small and deterministic on purpose: questions are short ("Berapa nilai investasi Meta di Scale AI?"),
where statistical detectors trained on long text often guess Malay, Tagalog or worse. Names and
loanwords ("Scale AI", "OpenAI") are shared by both languages, so only function words vote, and titles written
in Title Case do not ("Kapan film The Lord of the Rings mulai diproduksi?" is Indonesian).
"""

from __future__ import annotations

import re
from typing import Literal, TypeGuard, get_args

Lang = Literal["id", "en"]  # the languages Warta reads and answers in
ArticleLang = Literal["id", "en", "other"]  # what an article is marked as
LANGS: tuple[Lang, ...] = get_args(Lang)

INDONESIAN_WORDS = frozenset(
    """yang dan di ke dari ini itu dengan untuk pada adalah tidak akan dalam juga oleh sebagai atau karena
    bahwa telah sudah belum kami kita mereka dia ia saya anda apa siapa berapa mengapa kenapa bagaimana kapan
    dimana mana apakah bisa dapat harus masih lebih sangat tersebut serta namun tetapi tapi jika kalau agar
    supaya setelah sebelum hingga sampai antara tentang terhadap bagi para seorang sebuah ada nya pun lagi
    saat ketika secara menjadi merupakan yaitu yakni tak belum sejak bila maka oleh juga terus siapakah
    apakah berapakah dimanakah kapankah bagaimanakah mengapakah manakah adakah kah nilai tahun orang""".split()
)
ENGLISH_WORDS = frozenset(
    """the and of to in is was for that with on as by it are from at be this have has had what who whom why
    how when where which did does do much many an not but or if their they them he she his her its were
    been being will would could should can may might than then there these those about into after before
    while also only other such our we you your i me my any some all more most no yes so because year people
    did does doing done""".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# A run of capitalized words, possibly joined by the small words of titles and names: "The Lord of the Rings",
# "Bank of America", "Ludwig van Beethoven". Its function words belong to the name, not to the sentence.
_TITLE = re.compile(r"\b[^\W\d_a-z][\w'’-]*(?:\s+(?:(?:of|the|and|in|on|for|a|an|to|de|van|von|der)\s+)*"
                    r"[^\W\d_a-z][\w'’-]*)+")


def _keep_leading_function_words(title: re.Match[str]) -> str:
    """A title run without its name part; capitalized function words that open it ("Siapa CEO Bank of America",
    "What Is The Capital") start the sentence, so they stay and vote."""
    words = title.group(0).split()
    keep = 0
    while keep < len(words) and words[keep].lower() not in ("the", "a", "an") and (
            words[keep].lower() in INDONESIAN_WORDS or words[keep].lower() in ENGLISH_WORDS):
        keep += 1
    return " ".join(words[:keep]) + " "


def is_lang(value: object) -> TypeGuard[Lang]:
    """Whether ``value`` is one of the languages Warta reads and answers in (``id``, ``en``)."""
    return value in LANGS


def other_language(language: str) -> Lang:
    """English for Indonesian, Indonesian for anything else."""
    return "en" if language == "id" else "id"


def crosses(a: object, b: object) -> bool:
    """Whether ``a`` and ``b`` are the two different languages Warta knows (a question and a passage across
    languages), not "other" on either side."""
    return is_lang(a) and is_lang(b) and a != b


def detect_language(text: str, default: str = "other") -> str:
    """Return ``"id"``, ``"en"``, or ``default`` when neither language has evidence.

    Indonesian wins ties only when it has at least as many function-word hits; short texts with a
    single hit are decided by that hit.
    """
    text = text[:20000]
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return default
    outside_titles = [w.lower() for w in _WORD.findall(_TITLE.sub(_keep_leading_function_words, text))]
    if any(w in INDONESIAN_WORDS or w in ENGLISH_WORDS for w in outside_titles):
        words = outside_titles  # else the text is all title ("What Is The Capital Of France"): count it all
    id_hits = sum(w in INDONESIAN_WORDS for w in words)
    en_hits = sum(w in ENGLISH_WORDS for w in words)
    # Indonesian suffix "-nya" and prefixes "meng-/mem-/ber-/di-" mark Indonesian words that are not in
    # the list; count them lightly so Indonesian sentences full of content words still vote.
    id_hits += 0.5 * sum(len(w) > 5 and (w.endswith("nya") or w.startswith(("meng", "memb", "memp", "ber", "peng")))
                         for w in words)
    if id_hits == 0 and en_hits == 0:
        return default
    return "id" if id_hits > en_hits else "en" if en_hits > id_hits else default
