"""What a question asks for (a number, a date) and which sentences can answer it; whether figures changed between
reports. Pure rules: tables of real-looking questions and sentences in both languages."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.asks import (
    asked_kind,
    asked_state,
    asked_thing,
    asks_negated,
    asks_rate,
    asks_share,
    can_answer,
    case_kind,
    counted,
    counts_of,
    counts_people,
    figures,
    lower_bounds,
    priced_item,
    priced_per,
    replaced,
    reported,
    states_negation,
)
from assistant.context import Unit
from assistant.extractive import (
    NO_FIGURE,
    AskedFigure,
    Sentences,
    asked_figure,
    best_sentences,
    earlier_sentence,
    figures_changed,
    figures_disagree,
    figures_first,
    gives_figure,
    newest_report,
    qualifiers,
    question_figure,
    says_not,
    stated_first,
)
from assistant.records import Passage
from core.records import Hit
from core.text.lang import detect_language


@pytest.mark.parametrize(("question", "kind"), [
    ("Berapa jumlah pengungsi banjir Tirtamaya sekarang?", "quantity"),
    ("Berapakah harga beras medium di Palindo?", "quantity"),
    ("How many houses were damaged by the flood?", "quantity"),
    ("How much did Meta pay for Scale AI?", "quantity"),
    ("What is the latest contingency budget Banyusari has allocated?", "quantity"),
    ("What was the total cost of the repairs?", "quantity"),
    ("What is the latest Game of Thrones news?", "other"),
    ("What is the capital of Thailand?", "other"),
    ("Kapan Jembatan Lampesi putus?", "date"),
    ("Tanggal berapa banjir bandang terjadi?", "date"),  # "berapa", but a date is asked
    ("Pada tahun berapa Soekarno lahir?", "date"),
    ("When did the bridge reopen?", "date"),
    ("In what year was the company founded? What date?", "date"),
    ("When the Rhine emerges from Lake Constance, which way does it flow?", "other"),  # "when" as a conjunction
    ("Siapa CEO interim OpenAI?", "other"),
    ("Why did OpenAI drop Scale AI?", "reason"),
    ("Mengapa OpenAI memutus kerja sama dengan Scale AI?", "reason"),
    ("Apa alasan Setya Novanto tidak datang saat dipanggil KPK?", "reason"),
    ("Apa dugaan penyebab kebakaran peternakan ayam di Cipayung?", "reason"),
    ("What caused the landslide in Cibadak?", "reason"),
    ("Bagaimana cara warga keluar dari desa yang terisolasi?", "means"),
    ("Bagaimana KPK menyiasati agar tetap bisa menyadap?", "means"),
    ("How did the rescuers reach the village?", "means"),
    ("Bagaimana perkembangan terkini perjuangan warga Kendeng?", "other"),  # a state, not a means
    ("How are the victims doing?", "other"),
    ("How has Manchester United done since the start of February 2018?", "other"),
    ("Beberapa warga mengungsi ke mana?", "other"),  # "beberapa" (some) is not "berapa"
    ("What does a kilo of beef cost at the market these days?", "quantity"),  # a price without "how much"
    ("What does the minister say about the cost?", "other"),
])
def test_a_question_asks_for_a_number_a_date_or_something_else(question, kind):
    assert asked_kind(question) == kind


@pytest.mark.parametrize(("sentence", "number", "day"), [
    ("BPBD mencatat 2.800 warga masih bertahan di pengungsian.", True, False),
    ("Dua warga masih dinyatakan hilang.", True, False),
    ("Two people remain missing.", True, False),
    ("Meta invested US$14.3 billion in Scale AI.", True, False),
    # the digits of a date are not a figure, but the date answers "kapan"
    ("Tim SAR menemukan jenazah pada Selasa (6/2) malam hingga Rabu (7/2) siang.", False, True),
    ("Jembatan itu kembali dibuka pada 9 Februari 2024.", False, True),
    ("The bridge reopened on February 9, 2024.", False, True),
    ("The bridge reopened on Friday.", False, True),
    ("Status tanggap darurat diperpanjang kemarin.", False, True),
    ("Perusahaan itu didirikan pada 1998 di Jakarta.", True, True),  # a bare year: both
    ("Blues diciptakan di Deep South pada akhir abad ke-19.", True, True),  # "abad ke-19": a time without a month
    ("Pada akhir Perang Dunia I, Rhineland tunduk pada Perjanjian Versailles.", False, True),
    ("Warga mulai kesulitan air bersih.", False, False),
])
def test_a_sentence_can_answer_a_number_or_a_date_question_only_when_it_holds_one(sentence, number, day):
    assert can_answer(sentence, "quantity") is number
    assert can_answer(sentence, "date") is day
    assert can_answer(sentence, "other")


def test_figures_leave_out_the_numbers_of_dates():
    assert [q.value for q in figures("Pada Rabu (7/2), korban menjadi 12 orang (7 Februari 2024).")] == [12]


@pytest.mark.parametrize(("sentence", "reason", "means"), [
    ("OpenAI kini tengah mencari mitra penyedia data yang lebih sesuai untuk memenuhi kebutuhan model AI.", True, True),
    ("Lorenzo memilih itu karena ban keras membuat motornya tak bisa maksimal.", True, False),
    ("Jalan itu ditutup akibat longsor.", True, False),
    ("Stiller berbicara di hadapan publik agar para pria mau menjalani tes.", True, False),
    ("The match was postponed because of heavy rain.", True, False),
    ("Bella menghubungi suami dan anaknya lewat video call.", False, True),
    ("Warga dievakuasi dengan menggunakan perahu karet.", False, True),
    ("They reached the village by crossing the river on foot.", False, True),
    # "untuk" before a noun is not a purpose; a lead that only names the event states neither
    ("Scale AI akan fokus pada solusi AI untuk pemerintah dan perusahaan besar.", False, False),
    ("OpenAI mengumumkan pemutusan kerja sama dengan Scale AI.", False, False),
])
def test_a_sentence_states_a_reason_or_a_means_by_the_words_news_uses_for_them(sentence, reason, means):
    assert can_answer(sentence, "reason") is reason
    assert can_answer(sentence, "means") is means


OPENAI = [  # (published, sentence, cosine to "Why did OpenAI drop Scale AI?"), best first
    ("2025-06-19", "OpenAI mengumumkan pemutusan kerja sama dengan Scale AI, berdekatan dengan investasi Meta.", 0.88),
    ("2025-06-19", "Scale AI kini harus beradaptasi dengan realitas baru tersebut.", 0.87),
    ("2025-06-19", "Bagi OpenAI dan Scale AI, perubahan ini mengindikasikan perlunya adaptasi.", 0.86),
    ("2025-06-19", "OpenAI kini tengah mencari mitra penyedia data yang lebih sesuai untuk memenuhi kebutuhannya.", 0.82),
    ("2025-06-19", "Langkah ini dinilai sebagai usaha strategis untuk menjaga independensi data.", 0.78),
]


def test_a_why_answer_quotes_the_closest_sentence_that_states_a_reason_with_the_best_ones():
    question = "Why did OpenAI drop Scale AI?"
    ranked = _sentences(*OPENAI, focus=question)
    ranked = replace(ranked, units=stated_first(ranked.units, asked_kind(question), ranked.answers))
    quoted = [sentence for _, sentence in best_sentences(ranked, 3)]
    assert any("mencari mitra" in sentence for sentence in quoted)  # the reason, though 0.06 below the best
    assert quoted[0].startswith("OpenAI mengumumkan")  # reading order: the lead is still there
    assert not any("independensi" in sentence for sentence in quoted)  # a reason too far from the question: no


def test_questions_that_ask_for_no_reason_keep_their_ranking():
    ranked = _sentences(*OPENAI)
    for question in ("Siapa CEO interim Scale AI?", "Bagaimana perkembangan kerja sama OpenAI?"):
        assert stated_first(ranked.units, asked_kind(question), ranked.answers) == ranked.units
    # nothing close enough states a reason: as ranked
    assert stated_first(ranked.units[:3], asked_kind("Why did OpenAI drop Scale AI?"), ranked.answers) == ranked.units[:3]


@pytest.mark.parametrize(("question", "negated"), [
    ("Mengapa Setya Novanto tidak datang saat dipanggil KPK?", True),
    ("Kenapa polisi belum bisa meminta keterangan Sheila Marcia?", True),
    ("Siapa yang tidak setuju dengan jadwal bisnis di kamar?", True),
    ("Apa kewarganegaraan yang bukan peneliti Richard G. Wilkinson?", True),
    ("Why didn't Borussia Dortmund want to sell Aubameyang?", True),
    ("Why can't some countries accept chicken from Indonesia?", True),
    ("What did the ministry never publish?", True),
    ("Why is there no clean water in Watugana?", True),
    ("Who lives at No. 10 Downing Street?", False),
    ("How far from the crater does the no-go zone around Mount Karumbo currently extend?", False),  # a compound
    # not a question about what did not happen
    ("Mengapa OpenAI memutus kerja sama dengan Scale AI?", False),
    ("Apa yang tidak hanya dijual di pasar itu?", False),  # "not only" adds
    ("Bagaimana petugas berupaya agar tragedi berdesakan di Mina tidak terulang?", False),  # a purpose: the means
    ("How did Gal Gadot make sure she would not win Miss Universe?", False),
    ("Berapa korban yang masih tertimbun atau belum ditemukan?", False),  # an alternative
    ("Berapa dana belanja tidak terduga yang disiapkan Pemkab?", False),  # an adjective
    ("Siapa pelaku penembakan orang tak dikenal itu?", False),
    ("Berapa rumah warga yang rusak (tidak termasuk yang terbakar) akibat ledakan?", False),  # what a count leaves out
    ("How many houses were damaged, not including those burned?", False),
])
def test_questions_about_what_did_not_happen(question, negated):
    assert asks_negated(question) is negated


@pytest.mark.parametrize(("sentence", "states"), [
    ("Setya Novanto kembali tidak memenuhi panggilan KPK.", True),
    ("Liliyana tampaknya belum begitu tertarik dengan tawaran tersebut.", True),
    ("Dia gagal lolos audisi.", True),
    ("Menteri menolak berkomentar.", True),
    ("The minister didn't come.", True),
    ("The club refused to sell him.", True),
    ("Scale AI menegaskan posisinya di pasar.", False),
    ("Di antara tugas Biro adalah menyetujui jadwal bisnis di kamar.", False),
    ("Notably, the company grew.", False),  # "not" only as a word
])
def test_sentences_that_state_what_did_not_happen(sentence, states):
    assert states_negation(sentence) is states


def test_a_question_about_what_did_not_happen_needs_a_quoted_sentence_that_says_so():
    # the near miss: the passage says who agrees the schedule, not who does not
    agrees = _sentences(("", "Di antara tugas-tugas Biro adalah untuk menyetujui jadwal bisnis di kamar.", 0.88),
                        ("", "Biro Parlemen mengalokasikan waktu dan menetapkan agenda kerja di majelis.", 0.86),
                        # a "tidak" further down, too far from the question to be quoted, does not count
                        ("", "Parlemen tidak dapat membuat undang-undang tentang masalah pertahanan.", 0.81))
    assert not says_not(agrees, 3)
    stayed_away = _sentences(("", "Ketua DPR Setya Novanto kembali tidak memenuhi panggilan KPK.", 0.91),
                             ("", "Surat itu menyebut KPK tidak menyertakan izin tertulis dari Presiden.", 0.89))
    assert says_not(stayed_away, 3)


def test_a_count_of_what_is_not_so_yet_is_stated_by_what_is_still_so():
    # "belum tertangkap" is reported as "masih buron": for a count, what is still so answers it
    question = "Berapa napi yang sampai sekarang belum tertangkap?"
    at_large = _sentences(("2028-10-20", "Sebanyak 11 napi masih buron dan diburu tim gabungan.", 0.90), focus=question)
    assert says_not(at_large, 3)
    assert states_negation("Seven inmates remain at large.", counting=True)
    # not for other questions: "masih" says nothing of what did not happen
    assert not states_negation("Ketua DPR masih memenuhi panggilan KPK.")
    assert not says_not(_sentences(("", "Ketua DPR masih memenuhi panggilan KPK.", 0.9),
                                   focus="Siapa yang tidak memenuhi panggilan KPK?"), 3)


def test_a_latest_count_of_what_is_not_so_reads_the_newest_report():
    # the best sentence is an older lead; the newest report says how many kitchens are still shut
    ranked = _sentences(("2028-10-12", "Dinas menutup enam dapur MSAS setelah ratusan siswa keracunan.", 0.90),
                        ("2028-10-21", "Kini tinggal dua dapur yang masih ditutup.", 0.87),
                        focus="Berapa dapur yang sampai sekarang belum boleh memasak lagi?")
    assert not says_not(ranked, 1)
    assert says_not(ranked, 1, newest=True)


def readings(sentence: str) -> dict[str, set[float]]:
    """The values of ``sentence``'s numbers by how they read (``reported``)."""
    out: dict[str, set[float]] = {"figure": set(), "older": set(), "rate": set(), "goal": set(), "other": set()}
    for q, reading, _ in reported(sentence)[1]:
        out[reading].add(q.value)
    return out


def _sentences(*rows: tuple[str, str, float], focus: str = "") -> Sentences:
    """(published, sentence, cosine) rows, best first, each its own passage, ranked against ``focus``."""
    passages = [Passage(i + 1, Hit(chunk_id=f"c{i}", article_id=f"a{i}", index=0, text=text, title=f"t{i}",
                                   published=day), text, 10) for i, (day, text, _) in enumerate(rows)]
    units = [Unit(i, 0, text, cosine, cosine) for i, (_, text, cosine) in enumerate(rows)]
    figure = asked_figure(focus, detect_language(focus)) if focus else NO_FIGURE
    return Sentences(passages, units, (focus,) if focus else (), figure=figure)


def _in_their_languages(ranked: Sentences) -> Sentences:
    """``ranked`` with each passage in the language its text is written in."""
    return replace(ranked, passages=[replace(p, hit=replace(p.hit, lang=detect_language(p.text)))
                                     for p in ranked.passages])


def _translated(ranked: Sentences, *translations: str) -> Sentences:
    """``ranked`` with what its question counts translated (as the dictionary would)."""
    return replace(ranked, figure=replace(ranked.figure, translations=translations))


def test_a_figure_that_changed_between_reports_is_answered_with_the_newest_and_the_older_shown():
    ranked = _sentences(("2024-02-06", "Korban meninggal bertambah menjadi 7 orang.", 0.90),
                        ("2024-02-08", "Korban meninggal bertambah menjadi 18 orang.", 0.88),
                        ("2024-02-05", "Warga mulai kesulitan air bersih di Lembah Barat.", 0.85))
    focus = ["Berapa korban meninggal banjir Tirtamaya?"]
    assert figures_changed(ranked, focus)
    assert best_sentences(ranked, 3, newest=True) == [(2, "Korban meninggal bertambah menjadi 18 orang.")]
    passage, sentence = earlier_sentence(ranked, "2024-02-08")
    assert passage.hit.published == "2024-02-06" and "7 orang" in sentence


def test_the_earlier_line_gives_an_older_figure_of_what_the_question_counts():
    # the older report's closest sentence is its death toll; the question asks about evacuees
    ranked = _sentences(("2024-02-08", "Korban meninggal bertambah menjadi 18 orang.", 0.90),
                        ("2024-02-10", "Sebanyak 2.800 warga masih mengungsi.", 0.88),
                        ("2024-02-08", "BPBD mencatat 5.100 warga kini tinggal di pengungsian.", 0.84),
                        focus="Berapa jumlah pengungsi banjir Tirtamaya sekarang?")
    ranked = _translated(ranked, "warga")
    passage, sentence = earlier_sentence(ranked, "2024-02-10")
    assert passage.n == 3 and "5.100 warga" in sentence
    # nothing older counts it: the older report's best sentence, as before
    assert earlier_sentence(replace(ranked, units=ranked.units[:2]), "2024-02-10")[0].n == 1


@pytest.mark.parametrize(("question", "state"), [
    ("How many people are currently displaced by the Tirtamaya flood?", "displaced"),
    ("How many people have survived the KMP Citra Bahari sinking so far?", "survived"),
    ("How many residents have been evacuated because of the landslide now?", "evacuated"),
    ("Berapa jumlah warga yang saat ini masih mengungsi akibat longsor?", "mengungsi"),
    ("Berapa orang yang dirawat di rumah sakit?", "dirawat"),
    ("Berapa jumlah korban meninggal terbaru?", ""),  # "korban" says who is counted
    ("How many dengue patients are in hospital?", ""),
    ("How many people?", ""),
    # a role given to them: the role, past the verb and who gave it
    ("Hingga kini sudah berapa orang yang ditetapkan polisi sebagai tersangka?", "tersangka"),
    ("Saat ini sudah berapa orang yang dijadikan tersangka?", "tersangka"),
    # a name after them says whose, not what
    ("Hingga kini sudah berapa warga Pandanraya yang berobat karena ISPA?", "berobat"),
    # ... and so do words after a preposition, up to the verb
    ("Hingga kini sudah berapa orang dari jajaran perusahaan itu yang dijadikan tersangka?", "tersangka"),
    ("How many residents of the two villages are still displaced?", "displaced"),
    # the words of the count are not what it counts them as
    ("Hingga kini berapa jiwa yang tercatat mengungsi akibat rob?", "mengungsi"),
    ("How many people are registered as displaced?", "displaced"),
    ("Saat ini masih berapa warga yang bertahan di tempat pengungsian?", "pengungsian"),
    ("How many residents are still staying in shelters?", "shelters"),
    # treated for an illness, or caught it: infected
    ("How many residents have been treated for acute respiratory infections so far?", "infected"),
    ("How many people in Tamarengga have come down with acute respiratory infections so far?", "infected"),
])
def test_what_a_question_asks_about_the_people_it_counts(question, state):
    assert asked_state(question) == state


def test_people_counted_by_a_plain_noun_are_named_by_what_the_question_asks_about_them():
    # every report counts people, the dead first; the newest sentence about the displaced is what is asked
    question = "How many people are currently displaced by the Tirtamaya flood?"
    ranked = _sentences(("2024-02-10", "Korban meninggal akibat banjir itu tetap 18 orang.", 0.88),
                        ("2024-02-08", "BPBD mencatat 5.100 warga kini tinggal di pengungsian.", 0.86),
                        ("2024-02-10", "BPBD mencatat 2.800 warga masih bertahan di pengungsian.", 0.84),
                        focus=question)
    ranked = replace(_translated(ranked, "orang", "rakyat"), language="en",
                     passages=[replace(p, hit=replace(p.hit, lang="id")) for p in ranked.passages])
    assert best_sentences(ranked, 3, newest=True)[0][0] == 1  # without the state: the newest report's toll
    stated = replace(ranked, figure=replace(ranked.figure, state=frozenset({"displac", "ungsi"})))
    assert best_sentences(stated, 3, newest=True) == [(3, "BPBD mencatat 2.800 warga masih bertahan di pengungsian.")]
    passage, sentence = earlier_sentence(stated, "2024-02-10")
    assert "5.100 warga" in sentence
    # no sentence says it: the rules as before
    assert best_sentences(replace(ranked, figure=replace(ranked.figure, state=frozenset({"selamat"}))), 3,
                          newest=True)[0][0] == 1


@pytest.mark.parametrize(("sentence", "lang", "thing", "also", "state", "gives"), [
    ("Jumlah pengungsi tinggal 640 jiwa.", "id", "pengungsi", (), frozenset(), True),
    ("BPBD mencatat 640 warga masih tinggal di lima posko pengungsian.", "id", "pengungsi", (), frozenset(), True),
    ("Korban tewas bertambah menjadi 6 orang.", "id", "pengungsi", (), frozenset(), False),
    ("The number of displaced residents has reached 5,100.", "en", "pengungsi", ("displaced",), frozenset(), True),
    ("The regency raised its emergency fund to Rp 4.1 billion.", "en", "dana", ("fund",), frozenset(), True),
    ("Sebanyak 14 sekolah diliburkan.", "id", "dana", ("fund",), frozenset(), False),
    # people counted by a plain noun: only with what the question asks about them
    ("Korban selamat bertambah menjadi 63 orang.", "id", "people", ("orang",), frozenset({"surviv", "selamat"}), True),
    ("Korban meninggal bertambah menjadi 33 orang.", "id", "people", ("orang",), frozenset({"surviv", "selamat"}),
     False),
    # ... or by a noun that says it: "23 deaths" are people who died, not people who survived; "12 suspects"
    ("Twelve suspects are now in custody.", "en", "orang", ("people",), frozenset({"sangka", "suspect"}), True),
    ("Police have recorded 79 accidents and 23 deaths up to Saturday.", "en", "people", (),
     frozenset({"die", "tewas"}), True),
    ("Police have recorded 79 accidents and 23 deaths up to Saturday.", "en", "people", (),
     frozenset({"surviv", "selamat"}), False),
    # the injured are people: a count of them in persons gives the figure
    ("Dengan tambahan itu, korban luka tercatat 24 orang.", "id", "injured", ("luka",), frozenset(), True),
])
def test_which_sentences_give_a_figure_of_what_the_question_counts(sentence, lang, thing, also, state, gives):
    assert gives_figure(sentence, lang, AskedFigure(thing, also, state)) is gives


@pytest.mark.parametrize(("question", "countable"), [
    ("What is the latest number of schools whose pupils fell ill?", True),
    ("How many fishing boats are still docked?", True),
    ("Berapa pasien yang masih dirawat?", True),  # people, in any language
    ("Berapa anggaran tanggap darurat saat ini?", False),  # an amount
    ("Berapa rumah yang rusak?", False),  # "berapa" alone says neither: houses may be counted or valued
    ("How much rice has Bulog released so far?", False),
])
def test_a_question_counts_one_by_one_when_it_says_so_or_counts_people(question, countable):
    figure = asked_figure(question, detect_language(question))
    assert figure.thing and figure.countable is countable


@pytest.mark.parametrize(("thing", "people"), [
    ("pengungsi", True), ("penambang", True), ("pasien", True), ("miner", True), ("evacuee", True), ("warga", True),
    ("rumah", False), ("school", False), ("hectare", False), ("kilometer", False), ("meter", False), ("pelabuhan", False), ("penerbangan", False),
    ("perahu", False), ("kerugian", False), ("loss", False), ("pesanan", False), ("injured", True),
    ("fishermen", True), ("pelayan", True),
])
def test_whether_a_counted_thing_is_people(thing, people):
    assert counts_people(thing) is people


@pytest.mark.parametrize(("thing", "also", "people"), [
    ("pemudik", ("traveler",), True),  # both read as people
    ("order", ("aturan", "pesanan", "perintah"), False),  # "-er" alone, and none of its translations
    ("sopir", ("driver",), True),
])
def test_a_thing_read_as_people_by_its_form_needs_a_translation_that_agrees(thing, also, people):
    assert counts_people(thing, also) is people


@pytest.mark.parametrize(("sentence", "figure", "gives"), [
    # a count of people is no count of houses, though the sentence names them
    ("Masih ada 6.050 warga yang mengungsi di tenda darurat karena rumahnya rusak berat.", AskedFigure("rumah"), False),
    ("Masih ada 6.050 warga yang mengungsi di tenda darurat karena rumahnya rusak berat.", AskedFigure("pengungsi"),
     True),
    # nor of schools, named before it; an amount of money names no count of schools either
    ("Dinkes merevisi jumlah korban keracunan menu Makan Bergizi Sekolah (MBS) menjadi 1.476 orang.",
     AskedFigure("school", ("sekolah",), countable=True), False),
    ("Dinkes merevisi jumlah korban keracunan menu Makan Bergizi Sekolah (MBS) menjadi 1.476 orang.",
     AskedFigure("korban"), True),
    ("The regency doubled its emergency budget for the school meal poisoning to Rp 2.5 billion.",
     AskedFigure("school", ("sekolah",), countable=True), False),
    ("The regency doubled its emergency budget for the school meal poisoning to Rp 2.5 billion.",
     AskedFigure("budget", ("anggaran",)), True),
    ("Keracunan terjadi di 11 sekolah.", AskedFigure("school", ("sekolah",), countable=True), True),
    # a price is an amount for one unit of what is sold, or what it is sold at, "harga" or not
    ("Telur ayam ras di Pasar Kidul dijual Rp 30.000 per kilogram, turun dari Rp 32.500 pada Selasa (13/1).",
     AskedFigure("price", ("harga",)), True),
    ("Di Lamaboli, satu jeriken kini dijual Rp 7.000.", AskedFigure("harga", ("price",)), True),
    ("Egg prices climbed to Rp 32,500 a kilogram on Tuesday.", AskedFigure("harga", ("price",)), True),
    ("Pemerintah mengalokasikan Rp 2 miliar untuk bantuan telur.", AskedFigure("harga", ("price",)), False),
])
def test_a_figure_counts_the_asked_thing_only_in_a_unit_that_fits_it(sentence, figure, gives):
    assert gives_figure(sentence, detect_language(sentence), figure) is gives


@pytest.mark.parametrize(("sentence", "priced"), [
    # an amount for one unit, as written
    ("Harga beras Rp 12.000 per kilogram.", [(12000, "kilogram")]),
    ("Egg prices climbed to Rp 32,500 a kilogram.", [(32500, "kilogram")]),
    ("Air dijual Rp 8.000/jeriken.", [(8000, "jeriken")]),
    ("Air kemasan Rp 5.000 sebotol.", [(5000, "botol")]),
    ("Pisang Rp 2.000 sebuah.", [(2000, "buah")]),
    # what something is sold at, and what a price word names with no other number between
    ("Di Lamaboli, satu jeriken kini dijual Rp 7.000.", [(7000, "")]),
    ("Harga pompa bensin di Pasar Kelawai turun menjadi Rp 520.000 setelah pasokan datang.", [(520000, "")]),
    ("Bottled water was still selling for Rp 20,000 at roadside stalls.", [(20000, "")]),
    # amounts followed by a word that begins like "a", "an", "se-" or "per" are no prices: a function word is not
    # "one unit" ("sebagai", "setelah"), and "a", "an" and "per" stand alone
    ("Kerugian mencapai Rp 1,9 miliar akibat banjir.", []),
    ("Dana Rp 7 miliar sebagai kompensasi telah cair.", []),
    ("Total pesangon sekitar Rp 41,5 miliar akan ditransfer setelah putusan.", []),
    ("Police have frozen 58 bank accounts holding Rp 21.4 billion and seized ten cars.", []),
    ("The firm paid Rp 3 billion as compensation after the ruling.", []),
    ("Anggaran tahap pertama Rp 5 miliar pertama kali cair.", []),
])
def test_which_amounts_are_prices(sentence, priced):
    assert priced_per(sentence) == [(float(value), unit) for value, unit in priced]


def test_for_a_figure_the_sentences_giving_it_are_read_first():
    # every report's lead is closer to the question than the sentence with the asked figure; the context budget
    # must not leave the figure out
    rows = [("2025-07-27", "Korban tewas kebakaran pabrik itu bertambah satu menjadi 6 orang.", 0.84),
            ("2025-07-28", "Polisi menetapkan dua tersangka kebakaran pabrik.", 0.83),
            ("2025-07-27", "BPBD mencatat 640 warga masih tinggal di lima posko pengungsian.", 0.78),
            ("2025-07-26", "Pengungsi yang masih bertahan tinggal 1.120 jiwa.", 0.77)]
    ranked = _sentences(*rows)
    hits = [replace(p.hit, lang="id") for p in ranked.passages]
    question = "Berapa jumlah pengungsi kebakaran pabrik Arunika saat ini?"
    ordered = figures_first(ranked.units, hits, question_figure(question, "id"))
    assert [u.source for u in ordered] == [2, 3, 0, 1]
    # a question that counts nothing keeps the ranking
    assert figures_first(ranked.units, hits, question_figure("Siapa tersangka kebakaran pabrik?", "id")) == ranked.units


@pytest.mark.parametrize(("rows", "focus"), [
    # the same figure in both reports
    ((("2024-02-08", "Korban meninggal menjadi 18 orang.", 0.90), ("2024-02-10", "Korban tetap 18 orang.", 0.89)),
     "Berapa korban meninggal?"),
    # the older report answers far worse: it is about something else
    ((("2024-02-08", "Korban meninggal menjadi 18 orang.", 0.90), ("2024-02-06", "Harga beras Rp 13.500.", 0.81)),
     "Berapa korban meninggal?"),
    # two figures of different things, both close to the question ("kios" burnt, the price of rice)
    ((("2024-02-09", "Sebanyak 40 kios hangus terbakar.", 0.90), ("2024-02-06", "Harga beras menjadi Rp 13.500.", 0.89)),
     "Berapa kios yang terbakar di Pasar Sentral Palindo?"),
    # not a "berapa" question
    ((("2024-02-06", "Korban meninggal menjadi 7 orang.", 0.90), ("2024-02-08", "Korban menjadi 18 orang.", 0.89)),
     "Siapa yang menemukan korban?"),
    # undated articles have no order
    ((("", "Korban meninggal menjadi 7 orang.", 0.90), ("", "Korban meninggal menjadi 18 orang.", 0.89)),
     "Berapa korban meninggal?"),
])
def test_figures_did_not_change_when_they_agree_are_off_topic_not_asked_or_undated(rows, focus):
    assert not figures_changed(_sentences(*rows), [focus])


@pytest.mark.parametrize(("sentence", "things"), [
    ("Korban meninggal bertambah menjadi 18 orang.", {"orang": {18}}),
    ("Pendataan terbaru mencatat 850 rumah rusak.", {"rumah": {850}}),
    ("Dana bantuan naik menjadi Rp 3,5 miliar.", {"rp": {3.5e9}}),
    # a change is not the figure a report gives
    ("Jumlah kasus mencapai 1.118, naik 72 kasus dalam sehari.", {"": {1118}}),
    ("Laju penambahan melambat, hanya 23 kasus sejak kemarin.", {}),
    ("Kasus kini ditemukan di 10 kecamatan, bertambah tiga dari Senin lalu.", {"kecamatan": {10}}),
    ("Cases rose by 40 to 1,287.", {"": {1287}}),
    ("Polres menangkap tiga orang lagi yang diduga menimbun BBM.", {}),  # three *more*
    ("Police arrested three more people on Monday.", {}),
    ("Jalur itu kini dilalui 46 perjalanan KA per hari.", {}),  # a rate, not a count
    # a level after "menjadi" is not a change, even with "sejak kemarin" after it
    ("BPBD memperluas radius evakuasi menjadi 3 kilometer sejak kemarin malam.", {"kilometer": {3}}),
    # the older value of a change is not the figure the report gives
    ("Menurut Dinas Kesehatan, 214 pasien kini dirawat inap, naik dari 187 orang kemarin.", {"pasien": {214}}),
    ("Bupati menaikkan anggaran BTT dari Rp 1,2 miliar menjadi Rp 2,75 miliar.", {"rp": {2.75e9}}),
    ("Cases rose to 1,287, up from 1,203 a day earlier.", {"": {1287}}),
    # nor is a figure restated from an earlier day: a peak, what it had been
    ("Jumlah itu jauh berkurang dibanding puncaknya pada Rabu (26/11) lalu, yakni 18.745 jiwa.", {}),
    ("Krisis itu sempat memutus aliran air ke 31.200 pelanggan.", {}),
    ("Dinkes merevisi jumlah korban menjadi 1.476 orang dari sebelumnya 1.509 orang.", {"orang": {1476}}),
    ("Pemkab menaikkan dana BTT menjadi Rp 4,2 miliar dari sebelumnya Rp 1,5 miliar.", {"rp": {4.2e9}}),
    ("Masih ada 21 pasien dirawat, dari 121 orang pada puncaknya.", {"pasien": {21}}),
    ("Satellites counted 58 hotspots, compared with 535 at the peak on Wednesday.", {"hotspots": {58}}),
    ("Korban sempat dirawat di RSUD, kini 3 orang masih dirawat.", {"orang": {3}}),
    # a figure joined to a restated one is restated with it; two figures joined without one are both given
    ("Kebakaran yang pada puncaknya melalap 18 hektare dan membuat 5.540 ton sampah menumpuk itu padam.", {}),
    ("Sebanyak 1.200 warga mengungsi dan 300 rumah rusak.", {"warga": {1200}, "rumah": {300}}),
    ("Pasien sempat mencapai 121 orang, dan kini 21 orang masih dirawat.", {"orang": {21}}),
    # ... and so is a figure of an earlier week or month
    ("Mill tanks, which held a record 112,600 tonnes last weekend, are emptying.", {}),
    ("Stok beras mencapai 3.000 ton pekan lalu, kini tinggal 1.200 ton.", {"ton": {1200}}),
    # a date resolved in brackets does not push the peak out of the words read before the figure
    ("Pada puncaknya, Rabu (26/11) (Rabu, 26 November 2025), personel yang dikerahkan mencapai 2.180 orang.", {}),
    # a number that names a place is not a figure; a total counts nothing of its own
    ("Korban meninggal longsor Tol Kartasuka KM 47 bertambah satu menjadi 21 orang.", {"orang": {21}}),
    ("Penyebaran DBD kini meluas ke 15 dari 19 kecamatan.", {"kecamatan": {15}}),
    ("Dengue has now reached 15 of Banyusari's 19 districts.", {"districts": {15}}),
    # a unit of measure under one name however a report writes it
    ("Antrean mengular 5 km, lebih panjang dari kemarin.", {"kilometer": {5}}),
    ("The queue stretched 5 kilometres.", {"kilometer": {5}}),
])
def test_counted_figures_name_what_they_count_and_leave_out_changes(sentence, things):
    assert counted(sentence) == things


def test_a_latest_figure_comes_from_the_newest_report_of_the_thing_the_question_names():
    # the newest article's lead is closer to the question than its sentence about damaged houses
    ranked = _sentences(("2024-02-10", "TIRTAMAYA - Korban meninggal banjir bandang tetap 18 orang.", 0.90),
                        ("2024-02-07", "Pendataan ulang menunjukkan 610 rumah rusak.", 0.86),
                        ("2024-02-10", "Pendataan terbaru mencatat 850 rumah rusak.", 0.84),
                        focus="Berapa rumah rusak akibat banjir Tirtamaya menurut data terbaru?")
    assert best_sentences(ranked, 3, newest=True) == [(3, "Pendataan terbaru mencatat 850 rumah rusak.")]


def test_a_figure_replaces_an_older_one_of_the_same_thing_or_one_that_names_nothing():
    assert replaced("The manpower office puts the total at 10,170, up from 9,530 on Wednesday.") == ({10170}, {9530})
    assert replaced("Dana darurat kini Rp 8,25 miliar, naik dari Rp 5,8 miliar.") == ({8.25e9}, {5.8e9})
    # a fortnight replaces no tonnage restated from the peak
    assert replaced("Hampir dua pekan setelah kebakaran yang pada puncaknya membuat 5.540 ton sampah menumpuk, "
                    "kota itu pulih.") == (set(), {5540})


def test_a_figure_restated_as_what_it_once_was_is_replaced_by_no_count_of_another_kind():
    # "sempat 13 desa" is what the villages once were; the pigs culled are no new count of villages
    assert replaced("Sejak wabah merebak, 3.815 ekor babi telah dimusnahkan dan sempat 13 desa berstatus zona "
                    "merah.") == (set(), {13})
    # people replace people, however each report counts them
    assert replaced("Korban meninggal kini 23 jiwa, naik dari 18 orang.") == ({23}, {18})


def test_a_latest_figure_is_not_a_later_report_that_only_rounds_it_down():
    assert lower_bounds("Lebih dari 300 peternakan masih dikarantina.") == {300}
    assert lower_bounds("More than 80,000 litres left the depot, and 19.000 liter were pumped back.") == {80000}
    focus = "Berapa jumlah peternakan babi yang dikarantina menurut data terkini?"
    exact = ("2034-05-17", "The number of farms under quarantine has risen to 341.", 0.80)
    rounded = ("2034-05-21", "Lebih dari 300 peternakan masih dikarantina.", 0.90)
    ranked = _translated(_sentences(rounded, exact, focus=focus), "farm")
    assert best_sentences(ranked, 2, newest=True) == [(2, exact[1])]
    # a bound above every older figure is news
    grown = ("2034-05-21", "Lebih dari 400 peternakan kini dikarantina.", 0.90)
    ranked = _translated(_sentences(grown, exact, focus=focus), "farm")
    assert best_sentences(ranked, 2, newest=True) == [(1, grown[1])]


def test_a_figure_asked_in_a_range_is_the_newest_that_the_ranges_reports_give():
    focus = "According to reports on May 10, 2034, how many pigs had been culled?"
    ranked = _sentences(("2034-05-09", "By Tuesday evening, 85 pigs had been culled in two villages.", 0.92),
                        ("2034-05-10", "The livestock office counted 604 dead pigs.", 0.90),
                        ("2034-05-10", "Joint teams have culled 240 pigs on the infected farms.", 0.85),
                        ("2034-05-17", "Culling teams have destroyed 3,410 pigs.", 0.88), focus=focus)
    day = ranked.reported_in("2034-05-10", "2034-05-10")
    assert best_sentences(day, 3, newest=True) == [(3, "Joint teams have culled 240 pigs on the infected farms.")]
    # a range none of whose reports gives the figure leaves the sentences as they are (it may date the event)
    assert ranked.reported_in("2034-05-11", "2034-05-12") is ranked


def test_an_amount_for_each_one_is_not_a_total_paid_to_many():
    question = "What is the latest compensation the operator is offering each passenger who was stranded?"
    figure = replace(asked_figure(question, "en"), translations=("kompensasi",))
    assert figure.each
    assert gives_figure("PT CPL menaikkan kompensasi bagi setiap penumpang menjadi Rp 1,5 juta.", "id", figure)
    assert gives_figure("The regency is paying compensation of Rp 5 million per head.", "en", figure)
    # a total, or one paid to a number of people
    assert not gives_figure("PT CPL telah membayar kompensasi kepada 301 penumpang senilai Rp 507,2 juta.", "id",
                            figure)
    assert not gives_figure("By Friday 46 farmers had received compensation, a total of Rp 236 million.", "en",
                            figure)
    # a count of those paid is no amount of compensation at all
    assert not gives_figure("The company has so far paid compensation to 96 of the stranded passengers.", "en",
                            figure)
    # without "each", a total gives the compensation asked
    total = replace(asked_figure("How much compensation has the operator paid so far?", "en"),
                    translations=("kompensasi",))
    assert not total.each
    assert gives_figure("PT CPL telah membayar kompensasi kepada 301 penumpang senilai Rp 507,2 juta.", "id", total)


def test_a_latest_figure_is_not_taken_from_a_lead_that_restates_the_peak():
    # the newest report's lead restates the peak (and says how long ago the fire began); its fifth paragraph gives
    # the figure of that day
    ranked = _sentences(("2032-09-17", "Hampir dua pekan setelah kebakaran yang pada puncaknya membuat 5.540 ton "
                                       "sampah menumpuk di TPS, kota itu perlahan pulih.", 0.90),
                        ("2032-09-11", "Timbunan sampah di TPS mencapai 5.540 ton.", 0.86),
                        ("2032-09-17", "Adapun timbunan sampah di TPS kini tinggal 910 ton.", 0.83),
                        focus="Berapa ton sampah yang masih menumpuk di TPS menurut data terbaru?")
    assert best_sentences(ranked, 3, newest=True) == [(3, "Adapun timbunan sampah di TPS kini tinggal 910 ton.")]


def test_a_latest_figure_is_the_one_the_newest_report_says_it_changed():
    # two sentences of the newest report count trucks; the one that corrects the known count answers
    ranked = _sentences(("2031-01-16", "PT LSK mencatat 712 truk menunggu di pelabuhan.", 0.85),
                        ("2031-01-17", "Petugas mengatakan 72 truk tercatat dua kali di kantong parkir.", 0.84),
                        ("2031-01-17", "PT LSK mengoreksi jumlah truk yang tertahan dari 712 menjadi 640 unit.", 0.82),
                        focus="Berapa truk yang masih tertahan di pelabuhan saat ini?")
    assert [n for n, _ in best_sentences(ranked, 3, newest=True)] == [3]
    # a price that changed is no new figure of what a question counts that is not priced
    ranked = _sentences(("2026-05-13", "Disnakkeswan mencatat 1.420 ekor sapi terjangkit PMK; daging sapi dijual "
                                       "Rp 158.000 per kilogram.", 0.86),
                        ("2026-05-16", "Data Disnakkeswan mencatat 1.758 ekor sapi terjangkit PMK.", 0.84),
                        ("2026-05-16", "Daging sapi dijual Rp 152.000 per kilogram, turun dari Rp 158.000.", 0.85),
                        focus="Sekarang sudah berapa ekor sapi yang tertular PMK?")
    assert 2 in [n for n, _ in best_sentences(ranked, 3, newest=True)]  # the count is quoted, not the price alone


def test_a_question_about_money_that_names_nothing_else_is_answered_by_the_newest_amount():
    ranked = _sentences(("2032-10-18", "Kementerian menjatuhkan denda administratif Rp 4,5 miliar kepada PT RNS.", 0.90),
                        ("2032-10-21", "KLH mendenda perusahaan itu Rp 2,75 miliar sehingga total denda administratif "
                                       "menjadi Rp 7,25 miliar.", 0.84),
                        ("2032-10-21", "Produksi smelter naik menjadi 2.600 ton per hari.", 0.85),
                        focus="How much has PT RNS been fined in total so far?")
    assert ranked.figure.money
    assert [n for n, _ in best_sentences(ranked, 3, newest=True)] == [2]


def test_a_price_that_changed_is_no_new_amount_of_the_money_a_question_asks_for():
    ranked = _sentences(("2029-03-16", "The cost of rebuilding the market was revised to Rp 226 billion.", 0.88),
                        ("2029-03-16", "Cabai rawit dijual Rp 58.000 per kilogram.", 0.80),
                        ("2029-03-19", "The council agreed Rp 226 billion to rebuild the market.", 0.86),
                        ("2029-03-19", "Cabai rawit dijual Rp 54.000 per kilogram, turun dari Rp 58.000.", 0.84),
                        focus="What is the most recent figure for the money set aside to rebuild the market?")
    assert ranked.figure.money
    assert 3 in [n for n, _ in best_sentences(ranked, 3, newest=True)]  # the amount is quoted, not the price alone


def test_a_latest_figure_is_followed_to_a_later_report_of_the_same_thing():
    # the best sentence gives the evacuees of 8 February; the report of 10 February counts the same "warga"
    ranked = _sentences(("2024-02-08", "BPBD mencatat 5.100 warga tinggal di pengungsian.", 0.90),
                        ("2024-02-09", "Jembatan Lampesi dibuka kembali untuk 200 kendaraan.", 0.88),
                        ("2024-02-10", "Sebanyak 2.800 warga masih bertahan di pengungsian.", 0.82),
                        focus="Berapa jumlah pengungsi banjir Tirtamaya sekarang?")
    assert best_sentences(ranked, 3, newest=True) == [(3, "Sebanyak 2.800 warga masih bertahan di pengungsian.")]


def test_a_latest_figure_is_read_from_a_sentence_a_little_below_the_floor_and_not_from_a_restated_peak():
    # the newest report gives its evacuee count in a short sentence far from the question's words (cosine .78,
    # under the .80 floor) and restates the peak in a closer one; the older report's count is closer still
    focus = "Berapa jumlah pengungsi gempa Wanakerti saat ini?"
    older = ("2025-11-29", "BPBD mencatat jumlah pengungsi tinggal 13.905 jiwa di 52 posko.", 0.88)
    peak = ("2025-12-03", "Jumlah itu berkurang dibanding puncaknya pada Rabu lalu, yakni 18.745 jiwa.", 0.86)
    count = ("2025-12-03", "Masih ada 6.050 pengungsi di tenda-tenda darurat.", 0.78)
    assert best_sentences(_sentences(older, peak, count, focus=focus), 3, newest=True) == [(3, count[1])]
    # that far below, only a sentence giving a figure of what is asked answers
    price = ("2025-12-03", "Harga beras di posko naik menjadi Rp 15.000.", 0.78)
    assert best_sentences(_sentences(older, peak, price, focus=focus), 3, newest=True) == [(1, older[1])]


def test_without_a_later_report_of_the_figure_the_newest_close_article_answers():
    ranked = _sentences(("2024-02-06", "Korban meninggal bertambah menjadi 7 orang.", 0.90),
                        ("2024-02-08", "Tim SAR menemukan enam jenazah, korban kini 18.", 0.88),
                        focus="Berapa korban meninggal terbaru?")
    assert best_sentences(ranked, 3, newest=True) == [(2, "Tim SAR menemukan enam jenazah, korban kini 18.")]
    # a question that asks for no figure is answered from the newest close article whatever it counts
    ranked = _sentences(("2024-02-08", "Jembatan Lampesi putus, 40 rumah hanyut.", 0.90),
                        ("2024-02-09", "Jembatan Lampesi dibuka kembali hari ini.", 0.88),
                        ("2024-02-10", "Sebanyak 60 rumah dibangun ulang di dekat jembatan.", 0.81),
                        focus="Bagaimana kondisi terkini Jembatan Lampesi?")
    assert best_sentences(ranked, 3, newest=True) == [(2, "Jembatan Lampesi dibuka kembali hari ini.")]


@pytest.mark.parametrize(("question", "thing"), [
    ("Berapa jumlah kasus DBD terbaru di Kabupaten Banyusari?", "kasus"),  # as written, not "kasu": it is translated
    ("Berapa pasien DBD yang saat ini masih dirawat inap?", "pasien"),
    ("Berapa rumah rusak?", "rumah"),
    ("Berapakah banyaknya korban meninggal?", "korban"),
    ("How many dengue patients are currently in hospital?", "patient"),
    ("How many extra hospital beds does the hospital have now?", "bed"),
    ("How many people have survived so far?", "people"),
    ("How many smoke victims from the factory fire are still in hospital?", "victim"),  # the noun before "from"
    ("How many bodies of water make up Lake Constance?", "body"),
    ("What is the latest estimate of the total losses caused by the strike?", "loss"),  # not "losse"
    ("How many boxes of aid have arrived?", "box"),
    ("Berapa persen material longsor yang sudah dipindahkan?", "material"),  # a share of the material
    ("What is the latest death toll?", "people"),
    # a figure named without "how many", and a question that ends in "berapa"
    ("What is the latest price of a 5,000-litre private water tanker?", "price"),
    ("What is the latest number of schools whose pupils fell ill after the meals?", "school"),
    ("What was the total number of flights cancelled?", "flight"),
    ("What is the current number of the displaced?", "displaced"),
    ("Harga cabai rawit di Pasar Legi sekarang berapa?", "harga"),
    ("Status siaga sekarang berapa?", "status"),
    ("Korban tewas kini jadi berapa orang?", "korban"),
    ("Ada berapa dapur yang masih ditutup?", "dapur"),
    ("Berapa?", ""),
    ("Sampai sekarang sudah berapa ekor unggas yang divaksin?", "unggas"),  # "ekor" counts, "unggas" is counted
    ("Berapa orang yang mengungsi?", "orang"),
    ("Sudah berapa kali gempa susulan terjadi?", "gempa"),  # "kali" counts times of what follows
    ("Berapa taksiran kerugian sektor pertanian?", "kerugian"),  # the estimate of the loss
    ("How many consecutive days without rain has the station recorded?", "day"),  # "without" ends the noun
    ("Berapa jumlah kumulatif pekerja yang terkena PHK?", "pekerja"),  # "kumulatif" says how much, not of what
    ("What is the current number of textile workers laid off in Kertasinga?", "worker"),  # "laid" ends the noun
    ("How many fishermen cannot go to sea now?", "fisherman"),  # the dictionary's headword
    ("How many of the derailed carriages have been lifted off the track so far?", "carriage"),
    # a dimension, asked by its noun or by "how far" / "how large"
    ("Berapa luas lahan pertanian yang rusak menurut data terbaru?", "luas"),
    ("What is the latest reported length of the longest petrol-station queue?", "length"),
    ("What is the latest figure for the area burned by the fires?", "area"),
    ("How large an area of farmland has the ash damaged so far?", "area"),
    ("How far from the crater does the danger zone reach now?", "distance"),
    ("How far along was the temporary bridge last week?", ""),  # progress, not a distance
    ("How deep is the biggest sinkhole at the moment?", "depth"),
    ("How long a stretch of shoreline is still fouled by oil?", "length"),
    ("How long are the rolling blackouts at the moment?", ""),  # a duration, not a length
    # a figure of a figure is of the noun after its "of"; a classifier counts the noun after it
    ("What is the latest estimate of the total amount of fuel oil that escaped into the sea?", "oil"),
    # when or how it was reported can come between the figure and its "of" / "for"; "still" and an irregular
    # participle end the noun phrase
    ("What was the most recent count last week of bird flu patients in isolation at the hospital?", "patient"),
    ("What was the most recent figure reported last week for the money frozen in the ring's accounts?", "money"),
    ("What is the latest amount of money frozen by the authorities in the lending case?", "money"),
    ("What was the most recent count last week of crash victims still in hospital?", "victim"),
    ("What was the most recent count last week of fishermen unable to go to sea because of the spill?", "fisherman"),
    ("Setinggi apa genangan rob di Gisikmulyo menurut pengukuran terkini?", "tinggi"),  # "setinggi apa": no "berapa"
    ("Sampai sekarang sudah berapa lembar masker yang dibagikan kepada warga?", "masker"),
    ("Berapa ruas jalan yang masih ditutup?", "jalan"),
    ("How large are the foreign-exchange reserves now?", ""),  # an amount, not an area
    ("How long has the strike lasted?", ""),  # a duration
    ("What is the area called near the gorge with medieval castles?", ""),  # a name, not a figure
    ("How many tonnes of oily waste have been collected?", "ton"),  # "tonnes", "tons", "ton": one unit
    ("To date, how many of the vehicles that plunged into the river have been recovered?", "vehicle"),
    ("How much does a getek raft currently charge to carry a motorcycle?", "price"),  # a price, by its verb
    ("How much are roadside kiosks charging for a 3 kg LPG cylinder now?", "price"),
    ("What does a kilo of beef cost at the market these days?", "price"),  # "what ... cost", no "how much"
    ("How much did a bottle of the bootleg liquor cost?", "price"),
    ("How many rescue and security personnel remain at the site?", "personnel"),  # a verb in the present ends it
    ("What does the airline estimate the grounding has cost it?", "cost"),  # a total cost, not a price
    ("What is the latest estimate of what it will cost to repair the wrecked facilities?", "cost"),
    # households, not houses: "rumah tangga", "kepala keluarga", "KK" are one thing
    ("Berapa rumah tangga yang terdampak banjir?", "keluarga"),
    ("Berapa kepala keluarga yang sudah menerima bantuan?", "keluarga"),
    ("Berapa rumah yang rusak?", "rumah"),
    # the noun phrase ends where a clause about it begins, with or without "that"
    ("What is the latest number of records the hackers say they stole?", "record"),  # a determiner
    ("How many free meals a day is the scheme handing out?", "meal"),
    ("How many of the public services knocked out by the attack are working again?", "service"),  # a participle
    ("What is the latest estimate of the compensation PLN will give customers?", "compensation"),  # a name + verb
    ("How many of the derailed Bayuswara carriages have been lifted?", "carriage"),  # a name inside the phrase
    ("What is the latest figure for the emergency fund to tackle the haze?", "fund"),  # "to"
    ("What is the latest estimate of what a new bridge will cost?", "bridge"),
    # after "berapa": not an adverb or a time word; before a preposition, what is asked comes before it
    ("Berapa sebenarnya nilai kontrak proyek itu?", "kontrak"),
    ("Berapa angka terbaru kecepatan bongkar muat?", "kecepatan"),
    ("Berapa kira-kira jumlah korban?", "korban"),
    ("Berapa total tambahan anggaran yang disetujui?", "anggaran"),
    ("Tuan rumah kini berada di posisi berapa dalam klasemen?", "posisi"),
    ("Warga dilarang mendekat sejauh berapa dari kawah?", "sejauh"),
    ("Harga cabai rawit di pasar sekarang berapa per kilogram?", "harga"),  # "per": a price, named first
    # "What is the latest <which> <figure>?": the figure, after words that say which; "What's" too
    ("What is the latest emergency (BTT) budget the regency has set aside?", "budget"),
    ("What is the latest emergency (BTT) fund Sungaibara has set aside for the fires?", "fund"),
    # "What share of <what> ...?": the share of the noun phrase after "of", as "Berapa persen pelanggan ...?" asks it
    ("What share of the customers hit by the blackout have had their electricity restored so far?", "customer"),
    ("What proportion of the ballots have been counted so far?", "ballot"),
    ("What's the latest number of ships taking part in the search?", "ship"),  # "-ing" after a plural ends it
    ("How many water-bombing helicopters are deployed?", "helicopter"),  # ... not inside a compound
    ("So far, how many flood-hit residents have needed treatment at health posts?", "resident"),
    ("How many fire-damaged houses have been rebuilt?", "house"),
    ("What is the most recent figure for the money set aside to rebuild the market?", "money"),
    # money that no noun names; a figure that is money; the size of something is a figure of it
    ("How much has the company been fined in total so far?", "money"),
    ("What is the latest compensation the company has promised each family?", "compensation"),
    ("What is the current size of the city's emergency fund for the fire?", "fund"),
    ("What is the most recent size of the sea area being combed for the missing?", "area"),  # "being" ends it
    ("What is the current coverage of the polio vaccination drive?", "coverage"),
    # a preposition or an adverb of place ends what is counted
    ("How many villages below the Batu Karai dam are under an evacuation order right now?", "village"),
    ("How many villages downstream of Batu Karai are still under an evacuation order now?", "village"),
    ("At the latest count, in how many places online was the leaked data still being offered?", "place"),
    # "how much money" asks for money, whoever lost or paid it
    ("What is the latest estimate of how much money Bank Warangin customers have lost?", "money"),
    # "sepanjang / sedalam berapa <unit>" asks for that dimension, not for any figure in the unit
    ("Saat ini retakan di bendungan sudah sepanjang berapa meter?", "panjang"),
    ("Genangan di permukiman kini sedalam berapa sentimeter?", "kedalaman"),
])
def test_what_a_how_many_question_counts(question, thing):
    assert asked_thing(question) == thing


@pytest.mark.parametrize(("sentence", "thing", "values"), [
    ("Jumlah kasus DBD di Kabupaten Banyusari mencapai 1.421 hingga Senin (20/1), dengan 13 pasien meninggal.",
     "kasus", {1421}),
    ("Jumlah kasus DBD di Kabupaten Banyusari mencapai 1.421 hingga Senin (20/1), dengan 13 pasien meninggal.",
     "pasien", {13}),
    ("Korban meninggal bertambah dua menjadi 33 orang, Rabu (12/3).", "korban", {33}),  # "bertambah dua": a change
    ("Santunan Rp 1,4 miliar diberikan kepada ahli waris.", "santunan", {1.4e9}),
    ("The regency has recorded 1,287 cases since early December.", "case", {1287}),
    ("Kasus tersebar di 7 kecamatan.", "kasus", set()),  # 7 counts the districts
    ("Sebanyak 60 rumah dibangun, dan 40 kios.", "kios", {40}),
    ("Jumlah kasus naik 72 dalam sehari.", "kasus", set()),
    # "KM 47" names the road, so "korban" still names the 21 after it; "naik dari 187" is the older value
    ("Jumlah korban meninggal longsor Tol Kartasuka KM 47 bertambah satu menjadi 21 orang.", "korban", {21}),
    ("Menurut Dinas Kesehatan, 214 pasien kini dirawat inap, naik dari 187 orang kemarin.", "pasien", {214}),
    ("Dinas Kesehatan mencatat penyebaran DBD kini meluas ke 15 dari 19 kecamatan.", "kecamatan", {15}),
    # the thing counted by the figure before is not named again for the next one
    ("Sembilan pasien masih dirawat, sementara 511 orang sudah pulang.", "pasien", {9}),
    # a share counts what follows "persen" or what is named before it
    ("Hingga hari ini, baru 15 persen material yang berhasil dipindahkan.", "material", {15}),
    ("Alat berat menjadi 22 unit; material yang sudah dipindahkan mencapai 30 persen.", "material", {30}),
    ("Sebanyak 40 persen warga sudah kembali, dan 52 persen material dipindahkan.", "material", {52}),
    # English plurals and British spellings count the thing as the dictionary and Indonesian write it
    ("The agency inspected 803 buses since March 17.", "bus", {803}),
    ("Pertamina said it had supplied 105,410 kilolitres of gasoline.", "kiloliter", {105410}),
    ("About 1,200 houses and 30 warehouses were flooded.", "house", {1200}),
    ("In all, 134 tanker-truck loads carrying 2,144 kilolitres were driven in.", "load", {134}),  # a compound before
    # an English compound names what it counts last, an Indonesian one first
    ("Investigators have frozen 93 bank accounts and seized 14 cars.", "account", {93}),
    ("Twelve fishing boats and 40 fishermen are still ashore.", "boat", {12}),
    ("Sebanyak 12 kapal nelayan masih bersandar.", "nelayan", set()),
    # a unit of measure is one unit however it is written, and gives the dimension it measures
    ("Tumpahan minyak kini mencemari garis pantai sepanjang 39 km.", "kilometre", {39}),
    ("Hujan abu merusak 4.780 hektar lahan pertanian.", "hectare", {4780}),
    ("Hujan abu merusak 4.780 hektar lahan pertanian.", "luas", {4780}),
    ("The queue stretched 5 kilometres from the petrol station.", "length", {5}),
    ("Radius zona bahaya diperluas menjadi 6 km dari kawah.", "radius", {6}),
    ("Crews have collected 680 tonnes of oily waste.", "ton", {680}),
    # a unit of measure names what it measures, not the thing named before it
    ("Sebanyak 300 pengungsi berada di radius 5 km dari pabrik.", "pengungsi", {300}),
    ("Rumah warga terendam banjir setinggi 1 meter.", "rumah", set()),
    # a counter or a unit counts or measures what follows it; an amount's unit follows the thing named before it
    ("Petugas sudah memvaksin 12.400 ekor unggas di tiga kecamatan.", "unggas", {12400}),
    ("Sebanyak 45 unit rumah rusak berat.", "rumah", {45}),
    ("Water trucks have delivered 1.8 million litres of water since Monday.", "water", {1.8e6}),
    ("Stok beras di gudang Bulog kini 38.200 ton.", "beras", {38200}),
    ("Lahan sawah yang rusak kini 11,5 hektare.", "sawah", {11.5}),
    # things counted together are each counted
    ("City data show that 1,250 kiosks and stalls were destroyed.", "stall", {1250}),
    ("Sebanyak 980 kios dan los hangus.", "los", {980}),
    # an amount of money is what English names after it with "in", up to a word that ends the phrase
    ("The regency has paid Rp 1.9 billion in compensation to 52 farmers.", "compensation", {1.9e9}),
    ("The airline has refunded Rp 26.9 billion in ticket refunds so far.", "refund", {26.9e9}),
    ("The province received Rp 2 billion in aid from the ministry.", "ministry", set()),
    ("The regency has paid Rp 1.9 billion in compensation to 52 farmers.", "farmer", {52}),  # not the money
    # what a figure changed from and to is named once, before both
    ("Cakupan imunisasi turun dari 69,4 persen menjadi 64,7 persen dari sasaran.", "cakupan", {64.7}),
    ("Jumlah pengungsi turun dari 1.200 menjadi 640 jiwa.", "pengungsi", {640}),
    # an area in square units, however a report writes it; a length is no area
    ("Area pencarian kini dipersempit menjadi 300 mil laut persegi di sekitar pulau itu.", "area", {300}),
    ("Rescuers narrowed their search to 180 square nautical miles on Tuesday.", "area", {180}),
    ("Tim SAR menyisir pantai sepanjang 12 kilometer.", "luas", set()),
    # a kind of the thing may stand between the unit and it; a volume in cubed length units is an amount
    ("The office puts the loss at 9,870 tonnes of unhusked rice, about a tenth of the harvest.", "rice", {9870}),
    ("BBWS menurunkan debit pelepasan air menjadi 40 meter kubik per detik.", "meter", set()),  # cubic, not metres
    ("BBWS menurunkan debit pelepasan air menjadi 40 meter kubik per detik.", "air", {40}),
    ("The release was cut to 75 cubic metres per second.", "cubic", {75}),
    ("The release was cut to 75 cubic metres per second.", "metre", set()),
    # a part of something, named after "of its" / "of the" in English
    ("The ministry has now grounded all 23 of its buses.", "bus", {23}),
    ("Thirteen of the province's oil mills refuse fruit.", "mill", {13}),
    ("Two of the suspects remain at large.", "suspect", {2}),
    ("Two of the seven suspects remain at large.", "suspect", {2}),
    # a length that says its dimension gives that one only
    ("Tanggul laut sepanjang 42 meter itu jebol.", "ketinggian", set()),
    ("Tanggul laut sepanjang 42 meter itu jebol.", "panjang", {42}),
    ("Warga membersihkan lumpur setebal 5 sentimeter dari rumah.", "ketinggian", set()),
    ("Banjir setinggi 1 meter merendam rumah.", "height", {1}),
    ("Radius zona bahaya dipersempit dari 8 kilometer menjadi 6 kilometer.", "tinggi", set()),
    ("Radius zona bahaya dipersempit dari 8 kilometer menjadi 6 kilometer.", "radius", {6}),
    ("Panjang retakan kini 27 meter.", "length", {27}),
    ("The danger zone, which extends eight kilometres from the crater, stays.", "tinggi", set()),
    ("The danger zone, which extends eight kilometres from the crater, stays.", "distance", {8}),
    ("Kolom abu letusan itu mencapai 5.500 meter di atas puncak.", "tinggi", {5500}),
    # a length followed by a noun is that thing's length, no other dimension
    ("Pembangunan ulang 300 meter tanggul dimulai bulan depan.", "ketinggian", set()),
    ("Ketinggian air di titik terdalam tinggal 20 sentimeter.", "ketinggian", {20}),
    ("Banjir setinggi 1 meter merendam 300 rumah.", "ketinggian", {1}),
    ("Pembangunan ulang 300 meter tanggul dimulai bulan depan.", "meter", {300}),
    ("Celah tanggul kembali melebar menjadi 38 meter setelah dihantam pasang.", "length", {38}),
    ("High waves have destroyed 60 metres of the breakwater.", "height", set()),
    # a clause with its own subject names what its figure counts ("and the death toll stood at four")
    ("The regency raised its outbreak budget to Rp 3.1 billion as the disease reached another school and the "
     "death toll stood at four.", "school", set()),
    ("The regency raised its outbreak budget to Rp 3.1 billion as the disease reached another school and the "
     "death toll stood at four.", "toll", {4}),
    ("Kasus DBD terus bertambah sedangkan korban meninggal kini 13 orang.", "kasus", set()),
    # a height above the sea is an elevation, no length; an English length may say its dimension after the unit
    ("The release lowered the reservoir to 116.95 metres above sea level.", "panjang", set()),
    ("The release lowered the reservoir to 116.95 metres above sea level.", "ketinggian", {116.95}),
    ("Muka air waduk kini 116,5 meter di atas permukaan laut.", "tinggi", {116.5}),
    ("The crack is now up to 5 centimetres wide.", "length", set()),
    ("The crack is now up to 5 centimetres wide.", "width", {5}),
    # a hole's width is its diameter, and what stretches says its length
    ("The largest hole is now 36 metres across.", "diameter", {36}),
    ("The largest hole is now 36 metres across.", "depth", set()),
    ("Lubangnya berdiameter sekitar 4 meter.", "kedalaman", set()),
    ("Diameternya kini 31 meter dengan kedalaman 17 meter.", "kedalaman", {17}),
    ("Diameternya kini 31 meter dengan kedalaman 17 meter.", "diameter", {31}),
    ("Lorong tambang tua membentang sekitar 4,3 kilometer di bawah kota.", "depth", set()),
    # a length of something is a length, when a length is asked
    ("Oil now remains on 6.3 kilometres of shoreline.", "length", {6.3}),
    # a classifier between the number and what it counts
    ("Kini tinggal tiga ruas jalan yang masih ditutup.", "jalan", {3}),
    # a part of the whole counted right before it, after a comma
    ("Kepala BPBD mengatakan dari 285 rumah itu, 55 rusak berat.", "rumah", {285, 55}),
    ("Of the 244 homes, 46 are badly damaged.", "home", {244, 46}),
    ("Dari 285 rumah itu, 55 warga mengungsi.", "rumah", {285}),  # another thing counted
    ("Banjir merendam 300 rumah, 55 rusak berat.", "rumah", {300}),  # no whole named with "dari" / "of"
    ("The fissure on the crest lengthened to 27 metres.", "length", {27}),
    # a verb after the figure: the thing was named before it, not after
    ("Most of the frozen accounts have been released; 2,130 remain frozen.", "account", {2130}),
    ("Sebagian besar rekening sudah dibuka lagi; 2.130 masih dibekukan.", "rekening", {2130}),
    ("Floods damaged 500 houses; 1,200 remain in shelters.", "house", {500}),
    # "of them" and the noun right after it; without one, a part of what was named before
    ("Police have now questioned 86 witnesses, 58 of them supporters who were in the stands.", "supporter", {58}),
    ("Engineers inspected the other classrooms and declared 12 of them unsafe.", "classroom", {12}),
    # a number that numbers a thing is no figure of it
    ("Human remains found near tank No. 7 are being examined; 12 tanks burned.", "tank", {12}),
    ("Api merembet ke tangki nomor 7; 12 tangki terbakar.", "tangki", {12}),
    # a year in brackets (as a resolved "tahun ini" reads) is no figure, nor does it part the thing from its figure
    ("Jumlah pekerja yang terkena PHK sepanjang tahun ini (2026) mencapai 3.460 orang.", "pekerja", {3460}),
    # a person's age in brackets is no figure
    ("Di Desa Sindangsari, Odang (58) sudah menyemai benih baru.", "desa", set()),
    ("Sebanyak 120 warga, termasuk Siti (34), mengungsi ke balai desa.", "warga", {120}),
])
def test_which_figures_of_a_sentence_count_the_asked_thing(sentence, thing, values):
    assert counts_of(sentence, thing) == values


def test_people_named_after_the_thing_are_what_an_english_figure_counts():
    sentence = "The regency has paid compensation to 52 poultry farmers; 18,400 poultry have died."
    assert counts_of(sentence, "unggas", ("bird", "poultry")) == {18400}
    assert counts_of(sentence, "farmer") == {52}


def test_a_question_that_asks_for_a_share_is_given_only_by_a_share():
    question = "Berapa persen kapasitas produksi IPA yang sekarang sudah berjalan?"
    assert asks_share(question) and asks_share("What share of the debris has been cleared?")
    assert not asks_share("Berapa kapasitas produksi IPA sekarang?")
    sentence = "IPA berproduksi pada 40 persen dari kapasitas normal 450 liter per detik."
    assert counts_of(sentence, "kapasitas", share=True) == set()
    assert counts_of("Kapasitas produksi kini 95 persen.", "kapasitas", share=True) == {95}
    assert counts_of(sentence, "kapasitas") == {450}
    # a share that restates the count before it ("..., or 43.55 percent") is the share of what that count counts
    votes = "The commission declared Haryadi the winner with 252,317 votes, or 43.55 percent."
    assert counts_of(votes, "vote", share=True) == {43.55}
    assert counts_of("Sebanyak 1.070 TPS atau 61,4 persen sudah masuk.", "tps") == {1070}


def test_a_thing_counted_one_by_one_is_not_measured_by_weight():
    # "How many houses?": tonnes of debris named after the houses are no count of them
    assert counts_of("Puing rumah yang sudah diangkut mencapai 120 ton.", "rumah", countable=True) == set()
    assert counts_of("Puing rumah yang sudah diangkut mencapai 120 ton.", "puing") == {120}


def test_what_a_question_asks_about_people_is_found_in_the_words_a_report_uses_for_it():
    # the dictionary's translations and theirs back: "meninggal" -> "died" -> "tewas"
    words = {("meninggal", "id"): ["died", "killed"], ("died", "en"): ["meninggal", "tewas", "wafat"],
             ("killed", "en"): ["tewas", "menewaskan"], ("orang", "id"): ["people"], ("people", "en"): ["orang"]}
    question = "Sekarang sudah berapa orang yang meninggal akibat banjir bandang?"
    figure = asked_figure(question, "id", lambda word, language: words.get((word, language), []))
    assert gives_figure("Banjir bandang itu menewaskan 14 orang.", "id", figure)
    assert gives_figure("The flash flood has killed 14 people.", "en", figure)
    assert not gives_figure("Sebanyak 300 orang mengungsi.", "id", figure)
    # who died, is in hospital, injured, missing or recovered is known in both languages without the dictionary
    # (``assistant.conditions``); other states are not
    assert gives_figure("Banjir bandang itu menewaskan 14 orang.", "id", asked_figure(question, "id"))
    displaced = "Sekarang sudah berapa orang yang mengungsi akibat banjir bandang?"
    assert not gives_figure("The flood has displaced 300 people.", "en", asked_figure(displaced, "id"))


@pytest.mark.parametrize(("question", "rate"), [
    ("Berapa kali ponton menyeberangi sungai dalam sehari menurut data terbaru?", True),
    ("Menurut data terbaru, berapa rata-rata kasus ISPA baru per hari?", True),
    ("How many trains run a day on the line now?", True),
    ("Berapa korban tewas menurut data terkini?", False),
    ("How many people died on Monday?", False),
])
def test_a_question_asks_for_a_figure_per_span_of_time(question, rate):
    assert asks_rate(question) is rate


@pytest.mark.parametrize(("sentence", "reading"), [
    # a level per span of time is a rate
    ("Penyeberangan kini 90 kali per hari.", {"rate": {90}}),
    ("New cases have slowed to about 230 a day, health officials said.", {"rate": {230}}),
    ("Penyaluran kembali mendekati kebutuhan normal harian sekitar 118.000 tabung.", {"rate": {118000}}),
    ("Truk-truk itu menyiram jalan dua kali sehari.", {"rate": {2}}),
    # a change per day, or one day's change, is no level
    ("Korban bertambah 12 orang per hari.", {"other": {12}}),
    ("Korban tewas bertambah 5 orang dalam sehari menjadi 40 orang.", {"other": {5}, "figure": {40}}),
    # a price per unit is no rate
    ("Harga Dieselux tetap Rp 15.350 per liter.", {"figure": {15350}}),
    # a peak restated as "at the height of" is older
    ("At the height of the crisis the bank had frozen 15,600 accounts.", {"older": {15600}}),
])
def test_a_figure_per_span_of_time_reads_as_a_rate(sentence, reading):
    assert {kind: values for kind, values in readings(sentence).items() if values} == reading


def test_a_rate_counts_the_thing_only_for_a_question_that_asks_for_one():
    spraying = "Truk-truk itu menyiram jalan protokol dua kali sehari dengan total 1,1 juta liter air per hari."
    assert counts_of(spraying, "truck", ("truk",), countable=True) == set()  # how often, not how many trucks
    slowed = "New cases of acute respiratory infection have slowed to about 230 a day."
    assert counts_of(slowed, "kasus", ("case",), per_span=True) == {230}
    assert counts_of(slowed, "kasus", ("case",)) == set()  # not the cases so far
    total = "Dinas Kesehatan mencatat 5.552 kasus ISPA sejak 27 Juli."
    assert counts_of(total, "kasus", per_span=True) == set() and counts_of(total, "kasus") == {5552}
    # an amount paid per month is given however a report words it
    monthly = "Kompensasi Rp 3,2 juta per nelayan untuk bulan pertama mulai dibayarkan besok."
    assert counts_of(monthly, "kompensasi", per_span=True) == {3.2e6}


@pytest.mark.parametrize(("question", "item"), [
    ("Harga elpiji 3 kg di kios pengecer Kota Mandalapura sekarang berapa?", ("elpiji",)),
    ("Harga Dieselux per liter yang berlaku sekarang di Sungai Kemuning berapa?", ("dieselux",)),
    ("Harga air bersih per jeriken sekarang berapa?", ("air", "bersih", "jeriken")),
    ("What is the latest price of rice in Pasar Induk?", ("rice",)),
    ("How much does a getek raft currently charge to carry a motorcycle?", ("getek", "raft", "motorcycle")),
    ("How much are roadside kiosks in Mandalapura charging for a 3 kg LPG cylinder now?",
     ("roadside", "kiosks", "lpg", "cylinder")),
    ("What does a kilo of beef cost at Pasar Besar these days?", ("beef",)),  # a measure "of" what is sold
    ("How much does a tray of eggs cost in Waimoko now?", ("eggs",)),  # what holds it "of" what is sold
    ("How much does it cost now to hire a generator for a day?", ("hire", "generator", "day")),
    ("What does it currently cost to cross the river by boat?", ("cross", "river")),
    ("Berapa korban tewas?", ()),
])
def test_what_a_price_question_prices(question, item):
    assert priced_item(question) == item


def test_a_latest_price_comes_from_the_newest_report_of_what_it_prices():
    # the newest report prices soybeans; the fuel asked about is priced a day earlier
    ranked = _sentences(("2028-07-05", "Petrolux 92 dijual Rp 14.600 per liter, turun dari Rp 14.900.", 0.91),
                        ("2028-07-05", "Harga Dieselux tidak berubah, tetap Rp 15.350 per liter.", 0.88),
                        ("2028-07-07", "Kedelai dijual Rp 13.750 per kilogram di pasar induk.", 0.83),
                        focus="Harga Dieselux per liter yang berlaku sekarang berapa?")
    assert best_sentences(ranked, 3, newest=True) == [(2, "Harga Dieselux tidak berubah, tetap Rp 15.350 per liter.")]
    # a question that prices nothing named takes the newest price
    anything = replace(ranked, figure=replace(ranked.figure, item=frozenset(), per=frozenset()))
    assert best_sentences(anything, 3, newest=True) == [(3, "Kedelai dijual Rp 13.750 per kilogram di pasar induk.")]


def test_a_latest_rate_comes_from_the_newest_report_of_a_rate_not_of_a_total():
    ranked = _sentences(("2026-08-14", "Dinas Kesehatan mencatat 5.552 kasus ISPA sejak 27 Juli.", 0.89),
                        ("2026-08-13", "New cases of respiratory infection have slowed to about 230 a day.", 0.86),
                        ("2026-08-11", "Kasus ISPA baru kini 380 per hari.", 0.85),
                        focus="Menurut data terbaru, berapa rata-rata kasus ISPA baru per hari?")
    ranked = _translated(_in_their_languages(ranked), "case", "infection")
    assert best_sentences(ranked, 3, newest=True) == [
        (2, "New cases of respiratory infection have slowed to about 230 a day.")]


def test_the_asked_thing_is_counted_in_the_other_language_through_its_translations():
    sentence = "Menurut Dinas Kesehatan, 214 pasien kini dirawat inap, sementara 3.100 warga mengungsi."
    assert counts_of(sentence, "patient") == set()
    assert counts_of(sentence, "patient", ["sabar", "pasien"]) == {214}
    assert counts_of("Nine patients remain in hospital, 511 people were treated.", "pasien") == set()
    assert counts_of("Nine patients remain in hospital, 511 people were treated.", "pasien", ["patient"]) == {9}


@pytest.mark.parametrize(("answer", "newest", "disagree"), [
    ("The death toll has reached 28 [1].", ["Korban meninggal bertambah dua menjadi 33 orang, Rabu (12/3)."], True),
    ("The death toll has risen to 33 [1].", ["Korban meninggal bertambah dua menjadi 33 orang, Rabu (12/3)."], False),
    # the same amount in the other language's scale words; the marker and the date are not figures
    ("The budget is now Rp 1.2 billion [2], as of 14 January 2025.", ["Pemkab menyiapkan BTT Rp 1,2 miliar."], False),
    ("Anggaran BTT kini Rp 2,75 miliar [1].", ["Pemkab menyiapkan BTT Rp 1,2 miliar."], True),
    # nothing to compare: an answer without a figure, or a newest report without one
    ("The search was extended by the agency [1].", ["Korban meninggal menjadi 33 orang."], False),
    ("The toll is 28 [1].", ["Basarnas memperpanjang operasi pencarian korban."], False),
])
def test_a_latest_answer_disagrees_when_none_of_its_figures_is_the_newest_reports(answer, newest, disagree):
    assert figures_disagree(answer, newest) is disagree


def test_a_sentence_in_the_other_language_answers_a_little_below_the_floor_of_the_questions_own():
    # cross-lingual cosines run lower: "jumlah personel ... 450 orang" scores .775 for the English question
    rows = [("en", "The rescue operation was extended by three days.", 0.78),
            ("id", "Jumlah personel dikurangi menjadi 450 orang.", 0.775),
            ("id", "Kapal berangkat dari Lawangkarang pada Selasa malam.", 0.74)]
    passages = [Passage(i + 1, Hit(chunk_id=f"c{i}", article_id=f"a{i}", index=0, text=text, title=f"t{i}", lang=lang),
                        text, 10) for i, (lang, text, _) in enumerate(rows)]
    units = [Unit(i, 0, text, cosine, cosine) for i, (_, text, cosine) in enumerate(rows)]
    english = Sentences(passages, units, ("How many rescue personnel are deployed?",), language="en")
    assert [english.answers(u) for u in units] == [False, True, False]
    assert best_sentences(english, 3) == [(2, "Jumlah personel dikurangi menjadi 450 orang.")]
    indonesian = replace(english, focus=("Berapa personel SAR yang dikerahkan?",), language="id")
    assert [indonesian.answers(u) for u in units] == [True, False, False]


def test_a_latest_figure_asked_in_english_comes_from_the_newest_report_in_indonesian():
    # an older English report counts "people" in the question's words; the newest one is Indonesian
    ranked = _sentences(("2024-02-06", "The flood has left 13 people missing, the agency said.", 0.90),
                        ("2024-02-09", "Sebanyak dua orang masih hilang dan pencarian dilanjutkan.", 0.86),
                        focus="How many people are still missing after the flood?")
    newest = [(2, "Sebanyak dua orang masih hilang dan pencarian dilanjutkan.")]
    assert best_sentences(ranked, 3, newest=True) == newest  # "missing" is "hilang" (``assistant.conditions``)
    # a state read through the dictionary alone (no condition): found in Indonesian only with its translation
    untranslated = replace(ranked, figure=AskedFigure("people", (), frozenset({"miss"}), True))
    assert best_sentences(untranslated, 3, newest=True) == [
        (1, "The flood has left 13 people missing, the agency said.")]
    translated = replace(ranked, figure=AskedFigure("people", ("orang", "rakyat"), frozenset({"miss", "hilang"}), True))
    assert best_sentences(translated, 3, newest=True) == newest


def test_a_latest_figure_named_before_its_number_comes_from_its_newest_report():
    # the newest lead gives the case count with "kasus" before the number and a day after it; the older
    # sentence, closer to the question, counts the same thing
    ranked = _sentences(("2025-01-19", "Kasus DBD di Banyusari bertambah menjadi 1.398 hingga Minggu (19/1).", 0.91),
                        ("2025-01-20", "Pasien yang dirawat inap berkurang menjadi 158 orang.", 0.88),
                        ("2025-01-20", "Jumlah kasus DBD di Banyusari mencapai 1.421 hingga Senin (20/1).", 0.86),
                        focus="Berapa jumlah kasus DBD terbaru di Banyusari?")
    assert best_sentences(ranked, 3, newest=True) == [
        (3, "Jumlah kasus DBD di Banyusari mencapai 1.421 hingga Senin (20/1).")]


def test_a_sentence_two_articles_share_is_quoted_once_from_the_better_passage():
    ranked = _sentences(("2018-02-16", "Di paruh kedua, intensitas tekanan Arsenal tidak berubah.", 0.86),
                        ("2018-02-15", "Di paruh kedua,  intensitas tekanan Arsenal tidak berubah.", 0.86),
                        ("2018-02-16", "Arsenal menang 3-0 atas Ostersunds.", 0.85))
    assert best_sentences(ranked, 3) == [(1, "Di paruh kedua, intensitas tekanan Arsenal tidak berubah."),
                                         (3, "Arsenal menang 3-0 atas Ostersunds.")]


def test_of_the_newest_report_the_sentence_that_says_what_the_question_says_answers():
    question = "Berapa pasien DBD yang saat ini masih dirawat inap di Banyusari?"
    rows = [("2025-01-20", "Jumlah kasus DBD di Banyusari mencapai 1.421, dengan 13 pasien meninggal dunia.", 0.89),
            ("2025-01-18", "Jumlah pasien yang dirawat inap di Banyusari berkurang menjadi 196 orang.", 0.87),
            ("2025-01-20", "Di rumah sakit dan puskesmas, 158 pasien masih menjalani rawat inap.", 0.85),
            ("2025-01-19", "Kasus DBD di Banyusari tersebar di 15 kecamatan.", 0.84)]
    ranked = _sentences(*rows, focus=question)
    ranked = replace(ranked, qualifiers=qualifiers(question, ranked.figure.thing))
    assert {"rawat", "inap", "dbd"} <= ranked.qualifiers and "pasien" not in ranked.qualifiers
    assert best_sentences(ranked, 3, newest=True) == [(3, "Di rumah sakit dan puskesmas, 158 pasien masih menjalani "
                                                          "rawat inap.")]
    # without what the question says about the patients, the condition it names still does: "in hospital" is not
    # the lead's "meninggal dunia" (``assistant.conditions``); with neither, the report's best sentence answers
    assert best_sentences(replace(ranked, qualifiers=frozenset()), 1, newest=True)[0][0] == 3
    plain = replace(ranked, qualifiers=frozenset(), figure=replace(ranked.figure, condition=None))
    assert best_sentences(plain, 1, newest=True)[0][0] == 1


def test_what_the_question_says_is_found_in_a_longer_word_of_the_same_root():
    question = "Sampai sekarang sudah berapa ekor unggas yang divaksin di Rancawaru?"
    rows = [("2026-01-15", "Menurut dinas, unggas yang mati akibat flu burung kini 23.450 ekor.", 0.93),
            ("2026-01-15", "Vaksinasi sudah menjangkau 97.300 ekor unggas.", 0.87),
            ("2026-01-14", "Vaksinasi sudah menjangkau 81.200 ekor unggas.", 0.87)]
    ranked = _sentences(*rows, focus=question)
    ranked = replace(ranked, qualifiers=qualifiers(question, ranked.figure.thing))
    assert best_sentences(ranked, 3, newest=True) == [(2, "Vaksinasi sudah menjangkau 97.300 ekor unggas.")]


def test_the_latest_of_a_range_that_ended_comes_from_that_ranges_newest_report():
    from datetime import date

    from assistant.assistant import Assistant
    from core.text.when import DateRange, TimeScope

    ranked = _sentences(("2018-02-11", "Manchester United kalah dari Newcastle di St James Park.", 0.88),
                        ("2017-05-24", "Manchester United bertemu Ajax di final Liga Europa.", 0.87),
                        ("2017-05-10", "Manchester United menang atas Celta Vigo.", 0.86),
                        focus="Apa berita terbaru soal Manchester United pada Mei 2017?")
    may = TimeScope(DateRange(date(2017, 5, 1), date(2017, 5, 31)), True, "terbaru pada Mei 2017", "absolute")
    sentences, newest = Assistant._from_newest(may, ranked, ranked.focus)
    assert newest and best_sentences(sentences, 3, newest=True) == [
        (2, "Manchester United bertemu Ajax di final Liga Europa.")]
    # without a range, the newest report is today's
    today = TimeScope(None, True, "terbaru", "latest")
    sentences, newest = Assistant._from_newest(today, ranked, ranked.focus)
    assert newest and best_sentences(sentences, 3, newest=True)[0][0] == 1


@pytest.mark.parametrize(("question", "figure"), [
    ("Bagaimana perkembangan jumlah korban tewas banjir Tirtamaya sejak 7 Februari?", True),
    ("How has the number of people displaced by the flood changed since February 8?", True),
    ("Berapa korban banjir sejak Senin?", True),
    ("Apa pesan Presiden Jokowi kepada Menteri Susi sejak awal 2018?", False),
    ("Since early February, who has KPK named as a suspect?", False),
])
def test_a_question_since_a_day_is_about_a_figure_only_when_it_names_or_asks_one(question, figure):
    from datetime import date

    from assistant.asks import about_a_figure
    from assistant.assistant import Assistant
    from core.text.when import DateRange, TimeScope

    assert about_a_figure(question) is figure
    since = TimeScope(DateRange(date(2018, 1, 1), date(2018, 2, 20)), False, "sejak", "since")
    ranked = _sentences(("2018-02-19", "Yuyu dilantik sebagai KSAU.", 0.86), focus=question)
    assert Assistant._from_newest(since, ranked, ranked.focus)[1] is figure


def test_a_figure_of_one_place_alone_is_a_part_not_the_count():
    assert readings("Dari kelurahan padat itu saja, 17 warga meninggal dalam desak-desakan.")["figure"] == set()
    assert readings("In Sukaraja alone, 17 residents died.")["figure"] == set()
    assert readings("Secara keseluruhan, tragedi tersebut merenggut 131 nyawa.")["figure"] == {131}


def test_people_infected_are_counted_as_cases() -> None:
    """A question about people infected ("terjangkit") is answered by a count of cases, not by any count of people."""
    figure = asked_figure("Sekarang sudah berapa orang yang terjangkit kolera di Muara Lindai?", "id")
    assert gives_figure("Dinas Kesehatan mencatat 437 kasus kolera di kabupaten itu.", "id", figure)
    assert not gives_figure("Dinas Kesehatan mencatat 437 sumur tercemar di kabupaten itu.", "id", figure)
    dead = asked_figure("Sekarang sudah berapa orang yang meninggal karena kolera?", "id")
    assert not gives_figure("Dinas Kesehatan mencatat 437 kasus kolera di kabupaten itu.", "id", dead)


def test_people_treated_for_an_illness_are_counted_however_a_report_says_they_caught_it() -> None:
    figure = asked_figure("How many people have been treated for respiratory infections so far?", "en")
    assert figure.condition is None and figure.infected
    assert gives_figure("Dinkes mencatat 6.412 warga terserang ISPA sejak 1 Agustus.", "id", figure)
    assert gives_figure("Jumlah warga yang berobat karena ISPA mencapai 6.455 orang.", "id", figure)
    assert not gives_figure("Sebanyak 73 orang dirawat inap di RSUD.", "id", figure)
    for asked in ("How many residents have sought treatment for respiratory illness since the smog began?",
                  "How many people have gone to health workers with signs of mercury poisoning?"):
        assert asked_figure(asked, "en").infected, asked


@pytest.mark.parametrize(("sentence", "reading"), [
    # a goal is no count of what was done
    ("Vaksinasi sapi masih berjalan dengan target 18.000 ekor.", {"goal": {18000}}),
    ("The host has set itself a target of 65 golds and the overall title.", {"goal": {65}}),
    ("Hingga sore, 3.870 anak telah divaksin dari sasaran 52.400 anak.", {"figure": {3870}, "goal": {52400}}),
    ("Vaksinasi sudah mencakup 12.930 ekor sapi.", {"figure": {12930}}),
])
def test_a_goal_reads_as_a_goal_not_as_a_figure(sentence, reading):
    assert {kind: values for kind, values in readings(sentence).items() if values} == reading


def test_a_goal_names_nothing_after_it_for_the_next_figure():
    # "anak" names the goal's children, not an age of 0
    assert counts_of("Sasarannya 124.300 anak usia 0 hingga 7 tahun di seluruh kabupaten.", "anak") == set()


def test_an_indonesian_thing_is_also_named_by_the_loanword_of_its_translation():
    def translate(word: str, language: str) -> list[str]:
        return {"sumbangan": ["alms", "contribution", "donation", "nation"], "donasi": ["donation"],
                "nasi": ["rice"]}.get(word, [])

    figure = asked_figure("Sejauh ini berapa sumbangan publik yang sudah terhimpun untuk korban banjir?", "id", translate)
    assert "donasi" in figure.translations
    assert "nasi" not in figure.translations  # "nation" spelled as a loan is rice, which translates back otherwise
    assert gives_figure("Donasi masyarakat yang terkumpul di posko Pemkab mencapai Rp 2,35 miliar.", "id", figure)


def test_those_who_respond_are_not_counted_by_the_people_they_search_for():
    def translate(word: str, language: str) -> list[str]:
        return {"personel": ["officer", "personnel", "rescuer"]}.get(word, [])

    figure = asked_figure("Menurut data terakhir, berapa personel yang dikerahkan untuk mencari korban kapal itu?",
                          "id", translate)
    assert not gives_figure("Indonesian rescuers will end the search on Thursday evening, with 19 people still "
                            "missing and the death toll at 25.", "en", figure)
    assert gives_figure("Area pencarian tetap 450 kilometer persegi dengan 350 personel.", "id", figure)
    # their own condition, when a question asks it, is theirs
    hurt = asked_figure("How many police officers have been hurt in the riot so far?", "en")
    assert gives_figure("The number of police officers injured in the riot stands at 44, up from 41.", "en", hurt)


def test_people_out_of_all_aboard_are_counted_in_their_condition():
    figure = asked_figure("Berapa orang dari kapal itu yang berhasil diselamatkan dalam keadaan hidup?", "id")
    assert figure.condition == "survived"
    assert gives_figure("The number of survivors stands at 224 out of the 268 people aboard.", "en", figure)


def test_cattle_immunised_are_cattle_vaccinated_and_a_target_is_not_a_count_of_them():
    figure = asked_figure("What is the latest count of cattle immunised against anthrax?", "en")
    assert figure.condition == "vaccinated"
    assert gives_figure("Livestock officers have now vaccinated 16,420 cattle in the three districts.", "en", figure)
    assert not gives_figure("Vaksinasi sapi masih berjalan dengan target 18.000 ekor.", "id", figure)


def test_a_goal_is_the_figure_of_a_question_that_asks_for_the_goal():
    sentence = ("The campaign has reached 106,480 children, or 76.8% of its target of 138,650, officials said.")
    assert counts_of(sentence, "sasaran", ("target", "goal")) == {138650}
    assert counts_of(sentence, "children", ("anak",)) == {106480}


@pytest.mark.parametrize(("question", "illness"), [
    ("What is the most recent count of leptospirosis cases linked to the flood?", ("leptospirosis",)),
    ("How many cases of cholera have been recorded?", ("cholera",)),
    ("Berapa kasus baru DBD hari ini?", ("dbd",)),
    ("Sudah berapa kasus campak di kabupaten itu?", ("campak",)),
    ("How many new cases were recorded?", ()),
    ("Berapa kasus yang tercatat di Muara?", ()),
    ("Berapa kasus di desa itu?", ()),
])
def test_the_illness_whose_cases_a_question_counts(question: str, illness: tuple[str, ...]) -> None:
    assert case_kind(question) == illness


def test_cases_of_the_asked_illness_answer_before_a_later_count_of_another():
    # the newest report counts diarrhoea cases; the leptospirosis count is in an older one
    rows = [("2033-11-28", "Dinas Kesehatan mencatat 961 kasus diare sejak tanggul jebol.", 0.80),
            ("2033-11-23", "Dinas Kesehatan mencatat kasus leptospirosis bertambah menjadi sebelas orang.", 0.79)]
    ranked = _sentences(*rows, focus="Berapa jumlah kasus leptospirosis terbaru akibat banjir rob?")
    assert best_sentences(ranked, 3, newest=True) == [(2, rows[1][1])]
    # without an illness named, the newest count of cases answers
    ranked = _sentences(*rows, focus="Berapa jumlah kasus terbaru akibat banjir rob?")
    assert best_sentences(ranked, 3, newest=True) == [(1, rows[0][1])]



def test_a_price_asked_per_unit_is_not_answered_by_a_price_per_another():
    # the newest report prices a tanker load; the price per jerrycan is in an older one
    rows = [("2034-09-17", "Harga air tangki swasta di lapangan kini rata-rata Rp 275.000 per tangki.", 0.87),
            ("2034-09-14", "Hawkers were selling water at Rp 6,000 a jerrycan on Thursday.", 0.85)]
    ranked = _sentences(*rows, focus="Berapa harga air per jeriken dari pedagang keliling sekarang?")
    ranked = replace(ranked, figure=replace(ranked.figure, per=frozenset({"jeriken", "jerrycan"})))
    assert best_sentences(_in_their_languages(ranked), 3, newest=True) == [(2, rows[1][1])]


def test_the_group_one_of_whom_a_report_is_about_is_not_its_count():
    assert [r for _, r, _ in reported("Korban adalah salah satu dari tiga warga yang hilang tertimbun longsor.")[1]] \
        == ["other"]
    assert [r for _, r, _ in reported("The body was one of three people still missing.")[1]] == ["other"]


def test_people_struck_are_no_count_of_the_displaced():
    rows = [("2034-03-25", "Gempa tersebut menewaskan 72 orang, dua orang dinyatakan hilang, dan jumlah pengungsi "
                           "sempat mencapai 31.280 jiwa.", 0.81),
            ("2034-03-25", "Jumlah warga yang masih bertahan di pengungsian kini 7.385 orang di 37 titik.", 0.80)]
    ranked = _in_their_languages(_sentences(*rows, focus="Berapa warga yang masih mengungsi akibat gempa saat ini?"))
    assert [u.text for u in newest_report(ranked)] == [rows[1][1]]


def test_a_magnitude_asked_with_what_is_a_figure_of_the_magnitude():
    question = "What magnitude does BMKG now give for the main earthquake?"
    assert asked_kind(question) == "quantity" and asked_thing(question) == "magnitude"
    figure = asked_figure(question, "en", lambda word, lang: {"magnitude": ["magnitudo"]}.get(word, []))
    assert gives_figure("Magnitudo gempa ditetapkan 6,5, bukan 6,3 seperti pemutakhiran pada Senin.", "id", figure)


def test_an_amount_said_to_be_for_each_answers_an_amount_asked_for_each_whatever_it_is_called():
    figure = asked_figure("Berapa besar bantuan pemerintah untuk setiap rumah warga yang rusak berat?", "id")
    assert figure.each and figure.condition == "badly_damaged"
    assert gives_figure("The central government will pay Rp 50 million to the owner of every house heavily "
                        "damaged by the earthquake.", "en", figure)
    assert not gives_figure("Bantuan stimulan senilai Rp 12,6 miliar telah ditransfer ke rekening pemilik 252 rumah "
                            "rusak berat pekan ini.", "id", figure)


def test_a_name_in_brackets_is_another_name_of_what_is_counted_not_the_noun():
    question = "How many volunteer larva monitors (jumantik) are now checking homes?"
    assert asked_thing(question) == "monitor"
    figure = asked_figure(question, "en", lambda word, lang: [])
    assert "jumantik" in figure.translations
    assert gives_figure("Jumlah jumantik yang memeriksa rumah warga kini 2.100.", "id", figure)


def test_a_share_of_work_done_answers_how_far_the_work_has_come():
    figure = asked_figure("Saat ini sudah berapa persen pembangunan jembatan Bailey?", "id",
                          lambda word, lang: {"pembangunan": ["construction"]}.get(word, []))
    assert gives_figure("Work on the temporary Bailey bridge is 60 percent complete.", "en", figure)
    assert not gives_figure("The Bailey bridge is 66 metres long.", "en", figure)


def test_what_a_report_says_had_reached_is_its_figure_in_reported_speech_not_a_restated_one():
    def read(sentence: str) -> list[tuple[float, str]]:
        return [(q.value, reading) for q, reading, _ in reported(sentence)[1]]

    assert read("KNS said refunds had reached Rp 5.38 billion, up from Rp 4.9 billion.") == \
        [(5.38e9, "figure"), (4.9e9, "older")]
    assert read("The toll, which had reached 535 at its peak, fell to 200.") == [(535, "older"), (200, "figure")]


def test_an_indonesian_compound_is_translated_as_one_when_the_dictionary_knows_it():
    words = {"pengembalian": ["payback"], "pengembalian uang": ["refund"]}
    figure = asked_figure("Hingga kini, berapa total pengembalian uang tiket yang sudah dibayarkan?", "id",
                          lambda word, language: words.get(word, []))
    assert "refund" in figure.translations
    assert gives_figure("Operator KNS said refunds had reached Rp 5.38 billion, up from Rp 4.9 billion.", "en", figure)
