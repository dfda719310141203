"""Story detection on the labelled set built from real articles (``tests.helpers.story_pairs``): with the default
settings, precision >= .98 and recall >= .90 on the "test" half (the threshold was chosen on the "tune" half by
``benchmarks/stories.py``, which prints the same figures)."""

from __future__ import annotations

from core.settings import StoriesSettings
from ingest import stories
from tests.conftest import SHARED_EVAL, requires_shared_eval
from tests.helpers.story_pairs import build


@requires_shared_eval()
def test_default_threshold_on_the_test_half() -> None:
    settings = StoriesSettings()
    params = stories.Params.of(settings)
    pairs = [p for p in build(SHARED_EVAL / "news_id.jsonl") if p.half == "test"]
    signed = {d.key: stories.signature(d.text, params) for p in pairs for d in (p.first, p.second)}
    merged = [stories.similarity(signed[p.first.key], signed[p.second.key]) >= settings.threshold for p in pairs]
    tp = sum(m and p.same_story for m, p in zip(merged, pairs, strict=True))
    precision, recall = tp / sum(merged), tp / sum(p.same_story for p in pairs)
    assert len(pairs) > 1000
    assert precision >= 0.98 and recall >= 0.90, (precision, recall)
