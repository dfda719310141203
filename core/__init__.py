"""The shared core: settings, errors, records, text tools and the offline models. Imports nothing of ours."""

from core.env import apply_defaults

apply_defaults()
