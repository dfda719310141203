"""Loading every source kind, and bad input: each bad item is named, the batch goes on."""

from __future__ import annotations

import io
import json

import pytest

from core.errors import SourceError
from core.records import Article
from core.settings import IngestSettings
from ingest.sources.load import load_sources

# The test site is on loopback, which URLs may not reach by default (tests/test_security.py).
CFG = IngestSettings(max_item_mb=1.0, fetch_timeout_s=1.0, max_redirects=3, allow_private_urls=True)
BODY = "Pemerintah mengumumkan kebijakan baru tentang harga beras di pasar tradisional. " * 3


def load(*sources, stdin=None, cfg=CFG):
    return list(load_sources([str(s) for s in sources], cfg, stdin=stdin))


def errors(items):
    return {e.item: e.reason for e in items if isinstance(e, SourceError)}


def test_jsonl_keeps_ids_and_metadata_and_names_bad_lines(tmp_path):
    path = tmp_path / "export.jsonl"
    lines = [
        json.dumps({"id": "n-1", "title": "Harga beras", "text": BODY, "url": "https://x.id/1", "date": "2024-05-01T10:00:00Z",
                    "outlet": "Kompas", "lang": "id"}),
        "{not json",
        json.dumps({"title": "no text"}),
        json.dumps({"content": BODY, "published": "Wed, 01 May 2024 10:00:00 +0700", "source": "Tempo"}),
        "",
        json.dumps(["a list"]),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    items = load(path)
    articles = [a for a in items if isinstance(a, Article)]
    assert [a.id for a in articles][0] == "n-1"
    first, second = articles
    assert (first.title, first.url, first.published, first.outlet, first.lang) == (
        "Harga beras", "https://x.id/1", "2024-05-01", "Kompas", "id")
    assert second.published == "2024-05-01" and second.outlet == "Tempo" and second.lang == "id"
    bad = errors(items)
    assert set(bad) == {f"{path}:2", f"{path}:3", f"{path}:6"}
    assert "malformed JSON" in bad[f"{path}:2"] and "'text'" in bad[f"{path}:3"]


def test_markdown_front_matter_and_html_and_json(tmp_path):
    md = tmp_path / "a.md"
    md.write_text(f"---\ntitle: Banjir Jakarta\ndate: 2024-02-03\noutlet: Detik\nurl: https://d.id/b\n---\n\n{BODY}", encoding="utf-8")
    page = tmp_path / "b.html"
    page.write_text(f"<html><head><title>Gempa Cianjur</title></head><body><nav>Menu Home</nav>"
                    f"<article><h1>Gempa Cianjur</h1><p>{BODY}</p><p>{BODY}</p></article><footer>Copyright</footer></body></html>",
                    encoding="utf-8")
    js = tmp_path / "c.json"
    js.write_text(json.dumps([{"id": "j1", "text": BODY, "title": "Satu"}, {"id": "j2", "text": BODY, "title": "Dua"}]))
    items = load(md, page, js)
    assert not errors(items)
    by_title = {a.title: a for a in items}
    assert by_title["Banjir Jakarta"].published == "2024-02-03" and by_title["Banjir Jakarta"].outlet == "Detik"
    assert "Gempa Cianjur" in by_title and "Menu Home" not in by_title["Gempa Cianjur"].text
    assert {"Satu", "Dua"} <= set(by_title)


def test_folder_is_recursive_and_skips_hidden_and_unsupported(tmp_path):
    (tmp_path / "sub" / ".hidden").mkdir(parents=True)
    (tmp_path / "sub" / "x.txt").write_text(f"Judul X\n\n{BODY}")
    (tmp_path / "sub" / ".hidden" / "y.txt").write_text(f"Judul Y\n\n{BODY}")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert [a.title for a in load(tmp_path)] == ["Judul X"]


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"   \n\n\t  ", "empty"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "PNG"),
    ("archive.json", b"PK\x03\x04" + b"\x00" * 200, "zip"),
    ("nul.md", b"abc\x00def" * 50, "binary"),
    ("short.txt", b"Hai.", "no article text"),
    ("broken.json", b'{"text": "abc', "malformed JSON"),
    ("nomain.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no main article text"),
])
def test_bad_files_fail_alone_with_the_reason(tmp_path, name, data, reason):
    bad = tmp_path / name
    bad.write_bytes(data)
    good = tmp_path / "good.txt"
    good.write_text(f"Kabar baik\n\n{BODY}")
    items = load(bad, good)
    assert reason in errors(items)[str(bad)]
    assert [a.title for a in items if isinstance(a, Article)] == ["Kabar baik"]


def test_latin1_and_cp1252_text_is_decoded(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(f"Café à Jakarta\n\n{BODY} Harga naik 5% — kata José.".encode("cp1252"))
    (article,) = load(path)
    assert article.title == "Café à Jakarta" and "José" in article.text


def test_oversized_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB
    (err,) = load(big)
    assert "over the 1 MB limit" in err.reason and "max_item_mb" in err.reason


def test_stdin_sniffs_jsonl_and_text():
    lines = "\n".join(json.dumps({"id": f"s{i}", "text": BODY, "title": f"T{i}"}) for i in range(3)).encode()
    assert [a.id for a in load("-", stdin=io.BytesIO(lines))] == ["s0", "s1", "s2"]
    (article,) = load("-", stdin=io.BytesIO(f"Judul dari stdin\n\n{BODY}".encode()))
    assert article.title == "Judul dari stdin"


def test_urls_fetch_html_and_report_dead_ones(site):
    good = site.add("/berita", f"<html><head><title>Inflasi Turun</title></head><body><article><h1>Inflasi Turun</h1>"
                               f"<p>{BODY}</p><p>{BODY}</p></article></body></html>")
    missing = site.base + "/gone"
    dead = "http://127.0.0.1:9/nothing"  # discard port: connection refused
    items = load(good, missing, site.base + "/loop", site.base + "/slow", dead)
    (article,) = [a for a in items if isinstance(a, Article)]
    assert article.title == "Inflasi Turun" and article.url == good
    bad = errors(items)
    assert "HTTP 404" in bad[missing]
    assert "too many redirects" in bad[site.base + "/loop"]
    assert "timed out" in bad[site.base + "/slow"]
    assert "could not be fetched" in bad[dead]


def test_oversized_download_is_cut_off(site):
    url = site.add("/huge", "x" * (2 * 1024 * 1024), "text/plain")
    (err,) = load(url)
    assert "limit" in err.reason


def test_rss_entries_become_articles_following_summary_links(site, tmp_path):
    full = site.add("/a1", f"<html><body><article><h1>Judul Satu</h1><p>{BODY}</p><p>{BODY}</p></article></body></html>")
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Warta Feed</title>
      <item><title>Judul Satu</title><link>{full}</link><pubDate>Mon, 06 May 2024 08:00:00 +0700</pubDate>
        <description>Ringkasan pendek.</description></item>
      <item><title>Judul Dua</title><description>{BODY * 2}</description></item>
      <item><title>Hilang</title><link>{site.base}/missing</link><description>pendek</description></item>
      <item><description></description></item>
    </channel></rss>"""
    url = site.add("/feed.xml", feed, "application/rss+xml")
    items = load(url)
    articles = {a.title: a for a in items if isinstance(a, Article)}
    assert articles["Judul Satu"].url == full and articles["Judul Satu"].published == "2024-05-06"
    assert articles["Judul Satu"].outlet == "Warta Feed" and BODY.strip()[:40] in articles["Judul Satu"].text
    assert "Judul Dua" in articles
    bad = errors(items)
    assert any("entry 3" in item and "HTTP 404" in reason for item, reason in bad.items())
    assert any("entry 4" in item for item in bad)
    path = tmp_path / "feed.rss"
    path.write_text(feed)
    assert {a.title for a in load(path) if isinstance(a, Article)} == {"Judul Satu", "Judul Dua"}
