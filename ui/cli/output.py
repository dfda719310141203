"""What every ``warta`` command shares: exit codes, JSON lines on stdout, notes on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any

EXIT_OK, EXIT_FAILED_ITEMS, EXIT_ERROR = 0, 1, 2


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def note(message: str) -> None:
    """A line for the user on stderr (waiting for the lock, repairs, warnings)."""
    print(f"warta: {message}", file=sys.stderr, flush=True)
