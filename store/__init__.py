"""The article store: catalog (SQLite), vectors (Chroma) and keywords (BM25), kept in step by ``Index``."""
