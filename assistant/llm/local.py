"""The ``local`` backend: the bundled GGUF on a loopback llama.cpp server, through LangChain's ``ChatOpenAI``.

``ChatOpenAI`` pointed at llama.cpp's OpenAI-compatible endpoint gets LangChain's mature streaming, usage and
async handling, on the same code path as any remote OpenAI-compatible backend (see ``server.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from assistant.llm.server import LocalLlamaServer

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# A request can wait behind another one in the single slot, and prompt
# processing on 2 busy CPU cores can drop to ~15 tokens/s, so a long gap
# before the first streamed chunk is normal.  LangChain's default (120 s)
# would abort such a queued request with a StreamChunkTimeoutError.
_STREAM_CHUNK_TIMEOUT_S = 300.0
_REQUEST_TIMEOUT_S = 600.0


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
    runtime: str = "ik_llama",
) -> LocalChatModel:
    """Start a local llama.cpp server for ``model_path`` and return a streaming,
    temperature-0 ``ChatOpenAI`` bound to it, plus the server to close.

    The server is started eagerly: ``ChatOpenAI`` needs the URL at
    construction, and a broken model file should fail at startup rather than
    on the first question.  ``llm, server = build_local_chat_model(...)``.

    Prompt + ``max_tokens`` must fit in ``n_ctx`` (context shifting is off),
    otherwise the request fails with HTTP 400.
    """
    import httpx
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    server = LocalLlamaServer(model_path, n_ctx=n_ctx, n_threads=n_threads, runtime=runtime).start()
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
