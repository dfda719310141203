"""What changed between two evaluation runs: the questions whose answer gained or lost the gold value, and how many
answers changed at all. Each side is a ``warta eval --out`` JSON file or a folder of them (matched by file name, as
when the stories are run one file per story on two versions of the code).

    python benchmarks/compare_runs.py BEFORE AFTER [--show-changed]

How a change to the answer rules is measured here (docs/time-log.md): run the questions it can touch on the code
before and after, one after the other, and read what this prints; a win on a question the rule was written from is
not evidence that it carries.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def _runs(path: Path) -> dict[str, Path]:
    """The run files of ``path`` by name: the file itself, or the JSON files of a folder."""
    return {path.name: path} if path.is_file() else {p.name: p for p in sorted(path.glob("*.json"))}


def _answers(path: Path) -> dict[str, dict[str, Any]]:
    return {q["id"]: q for q in json.loads(path.read_text(encoding="utf-8"))["questions"] if q.get("answer")}


def compare(before: Path, after: Path, *, show_changed: bool = False) -> tuple[int, int, int, int]:
    """Print the won and lost questions of ``after`` against ``before``; return (questions, identical, won, lost)."""
    old_runs, new_runs = _runs(before), _runs(after)
    questions = identical = won = lost = 0
    for name in sorted(old_runs.keys() & new_runs.keys()):
        old, new = _answers(old_runs[name]), _answers(new_runs[name])
        for qid in sorted(old.keys() & new.keys()):
            a, b = old[qid]["answer"], new[qid]["answer"]
            questions += 1
            identical += a["text"] == b["text"]
            if bool(a["contains_gold"]) != bool(b["contains_gold"]):
                won += bool(b["contains_gold"])
                lost += bool(a["contains_gold"])
                print(f"{'won ' if b['contains_gold'] else 'lost'} {qid}: {old[qid]['question']}")
            elif show_changed and a["text"] != b["text"]:
                print(f"changed {qid}: {old[qid]['question']}")
    missing = sorted(old_runs.keys() ^ new_runs.keys())
    if missing:
        print(f"only on one side (not compared): {', '.join(missing)}")
    print(f"{questions} questions, {identical} answers identical, won {won}, lost {lost}")
    return questions, identical, won, lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path, help="a `warta eval --out` file or a folder of them")
    parser.add_argument("after", type=Path, help="the same on the other code")
    parser.add_argument("--show-changed", action="store_true", help="also list answers that changed but kept their score")
    args = parser.parse_args()
    compare(args.before, args.after, show_changed=args.show_changed)


if __name__ == "__main__":
    main()
