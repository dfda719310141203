"""Warta's errors. Front ends catch ``WartaError`` and show its message; nothing else leaks.

    WartaError
    ├── ConfigError        a setting or config file is invalid
    ├── SourceError        one ingest item (file, URL, JSONL line) could not be read
    ├── InputError         a question (or other user input) is not usable
    ├── ModelError         a bundled model is missing or corrupt, or could not be built
    ├── IndexMismatchError the index was built with other embedding/chunking settings
    ├── CatalogError       the catalog (SQLite, the articles' text) is damaged or cannot be used
    ├── LockTimeoutError   another writer held the index longer than ``ingest.lock_timeout_s``
    ├── StoreError         the vector store cannot be reached or used
    │   └── DamagedStoreError  the embedded vector store cannot be read (``warta reindex`` rebuilds it)
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


class InputError(WartaError):
    """A question (or other input a user gives) is not usable, e.g. a JSON ``question`` that is not text."""


class ModelError(WartaError):
    """A bundled model is missing, corrupt or could not be prepared."""


class IndexMismatchError(WartaError):
    """The data dir holds an index built with other embedding or chunking settings."""


class CatalogError(WartaError):
    """The catalog (SQLite) is damaged or cannot be used. It holds the articles' text: nothing rebuilds it."""


class LockTimeoutError(WartaError):
    """Another writer held the index's write lock for longer than ``ingest.lock_timeout_s``."""


class StoreError(WartaError):
    """The vector store (embedded Chroma or a Chroma server) failed."""


class DamagedStoreError(StoreError):
    """The embedded vector store cannot be read; its vectors can be rebuilt from the catalog."""


class BackendError(WartaError):
    """The answer backend (local model or OpenAI-compatible server) failed."""
