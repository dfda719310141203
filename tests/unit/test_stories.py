"""Story detection (``ingest.stories``): wire copy re-published with another dateline, footer or lead joins its
story; distinct articles on the same subject do not; the same text always gives the same signature."""

from __future__ import annotations

import numpy as np
import pytest

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
