"""An English -> Indonesian dictionary for keyword search: FreeDict's eng-ind, from Debian's package archive.

The e5 lexicon (``core.models.lexicon``) translates an English question word by its nearest Indonesian root words
in the e5 space: "son" -> "anak", but also "Rhine" -> "rajin, linen", and nothing for "lake" or "bridge". A real
dictionary knows "danau", "jembatan", "lebar", "rhein". FreeDict's English-Indonesian dictionary (WikDict, built
from Wiktionary: ~9,800 headwords, CC-BY-SA 3.0, © FreeDict contributors) is published as the Debian package
``dict-freedict-eng-ind``. ``warta setup`` downloads that package from Debian's archive once (0.5 MB, pinned by
sha256), reads the dictd files inside and keeps ``{headword: [translations]}`` next to the models; nothing is
downloaded while answering. It is never bundled with Warta (its licence travels with it).

The retriever searches the dictionary's translations together with the lexicon's (``assistant.retrieve``): the
dictionary is precise where it knows a word, the lexicon covers what it does not. Without the dictionary (no
network to Debian's archive on setup) the lexicon translates alone. Measured on the xling dev set: README
"Quality on the dev data".
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import re
import tarfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from core.digest import bytes_sha256, text_sha256
from core.errors import ModelError
from core.models.common_words import common_words
from core.models.glossary import NEWS_GLOSSARY
from core.paths import DataDir
from core.settings import Settings
from core.text.analyze import analyze, indonesian_root, words

log = logging.getLogger(__name__)

DEB_URL = ("http://deb.debian.org/debian/pool/main/f/freedict-wikdict/"
           "dict-freedict-eng-ind_2022.12.07-2_all.deb")
DEB_SHA256 = "d2929618bdbdfecf7f71bc46e038fe873d3e6a50ec29cecc1f60ef1c4e940070"  # as in Debian's signed index
DICTD_FILES = ("./usr/share/dictd/freedict-eng-ind.index", "./usr/share/dictd/freedict-eng-ind.dict.dz")
DICTIONARY_VERSION = 1  # bump when the parsing changes
DOWNLOAD_TIMEOUT_S = 20.0
MAX_HEADWORDS = 4  # English headwords searched for one Indonesian word (a common root translates dozens)


# --- reading the package ------------------------------------------------------------------------------------

def deb_members(deb: bytes) -> dict[str, bytes]:
    """The members of a Debian package (an ``ar`` archive: ``debian-binary``, ``control.tar.*``, ``data.tar.*``)."""
    if not deb.startswith(b"!<arch>\n"):
        raise ModelError("the dictionary package is not a Debian package (no ar header)")
    members, at = {}, 8
    while at + 60 <= len(deb):
        header = deb[at:at + 60]
        name, size = header[:16].decode("ascii").strip().rstrip("/"), int(header[48:58].decode("ascii").strip())
        members[name] = deb[at + 60:at + 60 + size]
        at += 60 + size + (size % 2)  # members are aligned to even offsets
    return members


def dictd_files(deb: bytes) -> tuple[str, bytes]:
    """The dictd index (text) and the compressed dictionary of the eng-ind package."""
    data = deb_members(deb).get("data.tar.xz")
    if data is None:
        raise ModelError("the dictionary package has no data.tar.xz")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:xz") as tar:
        found = {}
        for name in DICTD_FILES:
            member = tar.extractfile(name)
            if member is None:
                raise ModelError(f"the dictionary package has no {name}")
            found[name] = member.read()
    return found[DICTD_FILES[0]].decode("utf-8"), found[DICTD_FILES[1]]


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NUMBERED = re.compile(r"^(\d+)\.\s+(\S.*)$")  # "2. Misa" at the start of a line: one more translation
_SENSE_MARK = re.compile(r"^\s*\d+\.\s*$")  # " 3." alone on a line: the number of an English gloss


def _dictd_number(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 64 + _B64.index(ch)
    return value


def entry_translations(entry: str) -> list[str]:
    """The Indonesian translations of one dictd entry, lowercased: the first line after the headword line and
    every line starting with "N. "; the indented English glosses between them are left out."""
    out: list[str] = []
    for i, line in enumerate(entry.split("\n")[1:]):
        if not line.strip() or _SENSE_MARK.match(line):
            continue
        numbered = _NUMBERED.match(line)
        if i == 0 or numbered:
            text = re.sub(r"\s+\d+\.\s*$", "", numbered.group(2) if numbered else line)
            out += [part.strip().lower() for part in text.split(",") if part.strip()]
    return list(dict.fromkeys(out))


def parse_dictd(index: str, compressed: bytes) -> dict[str, list[str]]:
    """``{english headword (lowercase): [indonesian translations]}`` of a dictd index and its .dict.dz."""
    data = gzip.decompress(compressed)
    entries: dict[str, list[str]] = {}
    for line in index.splitlines():
        fields = line.split("\t")
        if len(fields) != 3 or fields[0].startswith("00database"):
            continue
        start, size = _dictd_number(fields[1]), _dictd_number(fields[2])
        found = entries.setdefault(fields[0].lower(), [])
        found += [t for t in entry_translations(data[start:start + size].decode("utf-8")) if t not in found]
    return {head: found for head, found in entries.items() if found}


# --- preparing it once --------------------------------------------------------------------------------------

def download_deb(url: str = DEB_URL, sha256: str = DEB_SHA256) -> bytes:
    """The package's bytes, checked against ``sha256``."""
    import httpx

    try:
        response = httpx.get(url, timeout=DOWNLOAD_TIMEOUT_S, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise ModelError(f"could not download the English-Indonesian dictionary from {url}: {exc}") from exc
    if bytes_sha256(response.content) != sha256:
        raise ModelError(f"the dictionary downloaded from {url} does not have the expected sha256 {sha256}")
    return response.content


_lock = threading.Lock()


def ensure_dictionary(settings: Settings, *, url: str = DEB_URL, sha256: str = DEB_SHA256) -> Path:
    """Download and parse the dictionary once; reuse it afterwards.

    Raises:
        ModelError: the package could not be downloaded or read (the search then translates with the lexicon).
    """
    path = DataDir.of(settings).dictionary
    stamp = text_sha256(json.dumps([DICTIONARY_VERSION, sha256]))
    with _lock:
        if path.is_file():
            try:
                if json.loads(path.read_text(encoding="utf-8")).get("stamp") == stamp:
                    return path
            except (OSError, ValueError):
                pass  # a damaged file is made again
        entries = parse_dictd(*dictd_files(download_deb(url, sha256)))
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"stamp": stamp, "source": url, "licence": "CC-BY-SA-3.0, FreeDict contributors",
                                   "entries": entries}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    return path


# --- using it -----------------------------------------------------------------------------------------------

def lemmas(word: str) -> Iterator[str]:
    """``word`` and the forms English suffix rules could have made it from ("rivers" -> "river", "emptied" ->
    "empty", "widest" -> "wide", "running" -> "run"), most likely first."""
    yield word
    if len(word) > 4 and word.endswith(("ies", "ied")):
        yield word[:-3] + "y"
    if len(word) > 3 and word.endswith("es"):
        yield word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        yield word[:-1]
    for suffix in ("ed", "ing", "est", "er"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[:-len(suffix)]
            yield from (stem, stem + "e")
            if len(stem) > 2 and stem[-1] == stem[-2]:
                yield stem[:-1]
            if suffix in ("est", "er") and stem.endswith("i"):
                yield stem[:-1] + "y"
    if len(word) > 4 and word.endswith("ly"):
        yield word[:-2]


class Dictionary:
    """English headwords and their Indonesian translations."""

    def __init__(self, entries: Mapping[str, Sequence[str]]) -> None:
        self.entries = entries
        self.longest_phrase = max((len(head.split()) for head in entries), default=1)
        self._headwords: dict[str, list[str]] | None = None  # Indonesian word -> English headwords, on first need

    @classmethod
    def load(cls, path: Path) -> Dictionary:
        return cls(json.loads(path.read_text(encoding="utf-8"))["entries"])

    def lookup(self, word: str) -> list[str]:
        """The translations of ``word`` or of its first lemma the dictionary knows."""
        return next((list(self.entries[w]) for w in lemmas(word.lower()) if w in self.entries), [])

    def headwords(self, word: str) -> list[str]:
        """The English headwords ``word`` (Indonesian) translates: the dictionary read backwards ("pasien" ->
        "patient")."""
        if self._headwords is None:
            backwards: dict[str, list[str]] = {}
            for head, translations in self.entries.items():
                for translation in translations:
                    backwards.setdefault(translation.lower(), []).append(head)
            self._headwords = backwards
        return list(self._headwords.get(word.lower(), ()))

    def either_way(self, word: str) -> list[str]:
        """The single-word translations of ``word`` in the other language, whichever it is written in."""
        return _single_words(self.lookup(word) + self.headwords(word), word)

    def into_other(self, word: str, language: str) -> list[str]:
        """The single-word translations of ``word``, written in ``language``, into the other language: an
        Indonesian word is read backwards only ("air" -> "water", not as the English "air": "udara"); any other
        language both ways (``either_way``)."""
        if language not in ("en", "id"):
            return self.either_way(word)
        found = self.lookup(word) if language == "en" else self.headwords(word)
        if language == "en":  # "travellers": "pemudik" is under "travelers"
            found = [*found, *(t for spelled in american_spelling(word) for t in self.lookup(spelled))]
        return _single_words(found or (loan_spelling(word) if language == "en" else []), word)

    def translate(self, question: str, question_words: Sequence[str]) -> list[str]:
        """Translations of ``question_words`` and of the dictionary's multiword headwords found in ``question``
        ("prime minister", "holy roman empire")."""
        out = [t for word in question_words for t in self.lookup(word)]
        said = words(question)
        for n in range(2, self.longest_phrase + 1):
            out += [t for i in range(len(said) - n + 1) for t in self.entries.get(" ".join(said[i:i + n]), ())]
        return list(dict.fromkeys(out))

    def english_keywords(self, question_words: Sequence[str], vocabulary: Mapping[str, int]) -> list[str]:
        """The English keyword tokens (as BM25 analyses English text) of the headwords that Indonesian
        ``question_words`` translate, the word's own or, without any, its root's ("menyeberangi" -> "seberang"),
        at most ``MAX_HEADWORDS`` a word; those in ``vocabulary`` only. Indonesian questions over English
        articles."""
        heads = [head for word in question_words
                 for head in (self.headwords(word) or self.headwords(indonesian_root(word)))[:MAX_HEADWORDS]]
        return _known_tokens(heads, "en", vocabulary)

    def keywords(self, question: str, question_words: Sequence[str], vocabulary: Mapping[str, int]) -> list[str]:
        """The Indonesian keyword tokens (as BM25 analyses Indonesian text) of the translations, those in
        ``vocabulary`` only."""
        return _known_tokens(self.translate(question, question_words), "id", vocabulary)


# English endings as Indonesian spells the words it took with them, longest first ("evacuation": "evakuasi",
# "insecticide": "insektisida", "university": "universitas", "clinic": "klinik").
_LOAN_ENDINGS = (("ation", "asi"), ("ction", "ksi"), ("tion", "si"), ("sion", "si"), ("icide", "isida"),
                 ("ity", "itas"), ("ism", "isme"), ("ogy", "ogi"), ("ics", "ika"), ("ic", "ik"), ("ure", "ur"))


# British spellings whose American form may be the one the dictionary has: "travellers", "labour". A doubled "l" only
# after an unstressed last syllable, as far as spelling tells: a vowel before it ("trav*e*llers", "canc*e*lled"), not
# "filled", "sellers", "called".
_BRITISH = ((re.compile(r"([aeiou][^aeiou]{1,3}[aeiou])ll(?=(?:er|ers|ing|ed)$)"), r"\1l"),
            (re.compile(r"(?<=[^\W\d_]{2})our(?=s?$)"), "or"))


def american_spelling(word: str) -> list[str]:
    """``word``'s American spelling when it is written the British way ("travellers" -> "travelers", "harbour" ->
    "harbor"), ``[]`` otherwise."""
    lower = word.lower()
    for pattern, american in _BRITISH:
        lower = pattern.sub(american, lower)
    return [lower] if lower != word.lower() else []


def loan_spelling(word: str) -> list[str]:
    """How Indonesian spells an English ``word`` it took as a loanword (its ending as ``_LOAN_ENDINGS`` gives, "c"
    as "k" before a consonant or "a", "o", "u" and as "s" before "e", "i", "y"; "ph", "th", "x", "y" and doubled
    letters as Indonesian writes them): "insecticide" -> "insektisida", "vaccination" -> "vaksinasi". For words the
    dictionary lacks; ``[]`` for short words and words with no such ending, whose spelling says too little."""
    lower = word.lower()
    ending = next(((en, ind) for en, ind in _LOAN_ENDINGS if lower.endswith(en)), None)
    if len(lower) < 6 or not lower.isalpha() or ending is None:
        return []
    spelled = lower[:-len(ending[0])] + ending[1]
    spelled = spelled.replace("ph", "f").replace("th", "t").replace("x", "ks").replace("qu", "kw")
    spelled = re.sub(r"c(?=[eiy])", "s", spelled)
    spelled = spelled.replace("c", "k").replace("y", "i")
    spelled = re.sub(r"([^aeiou])\1", r"\1", spelled)
    return [spelled] if spelled != lower else []


def _known_tokens(texts: Sequence[str], lang: str, vocabulary: Mapping[str, int]) -> list[str]:
    """The keyword tokens of ``texts`` (analysed as ``lang``) that ``vocabulary`` holds, each once, in order."""
    tokens = (token for text in texts for token in analyze(text, lang))
    return [token for token in dict.fromkeys(tokens) if token in vocabulary]


def _single_words(found: Sequence[str], word: str) -> list[str]:
    """``found`` (translations of ``word``) without repeats, phrases or ``word`` itself."""
    return [w for w in dict.fromkeys(found) if w.isalpha() and w.lower() != word.lower()]


_loaded: dict[str, Dictionary] = {}


def load_dictionary(settings: Settings) -> Dictionary:
    """The dictionary ``warta setup`` prepared in ``settings``' models dir with the news glossary, or the glossary
    alone when it was not prepared (no network to Debian's archive on setup: said once per process). Never
    downloaded here: a search must not wait on the network."""
    path = DataDir.of(settings).dictionary
    if str(path) not in _loaded:
        if not path.is_file():
            log.warning("the English-Indonesian dictionary is not prepared (%s): English questions over Indonesian "
                        "articles are translated through the e5 lexicon and the built-in news glossary alone; run "
                        "`warta setup` with network to deb.debian.org", path)
        _loaded[str(path)] = with_glossary(Dictionary.load(path) if path.is_file() else Dictionary({}))
    return _loaded[str(path)]


def with_glossary(dictionary: Dictionary) -> Dictionary:
    """``dictionary`` with the news words it lacks (``glossary.NEWS_GLOSSARY``), their translations first where
    it has the word in another sense ("missing": "hilang" before "nona"), then the everyday words it lacks both
    ways (``common_words``), after its own senses."""
    entries = dict(dictionary.entries)
    for head, translations in NEWS_GLOSSARY.items():
        entries[head] = list(dict.fromkeys([*translations, *entries.get(head, ())]))
    known = Dictionary(dict(entries))  # a new headword ("followed") keeps what its lemma ("follow") says first
    for head, translations in common_words().items():
        entries[head] = list(dict.fromkeys([*known.lookup(head), *translations]))
    return Dictionary(entries)
