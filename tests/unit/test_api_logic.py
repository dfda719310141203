"""The HTTP API's request reading and the CLI's copy of an answer: pure logic (the real server: test_api.py)."""

from __future__ import annotations

import pytest

from assistant.records import Answer, Citation
from core.errors import InputError
from store.filters import Filters
from ui.http.api import _sentences_of, chat_turns


def test_chat_messages_become_a_question_and_its_conversation():
    question, history = chat_turns([
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Why did OpenAI drop Scale AI?"},
        {"role": "assistant", "content": "It had planned to for months [1]."},
        {"role": "user", "content": [{"type": "text", "text": "and who is the interim CEO?"}]},
    ])
    assert question == "and who is the interim CEO?"
    assert [m["role"] for m in history] == ["user", "assistant"]


@pytest.mark.parametrize("messages, says", [
    ([], "non-empty list"),
    ("hi", "non-empty list"),
    ([{"content": "no role"}], "'messages'[0]"),
    ([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "last message"),
    ([{"role": "user", "content": 42}], "'messages'[0].content"),
])
def test_malformed_chat_messages_are_named(messages, says):
    with pytest.raises(InputError) as raised:
        chat_turns(messages)
    assert says in str(raised.value)


def test_filters_are_read_and_checked():
    f = Filters.from_json({"since": "2025-01-01", "outlets": "Kompas", "langs": ["id"]})
    assert (f.date_from, f.outlets, f.langs) == ("2025-01-01", ("Kompas",), ("id",))
    for bad, says in [({"year": 1}, "unknown filter"), ({"since": 2025}, "'since'"), ({"langs": [1]}, "'langs'"),
                      ([], "object")]:
        with pytest.raises(InputError) as raised:
            Filters.from_json(bad)
        assert says in str(raised.value)


def test_a_finished_answer_is_streamed_in_whole_sentences_with_their_markers():
    text = "Meta invested US$14.3 billion [1]. OpenAI ended it [1, 2]! Why? Because of Meta"
    pieces = list(_sentences_of(text))
    assert "".join(pieces) == text
    assert pieces[0] == "Meta invested US$14.3 billion [1]." and pieces[1] == " OpenAI ended it [1, 2]!"


def test_an_answer_survives_the_trip_through_json():
    answer = Answer(question="Berapa?", language="id", text="US$14,3 miliar [1].", refused=False,
                    citations=(Citation(1, "a1", "a1-c0", "Judul", "Kompas", "2025-06-18", "https://x.id/a", "passage",
                                        "Meta berinvestasi US$14,3 miliar."),),
                    unsupported=("Joko Widodo [1].",), corrected=(("juta", "miliar"),), standalone_question="Berapa?",
                    backend="local", model="qwen", note="", timings_ms={"total": 1.5})
    again = Answer.from_json(answer.to_json())
    assert again.to_json() == answer.to_json()
    assert again.citations[0].url == "https://x.id/a" and again.citations[0].quote.startswith("Meta")
