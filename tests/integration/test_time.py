"""Time as a user meets it, on real components (the e5 model, Chroma, BM25, the CLI): publish dates found at
ingest and shown, a date range asked in a question searched softly, "latest" questions answered from the newest
article with its date, relative dates in passages resolved. The story is the invented developing-story fixture of
``benchmarks/data/temporal`` (a flash flood, 5-10 February 2024, death toll 3 -> 7 -> 12 -> 18)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from assistant.assistant import Assistant
from assistant.cite import refusal
from assistant.prompts import EXTRACTIVE_LEAD, OUTDATED_NOTE
from ingest.ingestor import Ingestor
from store.catalog import Catalog
from tests.conftest import REPO, run_cli, scripted_chat

TEMPORAL = REPO / "benchmarks" / "data" / "temporal"
STORY = TEMPORAL / "developing_story.jsonl"


def _story(path, tmp_path_factory, models_dir, embedder, llm=None) -> Assistant:
    from tests.conftest import make_settings

    answer = {"backend": "local"} if llm is not None else {}
    settings = make_settings(tmp_path_factory.mktemp("story") / "data", models_dir, answer=answer)
    articles = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    source = tmp_path_factory.mktemp("src") / "story.jsonl"
    source.write_text("\n".join(json.dumps({k: a[k] for k in ("id", "title", "text", "date", "outlet", "url", "lang")},
                                           ensure_ascii=False) for a in articles), encoding="utf-8")
    report = Ingestor(settings, embedder=embedder).ingest([str(source)])
    assert report.count("added") == len(articles)
    return Assistant(settings, embedder=embedder, llm=llm)


@pytest.fixture(scope="module")
def story(tmp_path_factory, models_dir, embedder) -> Assistant:
    return _story(STORY, tmp_path_factory, models_dir, embedder)


@pytest.fixture(scope="module")
def ferry(tmp_path_factory, models_dir, embedder) -> Assistant:
    """The ferry sinking of March 2025, reported in Indonesian and English (``developing_story_3.jsonl``)."""
    return _story(TEMPORAL / "developing_story_3.jsonl", tmp_path_factory, models_dir, embedder)


def test_ingest_finds_publish_dates_says_how_and_counts_the_undated(cli_env, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("WARTA_INGEST_DATELINE_DATES", "true")  # off by default (approximate)
    rows = [
        {"id": "field", "title": "Harga beras naik", "text": "Harga beras naik lagi di pasar induk. " * 5,
         "date": "2024-02-06"},
        {"id": "url", "title": "Timnas menang", "url": "http://poskotanews.com/2017/12/23/timnas-menang/",
         "text": "Timnas menang 3-0 atas Malaysia di Stadion Utama. " * 5},
        {"id": "dateline", "title": "Jalan tol diresmikan",
         "text": "Jakarta, CNN Indonesia -- Presiden meresmikan jalan tol Trans Jawa pada Senin (6/11). "
                 "Proyek yang dimulai 2015 itu selesai pada 2017, kata menteri. " * 3},
        {"id": "undated", "title": "Resep rendang", "text": "Rendang dimasak perlahan dengan santan dan rempah. " * 5},
    ]
    source = tmp_path / "mixed.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    code, out, _ = run_cli(capsys, "ingest", "-q", str(source))
    assert code == 0 and "4 added" in out and "1 stored article without a publish date" in out
    code, out, _ = run_cli(capsys, "list", "--json")
    listed = {a["id"]: (a["published"], a["date_source"]) for a in json.loads(out)}
    assert listed == {"field": ("2024-02-06", "field"), "url": ("2017-12-23", "url"),
                      "dateline": ("2017-11-06", "dateline"), "undated": ("", "none")}
    code, out, _ = run_cli(capsys, "list")
    assert "2017-11-06 (dateline)" in out and "no date" in out


def test_a_catalog_from_before_date_sources_opens_and_keeps_its_articles(tmp_path):
    path = tmp_path / "catalog.sqlite"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE articles (id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, url TEXT NOT NULL,
            published TEXT NOT NULL, outlet TEXT NOT NULL, lang TEXT NOT NULL, source TEXT NOT NULL,
            content_hash TEXT NOT NULL, n_chunks INTEGER NOT NULL, ingested_at TEXT NOT NULL);
        INSERT INTO articles VALUES ('a1', 'Judul', 'Teks', '', '2017-01-02', 'Antara', 'id', 'x.jsonl:1', 'h', 1,
            '2026-11-01T00:00:00+00:00');
    """)
    old.close()
    (info,) = Catalog(path).articles()
    assert (info.id, info.published, info.date_source) == ("a1", "2017-01-02", "")
    assert [a.date_source for a in Catalog(path).iter_articles()] == [""]  # opening twice adds nothing twice


def test_latest_question_is_answered_from_the_newest_article_with_its_date(story):
    answer = story.ask("Berapa jumlah korban meninggal banjir Tirtamaya terbaru?", now=date(2024, 2, 11))
    assert not answer.refused and answer.time.scope.latest
    assert "18 orang" in answer.text.split("\n\n")[0]
    newest = max(c.published for c in answer.citations)
    assert newest >= "2024-02-08"  # 18 was first reported on 8 February and repeated after
    assert "Sumber terbaru:" in answer.text and "Februari 2024" in answer.text


def test_while_the_story_develops_later_articles_do_not_count(story):
    # asked on 7 February: "latest" is what was known then (12 dead), not the 18 reported from 8 February on
    answer = story.ask("Berapa jumlah korban meninggal banjir Tirtamaya terbaru?", now=date(2024, 2, 7))
    assert not answer.refused and answer.citations
    assert max(c.published for c in answer.citations) == "2024-02-07"
    assert "12 orang" in answer.citations[0].passage and "18" not in answer.text
    assert "Sumber terbaru: 7 Februari 2024 [1]." in answer.text
    assert "Sebelumnya (6 Februari 2024):" in answer.text  # what the older report said


def test_people_counted_by_a_plain_noun_get_the_newest_figure_of_what_is_asked_about_them(story, models_dir):
    # every report counts people ("tetap 18 orang" dead, the newest report's lead); the question asks how many are
    # displaced: 2.800 on 10 February, after 5.100 on 8 February, and the line about the older report says 5.100
    if story.retriever.dictionary.get() is None:
        pytest.skip("the dictionary could not be downloaded from deb.debian.org (no network to Debian's archive)")
    answer = story.ask("How many people are currently displaced by the Tirtamaya flood?", now=date(2024, 2, 11))
    first = answer.text.split("\n\n")[0]
    assert not answer.refused and answer.time.scope.latest
    assert "2.800" in first and "18 orang" not in first
    assert "Newest source: 10 February 2024" in answer.text
    assert "5.100" in answer.text.split("Earlier (")[1] or "5,100" in answer.text.split("Earlier (")[1]


def test_an_english_latest_question_gets_the_newest_figure_from_an_indonesian_report(ferry, models_dir):
    # the English reports win on keywords; the newest figure of the rescue personnel is in an Indonesian one
    # ("jumlah personel dikurangi menjadi 450 orang", 11 March), after 520 on 8 March
    if ferry.retriever.dictionary.get() is None:
        pytest.skip("the dictionary could not be downloaded from deb.debian.org (no network to Debian's archive)")
    answer = ferry.ask("How many rescue personnel are deployed now in the KMP Citra Bahari search?",
                       now=date(2025, 3, 13))
    first = answer.text.split("\n\n")[0]
    assert not answer.refused and answer.time.scope.latest
    assert "450" in first and "520" not in first
    assert any(c.published == "2025-03-11" and "450" in c.passage for c in answer.citations)
    assert "Newest source: 11 March 2025" in answer.text


def test_a_model_answer_with_an_older_figure_gives_way_to_the_newest_report(tmp_path_factory, models_dir, embedder):
    # the model read the toll of 10 March (28); the newest report (12 March) says 33: the user must not read 28
    # as the latest figure above a quote that says 33
    question = "What is the latest death toll from the sinking of the KMP Citra Bahari ferry?"
    path = TEMPORAL / "developing_story_3.jsonl"
    older = _story(path, tmp_path_factory, models_dir, embedder, scripted_chat("The death toll has reached 28 [1]."))
    answer = older.ask(question, now=date(2025, 3, 13))
    first = answer.text.split("\n\n")[0]
    assert answer.note == OUTDATED_NOTE["en"] and not answer.refused
    assert first.startswith(EXTRACTIVE_LEAD["en"]) and "33" in first and "28" not in first
    assert "Newest source: 12 March 2025" in answer.text
    # a model answer that gives the newest report's figure stays, with the quote under it
    newest = _story(path, tmp_path_factory, models_dir, embedder, scripted_chat("The death toll has risen to 33 [1]."))
    answer = newest.ask(question, now=date(2025, 3, 13))
    assert answer.text.startswith("The death toll has risen to 33") and not answer.note
    assert "Newest source: 12 March 2025" in answer.text


def test_a_model_that_finds_no_latest_figure_gives_way_to_the_newest_report_that_gives_it(tmp_path_factory, models_dir,
                                                                                         embedder):
    # the model says the articles do not hold it; the newest report counts the evacuees: the user gets that figure
    refusing = _story(STORY, tmp_path_factory, models_dir, embedder, scripted_chat(refusal("id")))
    answer = refusing.ask("Berapa jumlah pengungsi banjir Tirtamaya sekarang?", now=date(2024, 2, 11))
    assert not answer.refused and answer.text.startswith(EXTRACTIVE_LEAD["id"])
    assert "2.800" in answer.text.split("\n\n")[0] and "Sumber terbaru: 10 Februari 2024" in answer.text
    # a question that is not about a figure's latest value keeps the model's refusal
    assert refusing.ask("Siapa yang membangun Jembatan Lampesi?", now=date(2024, 2, 11)).refused


def test_a_figure_that_changed_is_given_newest_first_with_its_date_and_the_older_one(story):
    # no "terbaru" in the question: the reports disagree (7 on 6 February, 18 from 8 February), so the answer says
    # the newest figure, its date, and what was reported before
    answer = story.ask("Berapa korban meninggal banjir Tirtamaya?", now=date(2024, 2, 11))
    assert not answer.refused and not answer.time.scope.latest
    first, *rest = answer.text.split("\n\n")
    assert "18 orang" in first and "7 orang" not in first
    assert any(line.startswith("Sumber terbaru:") for line in rest)
    assert "Sebelumnya (" in answer.text and "7 orang" in answer.text.split("Sebelumnya (")[1]
    # a question about one thing with one figure gets no such lines
    plain = story.ask("Berapa kios yang terbakar di Pasar Sentral Palindo?", now=date(2024, 2, 11))
    assert "40" in plain.text and "Sebelumnya" not in plain.text and "Sumber terbaru" not in plain.text


def test_a_question_since_a_day_is_answered_from_the_newest_report_with_the_older_one(story):
    # "sejak 6 Februari" asks how the toll developed up to now: the newest report (18), dated, then what was
    # reported before it, not the best-matching report of the range
    answer = story.ask("Bagaimana perkembangan jumlah korban meninggal banjir Tirtamaya sejak 6 Februari?",
                       now=date(2024, 2, 11))
    assert not answer.refused and answer.time.scope.kind == "since"
    first, *rest = answer.text.split("\n\n")
    assert "18 orang" in first
    assert any(line.startswith("Sumber terbaru:") for line in rest) and "Sebelumnya (" in answer.text


def test_the_latest_of_a_range_that_ended_is_that_ranges_newest_report(story):
    # asked on 11 February about the 7th: the newest report of that day (12), not of today (18)
    answer = story.ask("What was the latest death toll of the Tirtamaya flood on February 7?", now=date(2024, 2, 11))
    assert not answer.refused and answer.time.scope.latest
    first = answer.text.split("\n\n")[0]
    assert "12" in first and "18" not in first
    assert max(c.published for c in answer.citations) <= "2024-02-07"


def test_a_range_asked_is_searched_first_and_widened_when_nothing_in_it_is_relevant(story):
    found = story.search("Berapa korban tewas banjir Tirtamaya kemarin?", now=date(2024, 2, 9))
    assert found.time.applied and not found.time.widened
    assert found.hits[0].published == "2024-02-08"  # favoured, not alone: other days follow
    wide = story.search("Berapa korban tewas banjir Tirtamaya pada tahun 2019?", now=date(2024, 2, 11))
    assert wide.time.widened and wide.hits and all(h.published.startswith("2024-02") for h in wide.hits)
    plain = story.search("Berapa korban tewas banjir Tirtamaya kemarin?", now=date(2024, 2, 9), time_aware=False)
    assert not plain.time.asked and plain.hits[0].published != "2024-02-08"


def test_relative_dates_in_passages_are_shown_resolved_against_their_article(story):
    hits = story.search("Kapan Jembatan Lampesi putus?", now=date(2024, 2, 11)).hits
    text = " ".join(h.text for h in hits)
    assert "5 Februari 2024" in text  # "Senin (5/2)" in a 6 February article, resolved
    answer = story.ask("Kapan Jembatan Lampesi putus?", now=date(2024, 2, 11))
    assert not answer.refused and "Februari 2024" in answer.text


def test_the_cli_counts_from_now_and_says_which_range_it_searched(cli_env, capsys, monkeypatch):
    assert run_cli(capsys, "ingest", "-q", str(STORY))[0] == 0
    code, out, _ = run_cli(capsys, "--now", "2024-02-08", "search", "korban banjir Tirtamaya kemarin")
    assert code == 0 and "(searched articles published 7 February 2024 (“kemarin”))" in out
    first = next(line for line in out.splitlines() if line.startswith("   ") and "2024-02" in line)
    assert "2024-02-07" in first  # the first passage's outlet · date · url line
    monkeypatch.setenv("WARTA_NOW", "2024-02-11")  # the environment does the same
    code, out, _ = run_cli(capsys, "ask", "--json", "Berapa korban tewas banjir Tirtamaya kemarin?")
    answer = json.loads(out)
    assert code == 0 and answer["time"]["since"] == answer["time"]["until"] == "2024-02-10"
    assert answer["citations"][0]["date"] == "2024-02-10"
    with pytest.raises(SystemExit) as exit_:
        run_cli(capsys, "--now", "2024-02-30", "search", "banjir")
    assert exit_.value.code == 2 and "'2024-02-30'" in capsys.readouterr().err  # argparse names the bad day


def test_only_a_figure_is_asked_as_of_a_day_else_the_day_dates_the_event(story):
    # "per 7 Februari": the newest of what had been reported by then; "until June" in a why-question: the event's
    as_of = story.time_scope("Berapa korban tewas banjir Tirtamaya per 7 Februari 2024?", date(2024, 2, 11))
    assert as_of.kind == "as_of" and as_of.asks_newest
    event = story.time_scope("Why did Tirtamaya keep the shelters open until 7 February 2024?", date(2024, 2, 11))
    assert event.kind == "absolute" and not event.asks_newest and event.range is not None


def test_a_pasted_paragraph_is_searched_as_it_is_its_dates_are_narration(story):
    question = "Berapa korban tewas banjir Tirtamaya kemarin?"
    assert story.time_scope(question, date(2024, 2, 8)).range is not None
    paragraph = ("Saat ini tim SAR gabungan masih mencari warga yang hilang. Banjir bandang menerjang tiga kecamatan di "
                 "Kabupaten Tirtamaya pada Minggu (4/2) malam, dan kemarin korban meninggal bertambah. Bupati meminta "
                 "warga di bantaran Sungai Lampesi tetap waspada karena hujan masih turun.")
    assert not story.time_scope(paragraph, date(2024, 2, 8)).latest
    assert not story.search(paragraph, now=date(2024, 2, 8)).time.asked
