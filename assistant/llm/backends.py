"""Answer backends as LangChain chat models: ``local`` (bundled GGUF on llama.cpp), ``openai`` (any
OpenAI-compatible server), and ``extractive`` (no model: ``None`` here, handled by the assistant).
"""

from __future__ import annotations

import atexit
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, get_args

from core.errors import BackendError
from core.models.prepare import prepare_local_model
from core.settings import BackendName, Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

BACKENDS: tuple[BackendName, ...] = get_args(BackendName)


class Closable(Protocol):
    def close(self) -> None: ...


@dataclass
class Backend:
    """A chat model plus what to close when done."""

    name: BackendName
    model: str
    llm: BaseChatModel | None  # None for "extractive": the assistant answers from the passages itself
    _closer: Closable | None = None
    logprobs: bool = False  # the server returns logprobs (read by ``assistant.doubt``)

    def close(self) -> None:
        if self._closer is not None:
            self._closer.close()
            self._closer = None


_local_lock = threading.Lock()


def build_backend(settings: Settings, name: str | None = None) -> Backend:
    """The chat model for ``name`` (default ``answer.backend``)."""
    name = name or settings.answer.backend
    if name == "extractive":
        return Backend("extractive", "", None)
    if name == "local":
        from assistant.llm.local import build_local_chat_model

        with _local_lock:
            path = prepare_local_model(settings)
            try:
                built = build_local_chat_model(
                    path, n_ctx=settings.local.n_ctx, n_threads=settings.local.threads,
                    max_tokens=settings.answer.max_answer_tokens, runtime=settings.local.runtime,
                )
            except Exception as exc:  # noqa: BLE001 (whatever llama.cpp or the client raise: one clear error)
                raise BackendError(f"The local model {settings.local.model!r} could not start: {exc}") from None
        backend = Backend("local", settings.local.model, built.llm, built.server, logprobs=True)
        atexit.register(backend.close)
        return backend
    if name == "openai":
        from langchain_openai import ChatOpenAI

        cfg = settings.openai
        key = os.environ.get(cfg.api_key_env, "") or "not-needed"
        llm = ChatOpenAI(
            base_url=cfg.base_url, model=cfg.model, api_key=key, temperature=settings.answer.temperature,
            max_tokens=settings.answer.max_answer_tokens, streaming=True, timeout=cfg.timeout_s, max_retries=1,
        )
        return Backend("openai", cfg.model, llm)
    choices = f"{', '.join(map(repr, BACKENDS[:-1]))} or {BACKENDS[-1]!r}"
    raise BackendError(f"Unknown answer backend {name!r}: use {choices}.")
