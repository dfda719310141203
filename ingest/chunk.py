"""Token-aware, sentence-aware chunking.

Sentences are packed greedily into chunks of at most ``chunk_tokens`` cl100k_base tokens; the next
chunk starts with the last sentences of the previous one, up to ``overlap_tokens``. A chunk never
splits a sentence unless that sentence alone is longer than a chunk (then it is cut at token
boundaries). Paragraph breaks are kept inside chunks as newlines.

Changing where chunks end changes the index: bump ``core.identity.CHUNKER_VERSION`` with it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.identity import embed_text
from core.records import Article, Chunk
from core.text import tokens
from core.text.sentences import split_sentences
from core.text.tokens import count_tokens

if TYPE_CHECKING:
    from core.text.tokens import Encoding


@dataclass(frozen=True)
class _Sentence:
    text: str
    tokens: int
    paragraph_start: bool


def _sentences(text: str, count: Callable[[str], int]) -> list[_Sentence]:
    out: list[_Sentence] = []
    for paragraph in text.split("\n\n"):
        for i, sentence in enumerate(split_sentences(paragraph)):
            out.append(_Sentence(sentence, count(sentence), i == 0))
    return out


def _split_long(sentence: _Sentence, limit: int, encode: Callable[[str], list[int]],
                encoding: Encoding) -> list[_Sentence]:
    """Cut a sentence longer than a chunk into pieces of about ``limit`` tokens, at character boundaries
    (a token can hold part of a character, e.g. of an emoji: cutting there would garble it)."""
    ids = encode(sentence.text)
    step = max(8, limit - 8)  # a cut moved to the next character boundary can add a token or two
    data = sentence.text.encode("utf-8")
    cuts, offset = [0], 0
    for i, token in enumerate(ids):
        if i and i % step == 0:
            at = offset
            while at < len(data) and (data[at] & 0xC0) == 0x80:  # inside a multi-byte character
                at += 1
            if at > cuts[-1]:
                cuts.append(at)
        offset += len(encoding.decode_single_token_bytes(token))
    cuts.append(len(data))
    pieces = [data[a:b].decode("utf-8").strip() for a, b in zip(cuts, cuts[1:])]
    return [_Sentence(p, len(encode(p)), sentence.paragraph_start and i == 0) for i, p in enumerate(pieces) if p]


def pack_sentences(sentences: list[_Sentence], chunk_tokens: int, overlap_tokens: int) -> list[list[_Sentence]]:
    chunks: list[list[_Sentence]] = []
    current: list[_Sentence] = []
    size = 0
    for sentence in sentences:
        if current and size + sentence.tokens > chunk_tokens:
            chunks.append(current)
            carry: list[_Sentence] = []
            carried = 0
            for prev in reversed(current):
                if carried + prev.tokens > overlap_tokens or carried + prev.tokens + sentence.tokens > chunk_tokens:
                    break
                carry.insert(0, prev)
                carried += prev.tokens
            current, size = carry, carried
        current.append(sentence)
        size += sentence.tokens
    if current:
        chunks.append(current)
    return chunks


def _join(sentences: list[_Sentence]) -> str:
    text = ""
    for i, s in enumerate(sentences):
        if i == 0:
            text = s.text
        else:
            text += ("\n\n" if s.paragraph_start else " ") + s.text
    return text


def chunk_id(article_id: str, index: int, text: str) -> str:
    """Stable id from the article, position and content: unchanged chunks keep their id."""
    return hashlib.sha256(f"{article_id}\x00{index}\x00{text}".encode()).hexdigest()[:32]


def chunk_article(article: Article, encoding: Encoding, *, chunk_tokens: int, overlap_tokens: int,
                  title_prefix: bool) -> list[Chunk]:
    """Chunk one article. ``encoding`` is a tiktoken ``Encoding`` (cl100k_base)."""

    def count(s: str) -> int:
        return count_tokens(encoding, s)

    def encode(s: str) -> list[int]:
        return tokens.encode(encoding, s)

    sentences: list[_Sentence] = []
    for s in _sentences(article.text, count):
        sentences.extend(_split_long(s, chunk_tokens, encode, encoding) if s.tokens > chunk_tokens else [s])
    groups = pack_sentences(sentences, chunk_tokens, min(overlap_tokens, chunk_tokens // 2))
    chunks = []
    for index, group in enumerate(groups):
        text = _join(group)
        chunks.append(Chunk(
            id=chunk_id(article.id, index, text), article_id=article.id, index=index, text=text,
            embed_text=embed_text(article.title, article.text, text, title_prefix=title_prefix),
            n_tokens=sum(s.tokens for s in group),
        ))
    return chunks
