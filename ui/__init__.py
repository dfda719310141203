"""Front ends: the ``warta`` CLI and the Gradio web UI. They parse input, call the library, format output."""

from core.env import apply_defaults

apply_defaults()  # before any heavy library loads (core/env.py)
