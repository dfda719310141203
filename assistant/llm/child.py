"""The llama.cpp child process: ``python -m assistant.llm.child``, started by ``server.LocalLlamaServer``.

It loads the GGUF into the configured runtime: ``ik_llama`` (ik_llama.cpp behind ``ik.py``'s small
OpenAI-compatible endpoint, the default: faster on CPUs) or ``llama.cpp`` (``xllamacpp.Server``, llama.cpp's
own ``llama-server`` compiled into a Python extension), and leaves with ``os._exit`` when its stdin lifeline
closes; see ``server.py`` for why the server lives in a child at all.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import xllamacpp

# Host-RAM prompt cache (llama.cpp keeps KV states of earlier prompts so that it
# can restore one that shares a prefix).  llama.cpp defaults to 8 GiB; one full
# 4k-token state of the 1.5B model is ~115 MB, so 512 MiB holds several while
# leaving the rest of the machine to the other processes.
_CACHE_RAM_MIB = 512

# llama.cpp sends an SSE comment this often while a stream has no new token.
# Clients ignore it; it lets a stream notice a dead connection quickly and
# keeps idle-looking streams alive through proxies.
_SSE_PING_INTERVAL_S = 5


def _server_params(cfg: dict[str, Any]) -> xllamacpp.CommonParams:
    import xllamacpp

    p = xllamacpp.CommonParams()
    p.model.path = cfg["model_path"]
    p.model_alias = {cfg["model_name"]}
    p.n_ctx = cfg["n_ctx"]
    p.cpuparams.n_threads = cfg["n_threads"]
    p.cpuparams_batch.n_threads = cfg["n_threads_batch"]

    # One slot: requests queue instead of splitting 2 cores between two
    # half-speed generations, and the single slot's KV cache keeps the
    # previous prompt, so a shared system-prompt/context prefix is reused.
    p.n_parallel = 1
    p.cache_prompt = True
    p.cache_ram_mib = _CACHE_RAM_MIB

    # Use the chat template embedded in the GGUF (Qwen's ChatML Jinja
    # template) rendered by llama.cpp's Jinja engine; an empty chat_template
    # means "take it from the model file".
    p.use_jinja = True
    p.chat_template = ""
    p.enable_chat_template = True

    # Deterministic by default even if a client forgets temperature=0.
    p.sampling.temp = 0.0
    p.sse_ping_interval = _SSE_PING_INTERVAL_S

    # Network surface: loopback only, key required, no hub downloads, no web
    # UI, no /slots (it would expose other requests' prompts), no metrics, no
    # MCP proxy or server-side tools.
    p.hostnames = [cfg["host"]]
    p.port = cfg["port"]
    p.api_keys = [cfg["api_key"]]
    p.offline = True
    p.ui = False
    p.ui_mcp_proxy = False
    p.server_tools = []
    p.endpoint_slots = False
    p.endpoint_metrics = False

    p.verbosity = cfg["log_verbosity"]
    return p


def _start(cfg: dict[str, Any]) -> str:
    """Load the model in the configured runtime and start its endpoint; return its address."""
    if cfg["runtime"] == "ik_llama":
        from assistant.llm import ik

        return ik.serve(cfg)
    import xllamacpp

    # Kept referenced for the life of the process (its destructor is never run, see below).
    _SERVERS.append(xllamacpp.Server(_server_params(cfg)))
    return str(_SERVERS[-1].listening_address)


_SERVERS: list[Any] = []


def _child_main() -> None:
    """Entry point of ``python -m assistant.llm.child`` (started by LocalLlamaServer).

    Protocol: one JSON config line on stdin; one JSON line back on the
    original stdout (``{"address": ...}`` or ``{"error": ...}``); then stdin
    stays open as a lifeline and its EOF - from ``close()`` or from the parent
    dying - ends the process.
    """
    # Ctrl-C in a terminal reaches the whole process group; the parent decides
    # when this process ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Keep the handshake channel private and send every stray write to fd 1
    # (llama.cpp printf's) to stderr, so a full, unread pipe can never block
    # the server.
    reply_fd = os.dup(1)
    os.dup2(2, 1)

    def reply(obj: dict[str, Any]) -> None:
        os.write(reply_fd, json.dumps(obj).encode() + b"\n")

    cfg = json.loads(sys.stdin.buffer.readline())
    try:
        address = _start(cfg)
    except Exception as exc:  # noqa: BLE001 (any failure must reach the parent as a message)
        reply({"error": f"{type(exc).__name__}: {exc}"})
        os._exit(1)
    reply({"address": address})
    os.close(reply_fd)

    while sys.stdin.buffer.read(65536):
        pass  # nothing is sent after the config; wait for EOF
    sys.stderr.flush()
    # Leave without running xllamacpp's destructor: it can block on in-flight
    # requests (see module docstring), and the OS frees everything anyway.
    os._exit(0)


if __name__ == "__main__":
    _child_main()
