"""The layout of a data dir: every file and folder Warta keeps, named in one place.

    <data_dir>/                         settings.paths.data_dir, WARTA_DATA_DIR, or the per-user data dir
    ├── index/
    │   ├── <key>/                      one index per identity (store.identity: embedding + chunking settings)
    │   │   ├── identity.json           what the key stands for
    │   │   ├── catalog.sqlite          the articles, their text and chunks (nothing else can rebuild it), the feeds
    │   │   └── bm25/                   the keyword index, rebuilt from the catalog
    │   ├── chroma/                     the embedded vector store (every identity's collection)
    │   ├── chroma.broken-<time>/       a damaged vector store set aside by `warta reindex`
    │   ├── write.lock                  held by a writer while it stores a batch (its note says who)
    │   └── ingest.session              held (shared) by every running ingest
    ├── eval/<hash>/                    the isolated store of an evaluation passages file
    ├── uploads/<sha256[:12]>/<name>    files uploaded in the web UI
    ├── feedback.jsonl                  thumbs up/down from the web UI
    ├── server.json                     where a running `warta serve` answers, and its token (owner-only)
    └── models/                         or settings.paths.models_dir (several data dirs can share it)
        ├── tiktoken/                   cl100k_base, where tiktoken looks for it offline
        ├── <embedding model>/          the e5 model as a sentence-transformers folder
        │   └── openvino/               the same encoder exported to OpenVINO IR (embedding.runtime)
        ├── lexicon-id-e5.npz           the Indonesian lexicon in the e5 space
        ├── freedict-eng-ind.json       the English-Indonesian dictionary (downloaded from Debian's archive)
        └── llm/<model>.gguf            the answer model, assembled from its part packages
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from core.settings import Settings

SERVER_FILE = "server.json"


def server_file(settings: Settings) -> Path:
    """Where a running ``warta serve`` of this data dir says it answers (``DataDir.server``, without creating
    anything: the CLI reads it before it loads anything)."""
    return settings.data_dir / SERVER_FILE


class IndexFiles(NamedTuple):
    """The files of one index (one identity key)."""

    folder: Path
    identity: Path  # identity.json
    catalog: Path  # catalog.sqlite
    keywords: Path  # bm25/


class DataDir:
    """The paths of one data dir (``root``) and of the models it uses (``models``), laid out as drawn above."""

    def __init__(self, root: Path, models: Path) -> None:
        self.root, self.models = root, models
        self.indexes = root / "index"
        self.chroma = self.indexes / "chroma"
        self.write_lock = self.indexes / "write.lock"
        self.ingest_session = self.indexes / "ingest.session"
        self.uploads = root / "uploads"
        self.feedback = root / "feedback.jsonl"
        self.server = root / SERVER_FILE
        self.tiktoken = models / "tiktoken"
        self.lexicon = models / "lexicon-id-e5.npz"
        self.dictionary = models / "freedict-eng-ind.json"
        self.llm = models / "llm"

    @classmethod
    def of(cls, settings: Settings) -> DataDir:
        """The data dir of ``settings``, with its root and models folders created."""
        root = settings.data_dir
        models = Path(settings.paths.models_dir).expanduser() if settings.paths.models_dir else root / "models"
        models.mkdir(parents=True, exist_ok=True)
        return cls(root, models)

    def index(self, key: str) -> IndexFiles:
        """The files of the index with identity ``key``."""
        folder = self.indexes / key
        return IndexFiles(folder, folder / "identity.json", folder / "catalog.sqlite", folder / "bm25")

    def index_keys(self) -> list[str]:
        """The identity keys of every index in this data dir that has a catalog."""
        return [p.parent.name for p in sorted(self.indexes.glob("*/identity.json"))
                if (p.parent / "catalog.sqlite").is_file()]

    def chroma_set_aside(self, stamp: str) -> Path:
        """Where a damaged vector store is moved (``stamp``: when)."""
        return self.indexes / f"chroma.broken-{stamp}"

    def eval_store(self, digest: str) -> Path:
        """The isolated store of the evaluation passages file with hash ``digest``."""
        return self.root / "eval" / digest[:16]

    def embedding_model(self, name: str) -> Path:
        """The sentence-transformers folder of the embedding model ``name``."""
        return self.models / name
