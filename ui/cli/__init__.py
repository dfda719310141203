"""The ``warta`` command line."""

from ui.cli.main import main

__all__ = ["main"]
