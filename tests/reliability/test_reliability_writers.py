"""Writers never get stuck behind a slow source or each other, and one article is stored once.

- A URL that drips one byte at a time fails at the fetch deadline (connect + every read), not per read.
- Fetching happens before the write lock: ``warta remove`` runs while another ``warta ingest`` waits on a URL.
- A writer that waits for the lock says so, names the holder, and gives up after ``ingest.lock_timeout_s``
  (the CLI and the web UI's Remove and Add).
- Same id or same URL = same article, inside one batch and across runs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

from store.index import Index
from tests.conftest import SEED, make_settings
from tests.conftest import run_cli as run
from tests.helpers.servers import warta_command

BODY = ("Harga cabai rawit di pasar induk Kramat Jati naik dua kali lipat karena musim hujan. Pedagang "
        "mengeluhkan pasokan dari petani yang menurun sejak awal bulan.")
PAGE = (f"<html><head><title>Harga cabai naik</title></head><body><article><h1>Harga cabai naik</h1><p>{BODY}</p>"
        f"<p>{BODY}</p></article></body></html>").encode()


class Drip:
    """A route that answers one byte every ``every_s`` seconds for at most ``for_s`` seconds (headers too,
    when ``headers_too``), and records when a client connected."""

    def __init__(self, every_s: float, for_s: float, *, headers_too: bool = False) -> None:
        self.every_s, self.for_s, self.headers_too = every_s, for_s, headers_too
        self.connected = threading.Event()

    def __call__(self, handler) -> None:
        self.connected.set()
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        data = head + PAGE * 50
        if not self.headers_too:
            handler.wfile.write(head)
            data = PAGE * 50
        ends = time.monotonic() + self.for_s
        try:
            for i in range(len(data)):
                if time.monotonic() > ends:
                    return
                handler.wfile.write(data[i : i + 1])
                handler.wfile.flush()
                time.sleep(self.every_s)
        except OSError:  # the client gave up
            return


@pytest.mark.parametrize("headers_too", [False, True], ids=["dripping body", "dripping headers"])
def test_a_dripping_url_fails_at_the_fetch_deadline_and_the_rest_is_ingested(cli_env, capsys, monkeypatch, site,
                                                                           seed_copy, headers_too):
    """``ingest.fetch_timeout_s`` bounds the whole fetch: a server sending a byte every 0.2 s (each read well
    inside the timeout) for 40 s is cut off at 2 s."""
    monkeypatch.setenv("WARTA_INGEST_FETCH_TIMEOUT_S", "2")
    monkeypatch.setenv("WARTA_INGEST_ALLOW_PRIVATE_URLS", "true")  # the test site is on loopback
    url = f"{site.base}/drip"
    site.routes["/drip"] = Drip(0.2, 40, headers_too=headers_too)
    started = time.monotonic()
    code, out, err = run(capsys, "ingest", "-q", url, str(seed_copy))
    took = time.monotonic() - started
    assert code == 1 and out.startswith("1 added, 0 updated, 0 unchanged, 1 failed"), out + err
    assert re.search(rf"^  failed: {re.escape(url)}: timed out after 2 s", out, re.MULTILINE), out
    assert took < 30, f"the ingest took {took:.0f} s: the fetch read on for as long as the server dripped"


def _env(data_dir: Path, models_dir: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "WARTA_DATA_DIR": str(data_dir), "WARTA_PATHS_MODELS_DIR": str(models_dir),
            "WARTA_ANSWER_BACKEND": "extractive", "WARTA_INGEST_ALLOW_PRIVATE_URLS": "true", **extra}


def test_remove_runs_while_another_ingest_waits_on_a_slow_url(settings, embedder, models_dir, site, tmp_path,
                                                              capsys, monkeypatch):
    """Fetching happens before the write lock: a slow URL in one ``warta ingest`` does not hold up
    ``warta remove`` in another process."""
    from ingest.ingestor import Ingestor

    Ingestor(settings, embedder=embedder).ingest([str(SEED)])
    (seed,) = Index(settings).articles()
    drip = Drip(1.0, 60)
    site.routes["/drip"] = drip
    log = tmp_path / "ingest.log"
    with log.open("ab") as out:
        proc = subprocess.Popen([*warta_command(), "ingest", "-q", f"{site.base}/drip"],
                                env=_env(settings.data_dir, models_dir, WARTA_INGEST_FETCH_TIMEOUT_S="45"),
                                cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        assert drip.connected.wait(timeout=300), log.read_text()
        time.sleep(2)  # the ingest is reading the dripping page now
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("WARTA_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("WARTA_PATHS_MODELS_DIR", str(models_dir))
        done = threading.Event()
        result: list = []
        worker = threading.Thread(target=lambda: (result.append(run(capsys, "remove", seed.id)), done.set()),
                                  daemon=True)
        worker.start()
        removed_in_time = done.wait(timeout=30)
        still_fetching = proc.poll() is None
        worker.join(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
    assert removed_in_time and still_fetching, f"remove waited for the ingest's fetch: {log.read_text()}"
    code, out, err = result[0]
    assert code == 0 and out.startswith("removed: "), out + err
    assert Index(settings).counts() == (0, 0)


@pytest.fixture
def held_lock(settings, embedder):
    """The seed ingested, then the write lock held by this process (as a long write would) until the test ends."""
    from ingest.ingestor import Ingestor

    Ingestor(settings, embedder=embedder).ingest([str(SEED)])
    holder = Index(settings)
    with holder.write_lock():
        yield holder


@pytest.mark.parametrize("argv", [["remove", "some-id"], ["ingest", "-q", str(SEED)]], ids=lambda a: a[0])
def test_a_waiting_writer_says_so_and_gives_up_with_a_clear_message(held_lock, settings, models_dir, tmp_path, argv):
    done = subprocess.run([*warta_command(), *argv], env=_env(settings.data_dir, models_dir,
                          WARTA_INGEST_LOCK_TIMEOUT_S="3"), cwd=tmp_path, capture_output=True, text=True, timeout=180)
    err = done.stderr
    assert done.returncode == 2 and "Traceback" not in err, err
    assert re.search(rf"waiting for another writer \(pid {os.getpid()}\b", err), err
    assert re.search(r"gave up after 3 s", err) and "ingest.lock_timeout_s" in err, err


def test_the_web_ui_remove_and_add_show_the_lock_message_instead_of_hanging(held_lock, settings, models_dir,
                                                                           embedder, tmp_path):
    from assistant.assistant import Assistant
    from ui.web.library import Library

    quick = make_settings(settings.data_dir, models_dir, ingest={"lock_timeout_s": 2})
    library = Library(quick, Assistant(quick, embedder=embedder))
    (seed,) = held_lock.articles()
    outcome: dict[str, tuple] = {}
    page = tmp_path / "upload.txt"
    page.write_text("Harga cabai naik\n\n" + BODY)
    workers = [
        threading.Thread(target=lambda: outcome.__setitem__("remove", library.remove(seed.id, "", "en", None)),
                         daemon=True),
        threading.Thread(target=lambda: outcome.__setitem__("add", library.add([str(page)], "", "", "en", None)),
                         daemon=True),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert set(outcome) == {"remove", "add"}, "a handler hung on the write lock"
    remove_status = outcome["remove"][1]
    add_status = outcome["add"][1]
    for status in (remove_status, add_status):
        assert "another writer" in status.lower() and f"pid {os.getpid()}" in status and "gave up after 2 s" in status, \
            status
    assert len(held_lock.articles()) == 1


# --- one article, stored once ---------------------------------------------------------------------------------


def _list(capsys) -> list[dict]:
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    return json.loads(out)


def test_the_same_id_twice_in_one_file_keeps_the_later_and_reruns_are_unchanged(cli_env, capsys, tmp_path):
    path = tmp_path / "twice.jsonl"
    path.write_text(json.dumps({"id": "a-1", "title": "Versi lama", "text": BODY}) + "\n"
                    + json.dumps({"id": "a-1", "title": "Versi baru", "text": BODY + " Ralat: harga turun."}) + "\n")
    code, out, err = run(capsys, "ingest", "-q", str(path))
    assert code == 0 and out.startswith("1 added, 0 updated, 0 unchanged, 0 failed, 1 duplicate;"), out
    assert re.search(rf"^  duplicate: {re.escape(str(path))}:1: same id as {re.escape(str(path))}:2", out,
                     re.MULTILINE), out
    assert [a["title"] for a in _list(capsys)] == ["Versi baru"]
    for _ in range(2):
        code, out, err = run(capsys, "ingest", "-q", str(path))
        assert code == 0 and out.startswith("0 added, 0 updated, 1 unchanged, 0 failed, 1 duplicate; 0 chunks"), out


def test_the_same_url_under_other_ids_is_one_article_within_a_run_and_across_runs(cli_env, capsys, tmp_path):
    url = "https://berita.example/cabai"
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"id": "x-1", "url": url, "title": "Cabai naik", "text": BODY}) + "\n"
                     + json.dumps({"id": "x-2", "url": url, "title": "Cabai naik lagi", "text": BODY + " Lagi."}) + "\n")
    code, out, _ = run(capsys, "ingest", "-q", str(first))
    assert code == 0 and out.startswith("1 added, 0 updated, 0 unchanged, 0 failed, 1 duplicate;"), out
    assert [(a["id"], a["url"]) for a in _list(capsys)] == [("x-2", url)]

    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps({"id": "x-3", "url": url, "title": "Cabai turun", "text": BODY + " Turun."}) + "\n")
    code, out, _ = run(capsys, "ingest", "-q", str(later))
    assert code == 0 and out.startswith("0 added, 1 updated, 0 unchanged, 0 failed;"), out
    assert [(a["id"], a["title"]) for a in _list(capsys)] == [("x-3", "Cabai turun")]
    code, out, _ = run(capsys, "ingest", "-q", str(later))
    assert out.startswith("0 added, 0 updated, 1 unchanged"), out

    code, out, err = run(capsys, "remove", url)
    assert code == 0 and out.startswith("removed: Cabai turun"), out + err
    assert _list(capsys) == []
    now = json.loads(run(capsys, "stats", "--json")[1])
    assert now["chunks"] == now["vectors"] == now["keyword_index_chunks"] == 0
