"""The keyword side: the analyzer (folding, apostrophes, never an empty token), BM25 through the real
``KeywordIndex`` on any Unicode text, and the upgrade of a data dir whose tokens an older analyzer made."""

from __future__ import annotations

import json
import re
import sqlite3

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.assistant import Assistant
from core.text.analyze import ANALYZER_VERSION, analyze, entity_terms, fold
from ingest.ingestor import Ingestor
from store.index import Index
from store.keywords import KeywordIndex
from tests.conftest import run_cli

# --- the analyzer ---------------------------------------------------------------------------------


@pytest.mark.parametrize("written, plain", [
    ("Bahá'í", "Bahai"), ("Société Générale", "Societe Generale"), ("Müller", "Muller"), ("Jum'at", "Jumat"),
    ("Qur’an", "Quran"), ("OpenAI's", "OpenAI"), ("İstanbul", "istanbul"), ("Straße", "strasse"), ("ﬁnal", "final"),
])
@pytest.mark.parametrize("lang", ["id", "en", "other"])
def test_accented_and_apostrophe_spellings_give_the_plain_tokens(written, plain, lang):
    assert analyze(written, lang) == analyze(plain, lang) != []


def test_the_bahai_question_keeps_its_name_whole():
    assert analyze("Siapa pendiri agama Bahá'í?", "id") == ["diri", "agama", "bahai"]
    assert entity_terms("Who founded the Bahá'í faith?") == "Bahá'í"


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "'''", "-- ... --", "\u0301\u0308"])
def test_text_without_words_has_no_tokens(text):
    assert analyze(text, "id") == analyze(text, "en") == analyze(text, "other") == []


def test_non_latin_words_are_kept_whole():
    assert analyze("東京 タワー Москва", "id") == ["東京", "タワー", "москва"]


def test_fold_removes_case_and_accents_only():
    assert fold("Bahá'í Société ÜBER") == "baha'i societe uber"


# --- any text through the real BM25 index ---------------------------------------------------------

PIECES = ["Bahá'í", "Société", "Müller", "Jum'at", "don’t", "'", "’", "ʼ", "`", "'s", "東京", "タワー", "中文",
          "🙂", "👍🏽", "2024", "14,3", "Rp472", "é", "\u0301", "", " ", "\n", "-", "yang", "the", "Meta", "AI"]
texts = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(PIECES), max_size=30).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
)
FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(docs=st.lists(st.tuples(texts, st.sampled_from(["id", "en", "other"])), min_size=1, max_size=6),
       query=texts)
@example(docs=[("Bahá'í adalah agama yang didirikan Bahá'u'lláh.", "id"), ("東京 🙂", "other")],
         query="Siapa pendiri agama Bahá'í?")
@example(docs=[("", "id"), ("''", "en")], query="")
def test_any_text_can_be_indexed_and_searched(tmp_path_factory, docs, query):
    """Tokens are never empty nor hold whitespace; searching never raises; every document with tokens
    is found by its own text, whatever the characters."""
    rows = []
    for n, (text, lang) in enumerate(docs):
        tokens = analyze(text, lang)
        assert all(t and not any(ch.isspace() for ch in t) for t in tokens)
        rows.append((f"c{n}", lang, " ".join(tokens)))
    index = KeywordIndex(tmp_path_factory.mktemp("bm25") / "bm25")
    index.rebuild(rows, generation=1)
    for lang in ("id", "en", "other"):
        index.search(analyze(query, lang), 5)
    index.search(["", " ", "\u2205"], 5)  # what a buggy analyzer could send
    reloaded = KeywordIndex(index.folder)
    assert reloaded.load()
    for (cid, lang, tokens), (text, _) in zip(rows, docs):
        if tokens:
            found = [c for c, _, _ in reloaded.search(analyze(text, lang), len(rows))]
            assert cid in found


# --- an index whose tokens an older analyzer made ------------------------------------------------

ARTICLES = [
    {"id": "bahai", "title": "Agama Bahá'í di Indonesia", "lang": "id",
     "text": "Agama Bahá'í didirikan oleh Bahá'u'lláh di Persia pada abad ke-19. Umat Bahá'í di Indonesia "
             "tersebar di banyak provinsi dan merayakan hari raya Naw-Rúz setiap bulan Maret."},
    {"id": "bank", "title": "Société Générale membuka kantor di Jakarta", "lang": "id",
     "text": "Bank asal Prancis Société Générale membuka kantor perwakilan di Jakarta. Direktur utamanya, "
             "Thomas Müller, mengatakan pasar Indonesia tumbuh cepat."},
    {"id": "beras", "title": "Harga beras naik menjelang Lebaran", "lang": "id",
     "text": "Harga beras di pasar tradisional naik lima persen menjelang Lebaran. Pemerintah menyiapkan "
             "operasi pasar untuk menahan kenaikan harga."},
]


def _old_analyze(text: str, lang: str) -> list[str]:
    """What version 1 of the analyzer stored (lower-cased words, Sastrawi on the raw word): "Bahá'í" gave
    "bah" and an empty token, "Société" gave "soci t"."""
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    from core.text.analyze import _stem_id

    stop = frozenset(StopWordRemoverFactory().get_stop_words())
    words = [w.lower() for w in re.findall(r"[^\W_]+", text)]
    return [_stem_id(w) if w.isalpha() else w for w in words if w not in stop]


def _downgrade(settings) -> None:
    """Make the data dir look as version 1 left it: old tokens, no version recorded, BM25 built from them."""
    index = Index(settings)
    db = sqlite3.connect(index._catalog.path)
    rows = db.execute("SELECT c.id, a.title, c.text, a.lang FROM chunks c JOIN articles a ON a.id = c.article_id")
    with db:
        for cid, title, text, lang in rows.fetchall():
            db.execute("UPDATE chunks SET tokens=? WHERE id=?", (" ".join(_old_analyze(f"{title}\n{text}", lang)), cid))
        db.execute("DELETE FROM meta WHERE key='keyword_version'")
    db.close()
    index._keywords.rebuild(index._catalog.keyword_rows(), index._catalog.generation())
    assert index._catalog.keyword_version() == 1
    index.close()


def _vectors(index: Index) -> dict[str, list[float]]:
    got = index._vectors._col.get(include=["embeddings"])
    return {cid: list(np.round(v, 6)) for cid, v in zip(got["ids"], got["embeddings"])}


@pytest.fixture
def old_data_dir(settings, embedder, tmp_path):
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    ingestor = Ingestor(settings, embedder=embedder)
    ingestor.ingest([str(source)])
    ingestor.index.close()
    _downgrade(settings)
    return settings


def test_a_search_upgrades_old_tokens_without_re_embedding(old_data_dir, embedder):
    settings = old_data_dir
    before = Index(settings)
    vectors, generation = _vectors(before), before._catalog.generation()
    before.close()

    assistant = Assistant(settings, embedder=embedder)
    found = assistant.search("Siapa pendiri agama Bahá'í?", mode="keyword")
    assert found.hits and found.hits[0].article_id == "bahai"
    assert assistant.search("societe generale", mode="keyword").hits[0].article_id == "bank"
    index = assistant.index
    assert index._catalog.keyword_version() == ANALYZER_VERSION and index._catalog.generation() == generation + 1
    assert index._keywords.generation == index._catalog.generation()
    assert _vectors(index) == vectors  # nothing re-embedded, nothing lost
    assert sorted(index.chunk_ids().keywords) == sorted(index.chunk_ids().catalog)
    tokens = dict((cid, t) for cid, _, t in index._catalog.keyword_rows())
    assert all("bahai" in t.split() for cid, t in tokens.items() if index.hits([cid])[cid].article_id == "bahai")


def test_a_search_while_an_ingest_holds_the_lock_leaves_the_upgrade_to_it(old_data_dir, embedder):
    settings = old_data_dir
    assistant = Assistant(settings, embedder=embedder)
    with assistant.index.write_lock():  # as a running `warta ingest` would
        found = assistant.search("Siapa pendiri agama Bahá'í?", mode="hybrid")
        assert found.hits and assistant.index._catalog.keyword_version() == 1  # old tokens, no crash, no wait
    assert assistant.search("Siapa pendiri agama Bahá'í?", mode="keyword").hits[0].article_id == "bahai"
    assert assistant.index._catalog.keyword_version() == ANALYZER_VERSION


def test_an_ingest_upgrades_old_tokens_before_adding_new_ones(old_data_dir, cli_env, capsys, tmp_path, monkeypatch):
    settings = old_data_dir
    monkeypatch.setenv("WARTA_DATA_DIR", str(settings.data_dir))
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"id": "kopi", "title": "Ekspor kopi Gayo ke Jerman meningkat", "lang": "id",
                               "text": "Ekspor kopi Gayo ke Jerman naik dua kali lipat tahun ini."}) + "\n")
    code, out, err = run_cli(capsys, "ingest", str(new))
    assert code == 0, err
    index = Index(settings)
    assert index._catalog.keyword_version() == ANALYZER_VERSION and index.counts()[0] == 4
    rows = {cid: t for cid, _, t in index._catalog.keyword_rows()}
    hits = index.hits(list(rows))
    assert rows == {cid: " ".join(analyze(f"{h.title}\n{h.text}", h.lang)) for cid, h in hits.items()}
    index.close()
    code, out, err = run_cli(capsys, "search", "--json", "--mode", "keyword", "Bahá'í")
    assert code == 0 and json.loads(out)["hits"][0]["article_id"] == "bahai"
