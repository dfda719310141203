"""The ``openai`` answer backend against real OpenAI-compatible servers on loopback.

- A real one: llama.cpp's own server (``LocalLlamaServer``) serving the bundled GGUF, with its API key.
- Broken ones: nothing listening, a server that never answers, a web server that is not an LLM, a wrong
  key. With ``answer.fallback_to_extractive`` the user gets the extractive answer and a note; without
  it, a ``BackendError`` naming the backend (and, through the CLI, one line and exit code 2).
"""

from __future__ import annotations

import json
import time

import pytest

from assistant.assistant import Assistant
from assistant.cite import parse_markers
from assistant.records import Answer
from core.errors import BackendError
from core.models.prepare import prepare_local_model
from ingest.ingestor import Ingestor
from tests.conftest import SEED, make_settings
from tests.helpers.servers import SilentServer, free_port
from ui.cli import main

QUESTION = "Berapa nilai investasi Meta di Scale AI?"
SEED_TITLE = "OpenAI Putus Kerja Sama dengan Scale AI"
KEY_ENV = "WARTA_TEST_OPENAI_KEY"  # read by the backend via settings.openai.api_key_env
DISTRACTOR = {"id": "cabai-1", "title": "Harga cabai rawit naik", "lang": "id",
              "text": "Harga cabai rawit di pasar induk Kramat Jati naik dua kali lipat karena musim hujan. "
                      "Pedagang mengeluhkan pasokan dari petani yang menurun sejak awal bulan."}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, models_dir, embedder):
    path = tmp_path_factory.mktemp("llm") / "data"
    extra = path.parent / "extra.jsonl"
    extra.write_text(json.dumps(DISTRACTOR) + "\n")
    report = Ingestor(make_settings(path, models_dir), embedder=embedder).ingest([str(SEED), str(extra)])
    assert report.count("added") == 2
    return path


def openai_settings(data_dir, models_dir, base_url: str, *, fallback: bool, model: str = "qwen2.5-coder-1.5b",
                    timeout_s: float = 5.0, max_answer_tokens: int = 160):
    return make_settings(data_dir, models_dir,
                         answer={"backend": "openai", "fallback_to_extractive": fallback,
                                 "max_answer_tokens": max_answer_tokens},
                         openai={"base_url": base_url, "model": model, "api_key_env": KEY_ENV, "timeout_s": timeout_s})


def check_citations(answer: Answer) -> None:
    assert answer.citations and answer.citations[0].title.startswith(SEED_TITLE)
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert set(parse_markers(answer.text)) <= {c.n for c in answer.citations}


# --- a real llama.cpp server ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def llama(models_dir):
    from assistant.llm.server import LocalLlamaServer

    path = prepare_local_model(make_settings(models_dir / "unused", models_dir))
    server = LocalLlamaServer(path, n_ctx=4096, n_threads=2).start()
    yield server
    server.close()


@pytest.mark.slow
def test_openai_backend_streams_a_cited_answer_from_a_real_server(llama, data_dir, models_dir, embedder, monkeypatch):
    monkeypatch.setenv(KEY_ENV, llama.api_key)
    settings = openai_settings(data_dir, models_dir, llama.base_url, fallback=False, model=llama.model_name,
                               timeout_s=600.0)
    assistant = Assistant(settings, embedder=embedder)
    stream = assistant.stream(QUESTION, backend="openai")
    pieces, answer = list(stream), stream.answer
    assert isinstance(answer, Answer) and all(isinstance(p, str) for p in pieces)
    assert len(pieces) >= 3, f"expected a streamed answer, got {pieces!r}"
    assert answer.backend == "openai" and answer.model == llama.model_name
    assert not answer.refused and not answer.note, answer  # the model answered; no fallback
    assert "14,3" in answer.text or "472" in answer.text, answer.text
    check_citations(answer)


@pytest.mark.slow
def test_wrong_api_key_is_a_backend_failure_not_a_crash(llama, data_dir, models_dir, embedder, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "not-the-key")
    settings = openai_settings(data_dir, models_dir, llama.base_url, fallback=False, model=llama.model_name)
    with pytest.raises(BackendError, match="'openai' answer backend failed"):
        Assistant(settings, embedder=embedder).ask(QUESTION)
    answer = Assistant(settings.updated({"answer": {"fallback_to_extractive": True}}), embedder=embedder).ask(QUESTION)
    assert "tidak tersedia" in answer.note and "14,3" in answer.text
    check_citations(answer)


# --- servers that are down, hung, or not LLMs ----------------------------------------------------


@pytest.fixture(params=["nothing listening", "never answers", "not an LLM"])
def broken_url(request, site):
    if request.param == "nothing listening":
        yield f"http://127.0.0.1:{free_port()}/v1"
    elif request.param == "never answers":
        with SilentServer() as silent:
            yield f"{silent.url}/v1"
    else:
        site.add("/v1/models", "<html><body>a blog</body></html>")
        yield f"{site.base}/v1"  # POST /v1/chat/completions -> 501 from a plain web server


def test_broken_server_with_fallback_answers_extractively_with_a_note(broken_url, data_dir, models_dir, embedder,
                                                                       monkeypatch):
    monkeypatch.setenv(KEY_ENV, "k")
    settings = openai_settings(data_dir, models_dir, broken_url, fallback=True, timeout_s=2.0)
    started = time.monotonic()
    answer = Assistant(settings, embedder=embedder).ask(QUESTION)
    assert time.monotonic() - started < 60
    assert answer.backend == "openai" and not answer.refused
    assert answer.note.startswith("Model jawaban tidak tersedia"), answer.note
    assert "14,3" in answer.text or "472" in answer.text
    check_citations(answer)


def test_broken_server_without_fallback_is_a_backend_error_naming_the_backend(broken_url, data_dir, models_dir,
                                                                               embedder, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "k")
    settings = openai_settings(data_dir, models_dir, broken_url, fallback=False, timeout_s=2.0)
    with pytest.raises(BackendError, match=r"^The 'openai' answer backend failed: \S"):
        Assistant(settings, embedder=embedder).ask(QUESTION)


def test_cli_ask_with_the_server_down_prints_one_line_and_exits_2(data_dir, models_dir, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    for key, value in {"WARTA_DATA_DIR": str(data_dir), "WARTA_PATHS_MODELS_DIR": str(models_dir),
                       "WARTA_OPENAI_BASE_URL": f"http://127.0.0.1:{free_port()}/v1", "WARTA_OPENAI_TIMEOUT_S": "2",
                       "WARTA_ANSWER_FALLBACK_TO_EXTRACTIVE": "false"}.items():
        monkeypatch.setenv(key, value)
    code = main(["ask", "--backend", "openai", QUESTION])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("warta: The 'openai' answer backend failed:"), err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_no_key_reaches_logs_or_error_messages(models_dir, data_dir, embedder, monkeypatch, capfd):
    """The local server's key (made per start) and a user's OpenAI key appear in no log line and no error."""
    from assistant.llm.server import LocalLlamaServer

    path = prepare_local_model(make_settings(models_dir / "unused", models_dir))
    canary = "sk-warta-canary-0123456789abcdef"
    monkeypatch.setenv(KEY_ENV, canary)  # a wrong key for this server
    with LocalLlamaServer(path, n_ctx=2048, n_threads=2) as server:
        settings = openai_settings(data_dir, models_dir, server.base_url, fallback=False, model=server.model_name,
                                   timeout_s=300.0)
        with pytest.raises(BackendError) as failed:
            Assistant(settings, embedder=embedder).ask(QUESTION)
        monkeypatch.setenv(KEY_ENV, server.api_key)
        answer = Assistant(settings.updated({"answer": {"max_answer_tokens": 24}}), embedder=embedder).ask(QUESTION)
        key = server.api_key
    out, err = capfd.readouterr()
    assert answer.text and not answer.note
    for secret in (key, canary):
        assert secret not in out and secret not in err, "a key was logged"
        assert secret not in str(failed.value)
