"""Getting articles in: sources -> clean -> chunk -> embed -> store."""

from core.env import apply_defaults

apply_defaults()  # before any heavy library loads (core/env.py)
