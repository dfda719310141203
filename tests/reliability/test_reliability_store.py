"""Scale-out store: the ingest/search/ask suite against a real Chroma server (``store.mode = "http"``).

The server is ``chroma run`` from the venv, on a free loopback port, started once for the module; every
test starts from an empty server. Real embedding model, extractive answers.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from core.errors import StoreError
from ingest.ingestor import Ingestor
from store.index import Index
from tests.conftest import SEED, make_settings
from tests.helpers.servers import ChromaServer, free_port
from ui.cli import main

SEED_TITLE = "OpenAI Putus Kerja Sama dengan Scale AI"
OTHERS = [
    {"id": "cabai-1", "title": "Harga cabai rawit naik", "outlet": "Kompas", "date": "2024-01-10", "lang": "id",
     "text": "Harga cabai rawit di pasar induk Kramat Jati naik dua kali lipat karena musim hujan. Pedagang "
             "mengeluhkan pasokan dari petani yang menurun sejak awal bulan."},
    {"id": "rice-1", "title": "Rice prices climb in Jakarta", "outlet": "Jakarta Post", "date": "2024-02-03",
     "text": "Rice prices in Jakarta's traditional markets rose for the third week as the dry season cut the "
             "harvest. Traders said the government's market operation had not yet reached their stalls."},
    {"id": "banjir-1", "title": "Banjir rendam ratusan rumah di Bekasi", "outlet": "Tempo", "date": "2024-03-12",
     "text": "Banjir setinggi satu meter merendam ratusan rumah di Bekasi setelah hujan deras semalaman. Warga "
             "mengungsi ke masjid dan sekolah terdekat sementara petugas membuka pintu air."},
]


def state(index: Index) -> dict:
    return {
        "articles": sorted((a.id, a.content_hash, a.n_chunks) for a in index.articles()),
        "chunks": sorted(index.chunk_ids().catalog),
        "vectors": sorted(index.chunk_ids().vectors),
        "keywords": sorted(index.chunk_ids().keywords),
    }


def assert_in_step(index: Index) -> dict:
    """Catalog, server-side vectors and BM25 hold exactly the same chunk ids; returns the state."""
    now = state(index)
    assert now["chunks"] == now["vectors"] == now["keywords"]
    assert sum(n for _, _, n in now["articles"]) == len(now["chunks"])
    assert not index._catalog.pending() and not index._catalog.garbage()
    return now


def seed_id(st: dict) -> str:
    return next(a[0] for a in st["articles"] if a[0] not in {"banjir-1", "cabai-1", "rice-1"})


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory):
    with ChromaServer(tmp_path_factory.mktemp("chroma") / "db") as server:
        yield server


def http_settings(data_dir: Path, models_dir: Path, server: ChromaServer):
    return make_settings(data_dir, models_dir, store={"mode": "http", "host": server.host, "port": server.port})


@pytest.fixture
def settings(chroma, tmp_path, models_dir):
    chroma.wipe()
    return http_settings(tmp_path / "data", models_dir, chroma)


@pytest.fixture
def others(tmp_path) -> Path:
    path = tmp_path / "others.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in OTHERS) + "\n")
    return path


def test_ingest_search_and_ask_against_a_chroma_server(settings, embedder, seed_copy, others):
    report = Ingestor(settings, embedder=embedder).ingest([str(seed_copy), str(others)])
    assert report.count("added") == 4 and not report.failed
    index = Index(settings)  # a fresh client, as another process would open it
    stored = assert_in_step(index)
    assert len(stored["articles"]) == 4 and index._vectors.count() == len(stored["chunks"])
    assert not (settings.data_dir / "index" / "chroma").exists(), "vectors must live on the server, not in the data dir"

    assistant = Assistant(settings, embedder=embedder)
    for question in ["why did OpenAI drop Scale AI?", "Berapa nilai investasi Meta di Scale AI?"]:
        found = assistant.search(question, k=3)
        assert found.relevant and found.hits[0].title.startswith(SEED_TITLE), question
    answer = assistant.ask("Berapa nilai investasi Meta di Scale AI?")
    assert not answer.refused and ("14,3" in answer.text or "472" in answer.text)
    assert answer.citations and answer.citations[0].title.startswith(SEED_TITLE)
    assert assistant.search("banjir Bekasi", k=1).hits[0].article_id == "banjir-1"


def test_reingest_update_and_remove_keep_server_catalog_and_bm25_in_step(settings, embedder, seed_copy, others):
    ingestor = Ingestor(settings, embedder=embedder)
    ingestor.ingest([str(seed_copy), str(others)])
    first = assert_in_step(ingestor.index)

    again = ingestor.ingest([str(seed_copy), str(others)])
    assert again.count("unchanged") == 4 and again.chunks_embedded == 0
    assert assert_in_step(ingestor.index) == first

    seed_copy.write_text(seed_copy.read_text().replace(
        "Berita Terkait", "Paragraf tambahan: Scale AI menunjuk direktur keuangan baru.\n\nBerita Terkait"))
    updated = Ingestor(settings, embedder=embedder).ingest([str(seed_copy)])
    assert updated.count("updated") == 1
    index = Index(settings)
    after_update = assert_in_step(index)
    gone = set(first["chunks"]) - set(after_update["chunks"])
    assert gone and not gone & set(after_update["vectors"]), "replaced chunks must leave the server"
    assert len(after_update["articles"]) == 4
    assert index.search_keywords(["direktur"], 3)[0][0] in after_update["chunks"]

    assert [info.id for info in index.remove("rice-1")] == ["rice-1"]
    after_remove = assert_in_step(Index(settings))
    assert [a[0] for a in after_remove["articles"]] == sorted(["banjir-1", "cabai-1", seed_id(after_remove)])
    hits = Assistant(settings, embedder=embedder).search("rice prices Jakarta", k=5).hits
    assert all(h.article_id != "rice-1" for h in hits)


def test_cli_in_http_mode_ingests_and_reports_the_store(chroma, cli_env, monkeypatch, capsys):
    chroma.wipe()
    monkeypatch.setenv("WARTA_STORE_MODE", "http")
    monkeypatch.setenv("WARTA_STORE_PORT", str(chroma.port))
    assert main(["ingest", "-q", str(SEED)]) == 0
    assert main(["search", "why did OpenAI drop Scale AI?", "--json", "--k", "1"]) == 0
    assert main(["stats", "--json"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "1 added" in out[0]
    assert json.loads(out[1])["hits"][0]["title"].startswith(SEED_TITLE)
    stats = json.loads(out[2])
    assert stats["store"] == "http" and stats["chunks"] == stats["vectors"] == stats["keyword_index_chunks"] > 0


@pytest.mark.parametrize("argv", [
    ["ingest", "-q", str(SEED)],
    ["search", "why did OpenAI drop Scale AI?"],
    ["ask", "--backend", "extractive", "Berapa nilai investasi Meta di Scale AI?"],
    ["list"],
    ["stats"],
    ["remove", "some-id"],
], ids=lambda argv: argv[0])
def test_server_down_is_a_clear_store_error_with_exit_code_2(cli_env, monkeypatch, capsys, argv):
    port = free_port()  # nothing listens there
    monkeypatch.setenv("WARTA_STORE_MODE", "http")
    monkeypatch.setenv("WARTA_STORE_PORT", str(port))
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"warta: Could not open the Chroma server at 127.0.0.1:{port}"), err
    assert "chroma run" in err and "Traceback" not in err and len(err.splitlines()) == 1


class _Questions(io.StringIO):
    """stdin for ``warta chat`` that runs ``before_line[n]`` just before the n-th line is read."""

    def __init__(self, text: str, before_line: dict[int, object]) -> None:
        super().__init__(text)
        self._before = before_line
        self._n = 0

    def readline(self, *args) -> str:
        self._n += 1
        if self._n in self._before:
            self._before[self._n]()
        return super().readline(*args)


def test_chat_survives_the_server_going_away_mid_session(tmp_path, cli_env, monkeypatch, capsys):
    """A server that dies after ``warta chat`` started: the user gets a one-line StoreError, not a traceback
    (``store.translated_errors`` wraps every Chroma call, not only opening the client)."""
    with ChromaServer(tmp_path / "own-chroma") as server:
        monkeypatch.setenv("WARTA_STORE_MODE", "http")
        monkeypatch.setenv("WARTA_STORE_PORT", str(server.port))
        assert main(["ingest", "-q", str(SEED)]) == 0
        capsys.readouterr()
        stdin = _Questions("Siapa CEO interim Scale AI?\nBerapa nilai investasi Meta di Scale AI?\n\n",
                           before_line={2: server.stop})
        monkeypatch.setattr(sys, "stdin", stdin)
        code = main(["chat", "--backend", "extractive"])
    out, err = capsys.readouterr()
    assert "Jason Droege" in out  # the first question, while the server was up
    assert code == 0
    assert "warta: " in err and "Chroma" in err and "Traceback" not in err


def test_search_after_the_server_went_away_raises_store_error(tmp_path, models_dir, embedder):
    """The library contract for front ends (web UI, chat): a dead server is a ``StoreError``."""
    with ChromaServer(tmp_path / "own-chroma") as server:
        settings = http_settings(tmp_path / "data", models_dir, server)
        Ingestor(settings, embedder=embedder).ingest([str(SEED)])
        assistant = Assistant(settings, embedder=embedder)
        assert assistant.search("Scale AI").hits
        server.stop()
        with pytest.raises(StoreError, match="Chroma"):
            assistant.search("Scale AI")
        with pytest.raises(StoreError, match="Chroma"):
            Ingestor(settings, index=assistant.index, embedder=embedder).ingest([str(SEED)])


def test_two_data_dirs_sharing_one_server_keep_their_own_articles(chroma, tmp_path, models_dir, embedder, others):
    """Two Warta data dirs (e.g. two users, or staging and production) pointed at one Chroma server.

    Each needs its own collection (the name carries the catalog's random id): sharing one, a dir's
    ``reconcile()`` would delete the vectors its catalog does not know, i.e. the other dir's.
    """
    chroma.wipe()
    first = http_settings(tmp_path / "first", models_dir, chroma)
    second = http_settings(tmp_path / "second", models_dir, chroma)
    Ingestor(first, embedder=embedder).ingest([str(SEED)])
    Ingestor(second, embedder=embedder).ingest([str(others)])
    Ingestor(first, embedder=embedder).ingest([str(others)])
    mine = Index(first)
    assert len(mine.articles()) == 4, "the first data dir lost articles"
    assert_in_step(mine)
    assert_in_step(Index(second))
    found = Assistant(first, embedder=embedder).search("why did OpenAI drop Scale AI?", k=1)
    assert found.relevant and found.hits[0].title.startswith(SEED_TITLE)
