"""Real servers on loopback for the reliability tests: a Chroma server, `warta serve`, and a server that never answers.

Each is a context manager that cleans up after itself; the test modules wrap them in fixtures.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

import httpx

LOOPBACK = "127.0.0.1"


def warta_command() -> list[str]:
    """The installed ``warta`` entry point of this venv."""
    exe = Path(sys.executable).parent / "warta"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ui.cli"]


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A server run as a subprocess, logging to ``log_path``; ``start`` returns once ``ready()`` says so."""

    name = "server"

    def __init__(self, command: list[str], log_path: Path, *, env: dict[str, str] | None = None,
                 startup_timeout_s: float = 90.0) -> None:
        self.command, self.log_path, self.env = command, log_path, env
        self.startup_timeout_s = startup_timeout_s
        self._proc: subprocess.Popen | None = None

    def ready(self) -> bool:
        raise NotImplementedError

    def start(self) -> ServerProcess:
        with self.log_path.open("ab") as log:  # a file, not a pipe: a chatty server never blocks on it
            self._proc = subprocess.Popen(self.command, env=self.env, cwd=self.log_path.parent, stdout=log,
                                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self._proc.returncode}:\n{self.log_tail()}")
            if self.ready():
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer in {self.startup_timeout_s:g} s:\n{self.log_tail()}")

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2.0, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


class ChromaServer(ServerProcess):
    """``chroma run`` from the venv, on ``port`` (default: a free loopback port), persisting to ``path``."""

    name = "chroma run"

    def __init__(self, path: Path, *, port: int | None = None, startup_timeout_s: float = 90.0) -> None:
        self.path = path
        self.host = LOOPBACK
        self.port = port or free_port()
        path.mkdir(parents=True, exist_ok=True)
        super().__init__([str(Path(sys.executable).parent / "chroma"), "run", "--path", str(path), "--host", self.host,
                          "--port", str(self.port)], path.parent / f"{path.name}-chroma.log",
                         startup_timeout_s=startup_timeout_s)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def ready(self) -> bool:
        return self.alive()

    def alive(self) -> bool:
        """The server answers its heartbeat."""
        return _answers(f"{self.url}/api/v2/heartbeat")

    def wipe(self) -> None:
        """Delete every collection, so each test starts from an empty server."""
        import chromadb

        client = chromadb.HttpClient(host=self.host, port=self.port,
                                     settings=chromadb.Settings(anonymized_telemetry=False))
        for collection in client.list_collections():
            client.delete_collection(collection.name)


class WartaServer(ServerProcess):
    """``warta serve`` on a free loopback port, with ``env`` (data dir, backend, ...)."""

    name = "warta serve"

    def __init__(self, env: dict[str, str], log_path: Path, *, startup_timeout_s: float = 300.0) -> None:
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}/"
        super().__init__([*warta_command(), "serve", "--host", LOOPBACK, "--port", str(self.port)], log_path,
                         env=env, startup_timeout_s=startup_timeout_s)

    def ready(self) -> bool:
        return _answers(self.url)

    def alive(self) -> bool:
        """The process still runs."""
        return self.running()


class SilentServer:
    """Accepts TCP connections and reads requests but never answers: a hung backend."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((LOOPBACK, 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self._conns.append(conn)  # kept open, never answered

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._conns:
            conn.close()
        self._sock.close()
