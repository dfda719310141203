"""The briefing's rules on plain records: one item per story, newest first, every sentence cited by an article
that states it, the story's other outlets, what changed since its earlier articles, a topic's order; and the
``--since`` spans."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.brief import build_briefing, lead, parse_since
from core.errors import InputError
from core.records import ArticleInfo

SINCE = datetime(2024, 2, 8, 0, 0, tzinfo=UTC)
BEFORE, AFTER = "2024-02-07T10:00:00+00:00", "2024-02-08T10:00:00+00:00"
TOLL_7 = ("TIRTAMAYA, Kabar Nusa Lestari – Korban meninggal akibat banjir bandang di Kabupaten Tirtamaya bertambah "
          "menjadi 7 orang. Tim SAR masih mencari 13 warga yang hilang di sepanjang Sungai Lampesi.")
TOLL_18 = ("TIRTAMAYA, Kabar Nusa Lestari – Korban meninggal akibat banjir bandang di Kabupaten Tirtamaya bertambah "
           "menjadi 18 orang. Tim SAR masih mencari 2 warga yang hilang di sepanjang Sungai Lampesi.")
FIRE = ("PALINDO, Lembah Pos – Kebakaran melanda Pasar Sentral Palindo pada Jumat dini hari. Sebanyak 40 kios "
        "pakaian dan kelontong hangus terbakar, namun tidak ada korban jiwa.")


def info(article_id: str, published: str, ingested: str, outlet: str, story: str = "", title: str = "") -> ArticleInfo:
    return ArticleInfo(id=article_id, title=title or f"Judul {article_id}", url=f"https://example.id/{article_id}",
                       published=published, outlet=outlet, lang="id", content_hash="", n_chunks=1,
                       ingested_at=ingested, source="", story_id=story)


def test_syndicated_copies_are_one_item_citing_the_earliest_publisher_with_the_others():
    antara = info("a", "2024-02-08", AFTER, "Antara", story="a")
    kompas = info("k", "2024-02-08", AFTER, "Kompas", story="a")
    detik = info("d", "2024-02-09", AFTER, "Detik", story="a")
    fire = info("f", "2024-02-09", AFTER, "Lembah Pos")
    texts = {"a": TOLL_18, "k": "JAKARTA, KOMPAS.com - " + TOLL_18, "d": TOLL_18, "f": FIRE}
    brief = build_briefing([detik, kompas, antara, fire], {"a": [antara, kompas, detik]}, texts, SINCE, "id")
    assert [item.copies for item in brief.items] == [1, 3] or [item.copies for item in brief.items] == [3, 1]
    story = next(item for item in brief.items if item.copies == 3)
    cited = {c.n: c for c in brief.citations}
    source = cited[story.sentences[0][1]]
    assert source.article_id == "a" and source.also_in == ("Kompas", "Detik")
    assert source.outlets("id") == "Antara; juga dimuat Kompas, Detik"


def test_every_sentence_is_cited_by_an_article_that_states_it_and_items_are_newest_first():
    old = info("o", "2024-02-06", AFTER, "Kabar Nusa Lestari")
    new = info("n", "2024-02-09", AFTER, "Lembah Pos")
    texts = {"o": TOLL_7, "n": FIRE}
    brief = build_briefing([old, new], {}, texts, SINCE, "en")
    assert [item.published for item in brief.items] == ["2024-02-09", "2024-02-06"]
    cited = {c.n: c.article_id for c in brief.citations}
    for item in brief.items:
        assert 1 <= len(item.sentences) <= 2
        for sentence, n in item.sentences:
            assert sentence in texts[cited[n]]


def test_a_story_that_had_earlier_articles_says_what_changed_citing_both():
    earlier = info("e", "2024-02-06", BEFORE, "Kabar Nusa Lestari", story="e")
    update = info("u", "2024-02-08", AFTER, "Kabar Nusa Lestari", story="e")
    brief = build_briefing([update], {"e": [earlier, update]}, {"e": TOLL_7, "u": TOLL_18}, SINCE, "id")
    (item,) = brief.items
    cited = {c.n: c.article_id for c in brief.citations}
    pairs = [(c.now, c.before) for c in item.changes]
    assert any("18 orang" in now and "7 orang" in before for now, before in pairs)
    assert any("2 warga" in now and "13 warga" in before for now, before in pairs)
    assert all(cited[c.n] == "u" and cited[c.before_n] == "e" for c in item.changes)
    # copies that say the same thing have nothing to report
    same = build_briefing([update], {"e": [earlier, update]}, {"e": TOLL_18, "u": TOLL_18}, SINCE, "id")
    assert same.items[0].changes == ()


def test_a_topic_briefs_only_what_its_search_found_in_its_order_within_a_day():
    a, b, c = (info(x, "2024-02-09", AFTER, "Lembah Pos") for x in "abc")
    brief = build_briefing([a, b, c], {}, {"a": FIRE, "b": TOLL_18, "c": TOLL_7}, SINCE, "id", topic="korban",
                           order=["c", "b"])
    assert [brief.citations[item.sentences[0][1] - 1].article_id for item in brief.items] == ["c", "b"]


def test_nothing_new_is_an_empty_briefing():
    assert build_briefing([], {}, {}, SINCE, "id").items == ()


def test_the_lead_is_the_first_sentence_and_the_next_when_it_is_short():
    assert lead(info("x", "", AFTER, ""), FIRE) == [
        "PALINDO, Lembah Pos – Kebakaran melanda Pasar Sentral Palindo pada Jumat dini hari.",
        "Sebanyak 40 kios pakaian dan kelontong hangus terbakar, namun tidak ada korban jiwa."]
    long = "Kata " * 30 + "panjang sekali. Kalimat kedua tidak ikut."
    assert len(lead(info("x", "", AFTER, ""), long)) == 1


NOW = datetime(2024, 2, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("24h", datetime(2024, 2, 9, 12, 0, tzinfo=UTC)),
    ("30m", datetime(2024, 2, 10, 11, 30, tzinfo=UTC)),
    ("7d", datetime(2024, 2, 3, 12, 0, tzinfo=UTC)),
    ("2w", datetime(2024, 1, 27, 12, 0, tzinfo=UTC)),
    ("2024-02-07", datetime(2024, 2, 7, 0, 0, tzinfo=UTC)),
    ("2024-02-07T10:30", datetime(2024, 2, 7, 10, 30, tzinfo=UTC)),
    ("2024-02-07T17:30:00+07:00", datetime(2024, 2, 7, 10, 30, tzinfo=UTC)),
])
def test_since_is_a_span_back_from_now_or_a_day(text, expected):
    assert parse_since(text, NOW) == expected


@pytest.mark.parametrize("text", ["kemarin", "", "24", "2024-13-01", "-3d", "2024-02-07T25:00"])
def test_a_since_that_is_neither_is_refused_with_the_value(text):
    with pytest.raises(InputError, match=repr(text).replace("[", r"\[")):
        parse_since(text, NOW)
