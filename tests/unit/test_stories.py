"""Story detection (``ingest.stories``): wire copy re-published with another dateline, footer or lead joins its
story; distinct articles on the same subject do not; the same text always gives the same signature."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.records import published_by
from assistant.retrieve import one_per_story
from core.records import ArticleInfo, Hit
from core.settings import StoriesSettings
from ingest import stories

PARAMS = stories.Params.of(StoriesSettings())
SETTINGS = StoriesSettings()

WIRE = """Jakarta (ANTARA) - Bank Indonesia menahan suku bunga acuan BI 7-Day Reverse Repo Rate di level 5,75 persen \
pada Rapat Dewan Gubernur yang berakhir Kamis, karena inflasi inti dinilai masih terkendali.

Gubernur BI Perry Warjiyo mengatakan keputusan tersebut sejalan dengan upaya menjaga stabilitas nilai tukar rupiah \
di tengah ketidakpastian pasar keuangan global yang masih tinggi.

Menurut Perry, pertumbuhan kredit perbankan pada kuartal ketiga tercatat 8,2 persen, sedikit di bawah perkiraan \
awal bank sentral, sementara likuiditas perbankan dinilai tetap memadai.

Bank sentral juga memperkirakan pertumbuhan ekonomi nasional tahun ini berada pada kisaran 4,7 hingga 5,5 persen \
dengan konsumsi rumah tangga sebagai penopang utama.

Pewarta: Rina
Editor: Budi"""

REPUBLISHED = """JAKARTA, KOMPAS.com - Bank Indonesia menahan suku bunga acuan BI 7-Day Reverse Repo Rate di level 5,75 \
persen pada Rapat Dewan Gubernur yang berakhir Kamis, karena inflasi inti dinilai masih terkendali.

Baca juga: Rupiah Menguat Tipis Sore Ini

Gubernur BI Perry Warjiyo menyatakan keputusan tersebut sejalan dengan upaya menjaga stabilitas nilai tukar rupiah \
di tengah ketidakpastian pasar keuangan global yang masih tinggi.

Menurut Perry, pertumbuhan kredit perbankan pada kuartal ketiga tercatat 8,2 persen, sedikit di bawah perkiraan \
awal bank sentral, sementara likuiditas perbankan dinilai tetap memadai.

Penulis: Dian"""

SAME_TOPIC = """Jakarta, CNN Indonesia -- Para ekonom menilai keputusan Bank Indonesia menahan suku bunga acuan di level \
5,75 persen sudah tepat, meski sebagian pelaku pasar berharap ada penurunan.

Ekonom senior Faisal Basri mengatakan inflasi yang rendah sebenarnya memberi ruang bagi bank sentral untuk \
melonggarkan kebijakan, tetapi tekanan terhadap rupiah membuat BI memilih berhati-hati.

Sementara itu, Asosiasi Pengusaha Indonesia berharap suku bunga kredit perbankan bisa turun tahun depan agar \
ekspansi usaha dan penyerapan tenaga kerja kembali bergairah."""


def test_normalise_drops_dateline_boilerplate_case_and_accents() -> None:
    assert stories.normalise("Jakarta (ANTARA) - Café Baru dibuka.\nBaca juga: lain\nEditor: Budi") == \
        ["cafe", "baru", "dibuka"]
    assert stories.normalise("JAKARTA, KOMPAS.com - Harga naik.") == ["harga", "naik"]
    assert stories.normalise("Liputan6.com, Surabaya - Harga naik.") == ["harga", "naik"]
    assert stories.normalise("Jakarta, CNN Indonesia -- Harga naik.") == ["harga", "naik"]
    # a dash further into a sentence is not a dateline
    assert stories.normalise("Harga beras naik tajam di pasar induk pekan ini - kata pedagang.")[:2] == ["harga", "beras"]


def test_shingles_of_short_texts() -> None:
    assert stories.shingles(["a", "b"], 3) == {b"a b"}
    assert stories.shingles([], 3) == set()
    assert stories.shingles(["a", "b", "c", "d"], 3) == {b"a b c", b"b c d"}


def test_republished_wire_copy_is_one_story_and_same_topic_is_not() -> None:
    wire, copy, other = (stories.signature(t, PARAMS) for t in (WIRE, REPUBLISHED, SAME_TOPIC))
    assert stories.similarity(wire, copy) >= SETTINGS.threshold
    assert stories.similarity(wire, other) < 0.1 and stories.similarity(copy, other) < 0.1


def test_signatures_are_deterministic_and_sized() -> None:
    first, again = stories.signature(WIRE, PARAMS), stories.signature(WIRE, PARAMS)
    assert first.dtype == np.uint64 and first.shape == (PARAMS.num_perm,)
    assert np.array_equal(first, again)
    assert stories.similarity(first, again) == 1.0


@pytest.mark.parametrize(("first", "second", "days", "joins"), [
    ("2024-03-01", "2024-03-05", 7, True), ("2024-03-01", "2024-03-20", 7, False), ("", "2024-03-20", 7, True),
    ("2024-03-01T10:00:00", "2024-03-01", 0, True),
])
def test_time_window(first: str, second: str, days: int, joins: bool) -> None:
    assert stories.within_window(first, second, days) is joins


def test_matcher_joins_earlier_batch_articles_within_the_window_and_never_itself() -> None:
    wire, copy, other = (stories.signature(t, PARAMS) for t in (WIRE, REPUBLISHED, SAME_TOPIC))
    matcher = stories.Matcher([stories.Candidate("antara", "2024-03-01", wire)], SETTINGS)
    assert matcher.add("kompas", "2024-03-02", copy) == ["antara"]
    assert matcher.add("cnn", "2024-03-02", other) == []
    assert matcher.add("late", "2024-05-01", copy) == []  # outside the window
    assert matcher.add("antara", "2024-03-01", wire, exclude=["antara"]) == ["kompas"]  # a replaced article


# --- retrieval: one passage per story (``assistant.retrieve.one_per_story``) -------------------------


def _hit(chunk: str, article: str, score: float, story: str = "", outlet: str = "") -> Hit:
    return Hit(chunk, article, 0, "text", "title", outlet=outlet, score=score, story_id=story)


def _info(article: str, outlet: str, published: str) -> ArticleInfo:
    return ArticleInfo(article, "t", "", published, outlet, "id", "h", 1, "", "", story_id="a")


MEMBERS = {"a": [_info("a", "Antara", "2024-03-01"), _info("k", "Kompas", "2024-03-02"),
                 _info("d", "Detik", "2024-03-03")]}


def test_one_passage_per_story_in_the_place_of_its_best() -> None:
    hits = [_hit("x1", "x", 0.9), _hit("k1", "k", 0.8, "a", "Kompas"), _hit("y1", "y", 0.7),
            _hit("a1", "a", 0.5, "a", "Antara"), _hit("k2", "k", 0.45, "a", "Kompas")]
    out = one_per_story(hits, MEMBERS)
    assert [h.chunk_id for h in out] == ["x1", "k1", "y1"]
    assert out[1].also_in == ("Antara", "Detik")


def test_near_equal_scores_cite_the_earliest_publisher() -> None:
    hits = [_hit("d1", "d", 0.80, "a", "Detik"), _hit("a1", "a", 0.79, "a", "Antara")]
    (kept,) = one_per_story(hits, MEMBERS)
    assert kept.chunk_id == "a1" and kept.also_in == ("Kompas", "Detik")


def test_hits_without_stories_are_unchanged() -> None:
    hits = [_hit("x1", "x", 0.9), _hit("x2", "x", 0.8), _hit("y1", "y", 0.7)]
    assert one_per_story(hits, {}) == hits


def test_citation_names_the_other_outlets_in_the_readers_language() -> None:
    assert published_by("Antara", ("Kompas", "Detik"), "id") == "Antara; juga dimuat Kompas, Detik"
    assert published_by("Antara", ("Kompas",), "en") == "Antara; also published by Kompas"
    assert published_by("Antara", (), "id") == "Antara"
    hit = replace(_hit("a1", "a", 0.5, "a", "Antara"), also_in=("Kompas",))
    assert Hit.from_json(hit.to_json()).also_in == ("Kompas",)


# --- the catalog: stories kept consistent -----------------------------------------------------------


def test_an_older_catalog_opens_with_its_articles_and_no_stories(tmp_path) -> None:
    import sqlite3

    from store.catalog import Catalog

    path = tmp_path / "catalog.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE articles (id TEXT PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, url TEXT NOT "
               "NULL, published TEXT NOT NULL, outlet TEXT NOT NULL, lang TEXT NOT NULL, source TEXT NOT NULL, "
               "content_hash TEXT NOT NULL, n_chunks INTEGER NOT NULL, ingested_at TEXT NOT NULL)")
    db.execute("INSERT INTO articles VALUES ('a', 'T', 'text', '', '2024-01-01', 'Antara', 'id', '-', 'h', 0, 'now')")
    db.commit()
    db.close()
    catalog = Catalog(path)
    (info,) = catalog.articles()
    assert (info.id, info.story_id, info.date_source) == ("a", "", "")
    assert catalog.stories() == {} and catalog.unsigned() == [("a", "text")]
    catalog.close()


def test_catalog_stories_join_merge_and_settle(tmp_path) -> None:
    from core.records import Article
    from store.catalog import Catalog, StoryLinks

    catalog = Catalog(tmp_path / "catalog.sqlite")

    def add(article_id: str, published: str, joins: tuple[str, ...] = ()) -> None:
        article = Article(article_id, article_id, "text " + article_id, published=published, outlet=article_id)
        catalog.commit_articles([(article, [], [])], [], stories=StoryLinks({article_id: b"s"},
                                                                             {article_id: joins} if joins else {}))

    def stories() -> dict[str, list[str]]:
        return {story: [m.id for m in members] for story, members in catalog.stories().items()}

    add("b", "2024-03-02")
    add("c", "2024-03-03", ("b",))
    assert stories() == {"b": ["b", "c"]}
    add("a", "2024-03-01", ("c",))  # published earlier: the story is named after it now
    assert stories() == {"a": ["a", "b", "c"]}
    add("x", "2024-03-05")
    add("y", "", ("x",))  # undated members come last
    assert stories() == {"a": ["a", "b", "c"], "x": ["x", "y"]}
    add("z", "2024-03-04", ("c", "y"))  # bridges two stories: they merge
    assert stories() == {"a": ["a", "b", "c", "z", "x", "y"]}
    catalog.remove_articles(["a", "b", "c", "z"])
    assert stories() == {"x": ["x", "y"]}
    catalog.remove_articles(["y"])
    assert stories() == {} and [i.story_id for i in catalog.articles()] == [""]
    catalog.close()


def test_source_card_names_where_else_the_story_appeared() -> None:
    from assistant.records import Citation
    from ui.web.render import source_card

    citation = Citation(1, "a", "a:0", "BI tahan suku bunga", "Antara", "2024-03-01", "", "teks", "",
                        also_in=("Kompas", "Detik"))
    assert "Antara; juga dimuat Kompas, Detik · 2024-03-01" in source_card(1, citation, "id")
    assert "Antara; also published by Kompas, Detik" in source_card(1, citation, "en")
    assert Citation.from_json(citation.to_json()).also_in == ("Kompas", "Detik")
