"""Uploaded files: checked against the configured limits and kept under ``<data_dir>/uploads/``.

Each file is stored as ``uploads/<first 12 hex of its sha256>/<sanitized name>``: the name can never
leave that folder (no ``..``, slashes or control characters survive), uploading the same file again
lands on the same path (so ingest finds it unchanged), and a different file with the same name does
not overwrite an earlier upload.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from core.digest import file_sha256
from core.paths import DataDir
from core.settings import Settings

MAX_NAME_CHARS = 120
_UNSAFE_RE = re.compile(r"[^\w.\- ()]+")


def safe_filename(name: str) -> str:
    """A file name that is safe on every filesystem and stays inside its folder."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_RE.sub("_", name).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = suffix[:16].lower()
    stem = stem[: MAX_NAME_CHARS - len(suffix) - 1].strip(" .") or "upload"
    return f"{stem}.{suffix}" if suffix else stem


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the name the user gave it, and where it was stored (or why not)."""

    name: str
    path: Path | None = None
    error: str = ""


def store_upload(settings: Settings, temp_path: str | Path) -> Upload:
    """Check an uploaded temp file against ``settings.ui`` and copy it under ``<data_dir>/uploads/``."""
    temp = Path(temp_path)
    name = safe_filename(temp.name)
    suffix = Path(name).suffix.lower()
    allowed = [t.lower() for t in settings.ui.upload_types]
    if suffix not in allowed:
        return Upload(name, error=f"file type {suffix or '(none)'!r} is not accepted (use {', '.join(allowed)})")
    try:
        size = temp.stat().st_size
        if size > settings.ui.max_upload_bytes:
            return Upload(name, error=f"{size / 1e6:.1f} MB is over the {settings.ui.max_upload_mb:g} MB upload limit")
        root = DataDir.of(settings).uploads.resolve()
        target = (root / file_sha256(temp)[:12] / name).resolve()
        if target.parent.parent != root:  # cannot happen with safe_filename; never write outside
            return Upload(name, error="invalid file name")
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copyfile(temp, target)
    except OSError as exc:
        return Upload(name, error=f"could not store the upload: {exc.strerror or exc}")
    return Upload(name, target)
