"""Stories with real components (real e5, embedded Chroma, BM25): three outlets' copies of one wire story and a
distinct article on the same subject. ``warta list --stories`` shows one story; removing copies keeps it
consistent; an unchanged re-ingest changes nothing."""

from __future__ import annotations

import json

import pytest

from core.records import Article
from ingest.ingestor import Ingestor
from store.index import Index
from tests.conftest import make_settings, run_cli
from tests.unit.test_stories import REPUBLISHED, SAME_TOPIC, WIRE

DETIK = WIRE.replace("Jakarta (ANTARA) - ", "Jakarta, detikcom - ").replace("Pewarta: Rina\nEditor: Budi", "(ega/dnu)")
ARTICLES = [
    Article("kompas-1", "BI tahan suku bunga 5,75 persen", REPUBLISHED, url="https://kompas.example/bi",
            published="2024-03-02", outlet="Kompas", lang="id", source="kompas"),
    Article("antara-1", "BI Tahan Suku Bunga Acuan", WIRE, url="https://antara.example/bi", published="2024-03-01",
            outlet="Antara", lang="id", source="antara"),
    Article("detik-1", "Suku Bunga BI Tetap 5,75%", DETIK, url="https://detik.example/bi", published="2024-03-03",
            outlet="Detik", lang="id", source="detik"),
    Article("cnn-1", "Ekonom: Keputusan BI Tepat", SAME_TOPIC, url="https://cnn.example/bi", published="2024-03-02",
            outlet="CNN Indonesia", lang="id", source="cnn"),
]


def story_map(index: Index) -> dict[str, str]:
    return {a.id: a.story_id for a in index.articles()}


@pytest.fixture
def ingestor(settings, embedder) -> Ingestor:
    return Ingestor(settings, embedder=embedder)


def test_copies_join_one_story_named_after_the_earliest(ingestor: Ingestor) -> None:
    report = ingestor.ingest_loaded(ARTICLES)
    assert report.count("added") == 4
    assert story_map(ingestor.index) == {"antara-1": "antara-1", "kompas-1": "antara-1", "detik-1": "antara-1",
                                         "cnn-1": ""}
    (members,) = ingestor.index.stories().values()
    assert [a.outlet for a in members] == ["Antara", "Kompas", "Detik"]  # earliest first
    before = [(a.id, a.story_id, a.content_hash) for a in ingestor.index.articles()]
    again = ingestor.ingest_loaded(ARTICLES)
    assert again.count("unchanged") == 4 and again.stories_seconds == 0
    assert [(a.id, a.story_id, a.content_hash) for a in ingestor.index.articles()] == before


def test_later_ingests_join_stored_articles(ingestor: Ingestor) -> None:
    ingestor.ingest_loaded(ARTICLES[:1])
    assert story_map(ingestor.index) == {"kompas-1": ""}
    ingestor.ingest_loaded(ARTICLES[1:])
    assert set(story_map(ingestor.index).values()) == {"antara-1", ""}


def test_removing_members_keeps_the_story_consistent(ingestor: Ingestor) -> None:
    ingestor.ingest_loaded(ARTICLES)
    ingestor.index.remove("kompas-1")
    assert story_map(ingestor.index) == {"antara-1": "antara-1", "detik-1": "antara-1", "cnn-1": ""}
    ingestor.index.remove("antara-1")  # the anchor: the story dissolves, a single article has none
    assert story_map(ingestor.index) == {"detik-1": "", "cnn-1": ""}


def test_removing_the_anchor_renames_the_story_after_the_next_earliest(ingestor: Ingestor) -> None:
    ingestor.ingest_loaded(ARTICLES)
    ingestor.index.remove("https://antara.example/bi")
    assert story_map(ingestor.index) == {"kompas-1": "kompas-1", "detik-1": "kompas-1", "cnn-1": ""}


def test_an_updated_article_that_no_longer_matches_leaves_its_story(ingestor: Ingestor) -> None:
    ingestor.ingest_loaded(ARTICLES)
    rewritten = Article("detik-1", "Suku Bunga BI Tetap 5,75%", SAME_TOPIC.replace("Para ekonom", "Sejumlah analis")
                        + "\n\nAnalis juga menyoroti harga minyak dunia.", url="https://detik.example/bi",
                        published="2024-03-03", outlet="Detik", lang="id", source="detik")
    assert ingestor.ingest_loaded([rewritten]).count("updated") == 1
    stories = story_map(ingestor.index)
    assert stories["antara-1"] == stories["kompas-1"] == "antara-1"
    assert stories["detik-1"] in ("", stories["cnn-1"])  # it may now join the article it copies


def test_stories_off_stores_no_story_and_a_later_ingest_signs_older_articles(tmp_path, models_dir, embedder) -> None:
    off = make_settings(tmp_path / "data", models_dir, stories={"enabled": False})
    Ingestor(off, embedder=embedder).ingest_loaded(ARTICLES[:2])
    assert set(story_map(Index(off)).values()) == {""}
    on = make_settings(tmp_path / "data", models_dir)
    ingestor = Ingestor(on, embedder=embedder)
    ingestor.ingest_loaded(ARTICLES[2:])
    # detik joins both stored copies (signed now); stored articles are not regrouped among themselves
    assert story_map(ingestor.index) == {"antara-1": "antara-1", "kompas-1": "antara-1", "detik-1": "antara-1",
                                         "cnn-1": ""}


def test_list_stories_cli(cli_env, capsys, embedder, tmp_path, models_dir) -> None:
    Ingestor(make_settings(tmp_path / "data", models_dir), embedder=embedder).ingest_loaded(ARTICLES)
    code, out, _ = run_cli(capsys, "list", "--stories")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "story antara-1 (3 articles)"
    assert [line.split("\t")[1] for line in lines[1:]] == ["Antara", "Kompas", "Detik"]
    code, out, _ = run_cli(capsys, "list", "--stories", "--json")
    (story,) = json.loads(out)
    assert [a["id"] for a in story["articles"]] == ["antara-1", "kompas-1", "detik-1"]


# --- retrieval: one passage per story, the other outlets named --------------------------------------

QUESTION = "Berapa suku bunga acuan yang ditahan Bank Indonesia?"


def test_search_and_answer_show_one_passage_per_story_with_the_other_outlets(ingestor: Ingestor, settings,
                                                                             embedder) -> None:
    from assistant.assistant import Assistant

    ingestor.ingest_loaded(ARTICLES)
    assistant = Assistant(settings, index=ingestor.index, embedder=embedder)
    hits = assistant.search(QUESTION, k=5).hits
    story = [h for h in hits if h.story_id]
    assert len(story) == 1, [(h.article_id, h.score) for h in hits]
    (kept,) = story
    assert {kept.outlet, *kept.also_in} == {"Antara", "Kompas", "Detik"} and kept.outlet not in kept.also_in
    assert "cnn-1" in {h.article_id for h in hits}  # the distinct article on the same subject stays
    answer = assistant.ask(QUESTION)
    cited = [c for c in answer.citations if c.article_id in ("antara-1", "kompas-1", "detik-1")]
    assert cited and all(c.also_in for c in cited)
    assert "; juga dimuat " in cited[0].outlets(answer.language)
    off = Assistant(settings.updated({"stories": {"enabled": False}}), index=ingestor.index, embedder=embedder)
    assert len({h.article_id for h in off.search(QUESTION, k=5).hits} & {"antara-1", "kompas-1", "detik-1"}) > 1


def test_search_cli_names_the_other_outlets(cli_env, capsys, embedder, tmp_path, models_dir) -> None:
    Ingestor(make_settings(tmp_path / "data", models_dir), embedder=embedder).ingest_loaded(ARTICLES)
    code, out, _ = run_cli(capsys, "search", QUESTION, "--json")
    hits = json.loads(out)["hits"]
    assert code == 0 and sum(bool(h["story_id"]) for h in hits) == 1
    code, out, _ = run_cli(capsys, "search", QUESTION)
    assert "; also published by " in out


def test_a_store_without_copies_searches_as_without_stories(ingestor: Ingestor, settings, embedder) -> None:
    from assistant.assistant import Assistant

    ingestor.ingest_loaded([ARTICLES[1], ARTICLES[3]])  # Antara and the distinct CNN article: no story
    on = Assistant(settings, index=ingestor.index, embedder=embedder).search(QUESTION, k=5).hits
    off = Assistant(settings.updated({"stories": {"enabled": False}}), index=ingestor.index,
                    embedder=embedder).search(QUESTION, k=5).hits
    assert on == off and len({h.article_id for h in on}) == 2
