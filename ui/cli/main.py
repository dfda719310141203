"""The ``warta`` command line: parse, call the library, print. Library errors become one-line messages.

``parser`` defines the commands; ``library``, ``answers`` and ``evaluate`` run them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from core.errors import WartaError
from core.settings import Settings, load_settings
from ui.cli.output import EXIT_ERROR, EXIT_OK
from ui.cli.parser import build_parser


def _settings(args: argparse.Namespace) -> Settings:
    if getattr(args, "data_dir", None):
        os.environ["WARTA_DATA_DIR"] = args.data_dir
    overrides: dict[str, dict[str, Any]] = {}
    if getattr(args, "backend", None):
        overrides.setdefault("answer", {})["backend"] = args.backend
    if getattr(args, "now", None):
        overrides.setdefault("time", {})["now"] = args.now
    if getattr(args, "allow_private_urls", False):
        overrides.setdefault("ingest", {})["allow_private_urls"] = True
    from pathlib import Path

    return load_settings(Path(args.config) if getattr(args, "config", None) else None, overrides)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "date_from", None) and getattr(args, "date_to", None) and args.date_from > args.date_to:
        parser.error(f"--from {args.date_from} is after --to {args.date_to}: no article can match")
    try:
        settings = _settings(args)
        return args.func(args, settings)
    except WartaError as exc:
        print(f"warta: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("warta: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 (a bug: still one line, never a traceback, for the user)
        print(f"warta: unexpected error ({type(exc).__name__}: {exc}). This is a bug in Warta; please report it with "
              "the command you ran.", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
