"""Environment defaults that must hold before the heavy libraries load; applied by ``import core``.

Every package's ``__init__`` applies them (the entry points import a package first), so they are in place
before torch, transformers, chromadb or gradio are imported anywhere, whatever the import order of a module.
``setdefault``: a value the user exported wins.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

DEFAULTS: dict[str, str] = {
    # torch and llama.cpp use OpenMP, whose idle threads spin by default. With the embedder, the web server
    # and the answer model sharing 2 cores, spinning threads starve the ones doing work: measured 2.6x faster
    # embedding under load with passive waiting (the OMP-passive variant of benchmarks/bench_ingest.py), and
    # llama.cpp generation with 2 threads fell from 7-15 tok/s (PASSIVE) to 0.4-1.9 tok/s (default, ACTIVE,
    # or GOMP_SPINCOUNT=10000) while other processes shared the cores.
    "OMP_WAIT_POLICY": "PASSIVE",
    # The models are local folders: never let huggingface_hub look for them online.
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    # The tokenizer runs in our own threads; its thread pool would compete with them (and warns after a fork).
    "TOKENIZERS_PARALLELISM": "false",
    # No telemetry calls from Chroma, no version check or analytics calls from Gradio: Warta stays offline.
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
}


def apply_defaults(environ: MutableMapping[str, str] = os.environ) -> None:
    """Set every default ``environ`` does not set already (the process's own environment by default)."""
    for key, value in DEFAULTS.items():
        environ.setdefault(key, value)
