"""The environment defaults (core/env.py) hold before any heavy library loads, whatever a process imports first."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from core.env import DEFAULTS
from tests.conftest import REPO


def _environment_after(code: str, **preset: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DEFAULTS}
    env.update(preset, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", f"{code}\nimport json, os; print(json.dumps(dict(os.environ)))"],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_the_web_app_runs_with_every_default_set_before_gradio_loads():
    # ui.web.app imports gradio before anything of ours (import order): ui's __init__ must apply them first
    seen = _environment_after("import sys, ui.web.app\nloaded = list(sys.modules)\n"
                              "assert loaded.index('core.env') < loaded.index('gradio'), loaded")
    assert {key: seen[key] for key in DEFAULTS} == DEFAULTS


def test_a_value_the_user_exported_wins():
    seen = _environment_after("import store.index", OMP_WAIT_POLICY="ACTIVE", HF_HUB_OFFLINE="0")
    assert seen["OMP_WAIT_POLICY"] == "ACTIVE" and seen["HF_HUB_OFFLINE"] == "0"
    assert seen["ANONYMIZED_TELEMETRY"] == "False"
