"""What a question names, and which reports are about it (``assistant.names``)."""

from __future__ import annotations

import pytest

from assistant.context import Unit
from assistant.extractive import Sentences, asked_figure, best_sentences
from assistant.names import question_names, reports_on
from assistant.records import Passage
from core.records import Hit
from core.text.analyze import name_runs

# What the dictionary translates (``Dictionary.into_other``), as far as these questions go.
KNOWN = {"timur": ["east"], "barat": ["west"], "kabupaten": ["regency"], "liga": ["league"], "divisi": ["division"],
         "satu": ["one"], "bay": ["teluk"], "mei": ["may"]}


def translate(word: str, language: str) -> list[str]:
    return KNOWN.get(word, [])


def test_a_questions_names_are_its_capitalised_words_in_runs_without_numbers():
    assert name_runs("Berapa dana Pemkab Sandawa Timur pada 21 Mei 2033?") == [["pemkab", "sandawa", "timur"], ["mei"]]
    assert name_runs("What is the latest price at Wailoka's main market?") == [["wailoka"]]
    assert name_runs("berapa korban banjir hari ini?") == []


def test_a_place_is_told_apart_by_its_proper_name_and_the_direction_it_holds():
    named = question_names("Berapa hektare lahan di Kabupaten Sandawa Timur yang terserang?", "id", translate)
    assert named.said_by("Dinas Pertanian Sandawa Timur mencatat 2.480 hektare")
    assert named.said_by("Locusts spread in East Sandawa regency")  # the English order
    assert not named.said_by("Belalang juga menyerang Kabupaten Sandawa Barat")  # the neighbouring regency
    assert not named.said_by("an island north of Sandawa")  # the island, not the regency
    assert not named.said_by("Kabupaten Lembora mencatat 340 hektare")  # "Kabupaten" is no name of it


def test_generic_words_of_a_name_do_not_make_another_report_about_it():
    named = question_names("Berapa tersangka kasus pengaturan skor Liga Sagaraloka Divisi Satu?", "id", translate)
    assert named.said_by("Tersangka pengaturan skor Liga Sagaraloka jadi sembilan")
    assert named.said_by("The Sagaraloka league restarted on Friday")
    assert not named.said_by("Dua Wasit Liga Amatir Air Bening Jadi Tersangka Suap")


def test_a_question_without_a_proper_name_is_about_any_of_its_names():
    named = question_names("How many people died in East Java?", "en", lambda word, language: ["x"])
    assert named.said_by("Floods in East Java kill 12") and named.said_by("Java")
    assert not question_names("berapa korban hari ini?", "id", translate)  # names nothing: every report is about it


def test_a_report_is_about_a_place_when_its_title_its_lead_or_the_sentence_names_it():
    named = question_names("Berapa pengungsi di Pandansewu sekarang?", "id", translate)
    lead = "SEWUAGUNG – Puting beliung melanda Kabupaten Pandansewu. Pengungsi kini 2.735 jiwa."
    hit = Hit(chunk_id="c", article_id="a", index=0, text=lead, title="Pengungsi capai 2.735 jiwa", lang="id")
    assert reports_on(named, hit)
    assert not reports_on(named, Hit(chunk_id="c", article_id="a", index=1, text=lead, title="Pengungsi capai 2.735"))
    elsewhere = Hit(chunk_id="d", article_id="d", index=0, title="Puting Beliung Rusak 236 Rumah di Jatiwangsa",
                    text="JATIWANGSA – Angin puting beliung melanda Kabupaten Jatiwangsa. Sebanyak 410 warga mengungsi.")
    assert not reports_on(named, elsewhere, "Sebanyak 410 warga mengungsi.")
    assert reports_on(named, elsewhere, "Warga Pandansewu yang mengungsi ke sini kini 40 orang.")


@pytest.mark.parametrize("question", ["What is the latest price of shelled maize at Wailoka's main market?"])
def test_a_latest_figure_comes_from_a_report_about_the_place_asked_not_the_next_islands(question):
    rows = [  # (published, title, sentence, cosine), best first
        ("2033-05-24", "Maize prices ease in Wailoka", "The price of shelled maize at Wailoka's main market eased to "
         "Rp 7,900 a kilogram.", 0.99),
        ("2033-05-27", "Fall armyworm ravages maize on Kolimara island", "Shelled maize sold for Rp 6,400 a kilogram at "
         "Kolimara's central market on Friday.", 0.92),
        ("2033-05-25", "Compensation payouts begin in Wailoka", "On Wednesday morning shelled maize sold for Rp 7,300 a "
         "kilogram.", 0.81),
    ]
    passages = [Passage(i + 1, Hit(chunk_id=f"c{i}", article_id=f"a{i}", index=1, text=text, title=title, lang="en",
                                   published=day), text, 10) for i, (day, title, text, _) in enumerate(rows)]
    units = [Unit(i, 0, text, cosine, cosine) for i, (_, _, text, cosine) in enumerate(rows)]
    ranked = Sentences(passages, units, (question,), figure=asked_figure(question, "en"), language="en",
                       names=question_names(question, "en", translate))
    assert best_sentences(ranked, 3, newest=True) == [(3, "On Wednesday morning shelled maize sold for Rp 7,300 a "
                                                           "kilogram.")]
    # without the names (a question that names no place) the newest price is the next island's
    anywhere = Sentences(passages, units, (question,), figure=ranked.figure, language="en")
    assert best_sentences(anywhere, 3, newest=True)[0][0] == 2
