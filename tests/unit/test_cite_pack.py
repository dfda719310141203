"""Pure answer logic: citation parsing and repair, context selection."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.cite import ground, is_refusal, parse_markers, rewrite_markers, strip_markers
from assistant.context import Unit, pack_passages, select
from assistant.records import Passage
from core.records import Hit


def hit(n: int, text: str, article: str = "a") -> Hit:
    return Hit(chunk_id=f"c{n}", article_id=f"{article}{n}", index=0, text=text, title=f"Judul {n}",
               url=f"https://x.id/{n}", published="2025-06-20", outlet="Kompas")


def passages(*texts: str) -> list[Passage]:
    return [Passage(n=i, hit=hit(i, t), text=t, tokens=len(t.split())) for i, t in enumerate(texts, start=1)]


def word_overlap(a, b) -> np.ndarray:
    """Jaccard overlap of words: a stand-in for embedding similarity in logic tests."""
    def words(s):
        return {w.strip(".,[]").lower() for w in s.split()}
    return np.array([[len(words(x) & words(y)) / max(1, len(words(x) | words(y))) for y in b] for x in a])


@pytest.mark.parametrize("text, expected", [
    ("Meta paid [1]. OpenAI left [2][1].", [1, 2]),
    ("Both [1, 3] and [2-4].", [1, 3, 2, 4]),
    ("No markers here.", []),
    ("Odd [0] and [12]", [0, 12]),
    ("Year [2025] is cited too", [2025]),
])
def test_parse_markers(text, expected):
    assert parse_markers(text) == expected


def test_rewrite_drops_markers_pointing_nowhere_and_dedupes():
    assert rewrite_markers("A [1] [1]. B [7]. C [2, 9].", {1: 1, 2: 2}) == "A [1]. B. C [2]."
    assert strip_markers("A [1]. B [2, 3].") == "A. B."


def test_valid_markers_are_kept_renumbered_and_quoted():
    ps = passages("Cuaca cerah di Bandung hari ini.", "Meta berinvestasi US$14,3 miliar di Scale AI. Saham 49%.")
    g = ground("Meta menanam US$14,3 miliar di Scale AI [2].", ps, word_overlap)
    text, cites, unsupported = g.text, g.citations, g.unsupported
    assert text == "Meta menanam US$14,3 miliar di Scale AI [1]."
    (c,) = cites
    assert (c.n, c.article_id, c.url) == (1, "a2", "https://x.id/2")
    assert c.quote == "Meta berinvestasi US$14,3 miliar di Scale AI."
    assert not unsupported


def test_out_of_range_marker_is_dropped_and_sentence_matched_instead():
    ps = passages("OpenAI memutus kerja sama dengan Scale AI.", "Harga cabai naik.")
    g = ground("OpenAI memutus kerja sama dengan Scale AI [5].", ps, word_overlap, threshold=0.3)
    text, cites = g.text, g.citations
    assert text == "OpenAI memutus kerja sama dengan Scale AI [1]." and cites[0].article_id == "a1"


def test_uncited_sentences_get_their_best_passage_or_are_removed():
    ps = passages("Harga cabai naik dua kali lipat.", "Jason Droege adalah CEO interim Scale AI.")
    answer = "Jason Droege adalah CEO interim Scale AI. Dia suka kopi pahit sekali."
    g = ground(answer, ps, word_overlap, threshold=0.3)
    text, cites, unsupported = g.text, g.citations, g.unsupported
    assert text == "Jason Droege adalah CEO interim Scale AI [1]."
    assert cites[0].article_id == "a2"
    assert unsupported == ["Dia suka kopi pahit sekali."]


def test_citations_numbered_in_order_of_first_use():
    ps = passages("Satu dua tiga.", "Empat lima enam.", "Tujuh delapan sembilan.")
    g = ground("Tujuh delapan [3]. Satu dua [1]. Lagi tujuh [3].", ps, word_overlap)
    text, cites = g.text, g.citations
    assert text == "Tujuh delapan [1]. Satu dua [2]. Lagi tujuh [1]."
    assert [c.article_id for c in cites] == ["a3", "a1"]


@pytest.mark.parametrize("text", [
    "I could not find the answer in the available articles.",
    "Saya tidak menemukan jawabannya di artikel yang tersedia.",
    "The passages do not contain the answer.",
    "Tidak ada informasi tentang itu dalam artikel.",
    "Tidak ada data yang disebutkan di bagian ini untuk menghitung jumlah rudal [1].",  # seen from the local model
    "The passages do not state when the dam opened [1].",
])
def test_refusals_are_recognised(text):
    assert is_refusal(text)


def test_answers_are_not_mistaken_for_refusals():
    assert not is_refusal("OpenAI ended the partnership because Meta bought 49% of Scale AI [1].")
    # a news fact about missing data is an answer, not a refusal
    assert not is_refusal("Polisi mengatakan tidak ada data korban dari desa itu [1].")


def test_whole_passages_are_packed_within_budget(settings):
    from core.models.prepare import load_encoding

    enc = load_encoding(settings)
    long = " ".join(f"Kalimat nomor {i} tentang ekonomi Indonesia." for i in range(60))
    hits = [hit(1, "Pendek sekali tapi relevan tentang Scale AI."), hit(2, long), hit(3, "Tidak akan muat.")]
    packed = pack_passages(hits, enc, budget=200)
    assert [p.n for p in packed] == [1, 2]
    assert sum(p.tokens for p in packed) <= 200
    assert packed[1].text.endswith(".") and len(packed[1].text) < len(long)  # trimmed at a sentence end
    assert [p.n for p in pack_passages(hits, enc, budget=2000)] == [1, 2, 3]


def test_selected_sentences_fit_the_budget_keep_reading_order_and_bring_their_neighbours(settings):
    from core.models.prepare import load_encoding

    enc = load_encoding(settings)
    hits = [hit(1, "Satu. Dua dua dua. Tiga tiga tiga. Empat empat empat."), hit(2, "Lima lima lima. Enam enam enam.")]
    ranked = [Unit(0, 2, "Tiga tiga tiga.", 0.9, 0.9), Unit(1, 1, "Enam enam enam.", 0.8, 0.8),
              Unit(0, 1, "Dua dua dua.", 0.5, 0.5), Unit(0, 3, "Empat empat empat.", 0.4, 0.4),
              Unit(1, 0, "Lima lima lima.", 0.3, 0.3)]
    chosen = select(hits, ranked, enc, budget=1000)
    # the best sentence of passage 1 comes with the sentences around it; passage 2 gets its neighbour too
    assert [p.text for p in chosen] == ["Dua dua dua. Tiga tiga tiga. Empat empat empat.", "Lima lima lima. Enam enam enam."]
    tight = select(hits, ranked, enc, budget=30)
    assert sum(p.tokens for p in tight) <= 30 and "Tiga tiga tiga." in tight[0].text and len(tight) == 1
    gap = select(hits, [ranked[2], ranked[3]], enc, budget=1000)  # not neighbours of each other: "…" between
    assert gap[0].text == "Dua dua dua. Tiga tiga tiga. Empat empat empat." or "…" in gap[0].text


def test_the_passage_holding_the_best_sentence_is_numbered_first(settings):
    from core.models.prepare import load_encoding

    enc = load_encoding(settings)
    hits = [hit(1, "Satu satu satu. Dua dua dua."), hit(2, "Tiga tiga tiga. Empat empat empat.")]
    # retrieval put passage a1 first, but a2 holds the sentence closest to the question
    ranked = [Unit(1, 1, "Empat empat empat.", 0.9, 0.9), Unit(0, 0, "Satu satu satu.", 0.5, 0.5)]
    chosen = select(hits, ranked, enc, budget=1000)
    assert [p.n for p in chosen] == [1, 2]
    assert [p.hit.article_id for p in chosen] == ["a2", "a1"] and chosen[0].text.endswith("Empat empat empat.")
