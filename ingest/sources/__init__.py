"""Reading sources: files, folders, URLs, feeds, JSON/JSONL exports and stdin."""
