"""Load: 20 chat sessions at once in real browser pages against ``warta serve``, while ``warta ingest`` writes
to the same data dir from another process.

Bounded: 20 sessions x 3 questions (extractive backend) and 20 x 1 (bundled local model, one generation
at a time behind Gradio's queue). Every answer must arrive, cited, with no error; the latencies are printed
(``pytest -s`` or ``-rA``) and measured properly by ``benchmarks/bench_load.py``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ingest.ingestor import Ingestor
from tests.conftest import SEED, make_settings
from tests.helpers.chat_load import CHROMIUM, QUESTIONS, REFUSALS, run_sessions, session_questions
from tests.helpers.corpus import news_articles, write_jsonl
from tests.helpers.servers import WartaServer, warta_command

pytestmark = pytest.mark.browser

SESSIONS = 20
SEED_TITLE = "OpenAI Putus Kerja Sama dengan Scale AI"


def cites_seed(turn) -> bool:
    return any(title.startswith(SEED_TITLE) for title in turn.titles)


def check_turns(run, *, strict_refusals: bool = True) -> None:
    """No errors; the seed questions answered citing the seed article; the other one refused. Over a corpus
    of real news (``strict_refusals=False``), a sports article may come close enough to be quoted for it,
    but the seed article never is."""
    expected = dict(QUESTIONS)
    assert not run.errors, "\n".join(f"session {t.session} turn {t.turn} ({t.question}) after {t.seconds:.0f} s: {t.error}"
                                      for t in run.errors)
    for turn in run.turns:
        if expected[turn.question] == "answer":
            assert cites_seed(turn) and not turn.answer.startswith(REFUSALS), turn
        elif strict_refusals:
            assert turn.answer.startswith(REFUSALS) and turn.cards == 0, turn
        else:
            assert not cites_seed(turn), turn


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, models_dir, embedder) -> Path:
    path = tmp_path_factory.mktemp("load") / "data"
    Ingestor(make_settings(path, models_dir), embedder=embedder).ingest([str(SEED)])
    return path


def server_env(data_dir: Path, models_dir: Path, backend: str) -> dict[str, str]:
    return {**os.environ, "WARTA_DATA_DIR": str(data_dir), "WARTA_PATHS_MODELS_DIR": str(models_dir),
            "WARTA_ANSWER_BACKEND": backend}


@pytest.fixture(scope="module", autouse=True)
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM} (`make test` installs it)")


def test_twenty_sessions_during_an_ingest_get_cited_answers_without_errors(data_dir, models_dir, tmp_path):
    corpus = news_articles(60)
    source = write_jsonl(tmp_path / "news.jsonl", corpus)
    env = server_env(data_dir, models_dir, "extractive")
    with WartaServer(env, tmp_path / "serve.log") as server:
        with (tmp_path / "ingest.log").open("wb") as log:
            ingest = subprocess.Popen([*warta_command(), "ingest", "-q", str(source)], env=env, cwd=tmp_path,
                                      stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            run = run_sessions(server.url, session_questions(SESSIONS, 3), timeout_s=300)
            ingest_running_at_end = ingest.poll() is None
            assert ingest.wait(timeout=900) == 0, (tmp_path / "ingest.log").read_text()
        finally:
            if ingest.poll() is None:
                ingest.kill()
        print(f"\nextractive, during an ingest (still running at the end: {ingest_running_at_end}): {run.summary()}")
        check_turns(run, strict_refusals=False)
        assert len(run.turns) == SESSIONS * 3
        assert server.alive(), server.log_tail()
        assert "Traceback" not in server.log_tail(20_000), server.log_tail()

        # The server, open since before the ingest, finds the articles another process added.
        title = corpus[0]["title"]
        after = run_sessions(server.url, [[title]], timeout_s=300)
        assert not after.errors and after.turns[0].cards >= 1, after.turns


@pytest.mark.slow
def test_twenty_sessions_on_the_local_model_queue_and_all_get_answers(data_dir, models_dir, tmp_path):
    env = server_env(data_dir, models_dir, "local")
    with WartaServer(env, tmp_path / "serve.log") as server:
        run = run_sessions(server.url, session_questions(SESSIONS, 1), timeout_s=1800)
        print(f"\nlocal model, one generation at a time: {run.summary()}")
        check_turns(run)
        assert server.alive() and "Traceback" not in server.log_tail(20_000), server.log_tail()
