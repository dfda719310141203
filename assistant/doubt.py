"""The model's doubt: how likely its answer begins with the refusal, read from the first token's logprobs.

Every answer of the local model records it (``Answer.doubt``, in ``--json``), so that evaluation can see how
sure the model was. Measured on the dev sets (2026-12-02, the note on issue 10): the 1.5B model refuses near
misses (the passage is about the topic, it does not state the answer) only when the refusal is its single most
likely start, and its first-token distribution does not know much more. The summed probability of the tokens
that begin the refusal separates near misses from English questions over Indonesian passages (AUC .79) but
hardly from Indonesian news or Wikipedia questions (FacQA .62), whose answer the model read and still doubted.
At a floor that refuses half the near misses, a third of the answerable FacQA questions would be refused too,
so doubt is recorded, not acted on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.prompts import REFUSAL

# Alternatives asked for per token (OpenAI's most): enough to sum every likely way the refusal begins.
TOP_LOGPROBS = 20


def starts_refusal(token: str, language: str) -> bool:
    """``token`` (a model token's text) is how the refusal in ``language`` begins: "Saya", "Sa"; " I"."""
    word = token.lstrip()
    return bool(word) and REFUSAL.get(language, REFUSAL["en"]).startswith(word)


def refusal_probability(logprobs: Mapping[str, Any] | None, language: str) -> float | None:
    """How likely the first token of a streamed chunk begins the refusal in ``language`` (the answer's), from
    OpenAI's ``logprobs`` field (``{"content": [{"token", "logprob", "top_logprobs": [...]}, ...]}``); ``None``
    when the chunk carries none (a server that does not return them). The sum runs over the returned
    alternatives (``TOP_LOGPROBS``), so it is a lower bound that misses only unlikely tokens."""
    content: Sequence[Mapping[str, Any]] = (logprobs or {}).get("content") or ()
    if not content:
        return None
    first = content[0]
    alternatives = list(first.get("top_logprobs") or ()) or [first]
    seen: set[str] = set()
    total = 0.0
    for alt in alternatives:
        token = str(alt.get("token", ""))
        if token in seen or not starts_refusal(token, language):
            continue
        seen.add(token)
        total += math.exp(float(alt.get("logprob", -math.inf)))
    return min(total, 1.0)
