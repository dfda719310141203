"""The local answer model's server: llama.cpp (xllamacpp) in a child process, on loopback.

``child.py`` is what runs in the child; ``local.py`` points LangChain's ``ChatOpenAI`` at it. (Just over 300
lines: a tenth of them is this design note.)

Design
------
``xllamacpp.Server`` *is* llama.cpp's own ``llama-server`` compiled into a
Python extension: creating it loads the model and starts llama.cpp's HTTP
listener (OpenAI-compatible ``/v1/chat/completions`` with SSE streaming) on
background C++ threads.  So no HTTP shim and no custom ``BaseChatModel`` is
needed: ``ChatOpenAI`` pointed at it gets LangChain's mature streaming, usage
and async handling, on the same code path as any remote OpenAI-compatible
backend.  An in-process ``BaseChatModel`` would have to bridge xllamacpp's
blocking callback API to generators with threads and queues, re-implement
chunk parsing and cancellation, and do it again for async - more code to
save a loopback hop that costs far less than one generated token.

The server runs in a small child process (``python -m assistant.llm.child``)
rather than in the application process, because tearing an in-process
``xllamacpp.Server`` down is unsafe: its destructor holds the GIL while it
waits for llama.cpp's HTTP threads, and those wait for their clients, so
closing it with a request in flight froze the whole interpreter (for ~30 s
with a streaming request; for good with a non-streaming one, whose client
can then never time out).  A destroy right after construction can also lose
llama.cpp's terminate signal and hang forever.  In a child, ``close()`` just
cuts the child's stdin lifeline and the child leaves with ``os._exit``; a
llama.cpp ``abort()`` cannot take the app down; and the app never loads the
100 MB extension itself.

Safety: the listener is bound to loopback only and protected by a random
per-process API key (llama.cpp's default CORS policy is ``*``, so without a
key any web page in a local browser could use the model).  ``offline`` is set
so llama.cpp never tries to reach a model hub, and the client ignores
``HTTP(S)_PROXY`` so loopback traffic cannot be routed through a proxy.
"""

from __future__ import annotations

import atexit
import contextlib
import ipaddress
import json
import logging
import os
import secrets
import selectors
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

from core.env import apply_defaults
from core.errors import ModelError
from core.net import is_loopback

log = logging.getLogger(__name__)

# llama.cpp log threshold: 1 = errors only, 2 = +warnings, 3 = +info (per request).
# Warnings are off by default because Qwen2.5 GGUFs always trigger a harmless
# "control-looking token '</s>'" warning at load time.
_DEFAULT_LOG_VERBOSITY = 1

# Model loading takes ~5 s on an idle 2-core machine; allow for a busy one.
_START_TIMEOUT_S = 300.0
# After the lifeline is cut the child exits at once; SIGKILL if it does not.
_STOP_TIMEOUT_S = 5.0

# What the child runs as `python -m ...`.
_CHILD_MODULE = "assistant.llm.child"


class LocalLlamaServer:
    """llama.cpp's OpenAI-compatible server for one GGUF model, on loopback.

    Construction is cheap; the model is loaded on :meth:`start` or on first
    access to :attr:`base_url` (thread-safe: concurrent callers wait for one
    load).  Use as a context manager or call :meth:`close`; any server still
    open at interpreter exit is closed by an ``atexit`` hook, and the child
    also exits by itself if this process dies.

    Args:
        model_path: The GGUF file (see ``assistant.gguf.ensure_gguf``).
        n_ctx: Context window in tokens, shared by prompt and answer.
        n_threads: CPU threads for token generation.
        n_threads_batch: CPU threads for prompt processing; defaults to
            ``n_threads``.
        host: Loopback IP address to bind (``localhost`` means 127.0.0.1).
        port: TCP port; ``None`` lets the OS pick a free one at bind time
            (no check-then-bind race).
        model_name: Name served by ``/v1/models`` and used in requests;
            defaults to the file name without ``.gguf``.
        log_verbosity: llama.cpp log threshold (1 errors, 2 warnings, 3 info);
            llama.cpp logs go to this process's stderr.
        runtime: ``"ik_llama"`` (ik_llama.cpp behind ``ik.py``'s endpoint) or
            ``"llama.cpp"`` (xllamacpp's llama-server); see ``child.py``.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = 4096,
        n_threads: int = 2,
        n_threads_batch: int | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        model_name: str | None = None,
        log_verbosity: int = _DEFAULT_LOG_VERBOSITY,
        runtime: str = "ik_llama",
    ) -> None:
        self._model_path = Path(model_path).resolve()
        self._n_ctx = n_ctx
        self._n_threads = n_threads
        self._n_threads_batch = n_threads_batch if n_threads_batch is not None else n_threads
        self._host = _loopback_host(host)
        self._port = 0 if port is None else port
        self._model_name = model_name or self._model_path.stem
        self._log_verbosity = log_verbosity
        self._runtime = runtime
        # Per-server secret, handed to the child over a pipe (not argv, which
        # other users can read in `ps`).
        self._api_key = secrets.token_urlsafe(32)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._address: str | None = None
        self._closed = False

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> LocalLlamaServer:
        """Start the server and load the model (idempotent, thread-safe).

        Blocks until the model is loaded and the server listens (a few
        seconds for the 1.5B model on an idle machine).

        Raises:
            ModelError: the model file is missing or llama.cpp cannot load it.
            RuntimeError: the server was already closed.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("LocalLlamaServer is closed")
            if self._proc is not None:
                return self
            if not self._model_path.is_file():
                raise ModelError(
                    f"model file {self._model_path} not found; assemble it with "
                    "core.models.gguf.ensure_gguf() (or run `make setup`)"
                )
            proc = subprocess.Popen(
                [sys.executable, "-m", _CHILD_MODULE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,  # handshake only; the child moves its fd 1 to stderr
                stderr=None,  # llama.cpp's log lines land on our stderr
                env=_child_env(),
                close_fds=True,
            )
            try:
                address = self._handshake(proc)
            except BaseException:
                _stop_child(proc)
                raise
            self._proc = proc
            self._address = address
            _LIVE_SERVERS.add(self)
            log.info("local LLM %s listening on %s (pid %d)", self._model_name, address, proc.pid)
            return self

    def close(self) -> None:
        """Stop the server (idempotent, thread-safe).

        In-flight requests fail at once with a closed connection.
        """
        with self._lock:
            self._closed = True
            proc, self._proc = self._proc, None
            self._address = None
        _LIVE_SERVERS.discard(self)
        if proc is not None:
            _stop_child(proc)
            log.info("local LLM %s stopped", self._model_name)

    def __enter__(self) -> LocalLlamaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- connection details -------------------------------------------------

    @property
    def base_url(self) -> str:
        """OpenAI-style base URL, e.g. ``http://127.0.0.1:41234/v1`` (starts the server)."""
        self.start()
        address = self._address
        if address is None:  # closed by another thread right after start()
            raise RuntimeError("LocalLlamaServer is closed")
        return f"{address}/v1"

    @property
    def api_key(self) -> str:
        """Bearer token the server requires; pass it as ``api_key`` to OpenAI clients."""
        return self._api_key

    @property
    def model_name(self) -> str:
        """Model id to put in requests (the server serves its one model under this alias)."""
        return self._model_name

    # -- internals ----------------------------------------------------------

    def _config(self) -> dict[str, Any]:
        return {
            "model_path": str(self._model_path),
            "model_name": self._model_name,
            "n_ctx": self._n_ctx,
            "n_threads": self._n_threads,
            "n_threads_batch": self._n_threads_batch,
            "host": self._host,
            "port": self._port,
            "api_key": self._api_key,
            "log_verbosity": self._log_verbosity,
            "runtime": self._runtime,
        }

    def _handshake(self, proc: subprocess.Popen[bytes]) -> str:
        """Send the config, wait for the child's listening address, check it is loopback."""
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(self._config()).encode() + b"\n")
        proc.stdin.flush()
        line = _read_line(proc.stdout, _START_TIMEOUT_S)
        reply: dict[str, Any] = json.loads(line) if line else {}
        proc.stdout.close()  # nothing else comes this way
        if "address" not in reply:
            reason = reply.get("error") or f"server process exited with code {proc.poll()}"
            raise ModelError(
                f"llama.cpp could not start with {self._model_path} (corrupt/unsupported "
                f"GGUF, n_ctx={self._n_ctx} too large, or port {self._port} busy; llama.cpp's "
                f"log on stderr says which): {reason}"
            )
        address = str(reply["address"])
        # Defence in depth: never hand out a listener that is not on loopback.
        if not ipaddress.ip_address(urlsplit(address).hostname or "").is_loopback:
            raise RuntimeError(f"llama.cpp bound to non-loopback address {address}")
        return address


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The xllamacpp wheel runs ggml's CPU threads with OpenMP (libgomp): the child needs the wait policy
    # and the offline switches as much as this process (core/env.py says why).
    apply_defaults(env)
    # The child runs `-m assistant.llm.child`; make the package importable
    # however the parent found it (cwd, PYTHONPATH, installed).
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def _read_line(stream: IO[bytes], timeout: float) -> bytes:
    """Read one line from a pipe, giving up at EOF or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    buf = b""
    with selectors.DefaultSelector() as sel:
        sel.register(stream, selectors.EVENT_READ)
        while b"\n" not in buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ModelError(f"local LLM server did not start within {timeout:.0f} s")
            if not sel.select(remaining):
                continue
            chunk = os.read(stream.fileno(), 4096)
            if not chunk:  # EOF: the child died
                break
            buf += chunk
    return buf.split(b"\n", 1)[0]


def _stop_child(proc: subprocess.Popen[bytes]) -> None:
    """Cut the child's lifeline (stdin) and reap it; SIGKILL if it lingers."""
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):  # broken pipe: the child is already gone
                pipe.close()
    try:
        proc.wait(timeout=_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# Servers still open; closed at interpreter exit.  Weak, so a dropped server
# is not kept alive (its child then sees its stdin close and exits).
_LIVE_SERVERS: weakref.WeakSet[LocalLlamaServer] = weakref.WeakSet()


@atexit.register
def _close_live_servers() -> None:
    for server in list(_LIVE_SERVERS):
        server.close()


def _loopback_host(host: str) -> str:
    """Return ``host`` if it is a loopback IP literal (``localhost`` -> 127.0.0.1).

    Names other than ``localhost`` are refused: a name could resolve to a
    routable address.
    """
    if not is_loopback(host):
        raise ValueError(f"refusing to serve the local LLM on non-loopback host {host!r}")
    return "127.0.0.1" if host == "localhost" else host
