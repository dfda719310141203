"""Concurrent chat sessions against ``warta serve``, optionally while ``warta ingest`` runs on the same data dir.

``warta serve`` (a subprocess on a free loopback port, over a temp data dir holding ``examples/``) is
driven by ``--sessions`` browser contexts in one headless Chromium (``tests/chat_load.py``): every session
opens the page, then all ask at the same moment, each asking its next question as soon as its previous
answer has finished. Latency is from pressing Enter to the answer's sources being written, so it includes
waiting in Gradio's queue (4 concurrent chats for the extractive backend, 1 for the local model).

Runs, in order: extractive alone; extractive while ``warta ingest`` adds ``--ingest`` news_id articles
(first paragraphs, as in the tests); the local model (``--local-sessions`` x 1 question, skipped with 0).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import common

sys.path.insert(0, str(common.REPO))

from tests.helpers.chat_load import CHROMIUM, LoadRun, run_sessions, session_questions
from tests.helpers.corpus import news_articles, write_jsonl
from tests.helpers.servers import WartaServer, warta_command


def one_run(name: str, data: Path, models: Path, backend: str, sessions: list[list[str]], timeout: float,
            ingest_source: Path | None) -> dict:
    env = common.child_env(WARTA_DATA_DIR=str(data), WARTA_PATHS_MODELS_DIR=str(models), WARTA_ANSWER_BACKEND=backend)
    folder = data.parent
    with WartaServer(env, folder / f"serve-{name}.log") as server:
        ingest = None
        if ingest_source is not None:
            with (folder / f"ingest-{name}.log").open("wb") as log:
                ingest = subprocess.Popen([*warta_command(), "ingest", "-q", str(ingest_source)], env=env, cwd=folder,
                                          stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        load = common.loadavg()
        started = time.monotonic()
        run: LoadRun = run_sessions(server.url, sessions, timeout_s=timeout)
        seconds = time.monotonic() - started
        ingest_state = None
        if ingest is not None:
            ingest_state = "still running at the end" if ingest.poll() is None else "finished during the run"
            code = ingest.wait(timeout=3600)
            ingest_state += f" (exit {code})"
    print(f"  {name}: {run.summary()}", file=sys.stderr)
    return {"name": name, "backend": backend, "sessions": len(sessions), "questions": len(run.turns),
            "errors": len(run.errors), "error_samples": [t.error for t in run.errors[:3]],
            "p50_s": run.percentile(50), "p95_s": run.percentile(95), "max_s": max(t.seconds for t in run.turns),
            "open_s": run.open_seconds, "wall_s": seconds, "throughput_qps": len(run.turns) / seconds,
            "uncited": sum(1 for t in run.turns if t.cards == 0), "ingest": ingest_state, "load_start": load,
            "load_end": common.loadavg()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent chat sessions (default 20)")
    parser.add_argument("--questions", type=int, default=3, help="questions per session, extractive runs (default 3)")
    parser.add_argument("--ingest", type=int, default=60, help="articles ingested during the second run (default 60)")
    parser.add_argument("--local-sessions", type=int, default=20, help="sessions on the local model, 1 question each")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per answer")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        sys.exit(f"Chromium not found at {CHROMIUM}: `make test` installs it (apt install chromium).")

    info = common.machine()
    models = common.models_dir(llm=args.local_sessions > 0)
    folder = common.SCRATCH / "load"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = folder / "data"
    subprocess.run([*warta_command(), "ingest", "-q", str(common.REPO / "examples")], check=True, cwd=folder,
                   env=common.child_env(WARTA_DATA_DIR=str(data), WARTA_PATHS_MODELS_DIR=str(models)))
    source = write_jsonl(folder / "news.jsonl", news_articles(args.ingest))

    runs = [one_run("extractive", data, models, "extractive", session_questions(args.sessions, args.questions),
                    args.timeout, None),
            one_run("extractive, during an ingest", data, models, "extractive",
                    session_questions(args.sessions, args.questions), args.timeout, source)]
    if args.local_sessions:
        runs.append(one_run("local model", data, models, "local", session_questions(args.local_sessions, 1),
                            args.timeout, None))

    rows = [[r["name"], r["sessions"], r["questions"], r["errors"], r["uncited"], r["p50_s"], r["p95_s"], r["max_s"],
             r["throughput_qps"], r["open_s"], r["ingest"] or "-", r["load_end"][0]] for r in runs]
    body = ("Each session: its own browser context on the page, questions asked one after another (the three seed "
            "questions and one the articles cannot answer, rotated so sessions differ). Latency: Enter to sources "
            "written, including the wait in the queue. 'uncited' counts answers without a source card (the "
            "unanswerable question is refused by design, one in four).\n\n"
            + common.table(["run", "sessions", "questions", "errors", "uncited", "p50 s", "p95 s", "max s",
                            "questions/s", "opening pages s", "ingest", "load (1 min) at end"], rows))
    common.publish("load", "Load: concurrent chat sessions against warta serve", info, body, {"runs": runs})


if __name__ == "__main__":
    main()
