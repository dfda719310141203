"""Shared fixtures: a temp data dir per test, the real models prepared once per session, a local HTTP server.

Real components are the default (the bundled e5 model, embedded Chroma); fakes exist only for fast
logic tests (``FakeEmbedder``: deterministic bag-of-words vectors).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from core.models.embedder import Embedder
from core.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "examples" / "openai-scale-ai.txt"
SHARED_EVAL = REPO.parent / "shared" / "eval" / "dev"

for var in [v for v in os.environ if v.startswith("WARTA_")]:
    del os.environ[var]  # a developer's own settings must not leak into tests


def requires_shared_eval() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not SHARED_EVAL.is_dir(),
        reason=f"evaluation data not found at {SHARED_EVAL} (it sits beside the repository in CI only)",
    )


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Prepared offline models, shared by every test. Reuses WARTA_TEST_MODELS_DIR when given."""
    given = os.environ.get("WARTA_TEST_MODELS_DIR")
    path = Path(given) if given else tmp_path_factory.mktemp("models")
    from core.models.prepare import prepare_all

    prepare_all(load_settings(environ={}, overrides={"paths": {"models_dir": str(path), "data_dir": str(path / "unused")}}))
    return path


def make_settings(data_dir: Path, models_dir: Path, **sections: dict) -> Settings:
    overrides = {"paths": {"data_dir": str(data_dir), "models_dir": str(models_dir)},
                 "answer": {"backend": "extractive"}}
    for name, values in sections.items():
        overrides.setdefault(name, {}).update(values)
    return load_settings(environ={}, overrides=overrides)


@pytest.fixture
def settings(tmp_path: Path, models_dir: Path) -> Settings:
    return make_settings(tmp_path / "data", models_dir)


def run_cli(capsys: pytest.CaptureFixture, *argv: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    """``warta ARGV`` in this process (with ``stdin`` as its standard input): exit code, stdout, stderr."""
    from ui.cli import main

    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8") if isinstance(stdin, bytes) \
            else io.StringIO(stdin)
    try:
        code = main(list(argv))
    finally:
        sys.stdin = sys.__stdin__
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def cli_env(tmp_path: Path, models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for running the CLI against a temp data dir (in-process or as a subprocess)."""
    env = {"WARTA_DATA_DIR": str(tmp_path / "data"), "WARTA_PATHS_MODELS_DIR": str(models_dir),
           "WARTA_ANSWER_BACKEND": "extractive"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)  # no ./config.toml from the repo
    return {**os.environ, **env}


@pytest.fixture(scope="session")
def embedder(models_dir: Path):
    """The real bundled e5 model, loaded once."""
    from core.models.prepare import load_embedder

    return load_embedder(make_settings(models_dir / "unused", models_dir))


class FakeEmbedder:
    """Deterministic bag-of-words vectors: same words, same direction. For logic tests only (an ``Embedder``)."""

    dimension = 64

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors(texts)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._vectors(texts)

    def no_cache(self) -> contextlib.nullcontext[None]:
        return contextlib.nullcontext()

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
        return out


@pytest.fixture
def fake_embedder() -> Embedder:
    return FakeEmbedder()


def scripted_chat(*replies: str, delay_s: float = 0.0):
    """A LangChain chat model that answers with ``replies`` in turn (cycling), streamed word by word.

    ``delay_s`` is waited before each streamed piece, so that a browser sees the answer grow. For tests of
    what the front ends do with model output (``Assistant(settings, llm=scripted_chat(...))``).
    """
    import itertools

    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    class ScriptedChat(GenericFakeChatModel):
        pause_s: float = 0.0

        def _stream(self, *args, **kwargs):
            for chunk in super()._stream(*args, **kwargs):
                time.sleep(self.pause_s)
                yield chunk

    return ScriptedChat(messages=itertools.cycle([AIMessage(content=r) for r in replies]), pause_s=delay_s)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    path = tmp_path / "seed" / SEED.name
    path.parent.mkdir()
    shutil.copy(SEED, path)
    return path


# --- a real HTTP server on loopback --------------------------------------------------------------


class Site:
    """Routes for the local test server: path -> (status, content type, body) or a callable."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes] | Callable[[http.server.BaseHTTPRequestHandler], None]] = {}
        self.base = ""
        self.hits: list[str] = []  # every path requested, in order (known route or not)

    def hits_under(self, prefix: str) -> list[str]:
        return [path for path in self.hits if path.startswith(prefix)]

    def add(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8", status: int = 200) -> str:
        self.routes[path] = (status, content_type, body.encode() if isinstance(body, str) else body)
        return self.base + path


@pytest.fixture
def site() -> Iterator[Site]:
    routes = Site()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            routes.hits.append(self.path)
            route = routes.routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.end_headers()
                self.wfile.write(b"not found")
                return
            if callable(route):
                route(self)
                return
            status, content_type, body = route
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # a client that stops reading at its size limit hangs up: what those tests want

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    routes.base = f"http://127.0.0.1:{server.server_port}"

    def redirect_loop(handler) -> None:
        handler.send_response(302)
        handler.send_header("Location", "/loop")
        handler.end_headers()

    def slow(handler) -> None:
        time.sleep(3)
        handler.send_response(200)
        handler.end_headers()

    routes.routes["/loop"] = redirect_loop
    routes.routes["/slow"] = slow
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield routes
    server.shutdown()
    server.server_close()
