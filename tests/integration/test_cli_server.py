"""``warta ask``, ``search`` and ``chat`` use a running ``warta serve`` of the same data dir (its models are
loaded), and answer by themselves when there is none: checked with the real entry point in subprocesses.

How the test knows the server answered: the CLI runs with a models dir it cannot use (a file), so it could not
load a single model itself.
"""

from __future__ import annotations

import json
import os
import subprocess

from core.paths import server_file
from ingest.ingestor import Ingestor
from tests.conftest import SEED, make_settings
from tests.helpers.servers import WartaServer, warta_command
from ui.http.state import read_state, write_state


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*warta_command(), *args], env=env, input=stdin, capture_output=True, text=True,
                          timeout=600)


def test_the_cli_answers_through_a_running_server_and_alone_without_it(tmp_path, models_dir, embedder):
    settings = make_settings(tmp_path / "data", models_dir)
    report = Ingestor(settings, embedder=embedder).ingest([str(SEED)])
    assert not report.failed
    env = {**os.environ, "WARTA_DATA_DIR": str(settings.data_dir), "WARTA_PATHS_MODELS_DIR": str(models_dir),
           "WARTA_ANSWER_BACKEND": "extractive"}
    unusable = tmp_path / "no-models"
    unusable.write_text("not a folder")
    cli_env = {**env, "WARTA_PATHS_MODELS_DIR": str(unusable)}
    with WartaServer(env, tmp_path / "serve.log") as server:
        state = read_state(server_file(settings))
        assert state is not None and state.url == server.url.rstrip("/")
        assert (server_file(settings).stat().st_mode & 0o077) == 0  # its token is the owner's only

        done = run(cli_env, "ask", "Berapa nilai investasi Meta di Scale AI?", "--json")
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout)
        assert not answer["refused"] and answer["citations"][0]["title"].startswith("OpenAI Putus Kerja Sama")

        done = run(cli_env, "search", "Meta investasi Scale AI", "--json", "--k", "2")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["hits"][0]["title"].startswith("OpenAI Putus Kerja Sama")

        done = run(cli_env, "ask", stdin='{"id": 1, "question": "Why did OpenAI drop Scale AI?"}\n{"id": 2}\n')
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        assert done.returncode != 0 and lines[0]["id"] == 1 and lines[0]["citations"]
        assert lines[1] == {"id": 2, "error": "'question' is missing"}

        done = run(cli_env, "chat", stdin="Why did OpenAI drop Scale AI?\n\n")
        assert done.returncode == 0, done.stderr
        assert "[1]" in done.stdout and "Sources:" in done.stdout and "Traceback" not in done.stderr

        # another index (other chunking settings) is not this server's: the CLI does not use it
        done = run({**cli_env, "WARTA_CHUNKING_CHUNK_TOKENS": "180"}, "ask", "Meta?", "--json")
        assert done.returncode != 0 and "Traceback" not in done.stderr

        server.stop()  # SIGTERM: a clean shutdown, that takes its state file along
    assert not server_file(settings).exists()
    done = run(cli_env, "ask", "Berapa nilai investasi Meta di Scale AI?", "--json")
    assert done.returncode != 0  # alone, it needs its models: proof that the server answered before
    assert done.stderr.startswith("warta: ") and "Traceback" not in done.stderr
    done = run(env, "ask", "Berapa nilai investasi Meta di Scale AI?", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["citations"]


def test_a_state_file_left_by_a_dead_server_is_ignored(tmp_path):
    path = tmp_path / "server.json"
    state = write_state(path, "http://127.0.0.1:9")
    assert read_state(path) == state  # this process is alive
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "pid": 2**22 + 12345}))  # above Linux's pid_max: no such process
    assert read_state(path) is None
    path.write_text("{garbage")
    assert read_state(path) is None
