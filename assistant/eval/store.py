"""The isolated index of an evaluation: one store per passages file, under ``<data_dir>/eval/<hash>``.

Evaluating must not touch the user's own index, and re-running on the same file must not re-embed it:
the file is read once and hashed together with what shapes the store (ingest settings, index
identity); a store with that hash is reused unread, anything else gets a fresh one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import SourceError
from core.models.embedder import Embedder
from core.paths import DataDir
from core.settings import Settings
from ingest.ingestor import Ingestor, ItemResult
from ingest.sources.documents import parse_document
from store.index import Index, identity_key, index_identity

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class EvalStore:
    """The isolated index of one passages file."""

    settings: Settings  # the eval settings: data dir = ``folder``, models shared with the main data dir
    folder: Path
    sha256: str
    reused: bool
    articles: int
    chunks: int
    failed: tuple[tuple[str, str], ...] = ()  # (item, reason) of passages ingest rejected


def eval_settings(settings: Settings, folder: Path) -> Settings:
    """Settings for an eval store in ``folder``: embedded Chroma there, the main data dir's models."""
    return settings.updated({"paths": {"data_dir": str(folder), "models_dir": str(DataDir.of(settings).models)},
                             "store": {"mode": "embedded"}})


def prepare_store(settings: Settings, passages: Path, *, embedder: Embedder | None = None,
                  progress: Progress | None = None) -> EvalStore:
    """Ingest ``passages`` into ``<data_dir>/eval/<hash>``; an unchanged file reuses the store unread.

    The hash covers the file's bytes, the ingest settings and the index identity (embedding model,
    chunking), so a changed file or setting gets a fresh store; the user's own index is never touched.

    Raises:
        SourceError: the file cannot be read or yields no passages.
    """
    try:
        data = passages.read_bytes()  # read once: hashed here, parsed below only when the store is new
    except OSError as exc:
        raise SourceError(str(passages), f"cannot read the passages file: {exc}") from None
    # what decides which passages get in (ingest settings) and how they are stored (index identity)
    shape = json.dumps([identity_key(index_identity(settings)), settings.ingest.model_dump()], sort_keys=True)
    digest = hashlib.sha256(data + shape.encode()).hexdigest()
    folder = DataDir.of(settings).eval_store(digest)
    local = eval_settings(settings, folder)
    ready = folder / "ready.json"
    if ready.is_file():
        info = json.loads(ready.read_text())
        index = Index(local)
        try:
            counts = index.counts()
        finally:
            index.close()
        if info.get("sha256") == digest and list(counts) == [info["articles"], info["chunks"]]:
            return EvalStore(local, folder, digest, True, info["articles"], info["chunks"],
                             tuple(tuple(f) for f in info["failed"]))
    total = data.count(b"\n") + (not data.endswith(b"\n"))
    done = 0
    if progress is not None:
        progress("ingest", 0, total)

    def on_item(result: ItemResult, chunks_embedded: int) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress("ingest", done, total)

    ingestor = Ingestor(local, embedder=embedder)
    try:
        report = ingestor.ingest_loaded(parse_document(data, str(passages), local.ingest, kind=".jsonl"),
                                        progress=on_item)
        articles, chunks = ingestor.index.counts()
    finally:
        ingestor.index.close()
    failed = tuple((r.item, r.reason) for r in report.failed)
    if not articles:
        raise SourceError(str(passages), "no passages could be ingested"
                          + (f" (first problem: {failed[0][1]})" if failed else ""))
    ready.write_text(json.dumps({"passages": str(passages), "sha256": digest, "articles": articles,
                                 "chunks": chunks, "failed": failed}, ensure_ascii=False, indent=1))
    return EvalStore(local, folder, digest, False, articles, chunks, failed)
