"""``warta eval``: retrieval and answers measured on a QA set over its own passages (an isolated index)."""

from __future__ import annotations

import argparse
import json
import sys

from core.settings import Settings
from ui.cli.output import EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from assistant.eval import report as eval_report
    from assistant.eval.run import evaluate

    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in bars:
            for bar in bars.values():
                bar.close()
            bars[stage] = tqdm(total=total, desc=stage, unit=" passages" if stage == "ingest" else " questions",
                               disable=True if args.quiet else None, file=sys.stderr, dynamic_ncols=True)
        bars[stage].update(done - bars[stage].n)

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    try:
        run = evaluate(settings, Path(args.passages), [Path(p) for p in args.qa],
                       unanswerable=[Path(p) for p in args.unanswerable or ()],
                       conversations=[Path(p) for p in args.conversations or ()],
                       temporal=[Path(p) for p in args.temporal or ()], modes=modes, backend=args.backend,
                       retrieval_only=args.retrieval_only, limit=args.limit, seed=args.seed, part=args.part,
                       progress=progress)
    finally:
        for bar in bars.values():
            bar.close()
    groups = eval_report.summarize(run)
    sys.stdout.write(eval_report.to_markdown(run, groups))
    if args.out:
        Path(args.out).write_text(json.dumps(eval_report.to_json(run, groups), ensure_ascii=False, indent=1))
        print(f"\nresults: {args.out}")
    if args.plot:
        eval_report.plot(run, groups, Path(args.plot))
        print(f"chart: {args.plot}")
    return EXIT_OK
