"""The offline models: preparing them (`warta setup`), the e5 embedder, the lexicon and the answer model's GGUF."""
