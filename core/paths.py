"""The layout of a data dir: every file and folder Warta keeps, named in one place.

    <data_dir>/                         settings.paths.data_dir, WARTA_DATA_DIR, or the per-user data dir
    ├── index/
    │   ├── <key>/                      one index per identity (store.identity: embedding + chunking settings)
    │   │   ├── identity.json           what the key stands for
    │   │   ├── catalog.sqlite          the articles, their text and chunks (nothing else can rebuild it)
    │   │   └── bm25/                   the keyword index, rebuilt from the catalog
    │   ├── chroma/                     the embedded vector store (every identity's collection)
    │   ├── chroma.broken-<time>/       a damaged vector store set aside by `warta reindex`
    │   ├── write.lock                  held by a writer while it stores a batch (its note says who)
    │   └── ingest.session              held (shared) by every running ingest
    ├── eval/<hash>/                    the isolated store of an evaluation passages file
    ├── uploads/<sha256[:12]>/<name>    files uploaded in the web UI
    ├── feedback.jsonl                  thumbs up/down from the web UI
    └── models/                         or settings.paths.models_dir (several data dirs can share it)
        ├── tiktoken/                   cl100k_base, where tiktoken looks for it offline
        ├── <embedding model>/          the e5 model as a sentence-transformers folder
        ├── lexicon-id-e5.npz           the Indonesian lexicon in the e5 space
        └── llm/<model>.gguf            the answer model, assembled from its part packages
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings


@dataclass(frozen=True)
class DataDir:
    """The paths of one data dir (``root``) and of the models it uses (``models``)."""

    root: Path
    models: Path

    @classmethod
    def of(cls, settings: Settings) -> DataDir:
        """The data dir of ``settings``, with its root and models folders created."""
        root = settings.data_dir
        models = Path(settings.paths.models_dir).expanduser() if settings.paths.models_dir else root / "models"
        models.mkdir(parents=True, exist_ok=True)
        return cls(root, models)

    # --- the index -----------------------------------------------------------------------------------

    @property
    def indexes(self) -> Path:
        return self.root / "index"

    def index(self, key: str) -> Path:
        """The folder of the index with identity ``key``."""
        return self.indexes / key

    def identity_file(self, key: str) -> Path:
        return self.index(key) / "identity.json"

    def catalog(self, key: str) -> Path:
        return self.index(key) / "catalog.sqlite"

    def keywords(self, key: str) -> Path:
        return self.index(key) / "bm25"

    def index_keys(self) -> list[str]:
        """The identity keys of every index in this data dir that has a catalog."""
        return [p.parent.name for p in sorted(self.indexes.glob("*/identity.json"))
                if (p.parent / "catalog.sqlite").is_file()]

    @property
    def chroma(self) -> Path:
        return self.indexes / "chroma"

    def chroma_set_aside(self, stamp: str) -> Path:
        return self.indexes / f"chroma.broken-{stamp}"

    @property
    def write_lock(self) -> Path:
        return self.indexes / "write.lock"

    @property
    def ingest_session(self) -> Path:
        return self.indexes / "ingest.session"

    # --- what the front ends keep ------------------------------------------------------------------------

    def eval_store(self, digest: str) -> Path:
        return self.root / "eval" / digest[:16]

    @property
    def uploads(self) -> Path:
        return self.root / "uploads"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback.jsonl"

    # --- models ----------------------------------------------------------------------------------------

    @property
    def tiktoken(self) -> Path:
        return self.models / "tiktoken"

    def embedding_model(self, name: str) -> Path:
        return self.models / name

    @property
    def lexicon(self) -> Path:
        return self.models / "lexicon-id-e5.npz"

    @property
    def llm(self) -> Path:
        return self.models / "llm"
