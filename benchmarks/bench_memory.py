"""Peak memory of ``warta serve`` (web UI, e5 embedder + local LLM loaded, one question answered).

``warta serve`` runs as a subprocess over a temp data dir holding ``examples/``. A poller reads
``/proc/<pid>/status`` (VmHWM = peak resident set, VmRSS, RssAnon, RssFile) of the server and all its
children every 0.2 s. Phases: started and warmed up (the server loads both models in the background:
we wait until the GGUF is mapped and RSS has settled), then one question asked through the real page in
headless Chromium (Playwright; the browser is not a child of the server and is not counted). After
SIGINT, ``os.wait4`` gives the kernel's own peak (``ru_maxrss``) as a cross-check.

For comparison, the same is measured for ``warta ask`` (one question from the CLI: both models, no UI).
The GGUF is memory-mapped: its pages count in RSS as file-backed (RssFile), which the kernel can drop and
share between processes, unlike RssAnon.

Needs psutil and playwright: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import common

FIELDS = ("VmHWM", "VmRSS", "RssAnon", "RssFile")
CHROMIUM = "/usr/bin/chromium"


class TreePoller(threading.Thread):
    """Samples ``/proc/<pid>/status`` of a process and its descendants every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.hwm: dict[int, int] = {}  # pid -> VmHWM (kB)
        self.last: dict[int, dict[str, int]] = {}  # pid -> last fields seen (kB)
        self.tree_peak_kb = 0  # peak of the sum of VmRSS over the tree, at one instant
        self._stop = threading.Event()

    def pids(self) -> list[int]:
        import psutil

        try:
            return [self.pid, *(c.pid for c in psutil.Process(self.pid).children(recursive=True))]
        except psutil.NoSuchProcess:
            return []

    def run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in self.pids():
                fields = {f: common.status_kb(pid, f) for f in FIELDS}
                if fields["VmRSS"]:
                    self.last[pid] = fields
                    self.hwm[pid] = max(self.hwm.get(pid, 0), fields["VmHWM"])
                    total += fields["VmRSS"]
            self.tree_peak_kb = max(self.tree_peak_kb, total)
            time.sleep(self.interval)

    def rss_kb(self) -> int:
        return sum(self.last.get(pid, {}).get("VmRSS", 0) for pid in self.pids())

    def snapshot(self, phase: str) -> dict:
        children = [pid for pid in self.hwm if pid != self.pid]
        live = [self.last[pid] for pid in self.pids() if pid in self.last]
        return {"phase": phase, "main_hwm_gb": common.gb(self.hwm.get(self.pid, 0)),
                "children_hwm_gb": common.gb(sum(self.hwm[pid] for pid in children)),
                "tree_hwm_sum_gb": common.gb(sum(self.hwm.values())), "tree_peak_sum_gb": common.gb(self.tree_peak_kb),
                **{f"tree_{f}_gb": common.gb(sum(x[f] for x in live)) for f in ("VmRSS", "RssAnon", "RssFile")},
                "processes": len(self.hwm), "loadavg": common.loadavg()}

    def stop(self) -> None:
        self._stop.set()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(data: Path, models: Path) -> dict[str, str]:
    return common.child_env(WARTA_DATA_DIR=str(data), WARTA_PATHS_MODELS_DIR=str(models))


LOADED_MODEL_KB = 800_000  # an LLM child this large holds the 1.1 GB model (ik_llama.cpp reads it, no mmap)


def wait_warm(proc: subprocess.Popen, poller: TreePoller, url: str, timeout: float) -> None:
    """Until the page answers, the LLM child has the model (the GGUF mapped, or its weights read into memory),
    and the tree's RSS has not changed by 1% for 5 s."""
    deadline = time.monotonic() + timeout
    stable_since, last_rss = None, 0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"warta serve exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=5).close()
            # llama.cpp maps the GGUF; ik_llama.cpp (the default) repacks the weights into its own memory at load
            loaded = any(".gguf" in Path(f"/proc/{pid}/maps").read_text()
                         or poller.last.get(pid, {}).get("VmRSS", 0) > LOADED_MODEL_KB for pid in poller.pids()[1:])
        except OSError:
            loaded = False
        rss = poller.rss_kb()
        if loaded and rss and abs(rss - last_rss) < 0.01 * rss:
            stable_since = stable_since or time.monotonic()
            if time.monotonic() - stable_since >= 5:
                return
        else:
            stable_since = None
        last_rss = rss
        time.sleep(1)
    raise TimeoutError("warta serve did not finish warming up")


def ask_in_browser(url: str, question: str, timeout_s: float) -> float:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.set_default_timeout(timeout_s * 1000)
            page.goto(url, wait_until="domcontentloaded")  # Gradio keeps a stream open: never "networkidle"
            page.wait_for_selector("#chatbot")
            started = time.perf_counter()
            box = page.locator("#msg textarea")
            box.fill(question)
            box.press("Enter")
            expect(page.locator('#sources-panel [data-turn="1"][data-status="done"]')).to_be_attached(timeout=timeout_s * 1000)
            return time.perf_counter() - started
        finally:
            browser.close()


def measure_serve(data: Path, models: Path, question: str, timeout: float, log: Path) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    warta = str(Path(sys.executable).with_name("warta"))
    with log.open("w") as out:
        proc = subprocess.Popen([warta, "serve", "--port", str(port)], env=env_for(data, models), cwd=data.parent,
                                stdout=out, stderr=subprocess.STDOUT)
    poller = TreePoller(proc.pid)
    poller.start()
    phases, answer_s, usage = [], None, None
    try:
        started = time.perf_counter()
        wait_warm(proc, poller, url, timeout)
        phases.append({**poller.snapshot("started, both models loaded"), "seconds": time.perf_counter() - started})
        if Path(CHROMIUM).exists():
            answer_s = ask_in_browser(url, question, timeout)
            time.sleep(1)
            phases.append({**poller.snapshot("after one answer (in the browser)"), "seconds": answer_s})
    finally:
        stopped_by, usage = stop(proc)
        poller.stop()
    return {"phases": phases, "answer_s": answer_s, "stopped_by": stopped_by,
            "ru_maxrss_gb": common.gb(usage.ru_maxrss) if usage else None}


def stop(proc: subprocess.Popen) -> tuple[str, object]:
    """SIGINT (Ctrl-C), then SIGTERM, then SIGKILL, 20 s apart; returns what stopped it and its rusage."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        proc.send_signal(sig)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                return sig.name, usage
            time.sleep(0.5)
    return "not stopped", None


def measure_cli(args: list[str], data: Path, models: Path, log: Path) -> dict:
    with log.open("w") as out:
        proc = subprocess.Popen([str(Path(sys.executable).with_name("warta")), *args], env=env_for(data, models),
                                cwd=data.parent, stdout=out, stderr=subprocess.STDOUT)
    poller = TreePoller(proc.pid)
    poller.start()
    started = time.perf_counter()
    _, status, usage = os.wait4(proc.pid, 0)
    poller.stop()
    if status:
        raise RuntimeError(f"warta {args[0]} failed ({status}); see {log}")
    return {**poller.snapshot(f"`warta {args[0]}` (whole run)"), "seconds": time.perf_counter() - started,
            "ru_maxrss_gb": common.gb(usage.ru_maxrss)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--question", default="Berapa nilai investasi Meta di Scale AI?")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed for warm-up and for the answer")
    args = parser.parse_args(argv)

    info = common.machine()
    models = common.models_dir(llm=True)
    folder = common.SCRATCH / "memory"
    data = folder / "data"
    shutil.rmtree(data, ignore_errors=True)  # a fresh data dir: the ingest below really embeds
    folder.mkdir(parents=True, exist_ok=True)
    ingest = measure_cli(["ingest", "--quiet", str(common.REPO / "examples")], data, models, folder / "ingest.log")
    serve = measure_serve(data, models, args.question, args.timeout, folder / "serve.log")
    ask = measure_cli(["ask", args.question], data, models, folder / "ask.log")

    phases = [{**p, "phase": f"`warta serve`: {p['phase']}"} for p in serve["phases"]] + [ingest, ask]
    rows = [[p["phase"], p["main_hwm_gb"], p["children_hwm_gb"], p["tree_hwm_sum_gb"], p["tree_peak_sum_gb"],
             p["tree_VmRSS_gb"], p["tree_RssAnon_gb"], p["tree_RssFile_gb"], p["processes"], p["seconds"],
             p["loadavg"][0]] for p in phases]
    body = (f"Question: {args.question!r}; data dir: examples/ only; default settings (local backend). "
            f"`warta serve` was stopped by {serve['stopped_by']}.\n\n"
            + common.table(["process / phase", "main VmHWM GB", "children VmHWM GB", "sum VmHWM GB",
                            "peak of summed RSS GB", "RSS now GB", "RssAnon GB", "RssFile GB", "processes",
                            "seconds", "load (1 min)"], rows)
            + f"\n\nKernel peak after exit (wait4 ru_maxrss): serve {serve['ru_maxrss_gb']} GB, ask {ask['ru_maxrss_gb']} GB, "
            f"ingest {ingest['ru_maxrss_gb']} GB. RSS/RssAnon/RssFile are the last sample of the phase (after the "
            "answer for serve, near exit for the CLI runs). The local LLM runs in a child process "
            "(`python -m assistant.local_llm`), so the process tree is what a user pays.\n")
    if serve["answer_s"] is None:
        body += "\nChromium was not found, so no question was asked through the page (only the warmed-up server).\n"
    common.publish("memory", "Peak memory: warta serve (and warta ask / ingest for comparison)", info, body,
                   {"serve": serve, "ask": ask, "ingest": ingest, "question": args.question})


if __name__ == "__main__":
    main()
