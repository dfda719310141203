"""SHA-256 of texts and files: content ids, model verification, upload folders."""

from __future__ import annotations

import hashlib
from pathlib import Path

BLOCK = 1 << 23  # 8 MiB read at a time: memory stays flat on a gigabyte model file


def text_sha256(text: str) -> str:
    return bytes_sha256(text.encode("utf-8"))


def bytes_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()
