"""Property-based fuzzing (hypothesis) of the pure parsers: sentences, chunks, citation markers, documents.

Bounded: a few hundred examples per property, no deadline (the machine is shared and slow).
"""

from __future__ import annotations

import json
import re
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.cite import ground, parse_markers, rewrite_markers
from assistant.records import Passage
from core.errors import SourceError
from core.identity import HEADLINE_MIN_WORDS
from core.models.prepare import load_encoding
from core.records import Article, Hit
from core.settings import load_settings
from core.text.intake import normalize_whitespace
from core.text.sentences import split_sentences
from ingest.chunk import chunk_article
from ingest.sources.documents import parse_document
from tests.conftest import make_settings

FUZZ = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_SLOW = settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# --- text strategies -------------------------------------------------------------------------------------

NEWS_PIECES = [
    "Jl.", "Dr.", "dll.", "U.S.", "A.S.", "No. 5", "B. J. Habibie", "US$14,3 miliar", "Rp472 triliun", "3.5 persen",
    "14.300", "Scale AI", "Meta", "OpenAI", "kata", "the", "yang", "di", "“kutip”", "'a'", "(kurung)", "[1]", "…",
    ".", "!", "?", "?!", "...", ",", ";", ":", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u2028", "é", "🙂",
    "中文", "ا", "A", "b", "1", "0", "-",
]
news_text = st.lists(st.sampled_from(NEWS_PIECES), max_size=80).map(lambda parts: " ".join(parts))
any_text = st.one_of(st.text(max_size=300), news_text,
                     st.lists(st.sampled_from(NEWS_PIECES), max_size=80).map("".join))


def non_space(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


# --- split_sentences ---------------------------------------------------------------------------------------


@FUZZ
@given(any_text)
@example("US$14,3 miliar. Jl. Sudirman No. 5 dibuka.\n\nB. J. Habibie lahir.")
def test_split_sentences_keeps_every_character_and_returns_no_empty_pieces(text):
    sentences = split_sentences(text)
    assert non_space("".join(sentences)) == non_space(text)
    for sentence in sentences:
        assert sentence and sentence == sentence.strip() and "\n" not in sentence


# --- chunk_article ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def encoding(models_dir):
    return load_encoding(make_settings(models_dir / "unused", models_dir))


def covered(text: str, pieces: list[str]) -> bool:
    """``pieces`` tile ``text`` in order: the first starts at 0, each next one starts after the previous
    one's start and no later than its end (overlap or adjacency), the last ends at the end. All placements
    are tried, so repeated text cannot fool it."""
    if not pieces:
        return not text
    states = {(0, len(pieces[0]))} if text.startswith(pieces[0]) else set()
    for piece in pieces[1:]:
        nxt = set()
        for start, end in states:
            i = text.find(piece, start + 1)
            while i != -1 and i <= end:
                nxt.add((i, i + len(piece)))
                i = text.find(piece, i + 1)
        states = nxt
    return any(end == len(text) for _, end in states)


@FUZZ_SLOW
@given(text=any_text, title=st.text(max_size=30), chunk_tokens=st.integers(16, 80),
       overlap_tokens=st.integers(0, 40), title_prefix=st.booleans())
@example(text="Scale AI " * 300, title="t", chunk_tokens=16, overlap_tokens=8, title_prefix=True)
@example(text="warganet ramai berkomentar 😭 " * 35, title="Viral", chunk_tokens=200, overlap_tokens=32,
         title_prefix=True)
def test_chunks_respect_the_token_limit_and_cover_all_text(encoding, text, title, chunk_tokens, overlap_tokens,
                                                           title_prefix):
    """A sentence longer than a chunk is cut at character boundaries: a cut at a token boundary inside an
    emoji's bytes (quoted social-media comments without punctuation) used to turn it into U+FFFD."""
    text = normalize_whitespace(text)  # what every article text goes through before chunking
    art = Article(id="a1", title=title, text=text)
    chunks = chunk_article(art, encoding, chunk_tokens=chunk_tokens, overlap_tokens=overlap_tokens,
                           title_prefix=title_prefix)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)
    for c in chunks:
        assert c.text and c.n_tokens <= chunk_tokens
        # n_tokens sums the sentences' own counts; the joined text can take a few more, because joining
        # with a space can add a token (cl100k encodes " 2024" as " " + "202" + "4").
        assert len(encoding.encode(c.text, disallowed_special=())) <= chunk_tokens * 1.1 + 2, c.text
        assert c.embed_text.endswith(c.text)
        headline = title and not text.startswith(title) and len(title.split()) >= HEADLINE_MIN_WORDS
        assert c.embed_text == (f"{title}\n{c.text}" if title_prefix and headline else c.text)
    assert covered(non_space(text), [non_space(c.text) for c in chunks]), [c.text for c in chunks]


# --- citation markers --------------------------------------------------------------------------------------

marker = st.one_of(
    st.integers(-2, 14).map(lambda n: f"[{n}]"),
    st.lists(st.integers(0, 12), min_size=1, max_size=4).map(lambda ns: "[" + ", ".join(map(str, ns)) + "]"),
    st.tuples(st.integers(0, 12), st.integers(0, 40)).map(lambda t: f"[{t[0]}-{t[1]}]"),
    st.tuples(st.integers(0, 12), st.integers(0, 12)).map(lambda t: f"[{t[0]}–{t[1]}]"),
    st.sampled_from(["[", "]", "[[", "]]", "[1", "2]", "[ 1 ]", "[1;2]", "[01]", "[１]", "[٣]", "[99999999999999999999]"]),
)
answer_text = st.lists(st.one_of(marker, st.sampled_from(NEWS_PIECES), st.text(max_size=8)), max_size=40).flatmap(
    lambda parts: st.sampled_from([" ".join(parts), "".join(parts)]))


@FUZZ
@given(answer_text, st.dictionaries(st.integers(-1, 14), st.integers(1, 9), max_size=8))
@example("x [[9]3] y", {})
def test_parse_and_rewrite_markers_never_crash_and_only_keep_mapped_numbers(text, mapping):
    """Removing an unmapped marker must not join its neighbours into a new one ("[[9]3]" once became "[3]")."""
    assert all(isinstance(n, int) for n in parse_markers(text))
    out = rewrite_markers(text, mapping)
    assert set(parse_markers(out)) <= set(mapping.values()), out


def bag_similarity(a, b) -> np.ndarray:
    """Cosine of word-count vectors: deterministic, cheap, identical sentences score 1."""
    def vec(s: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for w in re.findall(r"\w+", s.lower()):
            out[w] = out.get(w, 0) + 1
        return out
    va, vb = [vec(s) for s in a], [vec(s) for s in b]
    sims = np.zeros((len(a), len(b)), np.float32)
    for i, x in enumerate(va):
        for j, y in enumerate(vb):
            dot = sum(x[w] * y.get(w, 0) for w in x)
            norm = (sum(v * v for v in x.values()) * sum(v * v for v in y.values())) ** 0.5
            sims[i, j] = dot / norm if norm else 0.0
    return sims


def passages(texts: list[str]) -> list[Passage]:
    return [Passage(n, Hit(f"chunk-{n}", f"article-{n}", 0, t, f"Title {n}"), t, 10) for n, t in enumerate(texts, 1)]


@FUZZ
@given(answer=answer_text, texts=st.lists(any_text, max_size=4), threshold=st.sampled_from([0.0, 0.5, 0.83, 1.01]))
@example(answer="Jason Droege memimpin [7[9]].", texts=["Jason Droege memimpin Scale AI."], threshold=0.83)
@example(answer="Jason Droege memimpin [[9]3].", texts=["Jason Droege memimpin Scale AI."], threshold=0.0)
def test_grounding_never_crashes_and_markers_point_into_the_citations(answer, texts, threshold):
    """Answers such as "[7[9]]" (dropping the inner marker once made a marker "[7]" that pointed to no
    passage, and grounding raised ``KeyError``) keep only markers of real citations."""
    grounded = ground(answer, passages(texts), bag_similarity, threshold=threshold)
    text, citations, unsupported = grounded.text, grounded.citations, grounded.unsupported
    m = len(citations)
    assert [c.n for c in citations] == list(range(1, m + 1))
    assert set(parse_markers(text)) <= set(range(1, m + 1)), (text, m)
    assert all(c.chunk_id.startswith("chunk-") for c in citations)
    assert all(isinstance(s, str) for s in unsupported)


# --- documents: front matter, JSON, JSONL, HTML, feeds, plain text ----------------------------------------

INGEST = load_settings(environ={}).ingest
json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
date_like = st.one_of(st.dates().map(date.isoformat), st.sampled_from(
    ["2024-13-45", "2024/2/3", "Mon, 03 Jun 2024 10:00:00 +0700", "Mon, 32 Jan 2024", "kemarin", "0000-00-00",
     "2024-06-03T10:00:00Z", "99999-01-01", ""]), st.text(max_size=20))
long_text = st.lists(st.sampled_from(NEWS_PIECES), min_size=10, max_size=60).map(" ".join)
record = st.fixed_dictionaries({}, optional={
    "id": json_value, "text": st.one_of(long_text, json_value), "content": st.one_of(long_text, json_value),
    "title": json_value, "url": st.one_of(st.text(max_size=30), json_value), "date": st.one_of(date_like, json_value),
    "published": date_like, "lang": st.one_of(st.sampled_from(["id", "en", "ID", "xx", ""]), json_value),
    "outlet": json_value, "source": json_value,
})


def yaml_scalar(value) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON is YAML


front_matter = st.tuples(record, st.sampled_from(["", "\n", "\n\n"]), st.text(max_size=60)).map(
    lambda t: "---\n" + "".join(f"{k}: {yaml_scalar(v)}\n" for k, v in t[0].items() if k not in ("text", "content"))
    + "---" + t[1] + (t[0].get("text") if isinstance(t[0].get("text"), str) else "") + t[2])
documents = st.one_of(
    st.tuples(st.just(".jsonl"), st.lists(record.map(lambda r: json.dumps(r, ensure_ascii=False)) | st.text(max_size=40),
                                          max_size=5).map(lambda lines: "\n".join(lines).encode())),
    st.tuples(st.just(".json"), st.one_of(record, st.lists(record | json_value, max_size=3),
                                          st.fixed_dictionaries({"articles": st.lists(record, max_size=3)}))
              .map(lambda v: json.dumps(v, ensure_ascii=False).encode())),
    st.tuples(st.just(".md"), front_matter.map(str.encode)),
    st.tuples(st.sampled_from([".txt", ".md", ".json", ".jsonl", ".html", ".rss", "sniff"]), st.binary(max_size=300)),
    st.tuples(st.sampled_from([".txt", "sniff", ".html"]), any_text.map(str.encode)),
    st.tuples(st.sampled_from([".rss", "sniff"]), st.tuples(st.text(max_size=20), long_text, date_like).map(
        lambda t: f"<rss><channel><item><title>{t[0]}</title><description>{t[1]}</description>"
                  f"<pubDate>{t[2]}</pubDate></item></channel></rss>".encode())),
)


@FUZZ_SLOW
@given(documents)
@example((".jsonl", b'{"text": "' + b"kata " * 20 + b'", "date": "2024-13-45"}'))
@example((".md", b"---\ntitle: [1, 2]\ndate: 2024-01-01\nid: null\n---\n" + b"kata " * 20))
@example((".rss", b"<rss><channel><item><title></title><description>" + b"Jl. " * 10
          + b"</description><pubDate>0000-00-00</pubDate></item></channel></rss>"))  # a struct_time of year -1
def test_parse_document_never_raises_and_yields_articles_or_source_errors(doc):
    kind, data = doc
    for item in parse_document(data, "doc", INGEST, kind=kind):
        assert isinstance(item, (Article, SourceError))
        if isinstance(item, SourceError):
            assert item.item.startswith("doc") and item.reason
            continue
        assert isinstance(item.id, str) and item.id.strip()
        assert isinstance(item.title, str) and item.title
        assert len(item.text) >= INGEST.min_text_chars
        assert item.lang in ("id", "en", "other")
        assert item.published == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", item.published), item.published
