"""Which figure of a sentence counts the dead, those in hospital, the injured, the missing or the recovered (and which
counts flights cancelled or delayed, animals culled or vaccinated), and which of them a question asks for: tables of
news sentences in both languages."""

from __future__ import annotations

import pytest

from assistant.asks import asked_thing, figures
from assistant.conditions import asked_condition, asked_happening, condition_counts
from assistant.extractive import asked_figure, gives_figure

CONDITIONS = ("died", "hospitalised", "injured", "missing", "recovered", "survived", "suspect", "detained", "released",
              "cancelled", "delayed", "destroyed", "vaccinated", "grounded", "in_service", "badly_damaged",
              "moderately_damaged", "lightly_damaged", "blocked")


def by_condition(sentence: str) -> dict[str, list[float]]:
    return {c: sorted(found) for c in CONDITIONS if (found := condition_counts(sentence, c))}  # type: ignore[arg-type]


@pytest.mark.parametrize(("sentence", "expected"), [
    # one condition named before or after its figure
    ("Jumlah korban meninggal tetap 12 orang.", {"died": [12]}),
    ("Dengan demikian, korban meninggal akibat miras oplosan bertambah menjadi 23 orang.", {"died": [23]}),
    ("Hingga kini, tiga korban masih dirawat di RSUD Cisalakan, satu di antaranya di ICU.", {"hospitalised": [3]}),
    ("Sedikitnya 94 orang tewas dalam desak-desakan di stadion.", {"died": [94]}),
    # sought and still at large: not found yet, as the missing are; caught again: detained
    ("Tujuh napi lainnya masih buron.", {"missing": [7]}),
    ("Police said three inmates remain at large.", {"missing": [3]}),
    ("Sebanyak 12 napi sudah ditangkap kembali.", {"detained": [12]}),
    ("Polisi menangkap tiga buronan kemarin.", {"detained": [3]}),  # fugitives caught: no longer at large
    # caught again, of the group that fled: the group says nothing of them
    ("Another escapee gave himself up, bringing the number recaptured to 53 of the 61 inmates who fled.",
     {"detained": [53]}),
    # a modifier before the person noun: "cholera patients"
    ("Thirty-eight cholera patients were still in hospital on Saturday, down from a peak of 139 last week.",
     {"hospitalised": [38]}),
    # trips cancelled per day are counted as trips cancelled
    ("PT KNS mencatat perjalanan yang dibatalkan berkurang menjadi 10 per hari.", {"cancelled": [10]}),
    # two conditions, each figure by the nearer one
    ("Kecelakaan pada Kamis (9/9) lalu menewaskan 16 orang dan melukai 86 orang.", {"died": [16], "injured": [86]}),
    ("Seventeen people were killed and 86 injured in the crash.", {"died": [17], "injured": [86]}),
    # a comma parts them: "Selain korban meninggal, 180 orang luka-luka"; the part of a group by what is said of it
    ("Selain korban meninggal, 180 orang luka-luka dan 152 di antaranya masih dirawat di sembilan rumah sakit.",
     {"injured": [180], "hospitalised": [152]}),
    ("A total of 341 people were injured, and 268 of them were still being treated at 11 hospitals.",
     {"injured": [341], "hospitalised": [268]}),
    ("Six of the injured remain in hospital, two of them in intensive care.", {"hospitalised": [6]}),
    # a predicate in the figure's clause comes first; the older value of a change is no figure
    ("Forty-one people injured in the crush are still in hospital, down from 74 on Saturday.",
     {"hospitalised": [41]}),
    ("Dari 135 korban luka, sebagian besar sudah kembali ke rumah masing-masing.", {"injured": [135]}),
    # a figure changed from an older value is named before both
    ("Polda mengoreksi jumlah korban meninggal akibat ledakan dari 19 menjadi 17 orang.", {"died": [17]}),
    ("Adapun korban yang masih dirawat inap tinggal 41 orang, termasuk lima pasien di ruang perawatan intensif (ICU).",
     {"hospitalised": [41]}),
    ("The death toll from the Nov. 5 collision has risen to 14, up from 13, after a passenger died on Tuesday.",
     {"died": [14]}),
    ("Sebanyak 12 pasien sudah sembuh dan dipulangkan, sementara tujuh nelayan masih hilang.",
     {"recovered": [12], "missing": [7]}),
    # money, families and hospitals are not people in a condition
    ("Santunan Rp 10 juta per keluarga korban meninggal sudah diterima 15 keluarga.", {}),
    ("Pasien dirawat di sembilan rumah sakit.", {}),
    ("Total warga yang menjadi korban keracunan kini tercatat 136 orang.", {}),
    # lives, bodies, intensive care
    ("Secara keseluruhan, tragedi tersebut merenggut 131 nyawa.", {"died": [131]}),
    ("The crush has claimed 131 lives.", {"died": [131]}),
    # bodies found that day are not the toll; the word still names the dead for the figure near it
    ("Tim SAR menemukan enam jenazah, korban kini 18.", {"died": [18]}),
    ("Navy divers recovered six bodies on Monday, raising the death toll to 33.", {"died": [33]}),
    # those in intensive care are a part of those in hospital, not their count
    ("Dua korban terakhir adalah pasien yang dirawat di ruang ICU sejak Senin.", {}),
    ("Dari jumlah itu, 56 orang masih dirawat dan 61 orang sudah diperbolehkan pulang.",
     {"hospitalised": [56], "recovered": [61]}),
    # survivors and suspects
    ("Sebanyak 63 penumpang selamat, 41 di antaranya sudah pulang ke rumah.", {"survived": [63], "recovered": [41]}),
    ("Tim SAR gabungan telah menyelamatkan 60 orang, sementara 4 orang ditemukan meninggal dunia.",
     {"survived": [60], "died": [4]}),
    ("That brings the number of suspects to three.", {"suspect": [3]}),
    ("Polda menahan tiga tersangka kasus ambruknya jembatan sejak Senin (15/11).", {"suspect": [3]}),
    # held by the police and let go: the part released is said of the part, the group's word is not its condition
    ("Polisi mengamankan 64 orang, sementara sedikitnya 48 peserta aksi terluka.", {"detained": [64], "injured": [48]}),
    ("Police said 130 of the people detained over the riot had now been released.", {"released": [130]}),
    ("Dari 171 orang yang diamankan, 130 orang sudah dibebaskan.", {"detained": [171], "released": [130]}),
    ("Twelve suspects are now in custody, including the founder.", {"suspect": [12], "detained": [12]}),
    ("Enam pasien dirawat dan 12 pasien yang sudah sembuh dilepas pulang.", {"hospitalised": [6], "recovered": [12]}),
    # an age is no count
    ("Polres menetapkan pengawas proyek berinisial BS (52) sebagai tersangka.", {}),
    ("The death toll rose to 20 after a two-year-old girl died.", {"died": [20]}),
    # what happened to things: each figure by the nearer, whatever it counts (the question's thing is checked apart)
    ("Kencana Nusa telah membatalkan 412 penerbangan dan 214 penerbangan lain terlambat.",
     {"cancelled": [412], "delayed": [214]}),
    ("The airline has cancelled 451 flights and delayed 301 since the grounding began.",
     {"cancelled": [451], "delayed": [301]}),
    ("Sebanyak 97.300 ekor unggas dimusnahkan, sementara 41.000 ekor lainnya sudah divaksin.",
     {"destroyed": [97300], "vaccinated": [41000]}),
    # aircraft (ships, machines) kept out of service and back in it
    ("Of the 19 jets taken out of service, seven have been cleared to fly again, leaving 12 aircraft grounded.",
     {"grounded": [12, 19], "in_service": [7]}),
    ("Kini tinggal dua pesawat yang masih dikandangkan, sehingga 17 pesawat sudah kembali beroperasi.",
     {"grounded": [2], "in_service": [17]}),
    # how badly buildings were damaged: a count of all the damaged is none of the degrees
    ("Kepala BPBD mengatakan dari 285 rumah itu, 55 rusak berat.", {"badly_damaged": [55]}),
    ("Of the 244 homes, 46 are badly damaged.", {"badly_damaged": [46]}),
    ("Sebanyak 2.388 rumah rusak berat, 1.900 rusak sedang dan 3.352 rusak ringan.",
     {"badly_damaged": [2388], "moderately_damaged": [1900], "lightly_damaged": [3352]}),
    ("Amblesan telah merusak 292 rumah.", {}),
    # people counted by a noun after a hyphenated modifier
    ("Nineteen heat-illness patients are still in hospital, down from a peak of 74 last week.",
     {"hospitalised": [19]}),
])
def test_each_figure_counts_the_condition_named_nearest_it(sentence: str, expected: dict[str, list[float]]) -> None:
    assert by_condition(sentence) == expected


@pytest.mark.parametrize(("question", "expected"), [
    ("What is the latest death toll from the Mandirga stadium crush?", "died"),
    ("Sekarang sudah berapa korban jiwa dalam tabrakan kereta di Stasiun Lubuk Raja?", "died"),
    ("How many of those hurt in the stadium crush are currently still in hospital?", "hospitalised"),
    ("Berapa korban luka gempa Wanakerti yang masih dirawat di rumah sakit menurut data terkini?", "hospitalised"),
    ("How many victims of the methanol poisoning have recovered and gone home to date?", "recovered"),
    ("How many evacuees from the tidal flood have gone back to their homes by now?", "recovered"),
    ("Hingga kini berapa nelayan Nusa Manggar yang masih hilang di laut?", "missing"),
    ("Kini berapa warga yang masih belum diketahui keberadaannya setelah diterjang banjir bandang?", "missing"),
    ("How many villagers' whereabouts are still unknown after the flood?", "missing"),
    ("So far, how many lives has the flash flood on the Aek Sirara river claimed?", "died"),
    ("Berapa total warga yang keracunan miras oplosan menurut data terbaru?", None),
    # those who respond are not those the condition is said of
    ("How many rescuers are searching for the missing fishermen?", None),
    ("Berapa petugas yang merawat korban luka?", None),
    # survivors and suspects
    ("How many people have survived the KMP Citra Bahari sinking so far?", "survived"),
    ("Sekarang sudah berapa orang yang dijadikan tersangka kasus politik uang?", "suspect"),
    ("How many survivors of the mine collapse are currently being treated in hospital?", "hospitalised"),
    # detained and released: the last condition named is asked
    ("How many people have police detained over the riot so far?", "detained"),
    ("Sudah berapa orang yang ditangkap dalam kerusuhan itu yang kini dibebaskan polisi?", "released"),
    ("Berapa tahanan yang masih buron?", "missing"),  # still at large: not found yet
    ("Berapa napi yang sampai sekarang belum tertangkap?", "missing"),  # not caught: not detained
    # treated for an illness: all it infected, not those in hospital; still being treated: in hospital
    ("How many people have been treated for respiratory infections since the eruption began?", None),
    ("How many of the injured are still being treated?", "hospitalised"),
])
def test_the_condition_a_question_asks(question: str, expected: str | None) -> None:
    assert asked_condition(question, asked_thing(question)) == expected


@pytest.mark.parametrize(("question", "expected"), [
    ("How many Kencana Nusa flights have been delayed so far because of the grounding?", "delayed"),
    ("Sampai saat ini, berapa total penerbangan yang mengalami keterlambatan?", "delayed"),
    ("How many train trips have been cancelled so far because of the crash?", "cancelled"),
    ("Sejauh ini sudah berapa ekor anjing liar yang dimusnahkan untuk menekan rabies?", "destroyed"),
    ("Sampai sekarang sudah berapa ekor unggas yang divaksin flu burung?", "vaccinated"),
    ("How many flights have been affected?", None),
    ("Kini masih berapa pesawat Meridian M220 yang dilarang terbang?", "grounded"),
    ("Berapa pesawat yang masih belum boleh dioperasikan?", "grounded"),
    ("How many of the grounded jets are back in service?", "in_service"),
    ("Berapa rumah di Sungai Timah yang kini tercatat rusak berat akibat amblesan?", "badly_damaged"),
    ("How many homes are now classed as severely damaged by the earthquake?", "badly_damaged"),
    ("Sekarang, berapa rumah yang tercatat rusak akibat gempa?", None),
    ("How much repair aid has been promised for each badly damaged house?", None),  # said of the house, not the aid
    # a condition said of another noun ("-nya": whose) is not what happened to the thing counted
    ("Berapa total uang tiket yang dikembalikan kepada penumpang yang penerbangannya batal?", None),
    ("Berapa aplikasi pinjaman milik jaringan itu yang sudah diblokir pemerintah menurut data terkini?", "blocked"),
    ("How much money linked to the loan-app ring has been frozen so far?", "blocked"),
])
def test_what_a_question_asks_happened_to_the_things_it_counts(question: str, expected: str | None) -> None:
    assert asked_happening(question) == expected


def test_a_question_about_flights_delayed_is_given_flights_delayed_not_cancelled_nor_passengers() -> None:
    figure = asked_figure("How many flights have been delayed so far?", "en")
    assert figure.condition == "delayed"
    assert gives_figure("The airline has cancelled 451 flights and delayed 301 flights since Sunday.", "en", figure)
    assert not gives_figure("The airline has cancelled 451 flights since Sunday.", "en", figure)
    assert not gives_figure("Delays have hit 53,120 passengers since Sunday.", "en", figure)


def test_money_asked_as_frozen_is_given_by_amounts_frozen_not_by_any_amount() -> None:
    # every amount gave "How much money ... has been frozen?": a loss, a loan total
    figure = asked_figure("What is the latest amount of money frozen by the authorities in the lending case?", "en")
    assert figure.money and figure.condition == "blocked"
    assert gives_figure("The PPATK has now frozen Rp 22.4 billion in 246 bank accounts, up from Rp 15.6 billion.",
                        "en", figure)
    assert not gives_figure("The audit shows the ring lent Rp 131.4 billion, up from Rp 112.5 billion.", "en", figure)
    assert not gives_figure("Victims have reported losses of Rp 11.4 billion, up from Rp 9.1 billion.", "en", figure)
    # in Indonesian, "dana" (funds) frozen
    said = "PPATK memblokir dana Rp 20,9 miliar di 215 rekening."
    assert gives_figure(said, "id", figure)


def test_an_amount_counts_things_damaged_only_when_asked_for_each_of_them() -> None:
    aid = "Pemerintah menaikkan bantuan perbaikan untuk setiap rumah yang rusak berat menjadi Rp 12,5 juta."
    houses = asked_figure("Per 22 November, berapa rumah yang tercatat rusak berat akibat puting beliung?", "id")
    assert houses.condition == "badly_damaged"
    assert not gives_figure(aid, "id", houses)
    assert gives_figure("BPBD mencatat 144 rumah rusak berat dari total 1.397 rumah rusak.", "id", houses)
    each = asked_figure("Berapa bantuan perbaikan untuk setiap rumah yang rusak berat?", "id")
    assert each.each and gives_figure(aid, "id", each)


def test_a_death_toll_counts_people_who_died() -> None:
    figure = asked_figure("What is the death toll so far from the tainted liquor in Sendangwatu?", "en")
    assert (figure.thing, figure.condition) == ("people", "died")
    assert gives_figure("Dengan demikian, korban meninggal akibat miras oplosan bertambah menjadi 23 orang.", "id",
                        figure)
    assert not gives_figure("Total warga yang keracunan tetap 122 orang.", "id", figure)


def test_lives_a_disaster_claimed_are_its_dead_not_people_living_somewhere() -> None:
    figure = asked_figure("So far, how many lives has the flash flood in Lae Rimbun claimed?", "en")
    assert (figure.thing, figure.condition) == ("people", "died")
    assert gives_figure("Dengan temuan itu, jumlah korban meninggal menjadi 26 orang.", "id", figure)
    assert not gives_figure("BPBD mencatat 8.240 jiwa tinggal di 31 titik pengungsian.", "id", figure)


def test_people_whose_whereabouts_are_unknown_are_the_missing() -> None:
    figure = asked_figure("Kini berapa warga yang masih belum diketahui keberadaannya setelah banjir bandang?", "id")
    assert figure.condition == "missing"
    assert gives_figure("Jumlah warga yang dilaporkan hilang bertambah menjadi 52 orang.", "id", figure)
    assert not gives_figure("Dengan temuan itu, jumlah korban meninggal menjadi 26 orang.", "id", figure)


def test_a_question_about_those_in_hospital_is_not_given_the_death_toll() -> None:
    figure = asked_figure("Saat ini masih berapa korban miras oplosan yang dirawat inap di rumah sakit?", "id")
    assert figure.condition == "hospitalised"
    assert not gives_figure("Dengan demikian, korban meninggal akibat miras oplosan bertambah menjadi 23 orang.", "id",
                            figure)
    assert gives_figure("Korban yang masih dirawat inap kini tinggal delapan orang.", "id", figure)


def test_a_short_month_with_its_full_stop_is_a_date_not_a_figure() -> None:
    assert [q.value for q in figures("The Nov. 5 collision killed 14 people; Mar 5 kasus baru.")] == [14, 5]


def test_trips_cancelled_are_counted_by_the_vehicle_and_trains_cancelled_by_the_trips() -> None:
    words = {"perjalanan": ["trip"], "kereta": ["train"], "train": ["kereta"]}
    translate = lambda word, language: words.get(word, [])  # noqa: E731 (a two-word dictionary)
    trips = asked_figure("Sampai hari ini, berapa perjalanan kereta per hari yang masih dibatalkan?", "id", translate)
    assert trips.condition == "cancelled" and trips.rate
    assert gives_figure("KNS said only six trains a day were still cancelled on the southern line.", "en", trips)
    trains = asked_figure("How many trains a day are still cancelled on the line?", "en", translate)
    assert gives_figure("PT KNS mencatat perjalanan yang dibatalkan berkurang menjadi 10 per hari.", "id", trains)
    # a rate answers only a question asking for one, and a total only a question asking for a total
    assert not gives_figure("KNS membatalkan 40 perjalanan kereta sejak Senin.", "id", trains)
    total = asked_figure("How many trains have been cancelled in all?", "en", translate)
    assert gives_figure("KNS membatalkan 40 perjalanan kereta sejak Senin.", "id", total)
    assert not gives_figure("PT KNS mencatat perjalanan yang dibatalkan berkurang menjadi 10 per hari.", "id", total)


def test_guards_are_people_whose_injuries_and_hospital_stays_are_counted() -> None:
    injured = asked_figure("How many prison guards were injured in the breakout?", "en")
    assert injured.condition == "injured"
    assert gives_figure("Four guards were injured and 12 inmates escaped.", "en", injured)
    in_hospital = asked_figure("How many of the guards hurt in the riot are still in hospital?", "en")
    assert in_hospital.condition == "hospitalised"
    assert gives_figure("Only one guard is still in hospital, officials said.", "en", in_hospital)
