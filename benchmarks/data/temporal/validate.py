"""Check the temporal evaluation data in this folder; exit 1 and list every problem if one is found.

    python benchmarks/data/temporal/validate.py [path/to/news_id.jsonl]

Checks that every file parses, ids are unique, kinds/languages/dates are well formed, every
expression occurs where it is said to occur, gold articles lie inside the asked range (and the
"fallback" ones outside it), and that fixture gold values are printed in the fixture articles of
their date. Checks against the dev articles (ids exist, are dated, offsets match the text, weekdays
agree with resolved dates) run only when the dev file is present; otherwise they are skipped with a
message. The dev file is the first argument, else ``$WARTA_EVAL_DIR/news_id.jsonl``, else
``<repo>/../shared/eval/dev/news_id.jsonl``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
KINDS = {"absolute", "relative", "since", "latest"}
FIXTURE_KINDS = KINDS | {"as_of", "event_date"}
WEEKDAYS = {"senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "sabtu": 5, "minggu": 6, "ahad": 6}
EN_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
# "(5/9)", "(05/10)", "(18//3)", "(13/3/ 2017)", "(25/1/2018": day/month[/year] as Indonesian datelines write them
DAY_MONTH = re.compile(r"\(\s*(\d{1,2})\s*/+\s*(\d{1,2})(?:\s*/\s*(\d{2,4}))?")

problems: list[str] = []


def problem(where: str, message: str) -> None:
    problems.append(f"{where}: {message}")


def load(name: str) -> list[dict[str, Any]]:
    rows = []
    with open(HERE / name, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                problem(f"{name}:{number}", f"not JSON ({error})")
    return rows


def date(value: Any, where: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        problem(where, f"not an ISO date: {value!r}")
        return None


def span(value: Any, where: str, open_start: bool = False) -> tuple[dt.date, dt.date] | None:
    """A [from, to] pair of ISO dates, from <= to; ``open_start`` allows [null, to] ("as of")."""
    if not (isinstance(value, list) and len(value) == 2):
        problem(where, f"range must be [from, to], got {value!r}")
        return None
    if open_start and value[0] is None:
        end = date(value[1], where)
        return (dt.date.min, end) if end else None
    start, end = date(value[0], where), date(value[1], where)
    if start and end and start > end:
        problem(where, f"range runs backwards: {value!r}")
    return (start, end) if start and end else None


def unique(rows: list[dict[str, Any]], key: str, name: str) -> None:
    for value, count in Counter(row.get(key) for row in rows).items():
        if count > 1:
            problem(name, f"{key} {value!r} occurs {count} times")


def check_resolution(expression: str, gold: Any, where: str) -> None:
    """A single resolved date must agree with a weekday and a (day/month[/year]) written in the expression."""
    if not isinstance(gold, str):
        span(gold, where)
        return
    resolved = date(gold, where)
    if resolved is None:
        return
    words = re.findall(r"[\w']+", expression.lower())
    named = [WEEKDAYS.get(word, EN_WEEKDAYS.get(word.removesuffix("'s"))) for word in words]
    named_days = {day for day in named if day is not None}
    if len(named_days) == 1 and resolved.weekday() not in named_days:
        problem(where, f"{expression!r} names another weekday than {gold} ({resolved:%A})")
    match = DAY_MONTH.search(expression)
    if match:
        day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
        if (resolved.day, resolved.month) != (day, month):
            problem(where, f"{expression!r} does not say {gold}")
        if year and int(year) % 100 != resolved.year % 100:
            problem(where, f"{expression!r} gives another year than {gold}")


def check_question(row: dict[str, Any], name: str, kinds: set[str]) -> tuple[str, Any, Any]:
    """What every question row must hold (kind, language, a valid "now", its expressions inside the question);
    returns where it is, its kind and its "now"."""
    where = f"{name} {row.get('id')}"
    kind, question = row.get("kind"), row.get("question", "")
    if kind not in kinds:
        problem(where, f"kind {kind!r} not in {sorted(kinds)}")
    if row.get("lang") not in {"id", "en"}:
        problem(where, f"lang {row.get('lang')!r}")
    now = date(row.get("now"), where)
    for part in [row, *row.get("parts", [])]:
        if part.get("expression") and part["expression"].lower() not in question.lower():
            problem(where, f"expression {part['expression']!r} is not in the question")
    return where, kind, now


def check_news_qa(rows: list[dict[str, Any]], articles: dict[str, dict[str, Any]] | None) -> None:
    name = "news_temporal_qa.jsonl"
    unique(rows, "id", name)
    for row in rows:
        where, kind, now = check_question(row, name, KINDS)
        rng = None
        if kind == "latest":
            if row.get("range") is not None:
                problem(where, "a latest question has range null")
        else:
            rng = span(row.get("range"), where)
            if kind == "since" and rng and now and rng[1] > now:
                problem(where, "a since range ends by now")
        gold, topic = row.get("gold_ids", []), row.get("topic_ids", [])
        if not set(gold) <= set(topic):
            problem(where, "gold_ids not all in topic_ids")
        if not gold and not row.get("fallback_ids"):
            problem(where, "no gold_ids and no fallback_ids")
        if articles is None:
            continue
        for article_id in [*gold, *row.get("fallback_ids", []), *topic]:
            if article_id not in articles:
                problem(where, f"unknown article {article_id!r}")
        dated = {
            article_id: dt.date.fromisoformat(articles[article_id]["date"])
            for article_id in [*gold, *row.get("fallback_ids", [])]
            if article_id in articles and articles[article_id].get("date")
        }
        for article_id in [*gold, *row.get("fallback_ids", [])]:
            if article_id in articles and article_id not in dated:
                problem(where, f"gold article {article_id} has no date")
        gold_dates = [dated[article_id] for article_id in gold if article_id in dated]
        if now and any(day > now for day in gold_dates):
            problem(where, "a gold article is dated after now")
        if kind == "latest" and gold_dates != sorted(gold_dates, reverse=True):
            problem(where, "latest gold_ids are not newest first")
        if rng:
            for article_id in gold:
                if article_id in dated and not rng[0] <= dated[article_id] <= rng[1]:
                    problem(where, f"gold {article_id} ({dated[article_id]}) outside {row['range']}")
            for article_id in row.get("fallback_ids", []):
                if article_id in dated and rng[0] <= dated[article_id] <= rng[1]:
                    problem(where, f"fallback {article_id} ({dated[article_id]}) inside {row['range']}")


def check_relative_dates(rows: list[dict[str, Any]], articles: dict[str, dict[str, Any]] | None) -> None:
    name = "relative_dates.jsonl"
    keys = Counter((row.get("article_id"), row.get("start")) for row in rows)
    for key, count in keys.items():
        if count > 1:
            problem(name, f"{key} occurs {count} times")
    for number, row in enumerate(rows, 1):
        where = f"{name}:{number}"
        check_resolution(row.get("expression", ""), row.get("gold"), where)
        date(row.get("published"), where)
        if articles is None:
            continue
        article = articles.get(row.get("article_id", ""))
        if article is None:
            problem(where, f"unknown article {row.get('article_id')!r}")
            continue
        if article.get("date") != row.get("published"):
            problem(where, f"published {row.get('published')} but the article is dated {article.get('date')}")
        if article["text"][row["start"] : row["end"]] != row.get("expression"):
            problem(where, f"text[{row['start']}:{row['end']}] is not {row.get('expression')!r}")


def mentions(text: str, value: str) -> bool:
    """Whether ``value`` is printed in ``text``: case-insensitive, whole words, "3.500" also as "3,500"."""
    forms = {value, value.replace(".", ","), value.replace(",", ".")}
    return any(re.search(rf"(?<![\w.,]){re.escape(form)}(?![\w]|[.,]\d)", text, re.IGNORECASE) for form in forms)


# the developing stories: the first is where rules were written, the others were written blind (README)
FIXTURES = sorted(p.stem for p in HERE.glob("developing_story*.jsonl") if not p.stem.endswith("_qa"))


def check_fixture(articles: list[dict[str, Any]], questions: list[dict[str, Any]],
                  stem: str = "developing_story") -> None:
    name = f"{stem}.jsonl"
    unique(articles, "id", name)
    by_id = {article["id"]: article for article in articles}
    for article in articles:
        where = f"{name} {article.get('id')}"
        date(article.get("date"), where)
        if article.get("lang") not in {"id", "en"} or not str(article.get("url", "")).startswith("https://example.id/"):
            problem(where, "lang must be id/en and url a fake https://example.id/ address")
        for annotation in article.get("relative_dates", []):
            text = article["text"][annotation["start"] : annotation["end"]]
            if text != annotation["expression"]:
                problem(where, f"text[{annotation['start']}:{annotation['end']}] is not {annotation['expression']!r}")
            check_resolution(annotation["expression"], annotation["gold"], where)

    name = f"{stem}_qa.jsonl"
    unique(questions, "id", name)
    for row in questions:
        where, kind, now = check_question(row, name, FIXTURE_KINDS)
        gold = row.get("gold_ids", [])
        if not gold or any(article_id not in by_id for article_id in [*gold, *row.get("topic_ids", [])]):
            problem(where, "gold_ids empty or an id not in the fixture")
            continue
        days = [dt.date.fromisoformat(by_id[article_id]["date"]) for article_id in gold]
        gold_date = date(row.get("gold_date"), where)
        if now and any(day > now for day in days):
            problem(where, "a gold article is dated after now")
        if days != sorted(days, reverse=True) or (gold_date and days[0] != gold_date):
            problem(where, "gold_ids must be newest first, the first one dated gold_date")
        if kind in {"absolute", "relative", "since", "as_of"}:
            rng = span(row.get("range"), where, open_start=kind == "as_of")
            if rng and not all(rng[0] <= day <= rng[1] for day in days):
                problem(where, f"gold article outside {row['range']}")
        elif row.get("range") is not None:
            problem(where, f"a {kind} question has range null")
        if kind == "event_date":
            resolved = {
                str(annotation["gold"]) for article_id in gold for annotation in by_id[article_id]["relative_dates"]
            }
            if row.get("gold_value") not in resolved:
                problem(where, f"no gold article has a relative date resolving to {row.get('gold_value')}")
            continue
        same_day = [
            by_id[article_id]["text"] for article_id in gold if by_id[article_id]["date"] == row.get("gold_date")
        ]
        if not any(mentions(text, row.get("gold_value", "")) for text in same_day):
            problem(
                where, f"gold value {row.get('gold_value')!r} not printed in a gold article of {row.get('gold_date')}"
            )
        for older in row.get("older_values", []):
            texts = [article["text"] for article in articles if article["date"] == older["date"]]
            if not any(mentions(text, older["value"]) for text in texts):
                problem(where, f"older value {older['value']!r} not printed in a fixture article of {older['date']}")


def dev_articles(argv: list[str]) -> dict[str, dict[str, Any]] | None:
    default = Path(os.environ.get("WARTA_EVAL_DIR", REPO.parent / "shared" / "eval" / "dev")) / "news_id.jsonl"
    path = Path(argv[1]) if len(argv) > 1 else default
    if not path.is_file():
        if len(argv) > 1:
            problem(str(path), "no such file (the dev articles named on the command line)")
        print(f"skipped: checks against the dev articles ({path} is absent)")
        return None
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["id"]: row for row in rows}


def main(argv: list[str]) -> int:
    articles = dev_articles(argv)
    qa, relative = load("news_temporal_qa.jsonl"), load("relative_dates.jsonl")
    stories = {stem: (load(f"{stem}.jsonl"), load(f"{stem}_qa.jsonl")) for stem in FIXTURES}
    check_news_qa(qa, articles)
    check_relative_dates(relative, articles)
    for stem, (story, story_qa) in stories.items():
        check_fixture(story, story_qa, stem)
    print(
        f"news_temporal_qa: {len(qa)} questions {dict(Counter(row.get('kind') for row in qa))} "
        f"{dict(Counter(row.get('lang') for row in qa))}"
    )
    print(f"relative_dates: {len(relative)} expressions in {len({row.get('article_id') for row in relative})} articles")
    for stem, (story, story_qa) in stories.items():
        print(f"{stem}: {len(story)} articles, {len(story_qa)} questions "
              f"{dict(Counter(row.get('kind') for row in story_qa))}")
    for line in problems:
        print(f"problem: {line}")
    print("ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
