"""Getting answers out: condense -> retrieve -> pack -> generate -> cite."""

from core.env import apply_defaults

apply_defaults()  # before any heavy library loads (core/env.py)
