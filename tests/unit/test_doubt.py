"""How likely the model's first token begins its refusal (``assistant/doubt.py``), from OpenAI-format logprobs."""

from __future__ import annotations

import math

import pytest

from assistant.doubt import refusal_probability, starts_refusal


def first_token(*alternatives: tuple[str, float]) -> dict:
    """A chunk's ``logprobs`` field whose first token has these (token, probability) alternatives, likeliest first."""
    top = [{"token": t, "logprob": math.log(p), "bytes": list(t.encode())} for t, p in alternatives]
    return {"content": [{**top[0], "top_logprobs": top}, {"token": " x", "logprob": 0.0, "top_logprobs": []}]}


@pytest.mark.parametrize(("token", "language", "starts"), [
    ("Saya", "id", True), (" Saya", "id", True), ("Sa", "id", True), ("I", "en", True), (" I", "en", True),
    ("Sungai", "id", False), ("Ia", "id", False), ("In", "en", False), ("The", "en", False),
    ("Saya", "en", False), ("I", "id", False), ("", "id", False), (" ", "en", False),
])
def test_which_tokens_begin_the_refusal_in_the_answers_language(token, language, starts):
    assert starts_refusal(token, language) is starts


def test_the_refusal_probability_sums_every_way_the_refusal_begins():
    logprobs = first_token(("Jason", 0.6), ("Saya", 0.25), (" Saya", 0.05), ("Sa", 0.02), ("Sungai", 0.01))
    assert refusal_probability(logprobs, "id") == pytest.approx(0.32)
    assert refusal_probability(logprobs, "en") == pytest.approx(0.0)


def test_only_the_first_token_counts():
    """A refusal word later in the answer is not the model doubting its answer."""
    logprobs = first_token(("Harga", 0.99))
    logprobs["content"][1] = {"token": " Saya", "logprob": 0.0, "top_logprobs": [{"token": " Saya", "logprob": 0.0}]}
    assert refusal_probability(logprobs, "id") == pytest.approx(0.0)


def test_a_chunk_without_logprobs_says_nothing():
    """A server that sends no logprobs (``None``), or a chunk after the first, is not read as certainty."""
    assert refusal_probability(None, "id") is None
    assert refusal_probability({"content": []}, "en") is None
    assert refusal_probability({"content": None, "refusal": None}, "en") is None


def test_without_alternatives_the_chosen_token_counts_alone():
    assert refusal_probability({"content": [{"token": "I", "logprob": math.log(0.9)}]}, "en") == pytest.approx(0.9)
    assert refusal_probability({"content": [{"token": "The", "logprob": 0.0, "top_logprobs": []}]}, "en") == 0.0
