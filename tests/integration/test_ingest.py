"""Ingest into a real index (real e5 model, embedded Chroma, BM25): idempotence, updates, removal, crashes."""

from __future__ import annotations

import json

import pytest

from core.errors import IndexMismatchError
from ingest.ingestor import Ingestor, reindex
from store.index import Index
from tests.conftest import SEED, make_settings

BODY = ("Bank Indonesia menahan suku bunga acuan di level 6 persen pada rapat bulan ini. "
        "Gubernur BI menyebut inflasi masih terkendali dan rupiah stabil. ")


def state(index: Index) -> dict:
    """Everything a user could observe of the index: articles, chunk ids in each part."""
    catalog_ids = index.chunk_ids().catalog
    return {
        "articles": sorted((a.id, a.content_hash, a.n_chunks) for a in index.articles()),
        "chunks": sorted(catalog_ids),
        "vectors": sorted(index.chunk_ids().vectors),
        "keywords": sorted(index.chunk_ids().keywords),
    }


@pytest.fixture
def ingestor(settings, embedder):
    return Ingestor(settings, embedder=embedder)


def test_seed_ingest_is_idempotent_and_stores_metadata(ingestor, seed_copy):
    first = ingestor.ingest([str(seed_copy)])
    assert (first.count("added"), first.chunks_embedded) == (1, first.results[0].chunks)
    before = state(ingestor.index)
    again = ingestor.ingest([str(seed_copy)])
    assert again.count("unchanged") == 1 and again.chunks_embedded == 0
    assert state(ingestor.index) == before
    assert before["chunks"] == before["vectors"] == before["keywords"]
    (info,) = ingestor.index.articles()
    assert info.lang == "id" and info.title.startswith("OpenAI Putus Kerja Sama")
    hits = ingestor.index.hits(before["chunks"])
    assert all("Berita Terkait" not in h.text and "Back to top" not in h.text for h in hits.values())
    assert all(h.title == info.title for h in hits.values())


def test_changed_article_replaces_its_chunks(ingestor, seed_copy):
    ingestor.ingest([str(seed_copy)])
    old = state(ingestor.index)
    seed_copy.write_text(seed_copy.read_text().replace(
        "Berita Terkait", "Paragraf tambahan: Scale AI menunjuk direktur baru.\n\nBerita Terkait"))
    report = ingestor.ingest([str(seed_copy)])
    assert report.count("updated") == 1
    new = state(ingestor.index)
    assert len(new["articles"]) == 1 and new["articles"] != old["articles"]
    assert new["chunks"] == new["vectors"] == new["keywords"]
    assert not set(old["chunks"]) - set(new["chunks"]) & set(new["vectors"])
    found = ingestor.index.search_keywords(["direktur"], 5)
    assert found and found[0][0] in new["chunks"]


def test_remove_by_id_or_url_leaves_nothing_behind(ingestor, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"id": "bi-1", "title": "BI tahan bunga", "text": BODY * 3, "url": "https://n.id/bi"},
        {"id": "seed", "title": "Seed", "text": SEED.read_text()},
    ]))
    ingestor.ingest([str(path)])
    assert [info.id for info in ingestor.index.remove("https://n.id/bi")] == ["bi-1"]
    assert ingestor.index.remove("bi-1") == []
    after = state(ingestor.index)
    assert [a[0] for a in after["articles"]] == ["seed"]
    assert after["chunks"] == after["vectors"] == after["keywords"]


def test_a_bad_item_fails_alone_and_nothing_stored_is_lost(ingestor, seed_copy, tmp_path):
    ingestor.ingest([str(seed_copy)])
    before = state(ingestor.index)
    (tmp_path / "empty.txt").write_bytes(b"")
    bad_jsonl = tmp_path / "mixed.jsonl"
    bad_jsonl.write_text(json.dumps({"id": "ok-1", "text": BODY * 2, "title": "OK"}) + "\n{oops\n")
    report = ingestor.ingest([str(tmp_path / "empty.txt"), str(bad_jsonl), str(seed_copy)])
    assert report.count("added") == 1 and report.count("unchanged") == 1
    assert {r.item for r in report.failed} == {str(tmp_path / "empty.txt"), f"{bad_jsonl}:2"}
    after = state(ingestor.index)
    assert set(before["chunks"]) < set(after["chunks"]) and after["chunks"] == after["vectors"]


def test_interrupted_write_converges_on_rerun(settings, embedder, seed_copy, monkeypatch):
    """A crash after vectors were written but before the catalog commit leaves no half-article."""
    clean_settings = make_settings(settings.data_dir.parent / "clean", settings.paths.models_dir)
    clean = Ingestor(clean_settings, embedder=embedder)
    clean.ingest([str(seed_copy)])

    crash_before_commit(settings, embedder, monkeypatch, seed_copy)
    crashed = Index(settings)
    assert crashed.chunk_ids().vectors and crashed.counts() == (0, 0)
    rerun = Ingestor(settings, embedder=embedder)  # a new process would open the index afresh
    rerun.ingest([str(seed_copy)])
    assert state(rerun.index) == state(clean.index)



def crash_before_commit(settings, embedder, monkeypatch, path) -> None:
    """Ingest ``path`` in a writer that dies after its vectors were written, before the catalog commit."""
    crashing = Ingestor(settings, embedder=embedder)

    def boom(*args, **kwargs):
        raise KeyboardInterrupt("simulated kill")

    monkeypatch.setattr(crashing.index._catalog, "commit_articles", boom)
    with pytest.raises(KeyboardInterrupt):
        crashing.ingest([str(path)])
    monkeypatch.undo()


def test_rerun_after_a_crash_keeps_the_dead_writers_vectors_as_they_are(settings, embedder, seed_copy, monkeypatch):
    """Deleting a dead writer's vectors and adding them again, or writing them over themselves, each let a
    vector drop out of Chroma's HNSW graph after a few crashes (``store.repair``): the re-run does neither."""
    crash_before_commit(settings, embedder, monkeypatch, seed_copy)
    rerun = Ingestor(settings, embedder=embedder)
    written = set(rerun.index._catalog.pending())
    assert written and written == rerun.index.chunk_ids().vectors
    deleted: list[str] = []
    upserted: list[str] = []
    vectors = rerun.index._vectors
    delete, upsert = vectors.delete, vectors.upsert
    monkeypatch.setattr(vectors, "delete", lambda ids: (deleted.extend(ids), delete(ids)))
    monkeypatch.setattr(vectors, "upsert", lambda items, v: (upserted.extend(c.id for _, c in items), upsert(items, v)))
    rerun.ingest([str(seed_copy)])
    st = state(rerun.index)
    assert not deleted and not upserted and set(st["vectors"]) == written
    assert st["chunks"] == st["vectors"] == st["keywords"]
    assert not rerun.index._catalog.leftover() and not rerun.index._catalog.pending()



def test_rerun_after_a_crash_writes_again_what_changed_since(settings, embedder, tmp_path, monkeypatch):
    """A headline edited between the crash and the re-run: same chunk texts, so the same chunk ids, but the
    embedded text carries the headline, so the dead writer's vectors are stale and are written again."""
    path = tmp_path / "bi.jsonl"
    row = {"id": "bi-rate", "title": "BI tahan suku bunga acuan", "outlet": "Kompas", "date": "2024-03-20",
           "text": BODY * 3}
    path.write_text(json.dumps(row) + "\n")
    crash_before_commit(settings, embedder, monkeypatch, path)
    path.write_text(json.dumps({**row, "title": "Bank Indonesia tahan suku bunga di 6 persen"}) + "\n")
    rerun = Ingestor(settings, embedder=embedder)
    left = set(rerun.index._catalog.pending())
    upserted: list[str] = []
    upsert = rerun.index._vectors.upsert
    monkeypatch.setattr(rerun.index._vectors, "upsert",
                        lambda items, v: (upserted.extend(c.id for _, c in items), upsert(items, v)))
    rerun.ingest([str(path)])
    assert left and set(upserted) == left == rerun.index.chunk_ids().catalog
    stored = rerun.index._vectors._col.get(ids=sorted(left), include=["metadatas"])["metadatas"]
    assert {m["title"] for m in stored} == {"Bank Indonesia tahan suku bunga di 6 persen"}

def test_a_crashed_write_not_ingested_again_is_gone_after_the_next_ingest(settings, embedder, seed_copy, tmp_path,
                                                                        monkeypatch):
    other = tmp_path / "bi.txt"
    other.write_text("Suku bunga acuan tetap\n\n" + BODY * 3)
    crash_before_commit(settings, embedder, monkeypatch, seed_copy)
    assert Index(settings).health().warnings  # vectors the catalog does not have: stats says so until then
    rerun = Ingestor(settings, embedder=embedder)
    rerun.ingest([str(other)])
    st = state(rerun.index)
    assert [i.title for i in rerun.index.articles()] == ["Suku bunga acuan tetap"]
    assert st["chunks"] == st["vectors"] == st["keywords"]
    assert not rerun.index._catalog.leftover() and not rerun.index.health().warnings

def test_changed_chunking_never_mixes_vectors_and_reindex_rebuilds(settings, embedder, seed_copy):
    Ingestor(settings, embedder=embedder).ingest([str(seed_copy)])
    changed = settings.updated({"chunking": {"chunk_tokens": 120}})
    index = Index(changed)
    assert index.counts() == (0, 0)
    with pytest.raises(IndexMismatchError, match="chunk_tokens: 300 -> 120.*warta reindex"):
        index.require_compatible()
    report = reindex(changed)
    assert report.moved.count("added") == 1
    fresh = Index(changed)
    assert fresh.counts()[0] == 1 and not fresh.stale_indexes()
    assert fresh.counts()[1] > 6  # smaller chunks, more of them
