"""Passages handed to the answerer must not repeat themselves (found while testing answers under load)."""

from __future__ import annotations

import pytest

from assistant.assistant import Assistant
from core.text.sentences import split_sentences
from ingest.ingestor import Ingestor
from tests.conftest import SEED


@pytest.mark.parametrize("question", ["Berapa nilai investasi Meta di Scale AI?", "Siapa CEO interim Scale AI?"])
def test_merged_neighbour_passages_do_not_repeat_the_chunk_overlap(settings, embedder, question):
    """Adjacent chunks overlap (``chunking.overlap_tokens``); merged, the carried sentences must appear once
    (they used to appear twice, in the model's context and in extractive answers)."""
    Ingestor(settings, embedder=embedder).ingest([str(SEED)])
    hits = Assistant(settings, embedder=embedder).search(question).hits
    merged = [h for h in hits if h.merged_ids]
    assert merged, "expected at least one merged passage for this question"
    for hit in merged:
        sentences = [s for line in hit.text.split("\n") for s in split_sentences(line)]
        repeated = sorted({s for s in sentences if sentences.count(s) > 1})
        assert not repeated, repeated
