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


class ChromaServer:
    """``chroma run`` from the venv as a subprocess, on a free loopback port, persisting to ``path``."""

    def __init__(self, path: Path, *, startup_timeout_s: float = 90.0) -> None:
        self.path = path
        self.host = LOOPBACK
        self.port = free_port()
        self.startup_timeout_s = startup_timeout_s
        self.log_path = path.parent / f"{path.name}-chroma.log"
        self._proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ChromaServer:
        chroma = Path(sys.executable).parent / "chroma"
        self.path.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                [str(chroma), "run", "--path", str(self.path), "--host", self.host, "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self._proc.returncode}:\n{self.log_tail()}")
            if self.alive():
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"chroma run did not answer its heartbeat in {self.startup_timeout_s:g} s:\n{self.log_tail()}")

    def alive(self) -> bool:
        try:
            return httpx.get(f"{self.url}/api/v2/heartbeat", timeout=2.0, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)

    def wipe(self) -> None:
        """Delete every collection, so each test starts from an empty server."""
        import chromadb

        client = chromadb.HttpClient(host=self.host, port=self.port,
                                     settings=chromadb.Settings(anonymized_telemetry=False))
        for collection in client.list_collections():
            client.delete_collection(collection.name)

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def __enter__(self) -> ChromaServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


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


class WartaServer:
    """``warta serve`` as a subprocess on a free loopback port, with ``env`` (data dir, backend, ...)."""

    def __init__(self, env: dict[str, str], log_path: Path, *, startup_timeout_s: float = 300.0) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}/"
        self.log_path = log_path
        self.startup_timeout_s = startup_timeout_s
        self._proc: subprocess.Popen | None = None

    def start(self) -> WartaServer:
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen([*warta_command(), "serve", "--host", LOOPBACK, "--port", str(self.port)],
                                          env=self.env, cwd=self.log_path.parent, stdout=log,
                                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"warta serve exited with {self._proc.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(self.url, timeout=2.0, trust_env=False).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"warta serve did not answer in {self.startup_timeout_s:g} s:\n{self.log_tail()}")

    def alive(self) -> bool:
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

    def __enter__(self) -> WartaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
