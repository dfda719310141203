"""Helpers shared by the benchmark scripts: paths, settings, machine facts, timing wrappers, reports.

Every benchmark prints a Markdown report (figures, the command that reproduces them, date, machine,
load average) and writes the same figures as JSON under ``benchmarks/results/``. The machine is shared
with other jobs, so every figure carries the load average seen while it was measured.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ORIGINAL_ENV = dict(os.environ)  # before any library import sets its own defaults (given to subprocesses)

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
DEV = Path(os.environ.get("WARTA_EVAL_DIR", REPO.parent / "shared" / "eval" / "dev"))
MODELS_ENV = "WARTA_BENCH_MODELS_DIR"
DEFAULT_MODELS = Path("/tmp/warta-bench/models")
SCRATCH = Path(os.environ.get("WARTA_BENCH_SCRATCH", "/tmp/warta-bench"))

if str(REPO) not in sys.path:  # run as `python benchmarks/bench_x.py` from anywhere
    sys.path.insert(0, str(REPO))

# multilingual-e5-small (BERT-style encoder, XLM-R vocabulary): 12 layers, d=384, FFN 1536.
E5_LAYERS, E5_DIM, E5_PARAMS = 12, 384, 21.3e6  # PARAMS: non-embedding (attention + FFN + norms)
E5_MAX_TOKENS = 512


def e5_flops(n_tokens: int) -> float:
    """Forward FLOPs for one sequence: 2*P*n (every weight: one multiply-add per token) + 4*L*d*n^2
    (QK^T and attention x V, each n*n*d multiply-adds per layer). Softmax, GELU and norms are left out."""
    return 2 * E5_PARAMS * n_tokens + 4 * E5_LAYERS * E5_DIM * n_tokens**2


# --- paths and settings ---------------------------------------------------------------------------


def models_path() -> Path:
    return Path(ORIGINAL_ENV.get(MODELS_ENV) or DEFAULT_MODELS)


def models_dir(*, llm: bool = False) -> Path:
    """Prepared offline models, built once (``WARTA_BENCH_MODELS_DIR`` reuses a prepared folder)."""
    from core.models.prepare import prepare_all

    path = models_path()
    settings = bench_settings(SCRATCH / "unused", path)
    prepare_all(settings)
    if llm:
        from core.models.prepare import prepare_local_model

        prepare_local_model(settings)
    return path


def bench_settings(data_dir: Path, models: Path, **sections: dict):
    """The library's default settings over ``data_dir``, with section overrides.

    No ``config.toml`` and no ``WARTA_*`` variables: what ``warta`` does when run outside the repository.
    """
    from core.settings import Settings

    overrides: dict[str, dict] = {"paths": {"data_dir": str(data_dir), "models_dir": str(models)}}
    for name, values in sections.items():
        overrides.setdefault(name, {}).update(values)
    return Settings().updated(overrides)


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a measured subprocess: the caller's, offline, plus ``extra``."""
    env = {k: v for k, v in ORIGINAL_ENV.items() if not k.startswith("WARTA_") or k in (MODELS_ENV, "WARTA_EVAL_DIR")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               GRADIO_ANALYTICS_ENABLED="False", PYTHONPATH=str(REPO))
    env.update(extra)
    return env


def read_jsonl(path: Path, limit: int | None = None) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
                if limit and len(rows) >= limit:
                    break
    return rows


# --- machine and process facts --------------------------------------------------------------------


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags() -> list[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16")
    return [f for f in wanted if f" {f}" in text]


def code_state() -> dict[str, Any]:
    """The commit and the uncommitted changes of the library code measured (the tree changes under us)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout

    paths = ["ingest", "assistant", "ui", "config.toml", "pyproject.toml"]
    changed = git("status", "--porcelain", "--", *paths).splitlines()
    digest = hashlib.sha256(git("diff", "HEAD", "--", *paths).encode())
    for line in changed:  # untracked files count too
        path = REPO / line[3:]
        if line.startswith("??") and path.is_file():
            digest.update(path.read_bytes())
    return {"commit": git("rev-parse", "--short", "HEAD").strip(), "changed": [c[3:] for c in changed],
            "changes_sha": digest.hexdigest()[:12]}


def settings_summary(settings) -> dict[str, Any]:
    """The settings that shape what the benchmarks measure."""
    dump = settings.model_dump()
    return {k: dump[k] for k in ("chunking", "embedding", "retrieval", "answer", "local")}


def machine() -> dict[str, Any]:
    mem_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "nproc": os.cpu_count(),
            "cpu": cpu_model(), "cpu_flags": cpu_flags(), "mem_gb": round(mem_kb / 1024**2, 1),
            "python": platform.python_version(), "loadavg_start": loadavg(), "code_start": code_state()}


def status_kb(pid: int | str, field: str) -> int:
    """A ``/proc/<pid>/status`` memory field (``VmHWM``, ``VmRSS``, ``RssAnon``...) in kB; 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def gb(kb: float) -> float:
    return round(kb / 1024**2, 2)


def pctl(values: Sequence[float], q: float) -> float | None:
    from assistant.eval.metrics import percentile

    return percentile(values, q)


def median(values: Sequence[float]) -> float | None:
    return pctl(values, 50)


# --- timing wrappers (no library change: they wrap what the library is given) ---------------------


class TimedEncoder:
    """Wraps Warta's embedder (an ``Embedder``): records time, calls and what was embedded (with e5's prefix)."""

    def __init__(self, inner, keep_texts: bool = True) -> None:
        self.inner = inner
        self.dimension = inner.dimension
        self.seconds = 0.0
        self.calls: list[list[str]] = []
        self.keep_texts = keep_texts
        self.laps_ms: list[float] = []  # every call's time since the caller last cleared it

    def queries(self, texts):
        from core.models.embedder import QUERY_PREFIX

        return self._timed(self.inner.queries, texts, QUERY_PREFIX)

    def passages(self, texts):
        from core.models.embedder import PASSAGE_PREFIX

        return self._timed(self.inner.passages, texts, PASSAGE_PREFIX)

    def _timed(self, encode, texts, prefix: str):
        started = time.perf_counter()
        out = encode(texts)
        ms = (time.perf_counter() - started) * 1000
        self.laps_ms.append(ms)
        self.seconds += ms / 1000
        if self.keep_texts:
            self.calls.append([prefix + t for t in texts])
        return out

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


# --- reports --------------------------------------------------------------------------------------


def command() -> str:
    script = Path(sys.argv[0]).resolve()
    shown = script.relative_to(REPO) if script.is_relative_to(REPO) else script
    return "python " + shlex.join([str(shown), *sys.argv[1:]])


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(v: Any) -> str:
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"
        return str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def header(title: str, info: dict[str, Any]) -> str:
    start, end = info["code_start"], info.get("code_end", info["code_start"])
    code = f"commit {start['commit']}" + (f" + uncommitted changes in {', '.join(start['changed'])} "
                                          f"(changes sha {start['changes_sha']})" if start["changed"] else "")
    if (start["commit"], start["changes_sha"]) != (end["commit"], end["changes_sha"]):
        code += f"; WARNING: the code changed during the run (now commit {end['commit']}, changes {end['changes_sha']})"
    return (f"## {title}\n\n"
            f"- code: {code}\n"
            f"- command (from `{REPO}`, venv active): `{command()}`\n"
            f"- date: {info['date']}; machine: {info['nproc']} cores, {info['cpu']} "
            f"({', '.join(info['cpu_flags'])}), {info['mem_gb']} GB RAM, no GPU, Python {info['python']}\n"
            f"- load average (1/5/15 min) at start: {info['loadavg_start']}, at end: {info.get('loadavg_end')}\n")


def publish(name: str, title: str, info: dict[str, Any], body: str, payload: dict[str, Any]) -> None:
    """Print the Markdown report and write ``results/<name>.md`` and ``results/<name>.json``."""
    info["loadavg_end"] = loadavg()
    info["code_end"] = code_state()
    text = header(title, info) + "\n" + body.strip() + "\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text, encoding="utf-8")
    payload = {"benchmark": name, "command": command(), "machine": info, **payload}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"(written: {RESULTS / (name + '.md')}, {RESULTS / (name + '.json')})", file=sys.stderr)
