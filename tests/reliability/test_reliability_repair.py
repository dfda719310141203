"""Losing or damaging a store: nothing in the catalog is lost, the user is told, ``warta reindex`` rebuilds.

Every step runs ``warta`` as a subprocess on one data dir (real e5 model, real embedded Chroma), the way a
user (or a careless operator with ``rm -rf``) meets it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers.corpus import news_articles, write_jsonl
from tests.helpers.servers import warta_command

pytestmark = pytest.mark.slow

N_ARTICLES = 12
CALL_TIMEOUT_S = 600  # one warta subprocess on a busy 2-core machine


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return news_articles(N_ARTICLES)


def warta(data_dir: Path, models_dir: Path, *argv: str, timeout: float = CALL_TIMEOUT_S,
          extra_env: dict[str, str] | None = None) -> tuple[int, str, str]:
    env = {**os.environ, "WARTA_DATA_DIR": str(data_dir), "WARTA_PATHS_MODELS_DIR": str(models_dir),
           "WARTA_ANSWER_BACKEND": "extractive", **(extra_env or {})}
    done = subprocess.run([*warta_command(), *argv], env=env, cwd=data_dir.parent, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, done.stderr


def stats(data_dir: Path, models_dir: Path, extra_env: dict[str, str] | None = None) -> dict:
    code, out, err = warta(data_dir, models_dir, "stats", "--json", extra_env=extra_env)
    assert code == 0, err
    return json.loads(out)


def in_step(now: dict, n_articles: int) -> None:
    assert now["articles"] == n_articles
    assert now["chunks"] == now["vectors"] == now["keyword_index_chunks"] > 0, now
    assert now["warnings"] == [], now["warnings"]


def finds(data_dir: Path, models_dir: Path, row: dict) -> None:
    """A search for an article's title ranks that article first."""
    code, out, err = warta(data_dir, models_dir, "search", row["title"], "--json", "--k", "3")
    assert code == 0, err
    hits = json.loads(out)["hits"]
    assert hits and hits[0]["article_id"] == row["id"], (row["title"], [h["title"] for h in hits])


@pytest.fixture
def ingested(corpus, models_dir, tmp_path) -> Path:
    """A data dir holding the corpus; returns the data dir."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    code, out, err = warta(data_dir, models_dir, "ingest", "-q", str(write_jsonl(tmp_path / "news.jsonl", corpus)))
    assert code == 0 and f"{N_ARTICLES} added" in out, out + err
    return data_dir


def test_a_deleted_vector_store_is_repaired_from_the_catalog_and_no_article_is_lost(ingested, corpus, models_dir,
                                                                                  tmp_path):
    """``rm -rf <data dir>/index/chroma``: stats warns, and the next ingest re-embeds the missing vectors from
    the catalog (which keeps every article's text) instead of deleting the articles."""
    before = stats(ingested, models_dir)
    shutil.rmtree(ingested / "index" / "chroma")

    lost = stats(ingested, models_dir)
    assert lost["articles"] == N_ARTICLES and lost["vectors"] == 0
    assert lost["warnings"] and "warta reindex" in lost["warnings"][0], lost
    code, out, err = warta(ingested, models_dir, "stats")
    assert code == 0 and "warning:" in err and f"{before['chunks']} passages" in err, err

    new = tmp_path / "new.txt"
    new.write_text("Banjir rob di pesisir Semarang\n\nBanjir rob setinggi setengah meter merendam kawasan pesisir "
                   "Semarang pada Senin pagi. Warga mengungsi ke balai desa sementara pompa air dinyalakan.")
    code, out, err = warta(ingested, models_dir, "ingest", "-q", str(new))
    assert code == 0 and out.startswith("1 added, 0 updated, 0 unchanged, 0 failed"), out + err
    assert "repaired" in err and f"{before['chunks']} passages" in err, err  # the user is told what happened
    in_step(stats(ingested, models_dir), N_ARTICLES + 1)
    code, out, _ = warta(ingested, models_dir, "list", "--json")
    assert {a["id"] for a in json.loads(out)} >= {r["id"] for r in corpus}
    finds(ingested, models_dir, corpus[3])


def test_reindex_rebuilds_vectors_and_keywords_from_the_catalog_alone(ingested, corpus, models_dir):
    before = stats(ingested, models_dir)
    shutil.rmtree(ingested / "index" / "chroma")
    for bm25 in (ingested / "index").glob("*/bm25"):
        shutil.rmtree(bm25)
    code, out, err = warta(ingested, models_dir, "reindex")
    assert code == 0, out + err
    assert f"Rebuilt {before['chunks']} vectors and the keyword index of {N_ARTICLES} articles from the catalog" \
        in out, out
    in_step(stats(ingested, models_dir), N_ARTICLES)
    finds(ingested, models_dir, corpus[5])
    # Nothing missing: reindex still rebuilds the current index (re-embeds every passage) and says so.
    code, out, err = warta(ingested, models_dir, "reindex")
    assert code == 0 and f"Rebuilt {before['chunks']} vectors" in out, out + err
    in_step(stats(ingested, models_dir), N_ARTICLES)


def _embeddings_in_chroma(data_dir: Path) -> int:
    """Vectors written to the embedded store so far, read from its SQLite file (read-only, no Chroma client)."""
    try:
        db = sqlite3.connect(f"file:{data_dir / 'index' / 'chroma' / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=1)
        try:
            return db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def test_kill_9_during_the_repair_then_a_rerun_completes_it(models_dir, tmp_path):
    """The repair writes in batches; a ``kill -9`` half-way leaves part of the vectors, and the next run adds the
    rest. Small chunks (32 tokens) so the repair spans several batches."""
    rows = news_articles(40)
    small = {"WARTA_CHUNKING_CHUNK_TOKENS": "32", "WARTA_CHUNKING_OVERLAP_TOKENS": "8"}
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    code, out, err = warta(data_dir, models_dir, "ingest", "-q", str(write_jsonl(tmp_path / "news.jsonl", rows)),
                           extra_env=small)
    assert code == 0, out + err
    total = stats(data_dir, models_dir, small)["chunks"]
    assert total > 130, "the repair must span several batches"
    shutil.rmtree(data_dir / "index" / "chroma")
    env = {**os.environ, "WARTA_DATA_DIR": str(data_dir), "WARTA_PATHS_MODELS_DIR": str(models_dir), **small}
    with (tmp_path / "reindex.log").open("ab") as log:
        proc = subprocess.Popen([*warta_command(), "reindex"], env=env, cwd=tmp_path, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    killed_at = 0
    try:
        deadline = time.monotonic() + CALL_TIMEOUT_S
        while proc.poll() is None and time.monotonic() < deadline:
            written = _embeddings_in_chroma(data_dir)
            if 0 < written < total:
                os.kill(proc.pid, signal.SIGKILL)
                killed_at = written
                break
            time.sleep(0.01)
    finally:
        if proc.poll() is None and not killed_at:
            proc.kill()
        proc.wait(timeout=60)
    assert killed_at, "the repair ended before the kill could land half-way: " + (tmp_path / "reindex.log").read_text()
    assert stats(data_dir, models_dir, small)["warnings"]
    code, out, err = warta(data_dir, models_dir, "reindex", extra_env=small)
    assert code == 0, out + err
    now = stats(data_dir, models_dir, small)
    assert now["chunks"] == now["vectors"] == now["keyword_index_chunks"] == total and not now["warnings"], now
    code, out, err = warta(data_dir, models_dir, "search", rows[7]["title"], "--json", "--k", "3", extra_env=small)
    assert code == 0 and json.loads(out)["hits"][0]["article_id"] == rows[7]["id"], out + err


def _corrupt_start(path: Path) -> None:
    with path.open("r+b") as fh:
        fh.write(b"this is not a database any more " * 4)


@pytest.mark.parametrize("argv", [["stats"], ["search", "banjir"], ["list"], ["ingest", "-q", "-"]],
                         ids=lambda argv: argv[0])
def test_a_damaged_catalog_is_one_clear_message_naming_the_file(ingested, models_dir, argv):
    (catalog,) = (ingested / "index").glob("*/catalog.sqlite")
    _corrupt_start(catalog)
    code, out, err = warta(ingested, models_dir, *argv)
    assert code == 2 and "Traceback" not in err, err
    assert err.startswith("warta: ") and len(err.strip().splitlines()) == 1, err
    assert str(catalog) in err and "restore" in err and "backup" in err, err


def test_a_damaged_vector_store_names_its_file_and_reindex_rebuilds_it(ingested, corpus, models_dir):
    chroma_db = ingested / "index" / "chroma" / "chroma.sqlite3"
    _corrupt_start(chroma_db)
    code, out, err = warta(ingested, models_dir, "search", corpus[0]["title"])
    assert code == 2 and "Traceback" not in err, err
    assert str(chroma_db) in err and "warta reindex" in err, err
    assert "chroma run" not in err and "host" not in err, "advice for a server does not fit the embedded store"

    code, out, err = warta(ingested, models_dir, "reindex")
    assert code == 0, out + err
    assert "set aside" in out and "Rebuilt" in out, out
    assert list((ingested / "index").glob("chroma.broken-*/chroma.sqlite3")), "the damaged store is kept, not deleted"
    in_step(stats(ingested, models_dir), N_ARTICLES)
    finds(ingested, models_dir, corpus[0])
