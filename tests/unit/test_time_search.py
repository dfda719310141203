"""Time in search, by rules in code: publish dates from URLs, the soft date filter and its fallback, the
"latest" ranking and the line that dates a "latest" answer (the expressions themselves: test_when.py)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pytest

from assistant.extractive import figure_finder, question_figure
from assistant.records import Citation, TimeFocus
from assistant.timely import by_language, by_recency, giving_first, newest_evidence, search_in_time, within
from core.errors import InputError
from core.records import Hit
from core.settings import TimeSettings
from core.text.when import DateRange, TimeScope
from ingest.dates import publish_date, text_years, url_date
from store.filters import Filters
from ui.http.api import time_options

TODAY = date(2026, 12, 1)
NOW = date(2018, 3, 1)


@pytest.mark.parametrize("url, day", [
    ("http://www.cnnindonesia.com/olahraga/20161112230644-142-172253/ronaldo-tak-kesulitan/", "2016-11-12"),
    ("http://www.suara.com/entertainment/2017/09/06/181222/bocor-james-bond", "2017-09-06"),
    ("http://poskotanews.com/2017/12/23/kalahkan-real-madrid/", "2017-12-23"),
    ("http://rimanews.com/olahraga/sepakbola/read/20170406/322240/Keikutsertaan-timnas", "2017-04-06"),
    ("https://example.id/berita/2024-02-07-banjir-tirtamaya", "2024-02-07"),
    ("https://www.antaranews.com/berita/659644/jayawijaya-datangkan-arkeolog", ""),  # an article number
    ("https://example.id/2017/13/45/bukan-tanggal", ""),  # no such day
    ("https://example.id/2031/01/05/from-the-future", ""),  # after today: a wrong date is worse than none
    ("https://kumparan.com/ananda/ketua-mpr-mustahil-2017", ""),  # a year alone is not a day
])
def test_a_url_gives_its_publish_date_only_when_it_holds_a_real_past_day(url, day):
    assert url_date(url, TODAY) == day


def _finder(question: str, language: str):
    """Whether a passage gives what ``question`` counts (``figure_finder``), as the assistant reads it."""
    return figure_finder(question, question_figure(question, language))


def test_the_date_source_says_how_the_date_was_found_most_trusted_first():
    url = "http://poskotanews.com/2017/12/23/kalahkan-real-madrid/"
    assert publish_date(field="2017-12-22", html="2017-12-24", url=url, today=TODAY).source == "field"
    assert publish_date(html="2017-12-24", url=url, today=TODAY) == publish_date(html="2017-12-24", today=TODAY)
    assert publish_date(url=url, today=TODAY).day == "2017-12-23"
    dateline = "Jakarta, CNN Indonesia -- Presiden meresmikan jalan tol pada Senin (6/11). Proyek 2017 itu ..."
    found = publish_date(text=dateline, datelines=True, today=TODAY)  # ingest.dateline_dates on
    assert (found.day, found.source) == ("2017-11-06", "dateline")
    assert publish_date(text=dateline, today=TODAY).source == "none"  # off by default: approximate
    # no year anywhere: the weekday alone cannot place it, so no date rather than a guess
    assert publish_date(text="Jakarta -- Presiden meresmikan jalan tol pada Senin (6/11).", datelines=True,
                        today=TODAY).source == "none"


def test_the_years_an_article_mentions_come_most_frequent_first_and_numbers_are_not_years():
    text = "Pada 2017 harga naik. Rp 2.019 per liter, 2.018 orang, laporan 2016 dan 2017; tahun 3000."
    assert text_years(text, TODAY) == [2017, 2016]


def test_a_range_asked_narrows_filters_the_user_set_without_widening_them():
    span = DateRange(date(2018, 1, 1), date(2018, 1, 31))
    assert within(Filters(), span) == Filters(date_from="2018-01-01", date_to="2018-01-31")
    assert within(Filters(date_from="2018-01-15", outlets=("Antara",)), span) == Filters(
        date_from="2018-01-15", date_to="2018-01-31", outlets=("Antara",))
    assert within(Filters(), DateRange(None, date(2024, 2, 7))) == Filters(date_to="2024-02-07")


def hit(cid: str, published: str, score: float) -> Hit:
    return Hit(chunk_id=cid, article_id=cid, index=0, text=cid, title=cid, published=published, score=score)


def test_latest_questions_rank_newer_evidence_higher_down_to_a_floor():
    hits = [hit("old", "2024-01-01", 1.0), hit("new", "2024-02-10", 0.9), hit("undated", "", 1.0),
            hit("weak-new", "2024-02-10", 0.1)]
    ranked = [h.chunk_id for h in by_recency(hits, half_life_days=7, floor=0.5)]
    assert ranked[0] == "new"  # a little less relevant, six weeks newer
    assert ranked[-1] == "weak-new"  # newness does not lift what is barely relevant
    assert ranked.index("undated") < ranked.index("weak-new")  # undated keeps the floor, not zero
    # an archive of 2017 still has a "latest": age counts from the newest candidate, not from today
    archive = [hit("a", "2017-03-01", 1.0), hit("b", "2017-03-08", 0.8)]
    assert [h.chunk_id for h in by_recency(archive, 7, 0.5)] == ["b", "a"]


def test_a_story_reported_in_both_languages_is_ranked_by_date_across_them():
    # the question is English: the English reports carry its keywords and outscore the Indonesian ones, however old
    hits = [hit("en-old", "2024-02-06", 0.95), hit("en-older", "2024-02-05", 0.93), hit("id-new", "2024-02-09", 0.62),
            hit("id-off-topic", "2024-02-10", 0.30)]
    langs = {"en-old": "en", "en-older": "en", "id-new": "id", "id-off-topic": "id"}
    hits = [replace(h, lang=langs[h.chunk_id], dense=0.70 if h.chunk_id == "id-off-topic" else 0.86) for h in hits]
    about = {"en-old", "en-older", "id-new"}
    assert [h.chunk_id for h in by_recency(hits, 7, 0.5)][0] == "en-old"
    scaled = by_language(hits, lambda h: h.chunk_id in about)
    assert [h.chunk_id for h in by_recency(scaled, 7, 0.5)][:2] == ["id-new", "en-old"]
    # a language whose best passage is not about the question keeps its scores: no newer off-topic article first
    scaled = by_language([h for h in hits if h.chunk_id != "id-new"], lambda h: h.chunk_id in about)
    assert [h.chunk_id for h in by_recency(scaled, 7, 0.5)][0] == "en-old"


def test_latest_search_ranks_both_languages_by_date_when_it_is_told_what_is_relevant():
    hits = [replace(hit("en-old", "2024-02-06", 0.95), lang="en", dense=0.86),
            replace(hit("id-new", "2024-02-09", 0.60), lang="id", dense=0.84)]
    latest = TimeScope(None, True, "latest", "latest")
    mild = TimeSettings(recency_half_life_days=7.0, recency_floor=0.75)  # newness weighs less than the gap in score
    found, _ = search_in_time(FakeSearch(hits), latest, Filters(), 2, mild, date(2024, 2, 10))
    assert [h.chunk_id for h in found.hits] == ["en-old", "id-new"]  # by score: nothing says what is relevant
    found, _ = search_in_time(FakeSearch(hits), latest, Filters(), 2, mild, date(2024, 2, 10),
                              relevant=lambda h, language: language == "en" and (h.dense or 0) >= 0.8)
    assert [h.chunk_id for h in found.hits] == ["id-new", "en-old"]


@dataclass
class FakeFound:
    hits: list[Hit]
    relevant: bool
    language: str = "en"
    time: TimeFocus = field(default_factory=TimeFocus)


class FakeSearch:
    """A search over fixed hits that honours date filters, recording what it was asked."""

    def __init__(self, hits: list[Hit], relevant_in_range: bool = True) -> None:
        self.hits, self.relevant_in_range, self.calls = hits, relevant_in_range, []

    def __call__(self, filters: Filters, k: int) -> FakeFound:
        self.calls.append((filters, k))
        found = [h for h in self.hits if (not filters.date_from or h.published >= filters.date_from)
                 and (not filters.date_to or (h.published and h.published <= filters.date_to))]
        narrowed = bool(filters.date_from or filters.date_to)
        return FakeFound(found[:k], bool(found) and (self.relevant_in_range or not narrowed))


HITS = [hit("jan", "2018-01-10", 1.0), hit("mar", "2018-03-05", 0.9), hit("undated", "", 0.8)]
JANUARY = TimeScope(DateRange(date(2018, 1, 1), date(2018, 1, 31)), False, "Januari 2018", "absolute")


def test_a_range_favours_its_articles_without_losing_a_much_more_relevant_one():
    search = FakeSearch(HITS)
    found, focus = search_in_time(search, JANUARY, Filters(), 5, TimeSettings(), NOW)
    assert [h.chunk_id for h in found.hits] == ["jan", "mar", "undated"] and focus.applied and not focus.widened
    close = [hit("mar", "2018-03-05", 1.0), hit("jan", "2018-01-10", 0.9), hit("undated", "", 0.8)]
    found, _ = search_in_time(FakeSearch(close), JANUARY, Filters(), 5, TimeSettings(), NOW)
    assert [h.chunk_id for h in found.hits][:2] == ["jan", "mar"]  # about as relevant: the asked month wins
    far = [hit("mar", "2018-03-05", 1.6), hit("jan", "2018-01-10", 0.9)]  # the event of January, reported in March
    found, focus = search_in_time(FakeSearch(far), JANUARY, Filters(), 5, TimeSettings(), NOW)
    assert [h.chunk_id for h in found.hits] == ["mar", "jan"] and focus.applied


def test_a_range_counted_from_now_keeps_to_its_news():
    last_week = TimeScope(JANUARY.range, False, "bulan lalu", "relative")
    found, focus = search_in_time(FakeSearch(HITS), last_week, Filters(), 5, TimeSettings(), NOW)
    assert [h.chunk_id for h in found.hits] == ["jan"] and focus.applied


def test_a_range_none_of_the_candidates_is_in_takes_the_ranges_own_passages():
    class Deep(FakeSearch):  # the January article ranks below the candidates an unfiltered search returns
        def __call__(self, filters: Filters, k: int) -> FakeFound:
            found = super().__call__(filters, k)
            if not filters.date_from:
                found.hits = [h for h in found.hits if h.chunk_id != "jan"]
            return found

    found, focus = search_in_time(Deep(HITS), JANUARY, Filters(), 5, TimeSettings(), NOW)
    assert [h.chunk_id for h in found.hits] == ["jan"] and focus.applied


def test_a_figure_asked_in_a_range_takes_the_ranges_passage_that_gives_it_before_closer_ones():
    # "According to reports on May 10, how many pigs had been culled?": the lead of another day is closest; the
    # report of May 10 that gives the culled pigs scores lower
    texts = {"may9": "African swine fever has killed 318 pigs on Ratubela.",
             "may10-lead": "Jumlah babi yang mati akibat ASF di Ratubela mencapai 604 ekor.",
             "may10": "Joint teams have culled 240 pigs on the infected farms and those around them.",
             "may17": "Culling teams have destroyed 3,410 pigs on Ratubela."}
    hits = [hit("may9", "2034-05-09", 1.0), hit("may17", "2034-05-17", 0.98), hit("may10-lead", "2034-05-10", 0.95),
            hit("may10", "2034-05-10", 0.70)]
    hits = [replace(h, text=texts[h.chunk_id], title="Demam babi Afrika di Ratubela") for h in hits]
    day = TimeScope(DateRange(date(2034, 5, 10), date(2034, 5, 10)), False, "May 10, 2034", "absolute")
    gives = _finder("According to reports on May 10, 2034, how many pigs had been culled on Ratubela?", "en")
    assert gives is not None
    found, _ = search_in_time(FakeSearch(hits), day, Filters(), 2, TimeSettings(), date(2034, 5, 22), gives=gives)
    assert [h.chunk_id for h in found.hits] == ["may10", "may10-lead"]
    # without a figure asked, the range only weighs the scores
    found, _ = search_in_time(FakeSearch(hits), day, Filters(), 2, TimeSettings(), date(2034, 5, 22))
    assert [h.chunk_id for h in found.hits] == ["may10-lead", "may9"]


def test_as_of_a_day_the_newest_report_up_to_it_comes_first_and_none_after_it():
    # "Berapa korban per 4 Februari?": what had been reported by then, the newest first, as for "latest"
    reports = [hit("feb1", "2024-02-01", 1.0), hit("feb3", "2024-02-03", 0.95), hit("feb6", "2024-02-06", 1.0),
               hit("undated", "", 0.9)]
    as_of = TimeScope(DateRange(None, date(2024, 2, 4)), False, "per 4 Februari 2024", "as_of")
    assert as_of.asks_newest and not JANUARY.asks_newest
    found, focus = search_in_time(FakeSearch(reports), as_of, Filters(), 2, TimeSettings(), date(2024, 2, 10))
    assert [h.chunk_id for h in found.hits] == ["feb3", "feb1"] and focus.applied
    # nothing relevant by then: every date, said so
    found, focus = search_in_time(FakeSearch(reports, relevant_in_range=False), as_of, Filters(), 2, TimeSettings(),
                                  date(2024, 2, 10))
    assert found.hits[0].chunk_id == "feb6" and focus.widened


def test_with_the_soft_filter_off_a_figure_as_of_a_day_is_the_newest_up_to_now_and_k_passages():
    reports = [hit("feb1", "2024-02-01", 1.0), hit("feb3", "2024-02-03", 0.95), hit("feb6", "2024-02-06", 1.0)]
    as_of = TimeScope(DateRange(None, date(2024, 2, 4)), False, "per 4 Februari 2024", "as_of")
    found, focus = search_in_time(FakeSearch(reports), as_of, Filters(), 2, TimeSettings(soft_filter=False),
                                  date(2024, 2, 10))
    assert [h.chunk_id for h in found.hits] == ["feb6", "feb3"] and not focus.applied and not focus.widened


def test_nothing_relevant_in_the_range_falls_back_to_all_dates_and_says_so():
    search = FakeSearch(HITS, relevant_in_range=False)
    found, focus = search_in_time(search, JANUARY, Filters(), 5, TimeSettings(), NOW)
    assert [h.chunk_id for h in found.hits] == ["jan", "mar", "undated"]
    assert focus.widened and not focus.applied
    assert focus.to_json("id")["label"] and focus.to_json("en")["until"] == "2018-01-31"


def test_the_soft_filter_can_be_turned_off_and_no_scope_searches_as_before():
    for scope, cfg in [(JANUARY, TimeSettings(soft_filter=False)), (TimeScope(None, False, "", "none"), TimeSettings())]:
        search = FakeSearch(HITS)
        found, focus = search_in_time(search, scope, Filters(), 5, cfg, NOW)
        assert [h.chunk_id for h in found.hits] == ["jan", "mar", "undated"] and not focus.applied
        assert search.calls == [(Filters(), 5)]


def test_a_latest_question_looks_deeper_and_ranks_newer_evidence_first():
    latest = TimeScope(None, True, "terbaru", "latest")
    search = FakeSearch(HITS)
    found, focus = search_in_time(search, latest, Filters(), 2, TimeSettings(), date(2018, 4, 1))
    assert search.calls[0] == (Filters(date_to="2018-04-01"), 8)  # more candidates than k, re-ranked by date
    assert [h.chunk_id for h in found.hits] == ["mar", "jan"] and focus.asked and not focus.applied
    # asked on 1 March (replaying an archive): the March article was not written yet
    found, _ = search_in_time(FakeSearch(HITS), latest, Filters(), 2, TimeSettings(), NOW)
    assert [h.chunk_id for h in found.hits] == ["jan"]
    # with the soft filter off, a range asked beside "terbaru" is ignored, but not the day it is asked on
    latest_in_january = TimeScope(JANUARY.range, True, "terbaru Januari 2018", "absolute")
    found, focus = search_in_time(FakeSearch(HITS), latest_in_january, Filters(), 2, TimeSettings(soft_filter=False),
                                  NOW)
    assert [h.chunk_id for h in found.hits] == ["jan"] and not focus.applied


def test_a_latest_question_takes_the_passages_that_give_its_figure_before_closer_leads():
    # three newer leads about the story, then the older report that gives the asked figure; one passage giving a
    # figure is about something else (not relevant), so it does not come first
    texts = {"lead-3": "Korban tewas bertambah menjadi 31 orang.", "lead-2": "Korban tewas menjadi 29 orang.",
             "lead-1": "Status tanggap darurat diperpanjang.",
             "figure": "Gempa susulan mengguncang lagi. Personel gabungan yang bertugas kini 1.150 orang.",
             "elsewhere": "Di Karangmaja, 320 personel dikerahkan."}
    hits = [replace(hit("lead-3", "2025-12-03", 0.95), dense=0.9), replace(hit("lead-2", "2025-12-02", 0.94), dense=0.9),
            replace(hit("lead-1", "2025-12-01", 0.93), dense=0.9), replace(hit("figure", "2025-11-30", 0.80), dense=0.86),
            replace(hit("elsewhere", "2025-12-03", 0.70), dense=0.70)]
    hits = [replace(h, text=texts[h.chunk_id]) for h in hits]
    latest = TimeScope(None, True, "kini", "latest")
    gives = _finder("Berapa personel yang dikerahkan saat ini?", "id")
    assert gives is not None and _finder("Siapa bupati Wanakerti saat ini?", "id") is None
    found, _ = search_in_time(FakeSearch(hits), latest, Filters(), 2, TimeSettings(), date(2025, 12, 4))
    assert [h.chunk_id for h in found.hits] == ["lead-3", "lead-2"]  # without it: the leads
    found, _ = search_in_time(FakeSearch(hits), latest, Filters(), 2, TimeSettings(), date(2025, 12, 4),
                              relevant=lambda h, language: (h.dense or 0) >= 0.8, gives=gives)
    assert [h.chunk_id for h in found.hits] == ["figure", "lead-3"]
    # a question that names its place takes figures from articles whose title names it, not from the next regency's
    named = _finder("Berapa personel yang dikerahkan di Wanakerti saat ini?", "id")
    assert named is not None
    assert named(replace(hits[3], title="Gempa susulan guncang Wanakerti"))
    assert not named(replace(hits[4], title="Gempa M5,3 guncang Karangmaja", dense=0.9))
    # or whose lead names it, when the title names only a village of it ("LAMABOLI – Hujan ... Kabupaten Wanakerti")
    lead = "KARANGSARI – Gempa susulan mengguncang Kecamatan Karangsari, Kabupaten Wanakerti. Personel kini 900 orang."
    assert named(replace(hits[3], title="Gempa susulan guncang Karangsari", text=lead))
    assert not named(replace(hits[3], title="Gempa susulan guncang Karangsari", text=lead, index=2))  # no lead
    # or whose sentence that gives the figure names it (a report from another town that counts this one's)
    there = "Di Wanakerti, personel gabungan yang bertugas kini 900 orang."
    assert named(replace(hits[3], title="Gempa susulan guncang Karangsari", text=there, index=2))


def test_of_the_passages_giving_a_latest_figure_the_newest_come_first_however_they_score():
    # every report restates the count; the newest one's sentence is far down, so it scores lowest
    texts = {"d1": "Penderita ISPA mencapai 2.104 orang.", "d2": "Penderita ISPA bertambah menjadi 4.870 orang.",
             "d3": "Titik panas tinggal 41. Penderita ISPA kini 5.472 orang.", "lead": "Titik panas tinggal 41."}
    hits = [replace(hit("d2", "2024-09-17", 0.95), dense=0.9), replace(hit("lead", "2024-09-18", 0.94), dense=0.9),
            replace(hit("d1", "2024-09-10", 0.93), dense=0.9), replace(hit("d3", "2024-09-18", 0.80), dense=0.86)]
    hits = [replace(h, text=texts[h.chunk_id], title=f"Kabut asap dan ISPA ({h.chunk_id})") for h in hits]
    gives = _finder("Berapa jumlah penderita ISPA hingga kini?", "id")
    assert gives is not None
    assert [h.chunk_id for h in giving_first(hits, gives)] == ["d3", "d2", "d1", "lead"]


def test_a_latest_answer_states_the_date_of_its_newest_cited_article():
    def cite(n: int, published: str) -> Citation:
        return Citation(n, f"a{n}", f"c{n}", "t", "o", published, "", "", "")

    assert newest_evidence([cite(1, "2024-02-08"), cite(2, "2024-02-10"), cite(3, "")], "id") == (
        "Sumber terbaru: 10 Februari 2024 [2].")
    assert "10 February 2024 [2]" in newest_evidence([cite(1, "2024-02-08"), cite(2, "2024-02-10")], "en")
    assert newest_evidence([cite(1, "")], "en") == ""


def test_a_focus_survives_the_trip_from_a_server_to_the_cli():
    focus = TimeFocus(JANUARY, applied=True)
    assert TimeFocus.from_json(focus.to_json("en")) == focus
    assert TimeFocus.from_json(None) == TimeFocus()


@pytest.mark.parametrize("body, says", [
    ({"now": "2018-13-01"}, "'now'"), ({"now": "kemarin"}, "'now'"), ({"now": 20180301}, "'now'"),
    ({"time_aware": "no"}, "'time_aware'"),
])
def test_api_time_options_name_what_is_wrong(body, says):
    with pytest.raises(InputError, match=says):
        time_options(body)


def test_api_time_options_read_the_day_and_the_switch():
    assert time_options({}) == {"time_aware": True}
    assert time_options({"now": "2018-03-01", "time_aware": False}) == {"time_aware": False, "now": date(2018, 3, 1)}
