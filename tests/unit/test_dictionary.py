"""The English-Indonesian dictionary: reading Debian's package, the dictd entries, English word forms, and the
download made once and checked. A package like Debian's is built here, served by a local HTTP server."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files

import pytest

from core.errors import ModelError
from core.models.dictionary import (
    DICTD_FILES,
    Dictionary,
    american_spelling,
    ensure_dictionary,
    lemmas,
    loan_spelling,
    parse_dictd,
    with_glossary,
)
from core.paths import DataDir
from core.settings import Settings

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# entries as the real package writes them: headword line, translations, English glosses, numbered senses
ENTRIES = {
    "lake": "lake //leɪk// <n>\ndanau, telaga\nbody of water\n",
    "major": "major //ˈmeɪ.dʒə(ɹ)// <n>\n1. mayor\nmilitary rank\n2. jurusan 2.\nprincipal subject or course\n 3.\n"
             "student specializing in a specified subject\n",
    "river": "river //ˈɹɪvə// <n>\nsungai, kali\nlarge stream of water\n",
    "prime minister": "prime minister <n>\nperdana menteri\nhead of government\n",
}


def b64(n: int) -> str:
    out = ""
    while True:
        out = B64[n % 64] + out
        n //= 64
        if not n:
            return out


def dictd() -> tuple[str, bytes]:
    data, index, at = b"", [], 0
    for head, entry in [("00databaseinfo", "about\n"), *ENTRIES.items()]:
        raw = entry.encode("utf-8")
        index.append(f"{head}\t{b64(at)}\t{b64(len(raw))}")
        data, at = data + raw, at + len(raw)
    return "\n".join(index) + "\n", gzip.compress(data)


def deb() -> bytes:
    """A Debian package (ar: debian-binary, control.tar.xz, data.tar.xz) holding the dictd files."""
    def tar(files: dict[str, bytes]) -> bytes:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:xz") as archive:
            for name, content in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
        return buffer.getvalue()

    index, compressed = dictd()
    members = {"debian-binary": b"2.0\n", "control.tar.xz": tar({"./control": b"Package: x\n"}),
               "data.tar.xz": tar({DICTD_FILES[0]: index.encode("utf-8"), DICTD_FILES[1]: compressed})}
    out = b"!<arch>\n"
    for name, content in members.items():
        out += f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(content):<10}`\n".encode("ascii") + content
        out += b"\n" if len(content) % 2 else b""
    return out


def test_dictd_entries_give_their_translations_not_their_glosses():
    entries = parse_dictd(*dictd())
    assert entries["lake"] == ["danau", "telaga"]
    assert entries["major"] == ["mayor", "jurusan"]  # numbered senses; "principal subject ..." is a gloss
    assert entries["prime minister"] == ["perdana menteri"]
    assert "00databaseinfo" not in entries


@pytest.mark.parametrize("word, lemma", [
    ("rivers", "river"), ("cities", "city"), ("emptied", "empty"), ("widest", "wide"), ("running", "run"),
    ("formed", "form"), ("boxes", "box"), ("quickly", "quick"), ("glass", "glass"),
])
def test_english_word_forms_lead_back_to_their_headword(word, lemma):
    assert lemma in list(lemmas(word))


def test_a_question_is_translated_word_by_word_and_by_the_phrases_it_holds():
    dictionary = Dictionary(parse_dictd(*dictd()))
    question = "Which rivers flow into the lake the prime minister visited?"
    assert dictionary.translate(question, ["rivers", "lake", "visited"]) == [
        "sungai", "kali", "danau", "telaga", "perdana menteri"]
    # as BM25 reads Indonesian text, only what the index holds
    assert dictionary.keywords(question, ["rivers", "lake"], {"sungai": 0, "danau": 1, "menteri": 2}) == [
        "sungai", "danau", "menteri"]


def test_a_word_is_translated_from_either_language_into_single_words():
    dictionary = Dictionary({"patient": ["sabar", "pasien"], "people": ["orang", "orang-orang", "rakyat"],
                             "person": ["orang"], "prime minister": ["perdana menteri"]})
    assert dictionary.either_way("patients") == ["sabar", "pasien"]  # English: its headword's translations
    assert dictionary.either_way("pasien") == ["patient"]  # Indonesian: the headwords it translates
    assert dictionary.either_way("orang") == ["people", "person"]
    assert dictionary.either_way("people") == ["orang", "rakyat"]  # "orang-orang" is not one word
    assert dictionary.either_way("menteri") == []  # only in a phrase
    assert dictionary.either_way("kasus") == []


class _Server:
    """Serves ``payload`` at /pkg.deb and counts the requests."""

    def __init__(self, payload: bytes) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests += 1
                self.send_response(200 if self.path == "/pkg.deb" else 404)
                self.end_headers()
                if self.path == "/pkg.deb":
                    self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.requests = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/pkg.deb"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def served():
    package = deb()
    server = _Server(package)
    yield server, hashlib.sha256(package).hexdigest()
    server.close()


def test_news_words_the_dictionary_lacks_are_translated_in_their_news_sense_first():
    # FreeDict has no "case" or "displaced", and "missing" only through "miss" ("nona"): an English question over
    # Indonesian reports could not say what it counts ("How many dengue cases?") or about whom.
    dictionary = with_glossary(Dictionary({"miss": ["nona", "merindukan"], "river": ["sungai"]}))
    assert dictionary.either_way("cases")[0] == "kasus"
    assert "case" in dictionary.either_way("kasus")  # and back, for Indonesian questions over English reports
    assert dictionary.either_way("displaced")[:2] == ["mengungsi", "pengungsi"]
    assert dictionary.either_way("missing")[0] == "hilang"
    assert dictionary.either_way("rivers") == ["sungai"]  # its own entries kept


def test_everyday_words_the_dictionary_lacks_are_translated_both_ways():
    # FreeDict has no "seat", "rubbish" or "paket": "How many seats ...?" over Indonesian reports, or "Berapa paket
    # ...?" over English ones, could not name what they count
    dictionary = with_glossary(Dictionary({"follow": ["mengikuti"], "river": ["sungai"]}))
    assert "kursi" in dictionary.into_other("seats", "en")
    assert "sampah" in dictionary.into_other("rubbish", "en")
    assert "package" in dictionary.into_other("paket", "id")
    # rarer words too, down to those used once in a million: "coastline", "tributary" (geography, reports' asides)
    assert "garis pantai" in dictionary.lookup("coastline")
    assert "anak sungai" in dictionary.lookup("tributaries")
    assert "coastline" in dictionary.headwords("garis pantai")
    assert dictionary.lookup("river")[0] == "sungai"  # the dictionary's own sense first
    # a form that becomes a headword ("followed": "diikuti") keeps what its lemma said first
    assert dictionary.lookup("followed")[:2] == ["mengikuti", "diikuti"]


def test_the_everyday_word_lists_are_one_word_and_its_translations_per_line():
    for name in ("common_en_id.tsv", "common_id_en.tsv"):
        lines = (files("core.models") / "data" / name).read_text(encoding="utf-8").splitlines()
        assert len(lines) > 5000
        rows = [line.split("\t") for line in lines]
        assert all(len(row) == 2 and row[0] == row[0].strip().lower() and row[1].strip() for row in rows), name
        assert len({row[0] for row in rows}) == len(rows), f"{name}: a word twice"


def test_an_english_word_the_dictionary_lacks_is_spelled_as_indonesian_spells_the_loanword():
    # "How much insecticide ...?" over Indonesian reports: "insektisida", which no word list has
    dictionary = with_glossary(Dictionary({"river": ["sungai"]}))
    assert dictionary.into_other("insecticide", "en") == ["insektisida"]
    assert dictionary.into_other("vaccination", "en")[0] == "vaksinasi"
    assert loan_spelling("university") == ["universitas"]
    assert loan_spelling("clinic") == ["klinik"]
    assert loan_spelling("bus") == [] and loan_spelling("ambulance") == []  # no ending that says how
    assert dictionary.into_other("river", "en") == ["sungai"]  # a word the dictionary has keeps its translations


def test_a_british_spelling_is_also_looked_up_the_american_way():
    # "How many stranded travellers ...?" over Indonesian reports: the dictionary has "pemudik" under "travelers"
    dictionary = Dictionary({"travelers": ["pemudik"], "travellers": ["wisatawan"], "filed": ["diajukan"]})
    assert dictionary.into_other("travellers", "en") == ["wisatawan", "pemudik"]
    assert american_spelling("cancelled") == ["canceled"] and american_spelling("labour") == ["labor"]
    # a doubled "l" after a stressed syllable is no British spelling: "filled" is not "filed"
    assert american_spelling("filled") == [] and american_spelling("sellers") == [] and american_spelling("hour") == []
    assert dictionary.into_other("filled", "en") == []


def test_a_word_is_translated_from_the_language_it_is_written_in():
    # "air" is Indonesian for "water" and English for "udara": an Indonesian question's "air" is water
    dictionary = Dictionary({"air": ["udara", "hawa"], "water": ["air"]})
    assert dictionary.into_other("air", "id") == ["water"]
    assert dictionary.into_other("air", "en") == ["udara", "hawa"]
    assert dictionary.either_way("air") == ["udara", "hawa", "water"]  # when the language is not known


def test_the_package_is_downloaded_checked_and_read_once(served, tmp_path):
    server, sha256 = served
    settings = Settings.model_validate({"paths": {"data_dir": str(tmp_path / "data")}})
    path = ensure_dictionary(settings, url=server.url, sha256=sha256)
    assert path == DataDir.of(settings).dictionary
    assert Dictionary.load(path).lookup("lakes") == ["danau", "telaga"]
    assert ensure_dictionary(settings, url=server.url, sha256=sha256) == path
    assert server.requests == 1  # made once, reused after
    path.write_text("{not json", encoding="utf-8")  # a damaged file is made again
    assert Dictionary.load(ensure_dictionary(settings, url=server.url, sha256=sha256)).lookup("river") == [
        "sungai", "kali"]
    assert server.requests == 2


def test_a_package_with_another_hash_or_no_server_is_refused_and_nothing_is_kept(served, tmp_path):
    server, _ = served
    settings = Settings.model_validate({"paths": {"data_dir": str(tmp_path / "data")}})
    with pytest.raises(ModelError, match="expected sha256"):
        ensure_dictionary(settings, url=server.url, sha256="0" * 64)
    with pytest.raises(ModelError, match="could not download"):
        ensure_dictionary(settings, url=server.url.replace("pkg.deb", "missing.deb"), sha256="0" * 64)
    assert not DataDir.of(settings).dictionary.exists()
    with pytest.raises(ModelError, match="not a Debian package"):
        from core.models.dictionary import dictd_files

        dictd_files(json.dumps({"not": "a deb"}).encode())


def test_a_search_never_downloads_it_says_once_how_to_prepare_it_and_keeps_the_news_glossary(tmp_path, caplog):
    """Without FreeDict (no network on setup) the news words still translate: "How many people are currently
    displaced ...?" must find "mengungsi", not only the death toll."""
    from core.models.dictionary import load_dictionary

    settings = Settings.model_validate({"paths": {"data_dir": str(tmp_path / "data")}})
    first, again = load_dictionary(settings), load_dictionary(settings)
    assert first is again and caplog.text.count("warta setup") == 1
    assert not DataDir.of(settings).dictionary.exists()
    assert "mengungsi" in first.either_way("displaced") and "korban" in first.either_way("victim")
