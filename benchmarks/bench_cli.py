"""``warta ask`` as a user runs it: wall time of the command, alone (it loads the embedder, the index and, for
the local backend, starts llama.cpp) and with a running ``warta serve`` of the same data dir (the CLI sends its
question there: ``ui.cli.remote``), next to the first token the answer reports. Two ways of asking: ``--json``
(the command ends when the checked answer is printed) and on a terminal (a pseudo-terminal here: the answer
streams as the model writes; the time until its first text shows is what a user waits for).

Over ``examples/`` plus ``--news`` articles of news_id.jsonl, the seed questions (and FacQA-style ones in
Indonesian), each asked ``--reps`` times in each mode, modes interleaved so both see the same background load.
Also: ``warta --help`` (the CLI's own start-up).
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import select
import shutil
import subprocess
import time

import common

QUESTIONS = ("why did OpenAI drop Scale AI?", "Berapa nilai investasi Meta di Scale AI?",
             "Siapa yang memimpin Scale AI sementara?")
# asked on the terminal: other questions, so that no answer starts from the model's cache of the same prompt
TERMINAL_QUESTIONS = ("Who is the interim CEO of Scale AI?", "Mengapa OpenAI berhenti memakai Scale AI?",
                      "Berapa persen saham Scale AI yang diambil Meta?")


def warta(*args: str, env: dict[str, str], stdin: str | None = None) -> tuple[float, subprocess.CompletedProcess]:
    from tests.helpers.servers import warta_command

    start = time.perf_counter()
    done = subprocess.run([*warta_command(), *args], env=env, input=stdin, capture_output=True, text=True,
                          timeout=900)
    return time.perf_counter() - start, done


def on_terminal(*args: str, env: dict[str, str]) -> tuple[float, float]:
    """Run ``warta`` on a pseudo-terminal: (seconds until it first writes, seconds until it ends)."""
    from tests.helpers.servers import warta_command

    main_fd, child_fd = pty.openpty()
    start = time.perf_counter()
    proc = subprocess.Popen([*warta_command(), *args], env=env, stdin=subprocess.DEVNULL, stdout=child_fd,
                            stderr=subprocess.DEVNULL)
    os.close(child_fd)
    first = None
    try:
        while True:
            ready, _, _ = select.select([main_fd], [], [], 900)
            if not ready:
                raise SystemExit(f"warta {' '.join(args)} wrote nothing for 900 s")
            try:
                data = os.read(main_fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            if first is None and data.strip():
                first = time.perf_counter() - start
    finally:
        os.close(main_fd)
        proc.wait(timeout=60)
    return (first if first is not None else float("nan")), time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="local", choices=("local", "extractive"))
    parser.add_argument("--reps", type=int, default=2, help="times each question is asked per mode (default 2)")
    parser.add_argument("--news", type=int, default=100, help="news_id.jsonl articles ingested besides examples/")
    args = parser.parse_args(argv)

    from tests.helpers.servers import WartaServer, warta_command

    info = common.machine()
    models = common.models_dir(llm=args.backend == "local")
    folder = common.SCRATCH / "cli"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = common.child_env(WARTA_DATA_DIR=str(folder / "data"), WARTA_PATHS_MODELS_DIR=str(models),
                           WARTA_ANSWER_BACKEND=args.backend)
    news = folder / "news.jsonl"
    news.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                            for r in common.read_jsonl(common.DEV / "news_id.jsonl", args.news)))
    subprocess.run([*warta_command(), "ingest", "-q", str(common.REPO / "examples"), str(news)], check=True, env=env,
                   capture_output=True)

    help_s = [warta("--help", env=env)[0] for _ in range(3)]
    runs: dict[str, list[dict]] = {"alone": [], "through warta serve": []}
    with WartaServer(env, folder / "serve.log") as server:
        warta("ask", "warm-up: what is Scale AI?", "--json", env=env)  # the server loads its models once
        for _ in range(args.reps):
            for question, other in zip(QUESTIONS, TERMINAL_QUESTIONS, strict=True):
                for mode in runs:
                    run_env = env if mode != "alone" else {**env, "WARTA_UI_CLI_USE_SERVER": "false"}
                    wall, done = warta("ask", question, "--json", env=run_env)
                    if done.returncode != 0:
                        raise SystemExit(f"warta ask failed ({mode}): {done.stderr}")
                    timings = json.loads(done.stdout)["timings_ms"]
                    shows, ends = on_terminal("ask", other, env=run_env)
                    runs[mode].append({"question": question, "wall_s": wall,
                                       "first_token_s": timings.get("first_token", 0) / 1000,
                                       "total_s": timings.get("total", 0) / 1000,
                                       "terminal_first_text_s": shows, "terminal_wall_s": ends})
        server.stop()

    rows = []
    for mode, found in runs.items():
        walls = [r["wall_s"] for r in found]
        firsts = [r["first_token_s"] for r in found]
        over = [r["wall_s"] - r["total_s"] for r in found]
        rows.append([mode, len(found), common.median(walls), common.pctl(walls, 95), common.median(firsts),
                     common.median([r["total_s"] for r in found]), common.median(over),
                     common.median([r["terminal_first_text_s"] for r in found]),
                     common.median([r["terminal_wall_s"] for r in found])])
    body = (f"Backend `{args.backend}`; {len(QUESTIONS)} questions x {args.reps} per mode, interleaved. 'wall' is the "
            "whole `warta ask --json` command; 'first token' and 'answer' are what the answer reports (from the "
            "question reaching the assistant); 'outside the answer' = wall - answer: start-up, loading, the "
            "request. 'terminal': another question (no cached prompt) asked without `--json` on a pseudo-terminal, "
            "where the answer streams: until its first text shows, and until the command ends. "
            f"`warta --help` p50: {common.median(help_s):.2f} s.\n\n"
            + common.table(["mode", "asks", "wall p50 s", "wall p95 s", "first token p50 s", "answer p50 s",
                            "outside the answer p50 s", "terminal: first text p50 s", "terminal: wall p50 s"],
                           rows))
    common.publish(f"cli-{args.backend}", "warta ask: alone vs through a running warta serve", info, body,
                   {"runs": runs, "help_s": help_s})


if __name__ == "__main__":
    main()
