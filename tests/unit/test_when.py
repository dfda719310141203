"""Time expressions (core.text.when): what each family resolves to against a fixed anchor, what must not be a date,
question scopes, datelines of undated articles, annotated passages and labels in both languages."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta

import pytest

from core.text.calendar import WEEKDAYS
from core.text.when import DateRange, TimeScope, annotate, dateline_date, find_dates, question_scope
from tests.conftest import REPO

WED = date(2017, 3, 8)  # a Wednesday: the anchor of the article tests
D = date.fromisoformat


def resolved(text: str, anchor: date = WED) -> list[tuple[str, str, str | None, str | None]]:
    """(text, kind, start, end) of every mention, ISO days."""
    return [(m.text, m.kind, m.range.start and m.range.start.isoformat(), m.range.end and m.range.end.isoformat())
            for m in find_dates(text, anchor)]


def one(text: str, anchor: date = WED) -> tuple[str, str, str | None, str | None]:
    found = resolved(text, anchor)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("text, anchor, expected", [
    # weekday + (d/m): the weekday picks the year near the anchor, broken forms included
    ("Senin (22/8)", "2016-08-23", ("Senin (22/8)", "dateline", "2016-08-22", "2016-08-22")),
    ("Rabu (05/10)", "2016-10-06", ("Rabu (05/10)", "dateline", "2016-10-05", "2016-10-05")),
    ("Sabtu (5/11)", "2016-11-04", ("Sabtu (5/11)", "dateline", "2016-11-05", "2016-11-05")),  # the day after
    ("Sabtu (18//3)", "2017-03-20", ("Sabtu (18//3)", "dateline", "2017-03-18", "2017-03-18")),
    ("Senin (13/3/ 2017)", "2017-03-13", ("Senin (13/3/ 2017)", "dateline", "2017-03-13", "2017-03-13")),
    ("Selasa malam, (7/11)", "2017-11-08", ("Selasa malam, (7/11)", "dateline", "2017-11-07", "2017-11-07")),
    ("Selasa (23/1/2018 di", "2018-01-23", ("Selasa (23/1/2018", "dateline", "2018-01-23", "2018-01-23")),
    ("Jumat silam (19/5)", "2017-05-21", ("Jumat silam (19/5)", "dateline", "2017-05-19", "2017-05-19")),
    ("Senin (5/2) lalu", "2024-02-09", ("Senin (5/2) lalu", "dateline", "2024-02-05", "2024-02-05")),
    ("Minggu (4/2) malam", "2024-02-05", ("Minggu (4/2) malam", "dateline", "2024-02-04", "2024-02-04")),
    ("Jum'at (30/12)", "2017-01-02", ("Jum'at (30/12)", "dateline", "2016-12-30", "2016-12-30")),  # year before
    ("Jumat (5/1)", "2017-12-28", ("Jumat (5/1)", "dateline", "2018-01-05", "2018-01-05")),  # year after
    ("Sunday (4/2)", "2024-02-06", ("Sunday (4/2)", "dateline", "2024-02-04", "2024-02-04")),
    # the weekday fits no nearby year: the day and month are kept, in the year nearest the anchor
    ("Kamis (8/7)", "2017-06-08", ("Kamis (8/7)", "dateline", "2017-07-08", "2017-07-08")),
])
def test_weekday_datelines(text, anchor, expected):
    assert one(text, D(anchor)) == expected


@pytest.mark.parametrize("text, start, end", [
    ("Selasa", "2017-03-07", None),  # most recent on or before the anchor
    ("Rabu", "2017-03-08", None),  # the anchor itself
    ("Jumat kemarin", "2017-03-03", None),
    ("Selasa lalu", "2017-03-07", None),
    ("hari Minggu lalu", "2017-03-05", None),
    ("Rabu mendatang", "2017-03-15", None),  # forward, strictly after
    ("Kamis dinihari nanti", "2017-03-09", None),
    ("Sabtu besok", "2017-03-11", None),
    ("Jumat pekan lalu", "2017-03-03", None),
    ("Senin pekan depan", "2017-03-13", None),
    ("on Sunday night", "2017-03-05", None),
    ("last Wednesday", "2017-03-01", None),  # "last" on the same weekday: a week back
    ("next Monday", "2017-03-13", None),
    ("this Friday", "2017-03-10", None),
])
def test_bare_weekdays(text, start, end):
    assert one(text)[2:] == (start, end or start)


@pytest.mark.parametrize("text, day", [
    # a day to come: a future word before the weekday in its sentence (the anchor is Wednesday 8 March 2017)
    ("Load tests are scheduled on Friday, and the bridge should open the week after.", "2017-03-10"),
    ("Another 57 schools will return to classrooms on Monday, the education office said.", "2017-03-13"),
    ("The ruling will now be read on Tuesday.", "2017-03-14"),
    ("The bridge should open to cars and small trucks on Monday.", "2017-03-13"),
    ("Mediasi antara nelayan dan perusahaan dijadwalkan Rabu sore di kantor bupati.", "2017-03-08"),  # today
    ("Posko pengaduan akan dibuka kembali Sabtu.", "2017-03-11"),
    # reported speech of a day to come: "said" before the future word does not turn back
    ("The bridge is 60 percent complete, and officials said it should open on Thursday.", "2017-03-09"),
    # ... unless the words turn back to the past, or no future word comes before the day
    ("No more bodies will be found, the police chief said on Monday.", "2017-03-06"),
    ("Putusan akan dibacakan besok, setelah sempat ditunda pada Selasa.", "2017-03-07"),
    ("Penerbangan yang semula dijadwalkan Minggu sore itu tertunda tiga jam.", "2017-03-05"),
    ("The minister said on Friday that schools will reopen soon.", "2017-03-03"),
])
def test_a_bare_weekday_after_a_future_word_is_the_next_one(text, day):
    days = [(start, end) for found, _, start, end in resolved(text) if any(n in found.lower() for n in WEEKDAYS)]
    assert days == [(day, day)], resolved(text)


@pytest.mark.parametrize("text, start", [
    ("Tiga jenazah ditemukan selama akhir pekan.", "2017-03-04"),  # the weekend just past
    ("The factory closed its garment units at the weekend.", "2017-03-04"),
    ("Pemkab akan menggelar pasar murah akhir pekan.", "2017-03-11"),  # after a future word, the coming one
    ("Hujan diperkirakan masih turun hingga akhir pekan.", "2017-03-11"),
    ("Deliveries are expected to return to normal over the weekend.", "2017-03-11"),
])
def test_a_bare_weekend_is_the_last_one_unless_a_future_word_comes_before(text, start):
    weekends = [(first, last) for found, _, first, last in resolved(text) if "pekan" in found or "weekend" in found]
    assert weekends == [(start, (D(start) + timedelta(days=1)).isoformat())], resolved(text)


@pytest.mark.parametrize("text, start, end", [
    ("kemarin", "2017-03-07", None),
    ("kemarin sore", "2017-03-07", None),
    ("kemarin lusa", "2017-03-06", None),
    ("hari ini", "2017-03-08", None),
    ("sore ini", "2017-03-08", None),
    ("tadi malam", "2017-03-07", None),
    ("malam tadi", "2017-03-07", None),
    ("pagi tadi", "2017-03-08", None),
    ("siang tadi", "2017-03-08", None),
    ("besok", "2017-03-09", None),
    ("lusa", "2017-03-10", None),
    ("yesterday", "2017-03-07", None),
    ("today", "2017-03-08", None),
    ("tomorrow morning", "2017-03-09", None),
    ("last night", "2017-03-07", None),
    ("the day before yesterday", "2017-03-06", None),
    ("kemarin (12/7)", "2016-07-12", None),  # an explicit (d/m) wins over a loosely used "kemarin"
    ("dua hari lalu", "2017-03-06", None),
    ("three days ago", "2017-03-05", None),
    ("dua hari lagi", "2017-03-10", None),
    ("setahun silam", "2016-01-01", "2016-12-31"),
    ("tiga bulan lalu", "2016-12-01", "2016-12-31"),
])
def test_days_relative_to_the_anchor(text, start, end):
    assert one(text)[2:] == (start, end or start)


@pytest.mark.parametrize("text, start, end", [
    ("pekan lalu", "2017-02-27", "2017-03-05"),  # calendar weeks, Monday to Sunday
    ("minggu lalu", "2017-02-27", "2017-03-05"),
    ("pekan ini", "2017-03-06", "2017-03-12"),
    ("Minggu ini", "2017-03-06", "2017-03-12"),  # the week, not Sunday
    ("pekan depan", "2017-03-13", "2017-03-19"),
    ("akhir pekan", "2017-03-04", "2017-03-05"),  # bare: the one just past, as "the weekend" (but see below)
    ("akhir pekan ini", "2017-03-11", "2017-03-12"),
    ("akhir pekan kemarin", "2017-03-04", "2017-03-05"),
    ("last week", "2017-02-27", "2017-03-05"),
    ("this weekend", "2017-03-11", "2017-03-12"),
    ("dalam sepekan terakhir", "2017-03-02", "2017-03-08"),  # rolling, unlike "pekan lalu"
    ("in the past week", "2017-03-02", "2017-03-08"),
    ("the last 30 days", "2017-02-07", "2017-03-08"),
    ("bulan lalu", "2017-02-01", "2017-02-28"),
    ("bulan ini", "2017-03-01", "2017-03-31"),
    ("bulan depan", "2017-04-01", "2017-04-30"),
    ("last month", "2017-02-01", "2017-02-28"),
    ("next month", "2017-04-01", "2017-04-30"),
    ("tahun lalu", "2016-01-01", "2016-12-31"),
    ("tahun ini", "2017-01-01", "2017-12-31"),
    ("tahun depan", "2018-01-01", "2018-12-31"),
    ("last year", "2016-01-01", "2016-12-31"),
    ("awal tahun", "2017-01-01", "2017-12-31"),
])
def test_weeks_months_and_years(text, start, end):
    assert one(text)[2:] == (start, end)


def test_a_week_across_the_new_year():
    assert one("pekan lalu", D("2018-01-03"))[2:] == ("2017-12-25", "2017-12-31")


@pytest.mark.parametrize("text, anchor, start, end", [
    ("Desember lalu", "2017-03-08", "2016-12-01", "2016-12-31"),  # the previous December
    ("Juli lalu", "2017-09-04", "2017-07-01", "2017-07-31"),
    ("Maret mendatang", "2018-01-31", "2018-03-01", "2018-03-31"),
    ("Maret tahun lalu", "2017-03-08", "2016-03-01", "2016-03-31"),
    ("pada Maret", "2017-03-08", "2017-03-01", "2017-03-31"),
    ("bulan Mei", "2017-03-08", "2017-05-01", "2017-05-31"),
    ("last March", "2017-03-08", "2016-03-01", "2016-03-31"),
    ("in May", "2017-03-08", "2017-05-01", "2017-05-31"),
    ("26 Agustus mendatang", "2017-07-17", "2017-08-26", "2017-08-26"),
    ("1 Mei mendatang", "2017-10-02", "2018-05-01", "2018-05-01"),  # next year
    ("1 Mei lalu", "2017-10-02", "2017-05-01", "2017-05-01"),
    ("17 Agustus tahun lalu", "2017-03-08", "2016-08-17", "2016-08-17"),
    ("10 hingga 12 Oktober mendatang", "2016-10-06", "2016-10-10", "2016-10-12"),
    ("20 Desember", "2018-01-03", "2017-12-20", "2017-12-20"),  # nearest to the anchor
])
def test_months_and_days_without_a_year(text, anchor, start, end):
    assert one(text, D(anchor))[2:] == (start, end)


@pytest.mark.parametrize("text, kind, start, end", [
    ("5 September 2005", "absolute", "2005-09-05", "2005-09-05"),
    ("September 5, 2005", "absolute", "2005-09-05", "2005-09-05"),
    ("Senin, 5 September 2005", "absolute", "2005-09-05", "2005-09-05"),
    ("5/9/2005", "absolute", "2005-09-05", "2005-09-05"),
    ("2005-09-05", "absolute", "2005-09-05", "2005-09-05"),
    ("5 Des 2016", "absolute", "2016-12-05", "2016-12-05"),
    ("Maret 2017", "absolute", "2017-03-01", "2017-03-31"),
    ("pada Maret 2017", "absolute", "2017-03-01", "2017-03-31"),
    ("March 2017", "absolute", "2017-03-01", "2017-03-31"),
    ("Agt 2016", "absolute", "2016-08-01", "2016-08-31"),
    ("Nopember 2016", "absolute", "2016-11-01", "2016-11-30"),
    ("Pebruari 2016", "absolute", "2016-02-01", "2016-02-29"),
    ("tahun 2016", "absolute", "2016-01-01", "2016-12-31"),
    ("in 2017", "absolute", "2017-01-01", "2017-12-31"),
    ("2016 silam", "absolute", "2016-01-01", "2016-12-31"),
    ("kuartal I 2017", "absolute", "2017-01-01", "2017-03-31"),
    ("triwulan II", "relative", "2016-04-01", "2016-06-30"),  # the most recent second quarter begun
    ("semester pertama 2017", "absolute", "2017-01-01", "2017-06-30"),
    ("Q1 2018", "absolute", "2018-01-01", "2018-03-31"),
    ("first quarter of 2017", "absolute", "2017-01-01", "2017-03-31"),
    ("the second half of 2016", "absolute", "2016-07-01", "2016-12-31"),
    ("tiga bulan pertama tahun ini", "relative", "2017-01-01", "2017-03-31"),
])
def test_absolute_dates_months_years_and_parts(text, kind, start, end):
    assert one(text)[1:] == (kind, start, end)


@pytest.mark.parametrize("text", ["Di paruh kedua, intensitas tekanan Arsenal tidak berubah.",
                                  "Memasuki paruh pertama, Liverpool langsung tancap gas.",
                                  "United scored twice in the second half."])
def test_a_half_without_a_year_is_a_match_half_not_a_date(text):
    assert find_dates(text, date(2018, 2, 16)) == []


@pytest.mark.parametrize("text", ["Miller mampu menembus Q2. Sayang di Q2, pebalap tercepat pada FP1 ...",
                                  "Seperti dikutip dari USA Today, Coombe melakukan hal yang 'gila'.",
                                  "Pemerintah Jepang menetapkan skema baru bernama 'Premium Friday', dimana ..."])
def test_a_qualifying_session_and_names_ending_in_a_day_word_are_not_dates(text):
    assert find_dates(text, date(2017, 5, 21)) == []


def test_an_english_day_after_a_lower_case_word_or_a_comma_is_still_a_day():
    assert [m.text for m in find_dates("Reuters reported on Friday, Jakarta, Senin (12/2).", date(2018, 2, 14))] == [
        "on Friday", "Senin (12/2)"]
    assert [m.text for m in find_dates("Officials said so. On Friday, it rained.", date(2018, 2, 14))] == ["On Friday"]


def test_this_after_a_full_stop_begins_the_next_sentence():
    # "Tragedi 27 Juli. Ini menggambarkan ...": not "27 Juli ini"
    [mention] = find_dates("Konteks memperingati Tragedi 27 Juli. Ini menggambarkan seorang pemuda.", date(2017, 8, 1))
    assert mention.text == "27 Juli"


def test_a_half_with_a_year_is_still_a_date():
    assert one("paruh kedua tahun ini")[1:] == ("relative", "2017-07-01", "2017-12-31")


def test_the_thousands_of_a_price_are_not_a_count_of_weeks():
    # "Rp 38.000 pekan lalu" is last week's price, not "000 weeks ago"
    [mention] = find_dates("Harga cabai Rp 55.000, dari Rp 38.000 pekan lalu.", date(2025, 3, 9))
    assert (mention.kind, str(mention.range.start), str(mention.range.end)) == ("relative", "2025-02-24", "2025-03-02")


@pytest.mark.parametrize("text", [
    "Harganya Rp 2017 per lembar.",
    "Sebanyak 2.017 orang hadir.",
    "Acara dimulai pukul 20.17 WIB.",
    "Nomor 2017 dipakai pemain itu.",
    "You may leave early.",
    "Jan Ethes bermain di taman.",
    "Dua minggu ia dirawat.",
    "Skor akhir (2/1) untuk tuan rumah.",
    "Ia meraih nilai 1990-an.",
])
def test_numbers_and_words_that_are_not_dates(text):
    assert find_dates(text, WED) == []


def test_minggu_is_sunday_only_with_a_date_or_capitalised_alone():
    assert resolved("Minggu (5/3) ia datang, minggu lalu pergi, Minggu ini pulang.") == [
        ("Minggu (5/3)", "dateline", "2017-03-05", "2017-03-05"),
        ("minggu lalu", "relative", "2017-02-27", "2017-03-05"),
        ("Minggu ini", "relative", "2017-03-06", "2017-03-12")]


def test_overlaps_keep_the_longest_and_offsets_point_into_the_text():
    text = "Jembatan putus pada Senin (5/2) lalu, kata BPBD kemarin."
    mentions = find_dates(text, D("2024-02-09"))
    assert [(m.text, text[m.start:m.end]) for m in mentions] == [
        ("pada Senin (5/2) lalu", "pada Senin (5/2) lalu"), ("kemarin", "kemarin")]


def test_two_days_written_as_one_stretch_join_but_a_deadline_does_not():
    assert resolved("on Wednesday and Thursday", D("2024-02-08")) == [
        ("on Wednesday and Thursday", "relative", "2024-02-07", "2024-02-08")]
    assert [m[2] for m in resolved("Selasa (6/2) malam hingga Rabu (7/2) siang", D("2024-02-07"))] == [
        "2024-02-06", "2024-02-07"]


def test_since_and_as_of_ranges():
    assert one("sejak Januari 2018", D("2018-03-01"))[1:] == ("since", "2018-01-01", "2018-03-01")
    assert one("since Monday", D("2024-02-06"))[1:] == ("since", "2024-02-05", "2024-02-06")
    assert one("sejak 2015 hingga kini")[1:] == ("since", "2015-01-01", "2017-03-08")
    assert one("per 7 Februari", D("2024-02-11"))[1:] == ("as_of", None, "2024-02-07")
    assert one("as of February 7", D("2024-02-11"))[1:] == ("as_of", None, "2024-02-07")


def test_both_languages_are_read_whatever_lang_says():
    assert find_dates("kemarin and yesterday", WED, lang="en") == find_dates("kemarin and yesterday", WED, lang="id")
    assert len(find_dates("kemarin and yesterday", WED, lang="en")) == 2


NOW = date(2018, 3, 1)


@pytest.mark.parametrize("question, now, expected", [
    ("Apa putusan hakim kemarin?", "2017-12-15", ("relative", False, "2017-12-14", "2017-12-14", "kemarin")),
    ("What did the lawyer say yesterday?", "2017-12-14", ("relative", False, "2017-12-13", "2017-12-13", "yesterday")),
    ("Siapa yang menang pekan lalu?", "2018-02-14", ("relative", False, "2018-02-05", "2018-02-11", "pekan lalu")),
    ("Who won last week?", "2018-02-14", ("relative", False, "2018-02-05", "2018-02-11", "last week")),
    ("Apa kabar bulan lalu?", "2017-06-05", ("relative", False, "2017-05-01", "2017-05-31", "bulan lalu")),
    ("Berapa skor pada Desember 2017?", "2018-03-01",
     ("absolute", False, "2017-12-01", "2017-12-31", "pada Desember 2017")),
    ("What was the score in February 2018?", "2018-03-01",
     ("absolute", False, "2018-02-01", "2018-02-28", "in February 2018")),
    ("Who was attacked on 11 April 2017?", "2018-03-01",
     ("absolute", False, "2017-04-11", "2017-04-11", "on 11 April 2017")),
    ("Berapa korban tahun 2017?", "2018-03-01", ("absolute", False, "2017-01-01", "2017-12-31", "tahun 2017")),
    ("Apa yang terjadi sejak Januari?", "2018-03-01", ("since", False, "2018-01-01", "2018-03-01", "sejak Januari")),
    ("Apa yang terjadi sejak Mei?", "2018-03-01", ("since", False, "2017-05-01", "2018-03-01", "sejak Mei")),
    ("What happened since February 2018?", "2018-03-01",
     ("since", False, "2018-02-01", "2018-03-01", "since February 2018")),
    ("What happened since early 2018?", "2018-03-01",
     ("since", False, "2018-01-01", "2018-03-01", "since early 2018")),
    ("Berapa pengungsi per 7 Februari?", "2024-02-11", ("as_of", False, None, "2024-02-07", "per 7 Februari")),
    ("How many were displaced as of February 7?", "2024-02-11",
     ("as_of", False, None, "2024-02-07", "as of February 7")),
    ("Berapa korban hingga kemarin?", "2024-02-09", ("as_of", False, None, "2024-02-08", "hingga kemarin")),
    ("What happened between March and May 2017?", "2018-03-01",
     ("absolute", False, "2017-03-01", "2017-05-31", "between March and May 2017")),
    ("Apa yang terjadi antara Maret dan Mei 2017?", "2018-03-01",
     ("absolute", False, "2017-03-01", "2017-05-31", "antara Maret dan Mei 2017")),
    ("What happened between December 2017 and January 2018?", "2018-03-01",
     ("absolute", False, "2017-12-01", "2018-01-31", "between December 2017 and January 2018")),
    ("Apa berita terbaru soal MU pada Mei 2017?", "2018-03-01",
     ("absolute", True, "2017-05-01", "2017-05-31", "terbaru soal MU pada Mei 2017")),
    ("What was the latest MotoGP news last month?", "2017-06-05",
     ("relative", True, "2017-05-01", "2017-05-31", "latest MotoGP news last month")),
    # a range under way ends on the day asked: nothing after it had been reported
    ("Berapa kasus DBD tahun ini menurut data terbaru?", "2034-02-11",
     ("relative", True, "2034-01-01", "2034-02-11", "tahun ini menurut data terbaru")),
    ("How many cases so far this month?", "2034-02-11",
     ("relative", True, "2034-02-01", "2034-02-11", "so far this month")),
    # a range within another is the one asked; a start and its end still span both
    ("What was the most recent count last week of dengue cases recorded this year?", "2034-02-15",
     ("relative", True, "2034-02-06", "2034-02-12", "most recent count last week of dengue cases recorded this year")),
    ("Sejak awal Februari hingga kemarin, siapa yang ditetapkan sebagai tersangka?", "2018-02-14",
     ("since", False, "2018-02-01", "2018-02-14", "Sejak awal Februari hingga kemarin")),
])
def test_question_scope_ranges(question, now, expected):
    scope = question_scope(question, D(now))
    assert scope.range is not None
    start, end = scope.range.start, scope.range.end
    assert (scope.kind, scope.latest, start and start.isoformat(), end and end.isoformat(),
            scope.expression) == expected


@pytest.mark.parametrize("question, expression", [
    ("Bagaimana kabar terbaru Timnas Indonesia?", "terbaru"),
    ("Bagaimana kondisi terkini jembatan itu?", "terkini"),
    ("Berapa harga beras sekarang?", "sekarang"),
    ("Siapa pelatih Persib saat ini?", "saat ini"),
    ("Berita paling baru soal KPK?", "paling baru"),
    ("What is the latest death toll?", "latest"),
    ("Who currently coaches Persib?", "currently"),
    ("What is the most recent figure?", "most recent"),
    ("How many people are displaced now?", "now"),
    ("How many personnel remain at the site at present?", "at present"),
    ("How many homes are still without power at the moment?", "at the moment"),
    ("What does a kilo of beef cost these days?", "these days"),
    ("Berapa total uang yang sudah dibayarkan menurut data terakhir?", "data terakhir"),
    ("How many ballots were spoiled at last count?", "at last count"),
    ("What is the death toll from the outbreak at this point?", "at this point"),
    ("As things stand, how many children have been vaccinated?", "As things stand"),
])
def test_question_scope_latest(question, expression):
    assert question_scope(question, NOW) == TimeScope(None, True, expression, "latest")


@pytest.mark.parametrize("question", [
    "Kapan Jembatan Lampesi putus?",
    "Siapa pemenang Piala Dunia 2018?",  # a year in a name, without a cue
    "Berapa Rp 2017 dalam dolar?",
    "Apa yang harus dilakukan sekarang juga?",  # "at once", not the latest news
    "Bagaimana nasib proyek itu lima tahun dari sekarang?",
    "What is the current account deficit?",
    "May I ask who won the match?",
    "Since when has he led the agency?",
    "Kapan terakhir kali jembatan itu diperbaiki?",  # the last time, not the latest report
])
def test_question_scope_none(question):
    assert question_scope(question, NOW) == TimeScope(None, False, "", "none")


@pytest.mark.parametrize("text, years, expected", [
    ("Jakarta, CNN Indonesia -- Presiden meresmikan jalan tol pada Senin (6/11).", [2015, 2017], "2017-11-06"),
    ("merdeka.com - Kamis (12/10) polisi menangkap pelaku.", [2017], "2017-10-12"),
    ("Suara.com - Hujan turun sejak Kamis (22/2/2018) sore.", [], "2018-02-22"),  # an explicit year wins
    ("Suara.com - Hujan turun sejak Kamis (22/2/2018) sore.", [2016], "2018-02-22"),
    # the weekday decides between the listed years: 12/10 was a Thursday in 2017, not in 2016
    ("merdeka.com - Kamis (12/10) polisi menangkap pelaku.", [2016, 2017], "2017-10-12"),
    # the latest reported day: the lead names the event, a later statement the publish day
    ("Kericuhan terjadi Jumat (4/11). Polisi memberi keterangan Sabtu (5/11).", [2016], "2016-11-05"),
    # a January dateline may take the year after a listed one (an article of January 2018 about 2017)
    ("Jakarta -- Selasa (2/1) harga naik dari Desember 2017.", [2017], "2018-01-02"),
])
def test_dateline_date_finds_the_publish_day(text, years, expected):
    assert dateline_date(text, years, date(2026, 12, 1)) == D(expected)


@pytest.mark.parametrize("text, years", [
    ("merdeka.com - Kamis (12/10) polisi menangkap pelaku.", [2016]),  # Thursday fits no candidate year
    ("merdeka.com - Kamis (12/10) polisi menangkap pelaku.", []),  # no year to go by
    ("Rapat digelar Jumat (16/2/2017).", [2018]),  # the written year disagrees with the weekday
    ("Final akan digelar Sabtu (19/11) mendatang.", [2016]),  # a day to come, not the publish day
    ("Harga beras naik di pasar induk.", [2017]),
])
def test_dateline_date_prefers_none_to_a_guess(text, years):
    assert dateline_date(text, years, date(2026, 12, 1)) is None


def test_dateline_date_is_never_after_today():
    text = "Jakarta -- Senin (6/11) presiden meresmikan jalan tol."
    assert dateline_date(text, [2017], date(2017, 11, 5)) is None
    assert dateline_date(text, [2017], date(2017, 11, 6)) == date(2017, 11, 6)


def test_annotate_spells_out_relative_dates_only():
    text = "Jembatan putus Senin (5/9) lalu dan kemarin ditutup; proyek dimulai 5 September 2005 dan Maret 2017."
    assert annotate(text, date(2005, 9, 6), "id") == (
        "Jembatan putus Senin (5/9) lalu (Senin, 5 September 2005) dan kemarin (5 September 2005) ditutup; "
        "proyek dimulai 5 September 2005 dan Maret 2017.")
    assert annotate("The bridge fell last Monday, BPBD said yesterday.", date(2024, 2, 9), "en") == (
        "The bridge fell last Monday (Monday, 5 February 2024), BPBD said yesterday (8 February 2024).")
    assert annotate("Banjir terjadi pekan lalu.", date(2024, 2, 9), "jv") == (
        "Banjir terjadi pekan lalu (29 Januari – 4 Februari 2024).")  # an unknown language: Indonesian labels
    assert annotate("Tanpa tanggal di sini.", WED, "id") == "Tanpa tanggal di sini."
    # what has lasted since a day shows that day, not the days since (the text says "since")
    assert annotate("Work has been suspended since Tuesday night.", date(2032, 9, 10), "en") == (
        "Work has been suspended since Tuesday night (Tuesday, 7 September 2032).")
    assert annotate("Amblesan yang sejak Minggu (5/9) melanda kota dan hujan sejak kemarin.", date(2032, 9, 16),
                    "id") == ("Amblesan yang sejak Minggu (5/9) (Minggu, 5 September 2032) melanda kota dan hujan "
                              "sejak kemarin (15 September 2032).")
    assert annotate("Harga naik sejak pekan lalu.", date(2032, 9, 16), "id") == (
        "Harga naik sejak pekan lalu (6–16 September 2032).")  # a week named: the days since its start
    once = annotate(text, date(2005, 9, 6), "id")
    assert annotate(once, date(2005, 9, 6), "id") == once  # a passage resolved before is not resolved again


@pytest.mark.parametrize("start, end, lang, weekday, label", [
    ("2005-09-05", "2005-09-05", "id", False, "5 September 2005"),
    ("2005-09-05", "2005-09-05", "id", True, "Senin, 5 September 2005"),
    ("2005-09-05", "2005-09-05", "en", True, "Monday, 5 September 2005"),
    ("2018-01-01", "2018-01-31", "id", False, "Januari 2018"),
    ("2017-05-01", "2017-05-31", "en", False, "May 2017"),
    ("2017-01-01", "2017-12-31", "id", False, "2017"),
    ("2017-03-01", "2017-05-31", "id", False, "Maret–Mei 2017"),
    ("2017-12-01", "2018-01-31", "en", False, "December 2017 – January 2018"),
    ("2024-02-05", "2024-02-11", "id", False, "5–11 Februari 2024"),
    ("2024-02-05", "2024-02-11", "en", False, "5–11 February 2024"),
    ("2017-12-25", "2018-01-07", "en", False, "25 December 2017 – 7 January 2018"),
    ("2018-01-01", None, "id", False, "sejak 1 Januari 2018"),
    ("2018-01-01", None, "en", False, "since 1 January 2018"),
    (None, "2024-02-07", "id", False, "hingga 7 Februari 2024"),
    (None, "2024-02-07", "en", False, "until 7 February 2024"),
])
def test_labels_in_both_languages(start, end, lang, weekday, label):
    span = DateRange(start and D(start), end and D(end))
    assert span.label(lang, weekday=weekday) == label


def test_date_range_contains_with_open_ends():
    assert DateRange(None, D("2024-02-07")).contains(D("2000-01-01"))
    assert not DateRange(None, D("2024-02-07")).contains(D("2024-02-08"))
    assert DateRange(D("2018-01-01"), D("2018-01-31")).contains(D("2018-01-31"))
    assert not DateRange(D("2018-01-01"), D("2018-01-31")).contains(D("2017-12-31"))


def test_core_text_when_imports_only_the_stdlib_and_core():
    code = ("import json, sys; before = set(sys.modules); import core.text.when; "
            "print(json.dumps(sorted({m.split('.')[0] for m in set(sys.modules) - before})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    loaded = json.loads(out)
    assert "core" in loaded
    assert [name for name in loaded if name != "core" and name not in sys.stdlib_module_names] == []
