"""How well ``core.text.when`` reads time: relative dates in real articles, the time scope of questions, and the
publish day of an article from its dateline, on the temporal evaluation data (benchmarks/data/temporal/README.md).

Every figure is split like ``warta eval``: the "tune" part (fold 0 of ``assistant.eval.metrics.part_of``) may guide
the rules, the "test" part only measures them. Keys: ``article_id:start`` for a relative date, the question id for
a question, the article id for a dateline.

    python benchmarks/temporal_parse.py [--dev ../shared/eval/dev/news_id.jsonl] [--show-failures [tune|test|all]]

Pure Python, no models: runs in about a second.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import common  # first: puts the repository on sys.path when run as a script

from assistant.eval.metrics import part_of
from core.text.when import TimeMention, dateline_date, find_dates, question_scope

DATA = common.REPO / "benchmarks" / "data" / "temporal"
# the developing stories: the first is where rules were written, the others were written blind (data README)
STORIES = sorted(p.stem for p in DATA.glob("developing_story*.jsonl") if not p.stem.endswith("_qa"))
DEFAULT_DEV = common.REPO.parent / "shared" / "eval" / "dev" / "news_id.jsonl"
TODAY = date(2026, 12, 1)  # datelines: no date after this day
PARTS = ("tune", "test")


@dataclass(frozen=True)
class Outcome:
    """One scored row: which figure it counts in, its part, whether it was right, and what to show when not."""

    group: str
    part: str
    right: bool
    detail: str


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def gold_span(gold: str | list[str | None] | None) -> tuple[date | None, date | None] | None:
    """A gold date ("2017-03-10") or range (["2017-03-01", "2017-03-31"], null ends open) as two days."""
    if gold is None:
        return None
    if isinstance(gold, str):
        return date.fromisoformat(gold), date.fromisoformat(gold)
    first, last = gold
    return (date.fromisoformat(first) if first else None, date.fromisoformat(last) if last else None)


def named_span(mention: TimeMention) -> tuple[date | None, date | None]:
    """The days a mention names. "since Monday" names Monday (its range runs on to the anchor), so a "since"
    mention is compared by its first day; "per 7 Februari" by its last."""
    if mention.kind == "since" and mention.range.start:
        return mention.range.start, mention.range.start
    if mention.kind == "as_of":
        return mention.range.end, mention.range.end
    return mention.range.start, mention.range.end


def best_overlap(mentions: Sequence[TimeMention], start: int, end: int) -> TimeMention | None:
    """The mention sharing most characters with [start, end), if any does."""
    scored = [(min(end, m.end) - max(start, m.start), m) for m in mentions]
    scored = [(n, m) for n, m in scored if n > 0]
    return max(scored, key=lambda s: s[0])[1] if scored else None


def score_relative(rows: Iterable[dict[str, Any]], texts: dict[str, str], published: dict[str, str],
                   group: str) -> list[Outcome]:
    """Each row's expression must be covered by a mention resolving to its gold (against the publish date)."""
    cache: dict[str, list[TimeMention]] = {}
    out = []
    for row in rows:
        article = row["article_id"]
        if article not in cache:
            cache[article] = find_dates(texts[article], date.fromisoformat(published[article]))
        mention = best_overlap(cache[article], row["start"], row["end"])
        got = named_span(mention) if mention else None
        right = got == gold_span(row["gold"])
        found = f"{mention.text!r} {mention.kind} {got}" if mention else "nothing found"
        out.append(Outcome(group, part_of(f"{article}:{row['start']}"), right,
                           f"{article[:30]} @{published[article]} {row['expression']!r} gold {row['gold']}: {found}"))
    return out


def expected_scope(row: dict[str, Any]) -> tuple[str, bool, tuple[date | None, date | None] | None]:
    """The gold (kind, latest, range) of a question. "event_date" questions ("Kapan ... putus?") carry no time
    expression: their scope is "none"."""
    parts = row.get("parts") or []
    latest = row["kind"] == "latest" or any(p["kind"] == "latest" for p in parts)
    kind = "none" if row["kind"] == "event_date" else row["kind"]
    return kind, latest, gold_span(row["range"])


def score_questions(rows: Iterable[dict[str, Any]], group: str) -> list[Outcome]:
    out = []
    for row in rows:
        scope = question_scope(row["question"], date.fromisoformat(row["now"]))
        got_range = (scope.range.start, scope.range.end) if scope.range else None
        got = (scope.kind, scope.latest, got_range)
        right = got == expected_scope(row)
        out.append(Outcome(f"{group}:{row['kind']}", part_of(row["id"]), right,
                           f"{row['id']} now {row['now']} {row['question']!r}\n      gold {row['kind']} "
                           f"{row['range']} expr {row['expression']!r}; got {scope.kind} latest={scope.latest} "
                           f"{got_range} expr {scope.expression!r}"))
    return out


def text_years(text: str) -> list[int]:
    """4-digit years 1990..2030 written in ``text``, most frequent first (ties: first written first)."""
    years = [int(y) for y in re.findall(r"(?<!\d)(?:199\d|20[0-2]\d|2030)(?!\d)", text)]
    return [y for y, _ in Counter(years).most_common()]


def score_datelines(articles: Iterable[dict[str, Any]]) -> tuple[list[Outcome], dict[str, Counter[str]]]:
    """Dated articles with the date and URL hidden: got a date, right, wrong (wrong is worse than none)."""
    out, counts = [], defaultdict(Counter)
    for article in articles:
        part = part_of(article["id"])
        got = dateline_date(article["text"], text_years(article["text"]), TODAY)
        gold = date.fromisoformat(article["date"])
        counts[part]["articles"] += 1
        if got is None:
            continue
        counts[part]["got"] += 1
        counts[part]["right" if got == gold else "wrong"] += 1
        if got != gold and abs((got - gold).days) <= 1:
            counts[part]["wrong by one day"] += 1
        out.append(Outcome("datelines", part, got == gold,
                           f"{article['id'][:40]} gold {gold} got {got} ({(got - gold).days:+d} days): "
                           f"{article['text'][:160]!r}"))
    return out, counts


def table(outcomes: Sequence[Outcome]) -> list[str]:
    """Markdown rows: group | tune | test | all, each "right/n (share)"."""
    groups = list(dict.fromkeys(o.group for o in outcomes))

    def cell(items: list[Outcome]) -> str:
        return f"{sum(o.right for o in items)}/{len(items)} ({sum(o.right for o in items) / len(items):.0%})" \
            if items else "–"

    lines = ["| what | tune | test | all |", "|---|---|---|---|"]
    for group in groups:
        items = [o for o in outcomes if o.group == group]
        lines.append(f"| {group} | " + " | ".join(cell([o for o in items if o.part == p]) for p in PARTS)
                     + f" | {cell(items)} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV, help=f"dev articles (default {DEFAULT_DEV})")
    parser.add_argument("--show-failures", nargs="?", const="tune", choices=("tune", "test", "all"),
                        help="list the failures of a part (default: tune, the only part rules may be fitted on)")
    args = parser.parse_args(argv)

    outcomes: list[Outcome] = []
    for stem in STORIES:
        story = read_jsonl(DATA / f"{stem}.jsonl")
        outcomes += score_relative(
            ({**r, "article_id": a["id"]} for a in story for r in a["relative_dates"]),
            {a["id"]: a["text"] for a in story}, {a["id"]: a["date"] for a in story}, f"{stem} relative dates")
    dateline_counts: dict[str, Counter[str]] = {}
    if args.dev.is_file():
        dev = read_jsonl(args.dev)
        texts, dates = {a["id"]: a["text"] for a in dev}, {a["id"]: a["date"] for a in dev if a.get("date")}
        outcomes = score_relative(read_jsonl(DATA / "relative_dates.jsonl"), texts, dates,
                                  "relative_dates.jsonl") + outcomes
        found, dateline_counts = score_datelines(a for a in dev if a.get("date"))
        outcomes += found
    else:
        print(f"(dev articles not found at {args.dev}: relative_dates.jsonl and datelines skipped; "
              "give --dev path/to/news_id.jsonl)\n")
    for name in ("news_temporal_qa", *(f"{stem}_qa" for stem in STORIES)):
        rows = read_jsonl(DATA / f"{name}.jsonl")
        questions = score_questions(rows, name)
        outcomes += [Outcome(f"{name} (all kinds)", o.part, o.right, o.detail) for o in questions]
        outcomes += sorted(questions, key=lambda o: o.group)

    print("## Time expressions (core.text.when)\n")
    print("\n".join(table([o for o in outcomes if o.group != "datelines"])))
    if dateline_counts:
        print("\n## Datelines of the dated dev articles (date and URL hidden)\n")
        print("| part | articles | got a date | right | wrong | of which one day off |\n|---|---|---|---|---|---|")
        for part in PARTS:
            c = dateline_counts[part]
            print(f"| {part} | {c['articles']} | {c['got']} | {c['right']} | {c['wrong']} | {c['wrong by one day']} |")
    if args.show_failures:
        print(f"\n## Failures ({args.show_failures})\n")
        for o in outcomes:
            if not o.right and (args.show_failures == "all" or o.part == args.show_failures) \
                    and "(all kinds)" not in o.group:
                print(f"- [{o.group}] {o.detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
