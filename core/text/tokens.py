"""Counting cl100k_base tokens, the unit of chunk sizes and context budgets (``tiktoken``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tiktoken import Encoding as Encoding  # the type of a tokenizer, for annotations elsewhere


def encode(encoding: Encoding, text: str) -> list[int]:
    """The tokens of ``text``; special-token text ("<|endoftext|>") in an article is ordinary text."""
    return encoding.encode(text, disallowed_special=())


def count_tokens(encoding: Encoding, text: str) -> int:
    return len(encode(encoding, text))
