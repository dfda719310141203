"""Reading sources: files, folders, URLs, feeds, JSON/JSONL exports and stdin -> ``Article`` records.

``load`` walks the sources, ``fetch`` gets URLs (through ``netpolicy``), ``decode`` turns bytes into text,
``documents`` parses one document by kind (``jsonl``, ``feed``, HTML, Markdown, text) and ``article`` makes
clean ``Article`` records of what it finds.
"""
