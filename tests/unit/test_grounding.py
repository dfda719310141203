"""Grounded answers, as pure logic: the facts of a sentence, the checks of ``ground``, follow-up rewrites.

The examples are the failures users saw: "Joko Widodo" cited to a 2005 article about Susilo Bambang
Yudhoyono, "US$14,3 million" for "US$14,3 miliar", "The interim CEO of OpenAI is [2]." as a "rewritten"
follow-up, filler about "the passage".
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant.cite import ground, is_meta, parse_markers, with_quotes
from assistant.facts import Evidence, has_facts, months, names, quantities, similar_spelling, unsupported_facts
from assistant.followup import acceptable_rewrite, is_follow_up, plan
from assistant.records import Passage
from core.records import Hit

SBY = ("Presiden Susilo Bambang Yudhoyono meresmikan jembatan itu pada Kamis (8/9). Biayanya Rp1,2 triliun dan "
       "dikerjakan selama dua belas bulan.")
SEED = ("Meta berinvestasi sebesar US$14,3 miliar (setara Rp472 triliun) untuk mengambil 49% saham di Scale AI. "
        "Menurut juru bicara OpenAI, pemutusan kerja sama ini telah dipertimbangkan sejak enam hingga dua belas "
        "bulan terakhir. CEO interim Scale AI, Jason Droege, mengungkapkan fokus baru perusahaan.")
DIBABA = "Pelari Ethiopia Tirunesh Dibaba, yang berumur 19 tahun, memenangi nomor 5.000 meter."


def passages(*texts: str, lang: str = "id") -> list[Passage]:
    return [Passage(n, Hit(f"c{n}", f"a{n}", 0, t, f"Judul {n}", lang=lang), t, len(t.split()))
            for n, t in enumerate(texts, 1)]


def no_similarity(a, b) -> np.ndarray:
    return np.zeros((len(a), len(b)))


def word_overlap(a, b) -> np.ndarray:
    def words(s):
        return {w.strip(".,[]").lower() for w in s.split()}
    return np.array([[len(words(x) & words(y)) / max(1, len(words(x) | words(y))) for y in b] for x in a])


# --- facts ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("claim", [
    "Meta paid US$14.3 billion.", "Meta membayar 14,3 miliar dolar AS.", "It is worth Rp 472 trillion.",
    "Meta took a 49 percent stake.", "Meta mengambil 49 persen saham.", "It took 6-12 months.",
    "It was considered for six to twelve months.", "Jason Droege is the interim CEO.",
])
def test_what_the_seed_states_in_either_language_is_supported(claim):
    assert unsupported_facts(claim, Evidence([SEED])) == []


@pytest.mark.parametrize("claim, missing", [
    ("Meta paid US$14.3 million.", "US$14.3 million"),
    ("Meta took a 51% stake.", "51%"),
    ("The interim CEO is Elon Musk.", "Elon Musk"),
    ("It took 18 months.", "18"),
])
def test_what_the_seed_does_not_state_is_found(claim, missing):
    assert [m.text for m in unsupported_facts(claim, Evidence([SEED]))] == [missing]


def test_a_wrong_scale_word_knows_the_scale_the_passage_states():
    (wrong,) = unsupported_facts("Meta paid US$14,3 million.", Evidence([SEED]))
    assert wrong.kind == "number" and wrong.repair == 9  # miliar = billion


def test_numbers_dates_and_names_are_read_in_both_languages():
    assert [q.value for q in quantities("Rp1.000 dan 1,5 juta, 45,9 persen, tiga ratus ribu, twenty-five")] == \
        [1000, 1.5e6, 45.9, 300000, 25]
    # "one" alone is no claim ("salah satu", "one of them"), one person counted is
    assert [q.value for q in quantities("Salah satu orang, satu dari mereka; kini tinggal satu orang.")] == [1]
    # one that is all that is left is a claim too
    assert [q.value for q in quantities("Kini tinggal satu sipir yang masih dirawat; only one remains.")] == [1, 1]
    assert months("Kamis (8/9) pagi") == {9} == months("on 8 September") == months("pada 8 September")
    assert unsupported_facts("It opened on Thursday, 8 September.", Evidence([SBY])) == []
    assert [n.words for n in names("Menurut The Jakarta Post, Presiden Joko Widodo tiba.")] == \
        [("Jakarta", "Post"), ("Presiden", "Joko", "Widodo")]
    assert not has_facts("Keputusan ini mengejutkan banyak pihak.") and has_facts("Keputusan ini diambil 2005.")
    assert similar_spelling("normandy", "normandia") and similar_spelling("brazil", "brasil")
    assert not similar_spelling("mark", "marx") and not similar_spelling("widodo", "wibowo")


# --- ground ------------------------------------------------------------------------------------------

def test_an_invented_name_with_a_marker_is_removed():
    grounded = ground("Presiden Indonesia sekarang adalah Joko Widodo [1].", passages(SBY), no_similarity,
                      question="Siapa presiden Indonesia sekarang?", language="id")
    assert grounded.text == "" and grounded.citations == []
    assert grounded.unsupported == ["Presiden Indonesia sekarang adalah Joko Widodo."]


def test_a_wrong_number_is_removed_and_the_rest_stays():
    answer = "Tirunesh Dibaba berumur 17 tahun [1]. Ia pelari asal Ethiopia [1]."
    grounded = ground(answer, passages(DIBABA), no_similarity, question="Berapa umur Tirunesh Dibaba?", language="id")
    assert grounded.text == "Ia pelari asal Ethiopia [1]."
    assert grounded.unsupported == ["Tirunesh Dibaba berumur 17 tahun."]


def test_a_wrong_scale_word_is_corrected_in_the_answers_language():
    grounded = ground("Meta paid US$14.3 million for 49% of Scale AI [1].", passages(SEED), no_similarity,
                      question="How much did Meta pay?", language="en")
    assert grounded.text == "Meta paid US$14.3 billion for 49% of Scale AI [1]."
    assert grounded.repaired == [("Meta paid US$14.3 million for 49% of Scale AI.",
                                  "Meta paid US$14.3 billion for 49% of Scale AI.")]
    assert not grounded.unsupported


def test_a_marker_is_moved_to_the_passage_that_states_the_sentence():
    grounded = ground("Jason Droege adalah CEO interim Scale AI [1].", passages(SBY, SEED), no_similarity,
                      language="id")
    assert grounded.text == "Jason Droege adalah CEO interim Scale AI [1]."
    assert [c.article_id for c in grounded.citations] == ["a2"]  # not the bridge article the model cited


def test_the_articles_sentences_are_quoted_under_the_answer_with_their_own_markers():
    ps = passages(SBY, SEED)
    grounded = ground("CEO interimnya Jason Droege [2].", ps, no_similarity, language="id")
    droege = "CEO interim Scale AI, Jason Droege, mengungkapkan fokus baru perusahaan."
    bridge = "Biayanya Rp1,2 triliun dan dikerjakan selama dua belas bulan."
    quoted = with_quotes(grounded, [(ps[1].hit, droege), (ps[0].hit, bridge)], "Kutipan artikel:")
    # the cited passage keeps [1]; the other article is numbered after it and listed with its own quote
    assert quoted.text == ("CEO interimnya Jason Droege [1].\n\n> Kutipan artikel: CEO interim Scale AI, Jason "
                           "Droege, mengungkapkan fokus baru perusahaan [1]. Biayanya Rp1,2 triliun dan dikerjakan "
                           "selama dua belas bulan [2].")
    assert [(c.n, c.article_id) for c in quoted.citations] == [(1, "a2"), (2, "a1")]
    assert quoted.citations[1].quote == bridge and quoted.citations[1].title == "Judul 1"
    # a sentence the answer already holds word for word is not repeated; nothing left: the answer as it was
    verbatim = ground(f"{droege[:-1]} [2].", ps, no_similarity, language="id")
    assert with_quotes(verbatim, [(ps[1].hit, droege)], "Kutipan artikel:") == verbatim


def test_a_misspelled_name_is_spelled_as_the_passage_spells_it():
    source = passages("Sumber panas bumi berkapasitas 330 MW itu terletak di Awibengkok Gunung Salak.")
    grounded = ground("Lokasinya di Kawibengkok Gunung Salak [1].", source, no_similarity, language="id")
    assert grounded.text == "Lokasinya di Awibengkok Gunung Salak [1]."
    assert grounded.repaired == [("Lokasinya di Kawibengkok Gunung Salak.", "Lokasinya di Awibengkok Gunung Salak.")]
    # across languages a different spelling is a translation, not a typo: left as written
    english = ground("The Normans came from Normandy [1].", passages("Bangsa Normandia datang dari Normandia."),
                     no_similarity, language="en", translated=lambda ns, spans: [False for _ in ns])
    assert "Normandy" in english.text


def test_names_and_numbers_of_the_question_and_conversation_may_be_repeated():
    grounded = ground("Scale AI dipimpin Jason Droege sejak 2025 [1].", passages(SEED), no_similarity,
                      question="Siapa yang memimpin Scale AI sejak 2025?", language="id")
    assert grounded.text and not grounded.unsupported


def test_filler_about_the_passages_is_dropped():
    answer = ("OpenAI is looking for data partners that fit better [1]. "
              "The passage [1] provides the reason for this decision.")
    grounded = ground(answer, passages(SEED), word_overlap, language="en")
    assert grounded.text == "OpenAI is looking for data partners that fit better [1]."
    assert is_meta("Bagian [2] menjelaskan hal ini.") and not is_meta("The passage of the law took a year.")
    assert is_meta("This is stated in Passage [1].") and is_meta("This information is found in passage 2.")
    assert is_meta("Hal ini disebutkan di bagian [1].") and not is_meta("This was found in a cave in 1991.")


def test_a_question_repeated_as_the_answer_is_no_answer():
    question = "Berapa lama OpenAI mempertimbangkan pemutusan kerja sama ini?"
    grounded = ground(f"{question[:-1]} [1]?", passages(SEED), word_overlap, question=question, language="id")
    assert grounded.text == "" and grounded.citations == []
    kept = ground(f"{question[:-1]} [1]? Enam hingga dua belas bulan [1].", passages(SEED), word_overlap,
                  question=question, language="id")
    assert kept.text == "Enam hingga dua belas bulan [1]."


def test_sentences_without_facts_or_marker_need_a_close_passage():
    answer = "Meta mengambil 49% saham di Scale AI. Dia suka kopi pahit sekali."
    grounded = ground(answer, passages(SEED), word_overlap, threshold=0.3, language="id")
    assert grounded.text == "Meta mengambil 49% saham di Scale AI [1]."
    assert grounded.unsupported == ["Dia suka kopi pahit sekali."]


def test_translated_names_count_when_the_matcher_says_so():
    text = "The Normans came from Denmark and France [1]."
    source = passages("Bangsa Normandia berasal dari Denmark dan Perancis.")
    assert ground(text, source, no_similarity, language="en").text == ""
    grounded = ground(text, source, no_similarity, language="en",
                      translated=lambda ns, spans: ["Perancis" in spans for _ in ns])
    assert grounded.text == text and parse_markers(grounded.text) == [1]


# --- follow-ups ------------------------------------------------------------------------------------------

HISTORY = [{"role": "user", "content": "Why did OpenAI drop Scale AI?"},
           {"role": "assistant", "content": "OpenAI had planned it for months [1]."}]


@pytest.mark.parametrize("question, follow", [
    ("and who is the interim CEO?", True), ("terus siapa CEO interimnya?", True), ("How much?", True),
    ("What about Google?", True), ("Who won the 2022 World Cup?", False),
    ("Berapa nilai investasi Meta di perusahaan pelabelan data Scale AI?", False),
])
def test_follow_ups_are_recognised(question, follow):
    assert is_follow_up(question, HISTORY) is follow
    assert not is_follow_up(question, [])


@pytest.mark.parametrize("rewrite, language, ok", [
    ("Who is the interim CEO of Scale AI?", "en", True),
    ("The interim CEO of OpenAI is [2].", "en", False),  # an answer, not a question
    ("Who is the interim CEO of OpenAI, Elon Musk?", "en", False),  # a name nobody said
    ("Siapa CEO interim Scale AI?", "en", False),  # the wrong language
    ("Who is the interim CEO?", "en", False),  # nothing of the conversation carried over
])
def test_rewrites_are_used_only_when_they_are_sound(rewrite, language, ok):
    assert acceptable_rewrite(rewrite, "and who is the interim CEO?", HISTORY, language) is ok


MERKEL = [{"role": "user", "content": "Apakah nama partai oposisi yang dipimpin oleh Angela Merkel?"},
          {"role": "assistant", "content": "Partai Uni Demokrat Kristen (CDU) [1]."}]


@pytest.mark.parametrize("question, rewrite, ok", [
    # the 1.5B rewriter's commonest failure: the previous question handed back, the follow-up's subject lost
    ("kalau Oskar Lafontaine?", "Apakah nama partai oposisi yang dipimpin oleh Angela Merkel?", False),
    ("kalau Oskar Lafontaine?", "Apakah nama partai yang dipimpin oleh Oskar Lafontaine?", True),
    ("siapa wakilnya di parlemen?", "Siapa wakil Angela Merkel?", False),  # "parlemen" was asked, and is lost
    ("siapa wakilnya di parlemen?", "Siapa wakil Angela Merkel di parlemen?", True),
])
def test_a_rewrite_must_keep_what_the_follow_up_asks(question, rewrite, ok):
    assert acceptable_rewrite(rewrite, question, MERKEL, "id") is ok


class ScriptedLLM:
    def __init__(self, reply: str) -> None:
        self.reply, self.calls = reply, []

    def invoke(self, messages):
        from langchain_core.messages import AIMessage

        self.calls.append(messages)
        return AIMessage(content=self.reply)


def test_plan_searches_with_the_rewrite_and_the_joined_question():
    llm = ScriptedLLM("Who is the interim CEO of Scale AI?")
    follow = plan("and who is the interim CEO?", HISTORY, "en", llm)
    assert follow.rewritten and follow.standalone == "Who is the interim CEO of Scale AI?"
    # sentences answer the rewrite and the follow-up as typed (a passing rewrite can still pick the wrong referent)
    assert follow.focus == ("Who is the interim CEO of Scale AI?", "and who is the interim CEO?")
    assert follow.queries == ("Who is the interim CEO of Scale AI?",
                              "Why did OpenAI drop Scale AI? and who is the interim CEO?")
    assert [m["content"] for m in follow.history] == ["Why did OpenAI drop Scale AI?", "OpenAI had planned it for months."]
    # the model reads the conversation and the question as typed, not the rewrite's choice of referent
    assert follow.asked == "and who is the interim CEO?"
    assert "Kopi Senja" in str(llm.calls[0])  # the worked examples


def test_plan_falls_back_on_an_unsound_rewrite_or_no_model():
    for llm in (ScriptedLLM("The interim CEO of OpenAI is Elon Musk [1]."), None):
        follow = plan("and who is the interim CEO?", HISTORY, "en", llm)
        assert not follow.rewritten and follow.standalone == "and who is the interim CEO?"
        assert follow.queries == ("Why did OpenAI drop Scale AI? and who is the interim CEO?",)
        # sentences must fit the follow-up and the conversation's subject both
        assert follow.focus == ("and who is the interim CEO?", *follow.queries)
    standalone = plan("Who won the 2022 World Cup?", HISTORY, "en", ScriptedLLM("x"))
    assert standalone.queries == standalone.focus == ("Who won the 2022 World Cup?",) and standalone.history == ()
