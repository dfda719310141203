"""JSON and JSONL exports -> articles: one record per object or line, each bad one named alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import BinaryIO

from core.errors import SourceError
from core.settings import IngestSettings
from core.text.intake import json_limit, loads_json
from ingest.sources.article import Loaded, make_article, safely
from ingest.sources.decode import decode_bytes


def from_json_text(text: str, item: str, settings: IngestSettings) -> Iterator[Loaded]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield SourceError(item, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
        return
    except (ValueError, RecursionError) as exc:  # valid syntax Python refuses: huge numbers, deep nesting
        yield SourceError(item, f"unreadable JSON ({json_limit(exc)})")
        return
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    records = data if isinstance(data, list) else [data]
    for i, record in enumerate(records):
        where = f"{item}[{i}]" if isinstance(data, list) else item
        if not isinstance(record, dict):
            yield SourceError(where, f"expected a JSON object, got {type(record).__name__}")
            continue
        yield safely(partial(make_article, record, where, settings), where)


def from_jsonl(stream: BinaryIO, item: str, settings: IngestSettings) -> Iterator[Loaded]:
    limit = settings.max_item_bytes
    seen_any = False
    for lineno, raw in enumerate(stream, start=1):
        where = f"{item}:{lineno}"
        if not raw.strip():
            continue
        seen_any = True
        if len(raw) > limit:
            yield SourceError(where, f"record is {len(raw) / 1e6:.1f} MB, over the {settings.max_item_mb:g} MB limit")
            continue
        try:
            record = loads_json(decode_bytes(raw, where))
        except SourceError as exc:
            yield exc
            continue
        except ValueError as exc:  # malformed, or valid syntax Python refuses: huge numbers, deep nesting
            yield SourceError(where, str(exc))
            continue
        if not isinstance(record, dict):
            yield SourceError(where, f"expected a JSON object, got {type(record).__name__}")
            continue
        yield safely(partial(make_article, record, where, settings), where)
    if not seen_any:
        yield SourceError(item, "empty (no JSON lines)")
