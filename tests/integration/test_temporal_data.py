"""``core.text.when`` on the repository's temporal evaluation data (benchmarks/data/temporal/README.md): relative
dates in real dev articles and in the developing-story fixture resolved to their gold days, and the time scope of
every evaluation question. ``benchmarks/temporal_parse.py`` prints the same figures split into tune and test.

Floors are the measured level minus a small margin (figures of 2026-12-01 in each test); a drop below one means a
rule broke, not noise: everything here is deterministic."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.text.when import TimeMention, find_dates, question_scope
from tests.conftest import REPO, SHARED_EVAL, requires_shared_eval

DATA = REPO / "benchmarks" / "data" / "temporal"


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _gold(gold: str | list[str | None] | None) -> tuple[date | None, date | None] | None:
    if gold is None:
        return None
    first, last = (gold, gold) if isinstance(gold, str) else gold
    return (date.fromisoformat(first) if first else None, date.fromisoformat(last) if last else None)


def _named(mention: TimeMention) -> tuple[date | None, date | None]:
    """The days a mention names: "since Monday" names Monday (its range runs on to the anchor)."""
    if mention.kind == "since":
        return mention.range.start, mention.range.start
    if mention.kind == "as_of":
        return mention.range.end, mention.range.end
    return mention.range.start, mention.range.end


def _resolves(row: dict[str, Any], text: str, published: str) -> bool:
    """The mention sharing most characters with the row's expression names the gold days."""
    overlaps = [(min(row["end"], m.end) - max(row["start"], m.start), m)
                for m in find_dates(text, date.fromisoformat(published))]
    overlaps = [(n, m) for n, m in overlaps if n > 0]
    return bool(overlaps) and _named(max(overlaps, key=lambda o: o[0])[1]) == _gold(row["gold"])


def _scope_right(row: dict[str, Any]) -> bool:
    scope = question_scope(row["question"], date.fromisoformat(row["now"]))
    latest = row["kind"] == "latest" or any(p["kind"] == "latest" for p in row.get("parts") or [])
    kind = "none" if row["kind"] == "event_date" else row["kind"]  # "Kapan ... putus?" names no time
    got = (scope.range.start, scope.range.end) if scope.range else None
    return (scope.kind, scope.latest, got) == (kind, latest, _gold(row["range"]))


@requires_shared_eval()
def test_relative_dates_in_dev_articles_resolve_to_their_gold_days():
    articles = {a["id"]: a for a in _rows(SHARED_EVAL / "news_id.jsonl")}
    rows = _rows(DATA / "relative_dates.jsonl")
    right = [row for row in rows if _resolves(row, articles[row["article_id"]]["text"], row["published"])]
    # Measured 104/108 (.963: tune 19/19, test 85/89); the target is .95.
    assert len(right) / len(rows) >= 0.95, [r["expression"] for r in rows if r not in right]


@pytest.mark.parametrize("stem, misses", [
    ("developing_story", 1),  # measured 39/39, where the rules were written; the floor allows one miss
    # written blind to the rules (data README), measured after two fixes ("pagi tadi", "Rp 38.000 pekan lalu"):
    # 29/33 and 29/32; the rest are two days joined into one range, "sejak pekan lalu", "two days earlier",
    # "hingga Jumat" (a Friday to come). The floors allow one more miss each.
    ("developing_story_2", 5),
    ("developing_story_3", 4),
    ("developing_story_4", 1),  # blind too, measured 29/29
])
def test_relative_dates_of_the_developing_stories_resolve_to_their_gold_days(stem, misses):
    story = _rows(DATA / f"{stem}.jsonl")
    rows = [(row, article) for article in story for row in article["relative_dates"]]
    wrong = [row["expression"] for row, article in rows if not _resolves(row, article["text"], article["date"])]
    assert len(wrong) <= misses, wrong


@pytest.mark.parametrize("name, floor", [
    ("news_temporal_qa", 0.95),  # measured 84/85 (.988: tune 17/17, test 67/68); the floor allows three more misses
    ("developing_story_qa", 0.92),  # measured 25/26 (.962: tune 7/7, test 18/19); the floor allows one more miss
    ("developing_story_2_qa", 1.0),  # blind fixtures, all "latest": measured 12/12 each
    ("developing_story_3_qa", 1.0),
    ("developing_story_4_qa", 1.0),
])
def test_question_scopes_match_the_gold_kind_latest_and_range(name, floor):
    rows = _rows(DATA / f"{name}.jsonl")
    right = [row for row in rows if _scope_right(row)]
    assert len(right) / len(rows) >= floor, [r["question"] for r in rows if r not in right]
    latest = [row for row in rows if row["kind"] == "latest"]
    assert all(_scope_right(row) for row in latest)  # measured: every "latest" question in both files
