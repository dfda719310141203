"""One bad item fails alone, with its name and reason, wherever text enters Warta; the batch goes on.

- Articles: lone surrogates and control characters in any field, absurd ids, a file name that is not UTF-8.
- Questions in batch mode (``warta search``/``warta ask`` with JSONL on stdin): a line Python's JSON parser
  refuses, a ``question`` that is not a non-empty string, and a query that fails in the store each give an
  ``{"id", "error"}`` line; later lines still run and the exit code is 1.
- CLI arguments are checked (exit 2 with a clear message) instead of being ignored or misread.
- HTML in windows-1251 or KOI8-R is read as what it is, not stored as mojibake.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from core.settings import load_settings
from store.index import Index
from tests.conftest import SEED
from tests.conftest import run_cli as run
from tests.helpers.servers import ChromaServer, warta_command

BODY = ("Harga cabai rawit di pasar induk Kramat Jati naik dua kali lipat karena musim hujan. Pedagang "
        "mengeluhkan pasokan dari petani yang menurun sejak awal bulan.")


def record(i: int, **fields) -> dict:
    return {"id": f"r-{i}", "title": f"Berita pasar nomor {i}", "text": f"{BODY} Laporan nomor {i}.", **fields}


def _articles() -> list:
    return list(Index(load_settings()).stored_articles())


# --- articles -----------------------------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_title_is_cleaned_and_the_records_around_it_are_stored(cli_env, capsys, tmp_path):
    path = tmp_path / "export.jsonl"
    bad = json.dumps(record(2, title="Judul berita \ud800 rusak parah", outlet="Kom\udcffpas\x07", url="https://x.id/\ud83d2"))
    assert "\\ud800" in bad  # the JSON escape, as an export carries it
    path.write_text("\n".join([json.dumps(record(1)), bad, json.dumps(record(3))]) + "\n")
    code, out, err = run(capsys, "ingest", "-q", str(path))
    assert code == 0 and out.startswith("3 added, 0 updated, 0 unchanged, 0 failed"), out + err
    stored = {a.id: a for a in _articles()}
    assert set(stored) == {"r-1", "r-2", "r-3"}
    assert (stored["r-2"].title, stored["r-2"].outlet, stored["r-2"].url) == ("Judul berita rusak parah", "Kompas",
                                                                               "https://x.id/2")
    code, out, err = run(capsys, "search", "--json", "Judul berita rusak parah")
    assert code == 0 and json.loads(out)["hits"][0]["article_id"] == "r-2", out + err


def test_the_same_file_uploaded_in_the_web_ui_lists_every_item(settings, embedder, tmp_path):
    from assistant.assistant import Assistant
    from ui.web.library import Library

    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [record(1), record(2, title="Judul \ud800 rusak"), record(3)]))
    library = Library(settings, Assistant(settings, embedder=embedder))
    status = library.add([str(path)], "", "", "en", None)[1]
    assert status.count("ingest-added") == 3 and "ingest-failed" not in status, status
    assert "export.jsonl:2" in status


@pytest.mark.parametrize("field, value, reason", [
    ("id", "x" * 5000, r"'id' is 5,000 characters long \(at most 200\)"),
    ("url", "https://x.id/" + "a" * 5000, r"'url' is 5,013 characters long \(at most 2,048\)"),
], ids=["5000-character id", "5000-character url"])
def test_absurd_fields_fail_alone_or_are_dropped(cli_env, capsys, tmp_path, field, value, reason):
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [record(1), record(2, **{field: value}), record(3)]) + "\n")
    code, out, err = run(capsys, "ingest", "-q", str(path))
    assert code == 1 and out.startswith("2 added, 0 updated, 0 unchanged, 1 failed"), out + err
    assert re.search(rf"^  failed: {re.escape(str(path))}:2: {reason}", out, re.MULTILINE), out


def test_a_file_name_that_is_not_utf8_is_named_readably_and_its_article_stored(cli_env, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a-good.txt").write_text("Kabar pertama\n\n" + BODY)
    odd = os.path.join(os.fsencode(folder), b"z-\xe9\xff.txt")
    with open(odd, "wb") as fh:
        fh.write(("Kabar kedua dari berkas aneh\n\n" + BODY + " Kedua.").encode())
    (folder / "m-empty.txt").write_bytes(b"")
    env = {**cli_env, "PYTHONIOENCODING": "utf-8"}  # a UTF-8 terminal, as on any current system
    done = subprocess.run([*warta_command(), "ingest", "-v", "-q", str(folder)], env=env, cwd=tmp_path,
                          capture_output=True, timeout=600)
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 1 and "Traceback" not in err, out + err
    assert out.splitlines()[-2].startswith("2 added, 0 updated, 0 unchanged, 1 failed"), out
    assert "added: Kabar kedua dari berkas aneh" in out and "m-empty.txt: empty file" in out
    listed = subprocess.run([*warta_command(), "list", "--json"], env=env, cwd=tmp_path, capture_output=True,
                            timeout=600)
    assert listed.returncode == 0, listed.stderr
    sources = {a["title"]: a["source"] for a in json.loads(listed.stdout)}
    assert sources["Kabar kedua dari berkas aneh"].endswith("z-\\xe9\\xff.txt"), sources


# --- questions in batch mode --------------------------------------------------------------------------------


@pytest.fixture
def seeded(cli_env, capsys):
    code, out, _ = run(capsys, "ingest", "-q", str(SEED))
    assert code == 0, out


BATCH = "\n".join([
    json.dumps({"id": "q1", "question": "Siapa CEO interim Scale AI?"}),
    "1" * 5000,  # valid JSON Python refuses (more digits than int() converts)
    json.dumps({"id": "q3", "question": None}),
    json.dumps({"id": "q4", "question": 12345}),
    json.dumps({"id": "q5", "question": ["Scale", "AI"]}),
    json.dumps({"id": "q6", "question": "  \t "}),
    json.dumps({"id": "q7"}),
    "[" * 100_000 + "]" * 100_000,  # nesting Python refuses
    json.dumps({"id": "q9", "question": "Berapa nilai investasi Meta di Scale AI? caf\udce9 \ud800"}),
    "",
]) + "\n"


@pytest.mark.parametrize("command", ["search", "ask"])
def test_each_bad_batch_line_gets_its_own_error_and_the_batch_goes_on(seeded, capsys, command):
    code, out, err = run(capsys, command, stdin=BATCH)
    assert "Traceback" not in err, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and len(lines) == 9, out[:3000]
    by_key = {line.get("id") or f"line {line.get('line')}": line for line in lines}
    for good in ("q1", "q9"):
        assert "error" not in by_key[good], by_key[good]
        assert by_key[good].get("hits") or by_key[good].get("citations"), by_key[good]
    assert re.search(r"unreadable JSON", by_key["line 2"]["error"]), by_key["line 2"]
    assert re.search(r"unreadable JSON \(nested too deeply\)", by_key["line 8"]["error"]), by_key["line 8"]
    for bad, kind in [("q3", "null"), ("q4", "int"), ("q5", "list")]:
        assert by_key[bad]["error"] == f"'question' must be a non-empty string, got {kind}", by_key[bad]
    assert by_key["q6"]["error"] == "'question' must be a non-empty string, got an empty one", by_key["q6"]
    assert by_key["q7"]["error"] == "'question' is missing", by_key["q7"]


class _Lines:
    """stdin for batch mode that runs ``before[n]`` just before line n is handed out."""

    def __init__(self, lines: list[str], before: dict[int, object]) -> None:
        self._lines, self._before = lines, before

    def __iter__(self):
        for n, line in enumerate(self._lines, start=1):
            if n in self._before:
                self._before[n]()
            yield line + "\n"


def test_a_query_that_fails_in_the_store_is_an_error_line_and_the_batch_goes_on(tmp_path, cli_env, monkeypatch,
                                                                                capsys):
    """The vector store (a Chroma server) goes away after the first query and comes back two lines later."""
    from ui.cli import main

    path = tmp_path / "chroma-db"
    first = ChromaServer(path)
    servers = [first.start()]

    def restart() -> None:
        servers.append(ChromaServer(path, port=first.port).start())

    try:
        monkeypatch.setenv("WARTA_STORE_MODE", "http")
        monkeypatch.setenv("WARTA_STORE_PORT", str(first.port))
        assert main(["ingest", "-q", str(SEED)]) == 0
        capsys.readouterr()
        questions = [json.dumps({"id": f"q{n}", "question": "Siapa CEO interim Scale AI?"}) for n in range(1, 6)]
        monkeypatch.setattr(sys, "stdin", _Lines(questions, before={2: first.stop, 4: restart}))
        code = main(["search"])
    finally:
        for server in servers:
            server.stop()
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2", "q3", "q4", "q5"], out + err
    assert code == 1 and "Traceback" not in err
    assert lines[0]["hits"] and "error" not in lines[0]
    for line in lines[1:3]:
        assert "Chroma" in line["error"] and "hits" not in line, line
    assert lines[4].get("hits"), lines[4]


# --- CLI arguments ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, message", [
    (["search", "--k", "0", "x"], r"--k: expected a whole number from 1 to 50, got '0'"),
    (["search", "--k", "-5", "x"], r"--k: expected a whole number from 1 to 50, got '-5'"),
    (["search", "--k", "51", "x"], r"--k: expected a whole number from 1 to 50, got '51'"),
    (["search", "--k", "lima", "x"], r"--k: expected a whole number from 1 to 50, got 'lima'"),
    (["search", "--from", "2024-13-01", "x"], r"--from: expected a day as YYYY-MM-DD, got '2024-13-01'"),
    (["search", "--to", "kemarin", "x"], r"--to: expected a day as YYYY-MM-DD, got 'kemarin'"),
    (["ask", "--from", "2024-06-01", "--to", "2024-01-31", "x"], r"--from 2024-06-01 is after --to 2024-01-31"),
    (["search", "--width", "0", "x"], r"--width: expected a whole number >= 1, got '0'"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_invalid_arguments_are_refused_with_exit_code_2(argv, message, capsys):
    from ui.cli import main

    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and re.search(message, err), err


# --- encodings ----------------------------------------------------------------------------------------------

RUSSIAN_TITLE = "Цены на рис в Джакарте растут"
RUSSIAN = ("Цены на рис на традиционных рынках Джакарты выросли третью неделю подряд, сообщили торговцы во "
           "вторник. Засушливый сезон сократил урожай, а рыночная операция правительства ещё не дошла до их "
           "прилавков. Торговцы ожидают, что цены начнут снижаться только после следующего урожая.")


def _page(charset: str | None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (f"<html><head>{meta}<title>{RUSSIAN_TITLE}</title></head><body><article><h1>{RUSSIAN_TITLE}</h1>"
            f"<p>{RUSSIAN}</p><p>{RUSSIAN}</p></article></body></html>")


@pytest.mark.parametrize("encoding, declared", [
    ("cp1251", "windows-1251"), ("cp1251", None), ("koi8_r", "koi8-r"), ("koi8_r", None),
    ("cp1251", "iso-8859-1"),  # declared wrongly: the declared charset yields garbage
], ids=["windows-1251", "windows-1251 undeclared", "koi8-r", "koi8-r undeclared", "windows-1251 declared latin-1"])
def test_cyrillic_html_in_a_legacy_encoding_is_read_as_cyrillic(cli_env, capsys, tmp_path, encoding, declared):
    """Beside it, Latin text in Windows-1252 (the usual legacy encoding of Indonesian pages) stays Latin."""
    path = tmp_path / "berita.html"
    path.write_bytes(_page(declared).encode(encoding))
    latin = tmp_path / "kafe.html"
    cafe = f"Kafe Café Ibu Sîti dibuka kembali di {encoding} {declared} dengan menu crème brûlée dan kopi tubruk. " * 3
    latin.write_bytes(f"<html><head><title>Kafe dibuka</title></head><body><article><p>{cafe}</p></article>"
                      f"</body></html>".encode("cp1252"))
    code, out, err = run(capsys, "ingest", "-q", str(path), str(latin))
    assert code == 0, out + err
    stored = {a.source: a for a in _articles()}
    assert stored[str(path)].title == RUSSIAN_TITLE and RUSSIAN[:60] in stored[str(path)].text, \
        stored[str(path)].text[:200]
    assert "Café Ibu Sîti" in stored[str(latin)].text and "crème brûlée" in stored[str(latin)].text


def test_a_page_whose_http_header_names_koi8r_is_read_as_cyrillic(cli_env, capsys, site, monkeypatch):
    monkeypatch.setenv("WARTA_INGEST_ALLOW_PRIVATE_URLS", "true")  # the test site is on loopback
    url = site.add("/ru", _page(None).encode("koi8_r"), content_type="text/html; charset=KOI8-R")
    code, out, err = run(capsys, "ingest", "-q", url)
    assert code == 0, out + err
    (article,) = _articles()
    assert article.title == RUSSIAN_TITLE and RUSSIAN[:60] in article.text


def test_a_page_read_again_and_again_in_one_process_keeps_its_text(settings, embedder, tmp_path):
    """A long-lived process (``warta serve``) adding the same page again after removing it: each time it is
    read in full (trafilatura's process-wide duplicate cache once dropped it from the fourth time on)."""
    from ingest.ingestor import Ingestor

    ingestor = Ingestor(settings, embedder=embedder)
    path = tmp_path / "page.html"
    path.write_text(f"<html><head><title>Harga cabai naik tajam</title></head><body><article><h1>Harga cabai</h1>"
                    f"<p>{BODY}</p><p>{BODY} Pembaruan hari ini.</p></article></body></html>")
    for round_ in range(5):
        report = ingestor.ingest([str(path)])
        assert report.count("added") == 1, (round_, report.results)
        for info in ingestor.index.articles():
            ingestor.index.remove(info.id)
