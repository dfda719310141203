"""The web UI's own texts: answer details and messages in both languages."""

from __future__ import annotations

import string

from assistant.records import Answer
from ui.web import render
from ui.web.texts import MESSAGES


def test_answer_details_say_how_many_sentences_were_removed_in_the_users_language():
    answer = Answer(question="q", language="en", text="t", refused=False, unsupported=("a", "b"))
    assert render.details_line(answer, "en").startswith("⚠ 2 sentence(s) removed from the answer")
    assert render.details_line(answer, "id").startswith("⚠ 2 kalimat dihapus dari jawaban")


def test_every_message_exists_in_both_languages_with_the_same_placeholders():
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    assert MESSAGES["en"].keys() == MESSAGES["id"].keys()
    for key, english in MESSAGES["en"].items():
        assert fields(english) == fields(MESSAGES["id"][key]), key
