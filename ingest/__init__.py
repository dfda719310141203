"""Getting articles in: load -> clean -> chunk -> embed -> store (plus the shared settings and records)."""
