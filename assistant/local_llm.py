"""Run the answer model (a GGUF file) in-process with xllamacpp and talk to it
through LangChain's ``ChatOpenAI``.

Why HTTP and not an in-process ``BaseChatModel``: ``xllamacpp.Server`` *is*
llama.cpp's own ``llama-server`` compiled into the extension module.  Creating
it loads the model and starts llama.cpp's HTTP listener (OpenAI-compatible
``/v1/chat/completions`` with SSE streaming) on background C++ threads, so no
shim is needed.  Pointing ``ChatOpenAI`` at it reuses LangChain's mature
streaming / usage / tool-call parsing and keeps the local model on exactly the
same code path as any remote OpenAI-compatible backend.  An in-process
``BaseChatModel`` would have to bridge xllamacpp's blocking callback API to a
generator with a thread and a queue, re-implement chunk parsing and
cancellation, and duplicate that for async - more code for a loopback hop that
costs well under a millisecond next to ~30-100 ms per generated token.

Safety: the listener is bound to a loopback address only and protected by a
random per-process API key (llama.cpp's default CORS policy is ``*``, so
without a key any web page open in a local browser could use the model).
``offline`` is set so llama.cpp never tries to reach a model hub.
"""

from __future__ import annotations

import atexit
import ipaddress
import logging
import secrets
import threading
import weakref
from pathlib import Path
from types import TracebackType
from typing import NamedTuple
from urllib.parse import urlsplit

import httpx
import xllamacpp
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from .gguf import ModelError

log = logging.getLogger(__name__)

# llama.cpp log threshold: 1 = errors only, 2 = +warnings, 3 = +info (per request).
# Warnings are off by default because Qwen2.5 GGUFs always trigger a harmless
# "control-looking token '</s>'" warning at load time.
_DEFAULT_LOG_VERBOSITY = 1

# Host-RAM prompt cache (llama.cpp keeps KV states of earlier prompts so that it
# can restore one that shares a prefix).  llama.cpp defaults to 8 GiB; one full
# 4k-token state of the 1.5B model is ~115 MB, so 512 MiB holds several while
# leaving the rest of the 24 GiB machine to the other processes.
_CACHE_RAM_MIB = 512

# A request can wait behind another one in the single slot, and prompt
# processing on 2 CPU cores runs at only ~50-100 tokens/s, so a generous gap
# between streamed chunks is normal.  LangChain's default (120 s) would abort
# a queued request with a StreamChunkTimeoutError.
_STREAM_CHUNK_TIMEOUT_S = 300.0
_REQUEST_TIMEOUT_S = 600.0


class LocalLlamaServer:
    """llama.cpp's OpenAI-compatible server for one GGUF model, on loopback.

    Construction is cheap; the model is loaded on :meth:`start` or on first
    access to :attr:`base_url` (thread-safe: concurrent callers wait for one
    load).  Use as a context manager or call :meth:`close`; any server still
    open at interpreter exit is closed by an ``atexit`` hook so llama.cpp's
    threads never outlive the interpreter.

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
        log_verbosity: llama.cpp log threshold (1 errors, 2 warnings, 3 info).
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
    ) -> None:
        self._model_path = Path(model_path)
        self._n_ctx = n_ctx
        self._n_threads = n_threads
        self._n_threads_batch = n_threads_batch if n_threads_batch is not None else n_threads
        self._host = _loopback_host(host)
        self._port = 0 if port is None else port
        self._model_name = model_name or self._model_path.stem
        self._log_verbosity = log_verbosity
        # Per-process secret; only this process's clients ever see it.
        self._api_key = secrets.token_urlsafe(32)
        self._lock = threading.Lock()
        self._server: xllamacpp.Server | None = None
        self._address: str | None = None
        self._closed = False

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> LocalLlamaServer:
        """Load the model and start listening (idempotent, thread-safe).

        Blocks until the model is loaded and warmed up (a few seconds for the
        1.5B model).

        Raises:
            ModelError: the model file is missing or llama.cpp cannot load it.
            RuntimeError: the server was already closed.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("LocalLlamaServer is closed")
            if self._server is not None:
                return self
            if not self._model_path.is_file():
                raise ModelError(
                    f"model file {self._model_path} not found; assemble it with "
                    "assistant.gguf.ensure_gguf() (or run `make setup`)"
                )
            try:
                server = xllamacpp.Server(self._params())
            except RuntimeError as exc:
                # llama.cpp has already logged the specific reason to stderr.
                raise ModelError(
                    f"llama.cpp could not start with {self._model_path} "
                    f"(corrupt/unsupported GGUF, n_ctx={self._n_ctx} too large, "
                    f"or port {self._port} busy): {exc}"
                ) from exc
            address = server.listening_address
            # Defence in depth: refuse to keep a listener that is not on loopback.
            bound = urlsplit(address).hostname or ""
            if not ipaddress.ip_address(bound).is_loopback:
                del server  # stops the listener
                raise RuntimeError(f"llama.cpp bound to non-loopback address {address}")
            self._server = server
            self._address = address
            _LIVE_SERVERS.add(self)
            log.info("local LLM %s listening on %s", self._model_name, address)
            return self

    def close(self) -> None:
        """Stop the server and free the model (idempotent, thread-safe).

        llama.cpp's server destructor stops the HTTP listener, cancels
        in-flight requests and joins its threads; it runs when the last
        reference to the ``xllamacpp.Server`` goes away, which is here.
        """
        with self._lock:
            self._closed = True
            server, self._server = self._server, None
            self._address = None
        _LIVE_SERVERS.discard(self)
        if server is not None:
            del server  # last reference -> C++ ~Server() joins its threads
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
        """Model id to put in requests (the server has one model and serves it under this alias)."""
        return self._model_name

    @property
    def n_ctx(self) -> int:
        """Context window in tokens (prompt + answer must fit)."""
        return self._n_ctx

    # -- internals ----------------------------------------------------------

    def _params(self) -> xllamacpp.CommonParams:
        p = xllamacpp.CommonParams()
        p.model.path = str(self._model_path)
        p.model_alias = {self._model_name}
        p.n_ctx = self._n_ctx
        p.cpuparams.n_threads = self._n_threads
        p.cpuparams_batch.n_threads = self._n_threads_batch

        # One slot: requests queue instead of splitting 2 cores between two
        # half-speed generations, and the single slot's KV cache keeps the
        # previous prompt, so a shared system-prompt/context prefix is reused.
        p.n_parallel = 1
        p.cache_prompt = True
        p.cache_ram_mib = _CACHE_RAM_MIB

        # Use the chat template embedded in the GGUF (Qwen's ChatML Jinja
        # template) rendered by llama.cpp's Jinja engine; an empty
        # chat_template means "take it from the model file".
        p.use_jinja = True
        p.chat_template = ""
        p.enable_chat_template = True

        # Deterministic by default even if a client forgets temperature=0.
        p.sampling.temp = 0.0

        # Network surface: loopback only, key required, no hub downloads, no
        # web UI, no /slots (it would expose other requests' prompts), no MCP
        # proxy / server-side tools.
        p.hostnames = [self._host]
        p.port = self._port
        p.api_keys = [self._api_key]
        p.offline = True
        p.ui = False
        p.ui_mcp_proxy = False
        p.server_tools = []
        p.endpoint_slots = False
        p.endpoint_metrics = False

        p.verbosity = self._log_verbosity
        return p


# Servers still open; closed at interpreter exit so no llama.cpp thread runs
# while Python is finalising.  Weak, so a dropped server is not kept alive.
_LIVE_SERVERS: weakref.WeakSet[LocalLlamaServer] = weakref.WeakSet()


@atexit.register
def _close_live_servers() -> None:
    for server in list(_LIVE_SERVERS):
        server.close()


def _loopback_host(host: str) -> str:
    """Return ``host`` if it is a loopback IP literal (``localhost`` -> 127.0.0.1).

    Names other than ``localhost`` are refused: a name could resolve to a
    routable address, and llama.cpp has no API key by default.
    """
    if host == "localhost":
        return "127.0.0.1"
    try:
        ok = ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"refusing to serve the local LLM on non-loopback host {host!r}")
    return host


class LocalChatModel(NamedTuple):
    """What :func:`build_local_chat_model` returns: the chat model to use and
    the server to close at exit (``server.close()``)."""

    llm: BaseChatModel
    server: LocalLlamaServer


def build_local_chat_model(
    model_path: Path,
    *,
    n_ctx: int = 4096,
    n_threads: int = 2,
    max_tokens: int = 512,
) -> LocalChatModel:
    """Start a local llama.cpp server for ``model_path`` and return a streaming,
    temperature-0 ``ChatOpenAI`` bound to it, plus the server to close.

    The server is started eagerly: ``ChatOpenAI`` needs the URL at
    construction, and a broken model file should fail at startup rather than
    on the first question.  ``llm, server = build_local_chat_model(...)``.

    Note that prompt + ``max_tokens`` must fit in ``n_ctx`` (context shifting
    is off), otherwise the request fails with HTTP 400.
    """
    server = LocalLlamaServer(model_path, n_ctx=n_ctx, n_threads=n_threads).start()
    try:
        llm = ChatOpenAI(
            base_url=server.base_url,
            api_key=SecretStr(server.api_key),
            model=server.model_name,
            temperature=0,
            # ChatOpenAI's own name for max_tokens (what it sends on the wire);
            # llama.cpp honours it (checked: finish_reason "length" at the cap).
            max_completion_tokens=max_tokens,
            streaming=True,
            stream_usage=True,
            # Retrying would only re-queue the same work behind the one slot.
            max_retries=0,
            timeout=_REQUEST_TIMEOUT_S,
            stream_chunk_timeout=_STREAM_CHUNK_TIMEOUT_S,
            # trust_env=False: an HTTP(S)_PROXY in the environment must not
            # route loopback traffic (prompts, API key) through a proxy.
            http_client=httpx.Client(trust_env=False),
            http_async_client=httpx.AsyncClient(trust_env=False),
        )
    except BaseException:
        server.close()
        raise
    return LocalChatModel(llm=llm, server=server)
