"""Users' ratings of answers, kept locally as JSON lines in ``<data_dir>/feedback.jsonl``.

One line per click: when, the rating, the question, the answer as shown, its citations, and which
backend and model wrote it, so that bad answers can be found and replayed later.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant.records import Answer, Citation
from core.paths import DataDir
from core.settings import Settings

Rating = Literal["up", "down", "cleared"]  # "cleared": the user took a thumb back

_lock = threading.Lock()  # one line at a time, so concurrent clicks never interleave


def feedback_path(settings: Settings) -> Path:
    return DataDir.of(settings).feedback


def record_feedback(settings: Settings, rating: Rating, *, question: str, answer: Answer | None = None,
                    shown: str = "") -> dict[str, Any]:
    """Append one rating to ``feedback.jsonl`` and return the stored record.

    Args:
        settings: where the data dir is.
        rating: ``"up"``, ``"down"`` or ``"cleared"``.
        question: the question as the user asked it.
        answer: the answer that was rated (None when answering failed).
        shown: the text the user saw; defaults to the answer's text.
    """
    if rating not in ("up", "down", "cleared"):
        raise ValueError(f"rating must be 'up', 'down' or 'cleared', got {rating!r}")
    citations: Sequence[Citation] = answer.citations if answer else ()
    record: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "rating": rating,
        "question": question,
        "answer": answer.text if answer and not shown else shown,
        "refused": answer.refused if answer else None,
        "citations": [{**c.to_json(), "chunk_id": c.chunk_id} for c in citations],
        "language": answer.language if answer else "",
        "backend": answer.backend if answer else "",
        "model": answer.model if answer else "",
    }
    line = json.dumps(record, ensure_ascii=False) + "\n"
    path = feedback_path(settings)
    with _lock, path.open("a", encoding="utf-8") as fh:
        fh.write(line)
    return record


def read_feedback(settings: Settings) -> list[dict[str, Any]]:
    """Every stored rating, oldest first (an unreadable line is skipped)."""
    path = feedback_path(settings)
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out
