"""End to end through the CLI: ingest the seed article, find it in English and Indonesian."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, SEED
from tests.conftest import run_cli as run


@pytest.fixture
def seeded(cli_env, capsys):
    code, out, _ = run(capsys, "ingest", "--quiet", str(SEED))
    assert code == 0 and "1 added" in out
    return cli_env


@pytest.mark.parametrize("question", ["why did OpenAI drop Scale AI?", "Berapa nilai investasi Meta di Scale AI?"])
def test_search_finds_the_seed_article_first_in_both_languages(seeded, capsys, tmp_path, question):
    # a distractor article in the index, so "first" means something
    other = tmp_path / "other.txt"
    other.write_text("Harga Cabai Naik\n\nHarga cabai rawit di pasar induk naik dua kali lipat karena musim hujan. "
                     "Pedagang mengeluhkan pasokan dari petani yang menurun.")
    assert run(capsys, "ingest", "-q", str(other))[0] == 0
    code, out, _ = run(capsys, "search", question, "--json", "--k", "3")
    result = json.loads(out)
    assert code == 0 and result["relevant"] is True
    assert result["hits"][0]["title"].startswith("OpenAI Putus Kerja Sama dengan Scale AI")


def test_search_batch_mode_reads_jsonl_and_answers_each_line(seeded, capsys):
    lines = "\n".join([json.dumps({"id": "q1", "question": "Siapa CEO interim Scale AI?"}), "not json",
                       json.dumps({"id": "q2", "question": "Meta investment in Scale AI"})])
    code, out, _ = run(capsys, "search", "--k", "2", stdin=lines)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and [r.get("id") for r in rows] == ["q1", None, "q2"]  # 1: a line failed
    assert "error" in rows[1] and rows[1]["line"] == 2
    assert {"article_id", "chunk_id", "title", "url", "score", "text"} <= set(rows[0]["hits"][0])
    assert any("Jason Droege" in h["text"] for h in rows[0]["hits"])


def test_list_stats_remove(seeded, capsys):
    code, out, _ = run(capsys, "list", "--json")
    (article,) = json.loads(out)
    assert article["n_chunks"] >= 3 and article["lang"] == "id"
    code, out, _ = run(capsys, "stats", "--json")
    stats = json.loads(out)
    assert stats["articles"] == 1 and stats["chunks"] == stats["vectors"] == stats["keyword_index_chunks"]
    assert run(capsys, "remove", article["id"])[0] == 0
    code, _, err = run(capsys, "remove", article["id"])
    assert code == 1 and "not found" in err
    assert json.loads(run(capsys, "list", "--json")[1]) == []


def test_ingest_exit_code_reports_failures_after_ingesting_the_rest(cli_env, capsys, tmp_path):
    (tmp_path / "bad.json").write_text("{broken")
    code, out, _ = run(capsys, "ingest", "-q", str(tmp_path / "bad.json"), str(SEED))
    assert code == 1 and "1 added" in out and "1 failed" in out and "bad.json" in out


def test_the_installed_warta_command_runs(cli_env):
    """The console script itself (not just ``main``) ingests and searches."""
    warta = REPO / ".venv" / "bin" / "warta"
    exe = [str(warta)] if warta.exists() else [sys.executable, "-m", "ui.cli"]
    done = subprocess.run([*exe, "ingest", "-q", str(SEED)], env=cli_env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([*exe, "search", "why did OpenAI drop Scale AI?", "--k", "1"], env=cli_env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "OpenAI Putus Kerja Sama" in done.stdout
    assert "Traceback" not in done.stderr
