"""The article store: catalog (SQLite), vectors (Chroma) and keywords (BM25), kept in step by ``Index``."""

from core.env import apply_defaults

apply_defaults()  # before any heavy library loads (core/env.py)
