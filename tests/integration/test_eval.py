"""``warta eval``: the metric rules (tiny tests), the report, and a quality gate on a slice of the dev data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.eval.metrics import (
    canonical_number,
    contains_gold,
    distinct,
    first_hit_rank,
    hit_at_k,
    mean,
    normalize,
    part_of,
    percentile,
    reciprocal_rank,
)
from assistant.eval.report import summarize, to_markdown
from assistant.eval.run import AnswerOutcome, EvalRun, QAItem, QuestionResult, load_qa, sample
from assistant.eval.store import EvalStore
from core.errors import SourceError
from tests.conftest import SHARED_EVAL, requires_shared_eval
from ui.cli import main

# --- normalization and gold matching --------------------------------------------------------------


@pytest.mark.parametrize("a, b", [
    ("US$14,3 miliar", "US$ 14.3 miliar"),
    ("1.000", "1000"),
    ("1,000", "1000"),
    ("Rp1.000.000,50", "rp 1000000.50"),
    ("1.234,5", "1,234.5"),
    ("G - 8", "G-8"),
    ("\u201cBappenas\u201d!", "bappenas"),
    ("  Muntiacus\n muntjak. ", "Muntiacus muntjak"),
    ("Café", "cafe"),
    ("Perancis [1].", "perancis"),
])
def test_normalize_treats_these_spellings_as_equal(a, b):
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize("a, b", [("14,3", "143"), ("1.5", "15"), ("10", "1"), ("2010", "2.010,5")])
def test_normalize_keeps_different_numbers_apart(a, b):
    assert normalize(a) != normalize(b)


@pytest.mark.parametrize("token, expected", [
    ("14,3", "14.3"), ("14.3", "14.3"), ("1.000", "1000"), ("14,300", "14300"),
    ("1.000.000", "1000000"), ("1.234,56", "1234.56"), ("1,234.56", "1234.56"), ("7", "7"),
])
def test_canonical_number(token, expected):
    assert canonical_number(token) == expected


def test_contains_gold_matches_whole_words_after_normalization():
    assert contains_gold("US$14,3 miliar", ["14.3 miliar"])
    answer = "Menurut artikel: Meta membayar US$14,3 miliar [1] untuk saham Scale AI."
    assert contains_gold(answer, ["14.3 miliar"])
    assert contains_gold(answer, ["tidak ada", "scale ai"])  # any of the answers
    assert not contains_gold(answer, ["14"])  # "14" is not "14.3"
    assert not contains_gold(answer, ["1"])  # the citation marker is not an answer
    assert not contains_gold("Bappenasnya", ["Bappenas"])
    assert not contains_gold("anything", ["", "  "])  # empty gold never matches


def test_a_gold_value_is_not_found_in_the_dates_warta_writes_around_an_answer():
    from assistant.eval.run import without_own_dates

    answer = ("Menurut artikel: Dua korban luka masih dirawat [1].\n\nSumber terbaru: 16 November 2027 [1].\n\n"
              "> Sebelumnya (10 November 2027): Jumlah korban meninggal 13 orang [2].")
    assert contains_gold(answer, ["16"])  # the newest source's date, not a death toll
    assert not contains_gold(without_own_dates(answer), ["16"])
    assert not contains_gold(without_own_dates(answer), ["10"])
    assert contains_gold(without_own_dates(answer), ["13 orang"])  # what the quotes say still counts
    english = "From the articles: 16 dead [1].\n\nNewest source: 16 November 2027 [1]."
    assert contains_gold(without_own_dates(english), ["16 dead"])


# --- ranking metrics ------------------------------------------------------------------------------

RANKED = ["a", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]  # "a" twice: two chunks of one article


def test_distinct_keeps_first_occurrences_in_order():
    assert distinct(RANKED)[:3] == ["a", "b", "c"]


@pytest.mark.parametrize("gold, rank", [({"a"}, 1), ({"b"}, 2), ({"z", "d"}, 4), ({"k"}, 11), ({"z"}, None),
                                        (set(), None)])
def test_first_hit_rank_counts_distinct_articles(gold, rank):
    assert first_hit_rank(RANKED, gold) == rank


@pytest.mark.parametrize("gold, k, expected", [({"a"}, 1, 1.0), ({"b"}, 1, 0.0), ({"b"}, 5, 1.0),
                                               ({"f"}, 5, 0.0), ({"e", "c"}, 5, 1.0), ({"z"}, 10, 0.0)])
def test_hit_at_k(gold, k, expected):
    assert hit_at_k(RANKED, gold, k) == expected


@pytest.mark.parametrize("gold, expected", [({"a"}, 1.0), ({"c"}, 1 / 3), ({"j"}, 0.1), ({"k"}, 0.0), ({"z"}, 0.0)])
def test_reciprocal_rank_at_10(gold, expected):
    assert reciprocal_rank(RANKED, gold, 10) == pytest.approx(expected)


def test_mrr_of_a_hand_made_set():
    rankings = [(["x", "y"], {"x"}), (["x", "y"], {"y"}), (["x", "y"], {"q"})]
    assert mean(reciprocal_rank(r, g) for r, g in rankings) == pytest.approx((1 + 0.5 + 0) / 3)


def test_percentiles_interpolate_like_numpy():
    values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert percentile(values, 50) == pytest.approx(55.0)
    assert percentile(values, 95) == pytest.approx(95.5)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None and mean([]) is None
    with pytest.raises(ValueError):
        percentile(values, 101)


# --- inputs and the report ------------------------------------------------------------------------


def test_load_qa_merges_answer_languages_and_gold_ids(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"id": "q1", "question": "In what country is Normandy located?", "answers": ["Perancis"],
         "answers_en": ["France"], "gold_passage_id": "p1", "passages_containing_answer": ["p1", "p7"]},
        {"question": "Siapa presiden pertama Indonesia?", "answers": ["Soekarno"], "gold_passage_id": "p2"},
    ]) + "\n\n")
    first, second = load_qa(path)
    assert first.answers == ("Perancis", "France") and first.gold_ids == {"p1", "p7"}
    assert first.dataset == "mine" and first.lang == "en"  # detected when the record has no lang
    assert second.id == "mine.jsonl:2" and second.lang == "id" and second.gold_ids == {"p2"}
    assert load_qa(path, unanswerable=True)[0].gold_ids == frozenset()


def test_load_qa_names_the_bad_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "ok?"}\n{"answers": ["x"]}\n')
    with pytest.raises(SourceError, match=r"bad.jsonl:2.*'question'"):
        load_qa(path)


def test_sample_is_reproducible_and_keeps_file_order():
    items = [QAItem(str(i), f"q{i}", "id", "set") for i in range(50)]
    a, b = sample(items, 10, seed=3), sample(items, 10, seed=3)
    assert a == b and len(a) == 10 and [int(x.id) for x in a] == sorted(int(x.id) for x in a)
    assert sample(items, 10, seed=4) != a and sample(items, None, 0) == items


def test_tune_and_test_parts_split_every_set_one_to_four_and_never_overlap():
    items = [QAItem(f"q-{i}", f"q{i}", "id", "set") for i in range(1000)]
    tune, test = sample(items, None, 0, "tune"), sample(items, None, 0, "test")
    assert not {i.id for i in tune} & {i.id for i in test} and len(tune) + len(test) == 1000
    assert 150 < len(tune) < 250  # one fifth
    assert sample(list(reversed(items)), None, 0, "tune") == list(reversed(tune))  # by id, not by position
    assert [part_of(i.id) for i in tune] == ["tune"] * len(tune)


def _result(qid, lang, gold, ranked, *, refused=False, good=True, cited=(), with_gold=0, unanswerable=False):
    item = QAItem(qid, "?", lang, "demo (unanswerable)" if unanswerable else "demo", ("x",),
                  frozenset() if unanswerable else frozenset(gold), unanswerable)
    answer = AnswerOutcome("text", refused, None if unanswerable else good and not refused, tuple(cited), with_gold,
                           {"retrieve": 10.0, "first_token": 20.0, "total": 30.0})
    return QuestionResult(item, {"hybrid": tuple(ranked)}, {"hybrid": not refused}, {"hybrid": 5.0}, answer)


def test_summary_and_markdown_per_set_and_language(tmp_path):
    results = (
        _result("1", "id", {"a"}, ["a", "b"], cited=["a", "b"], with_gold=1),
        _result("2", "id", {"b"}, ["a", "b"], good=False, cited=["a"]),
        _result("3", "en", {"c"}, ["a", "b"], refused=True),
        _result("4", "en", (), ["a"], refused=True, unanswerable=True),
        _result("5", "en", (), ["a"], unanswerable=True),
    )
    store = EvalStore(None, tmp_path, "0" * 64, False, 3, 3)
    groups = summarize(EvalRun("p.jsonl", store, ("hybrid",), "extractive", results, 0, None))
    by_key = {(g.dataset, g.lang): g for g in groups}
    assert list(by_key) == [("demo", "all"), ("demo", "id"), ("demo", "en"), ("demo (unanswerable)", "en")]
    all_ = by_key["demo", "all"]
    assert all_.retrieval["hybrid"]["hit@1"] == pytest.approx(1 / 3)
    assert all_.retrieval["hybrid"]["hit@5"] == pytest.approx(2 / 3)
    assert all_.retrieval["hybrid"]["mrr@10"] == pytest.approx((1 + 0.5) / 3)
    assert all_.answers["contains_gold"] == pytest.approx(1 / 3)
    assert all_.answers["citation_precision"] == pytest.approx(1 / 3)  # 1 of 3 cited passages holds a gold answer
    assert all_.answers["refused"] == pytest.approx(1 / 3)
    assert by_key["demo (unanswerable)", "en"].answers["refused"] == 0.5
    text = to_markdown(EvalRun("p.jsonl", store, ("hybrid",), "extractive", results, 0, None), groups)
    assert "| demo | id | 2 | hybrid | 0.500 | 1.000 | 0.750 |" in text
    assert "| demo (unanswerable) | en | unanswerable (correct refusals) | 2 | 0.500 |" in text
    assert "| demo | all | answerable (false refusals) | 3 | 0.333 |" in text


# --- the quality gate: `warta eval` through the CLI on a slice of the dev data ---------------------


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _slice(tmp_path: Path, name: str, passages: str, qa: str, n: int, every: int,
           max_gold: int = 10) -> tuple[Path, Path]:
    """The first ``n`` questions with at most ``max_gold`` answer passages; their passages plus every ``every``-th.

    Questions whose answer is in very many passages ("Indonesia") are skipped: they would need most of the file.
    """
    questions = [q for q in _jsonl(SHARED_EVAL / qa) if len(q.get("passages_containing_answer", ())) <= max_gold][:n]
    needed = {q["gold_passage_id"] for q in questions}
    needed |= {p for q in questions for p in q.get("passages_containing_answer", ())}
    rows = _jsonl(SHARED_EVAL / passages)
    chosen = [p for i, p in enumerate(rows) if p["id"] in needed or i % every == 0]
    return _write(tmp_path / f"{name}_passages.jsonl", chosen), _write(tmp_path / f"{name}_qa.jsonl", questions)


def _eval(capsys, *args: str) -> tuple[str, dict]:
    out_json = Path(args[args.index("--out") + 1])
    code = main(["eval", "-q", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    return out, json.loads(out_json.read_text())


def _figures(results: dict, dataset: str, lang: str) -> dict:
    return next(g for g in results["summary"] if g["dataset"] == dataset and g["lang"] == lang)


@requires_shared_eval()
@pytest.mark.slow
def test_quality_gate_on_a_dev_slice(cli_env, capsys, tmp_path):
    """Floors a little below the measured level of this slice (see the comments); a drop means a regression."""
    facqa_passages, facqa_qa = _slice(tmp_path, "facqa", "facqa_passages.jsonl", "facqa_qa.jsonl", 30, every=8)
    xling_passages, xling_qa = _slice(tmp_path, "xling", "xling_squad_passages_id.jsonl", "xling_squad_qa.jsonl",
                                      30, every=4)

    out, facqa = _eval(capsys, "--passages", str(facqa_passages), "--qa", str(facqa_qa),
                       "--unanswerable", str(xling_qa), "--backend", "extractive", "--modes", "hybrid,dense",
                       "--out", str(tmp_path / "facqa.json"), "--plot", str(tmp_path / "facqa.png"))
    assert "| facqa_qa | id | 30 | hybrid |" in out and "unanswerable (correct refusals)" in out
    assert (tmp_path / "facqa.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    figures = _figures(facqa, "facqa_qa", "id")
    # Measured (2026-11-25, e5-small, default settings): hit@5 1.0 hybrid and dense, contains gold .900,
    # false refusals .033, correct refusals 1.0. Floors allow about two more misses in 30.
    assert figures["retrieval"]["hybrid"]["hit@5"] >= 0.93
    assert figures["retrieval"]["dense"]["hit@5"] >= 0.93
    assert figures["answers"]["contains_gold"] >= 0.83
    assert figures["answers"]["refused"] <= 0.10
    unanswerable = _figures(facqa, "xling_qa (unanswerable)", "en")["answers"]
    assert unanswerable["refused"] >= 0.90 and unanswerable["contains_gold"] is None

    out, xling = _eval(capsys, "--passages", str(xling_passages), "--qa", str(xling_qa), "--retrieval-only",
                       "--modes", "hybrid,dense", "--out", str(tmp_path / "xling.json"))
    figures = _figures(xling, "xling_qa", "en")
    assert figures["retrieval"]["hybrid"]["hit@5"] >= 0.90  # measured .967 (EN questions, ID passages)
    assert figures["retrieval"]["hybrid"]["hit@5"] >= figures["retrieval"]["dense"]["hit@5"]  # fusion must not hurt
    assert not xling["store"]["reused"]

    # Again: the isolated store is reused, not rebuilt, and the user's own index stays empty.
    _, again = _eval(capsys, "--passages", str(xling_passages), "--qa", str(xling_qa), "--retrieval-only",
                     "--limit", "3", "--seed", "1", "--out", str(tmp_path / "again.json"))
    assert again["store"]["reused"] and again["store"]["folder"] == xling["store"]["folder"]
    assert len(again["questions"]) == 3
    assert main(["stats", "--json"]) == 0 and json.loads(capsys.readouterr().out)["articles"] == 0


def test_eval_input_problems_are_one_line_messages(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WARTA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"id": "q1", "question": "Siapa?", "answers": ["x"], "gold_passage_id": "p1"}) + "\n")
    assert main(["eval", "--passages", str(tmp_path / "missing.jsonl"), "--qa", str(qa)]) == 2
    assert "missing.jsonl" in capsys.readouterr().err
    assert main(["eval", "--passages", str(qa), "--qa", str(qa), "--modes", "hybrid,bm25"]) == 2
    err = capsys.readouterr().err
    assert "'bm25'" in err and "hybrid, dense, keyword" in err and "Traceback" not in err
    with pytest.raises(SystemExit):
        main(["eval", "--passages", str(qa), "--qa", str(qa), "--limit", "0"])


@pytest.mark.parametrize("text, lang, expected", [
    ("Meta berinvestasi sebesar US$14,3 miliar di Scale AI [1].", "id", True),
    ("Meta invested US$14.3 billion in Scale AI [1].", "id", False),
    ("Meta invested US$14.3 billion in Scale AI [1].", "en", True),
    ("From the articles (quoted in their original language): Meta berinvestasi US$14,3 miliar [1].", "en", True),
    ("Menurut artikel: Meta berinvestasi US$14,3 miliar [1].", "en", False),
    ("anything", "other", None),
])
def test_answer_language_is_judged_without_markers_and_quotes(text, lang, expected):
    from assistant.eval.run import answer_in_language

    assert answer_in_language(text, lang) is expected


# Measured 2026-11-30 on the test part (README): FacQA hybrid hit@1 .850 (dense .780); xling hybrid .693 / .930
# (dense .605 / .912). Floors allow about two more misses.
FACQA_HIT1, XLING_HIT1, XLING_HIT5 = 0.83, 0.67, 0.91


@requires_shared_eval()
@pytest.mark.slow
def test_hybrid_beats_dense_on_the_held_out_part_of_the_dev_sets(cli_env, capsys, tmp_path):
    """Retrieval quality on the test part (folds 1-4, never used for choosing weights) of two whole dev sets.

    Floors a little under the figures measured 2026-11-30 (README, "Quality on the dev data"); a drop means a
    regression in fusion, coverage or the cross-lingual lexicon."""
    figures = {}
    for name, passages, qa in [("facqa", "facqa_passages.jsonl", "facqa_qa.jsonl"),
                               ("xling", "xling_squad_passages_id.jsonl", "xling_squad_qa.jsonl")]:
        _, run = _eval(capsys, "--passages", str(SHARED_EVAL / passages), "--qa", str(SHARED_EVAL / qa),
                       "--retrieval-only", "--modes", "hybrid,dense", "--part", "test",
                       "--out", str(tmp_path / f"{name}.json"))
        figures[name] = _figures(run, Path(qa).stem, "id" if name == "facqa" else "en")["retrieval"]
    facqa, xling = figures["facqa"], figures["xling"]
    assert facqa["hybrid"]["hit@1"] >= FACQA_HIT1 and facqa["hybrid"]["hit@5"] >= facqa["dense"]["hit@5"]
    assert facqa["hybrid"]["hit@1"] >= facqa["dense"]["hit@1"] + 0.02
    assert xling["hybrid"]["hit@1"] >= XLING_HIT1 and xling["hybrid"]["hit@5"] >= XLING_HIT5
    assert xling["hybrid"]["hit@1"] >= xling["dense"]["hit@1"] + 0.02
