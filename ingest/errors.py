"""Warta's errors. Front ends catch ``WartaError`` and show its message; nothing else leaks.

    WartaError
    ├── ConfigError        a setting or config file is invalid
    ├── SourceError        one ingest item (file, URL, JSONL line) could not be read
    ├── ModelError         a bundled model is missing or corrupt, or could not be built
    ├── IndexMismatchError the index was built with other embedding/chunking settings
    ├── StoreError         the vector store cannot be reached or used
    └── BackendError       the answer backend (LLM server) failed

Messages say what was wrong, show the bad value with ``!r`` and say how to fix it.
"""

from __future__ import annotations


class WartaError(Exception):
    """Base class of every error Warta raises on purpose."""


class ConfigError(WartaError):
    """A setting, environment variable or config file is invalid."""


class SourceError(WartaError):
    """One ingest item failed; ``item`` names it (a path, URL, ``file:line`` or ``-``)."""

    def __init__(self, item: str, reason: str) -> None:
        super().__init__(f"{item}: {reason}")
        self.item = item
        self.reason = reason


class ModelError(WartaError):
    """A bundled model is missing, corrupt or could not be prepared."""


class IndexMismatchError(WartaError):
    """The data dir holds an index built with other embedding or chunking settings."""


class StoreError(WartaError):
    """The vector store (embedded Chroma or a Chroma server) failed."""


class BackendError(WartaError):
    """The answer backend (local model or OpenAI-compatible server) failed."""
