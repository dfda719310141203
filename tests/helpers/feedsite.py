"""A news feed on the tests' local HTTP server (``site`` fixture) that changes, answers 304, and misbehaves on cue.

``FeedSite.mode`` picks what the feed URL answers: ``ok`` (the feed, 304 when the client's ETag matches),
``down`` (HTTP 500), ``garbage``, ``slow`` (answers after ``slow_s``), ``redirect`` (302 to the feed's new
address), ``loop`` (redirects forever) or ``refused`` (the route is gone: 404). Summary-only entries link to
article pages served beside it.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

TOPICS = [
    ("Harga beras naik di Jakarta", "Harga beras medium di pasar induk Cipinang naik menjadi Rp14.500 per kilogram "
     "pekan ini karena pasokan dari Jawa Tengah berkurang setelah banjir."),
    ("Kereta cepat tambah jadwal", "PT Kereta Cepat Indonesia China menambah enam perjalanan kereta cepat Whoosh "
     "setiap hari mulai bulan depan untuk melayani lonjakan penumpang libur akhir tahun."),
    ("Timnas menang atas Vietnam", "Tim nasional sepak bola Indonesia mengalahkan Vietnam dengan skor dua gol tanpa "
     "balas di Stadion Gelora Bung Karno dalam laga kualifikasi Piala Asia."),
    ("Gunung Lewotobi kembali erupsi", "Gunung Lewotobi Laki-laki di Flores Timur kembali erupsi dengan tinggi kolom "
     "abu mencapai dua ribu meter sehingga bandara Maumere ditutup sementara."),
    ("Bank Indonesia tahan suku bunga", "Bank Indonesia mempertahankan suku bunga acuan di level enam persen untuk "
     "menjaga stabilitas nilai tukar rupiah di tengah ketidakpastian global."),
    ("Ekspor nikel melonjak", "Nilai ekspor produk olahan nikel Indonesia melonjak tiga puluh persen pada kuartal "
     "ketiga didorong permintaan baterai kendaraan listrik dari Tiongkok."),
]


@dataclass
class FeedSite:
    site: Any  # tests.conftest.Site
    path: str = "/news/rss.xml"
    mode: str = "ok"
    slow_s: float = 3.0
    entries: list[dict[str, str]] = field(default_factory=list)
    requests: int = 0
    not_modified: int = 0

    def __post_init__(self) -> None:
        self.site.routes[self.path] = self._feed
        self.site.routes["/moved/rss.xml"] = self._moved

    @property
    def url(self) -> str:
        return self.site.base + self.path

    def publish(self, n: int, *, summary_only: bool = False) -> dict[str, str]:
        """Add the ``n``-th story (newest first) and its page; a summary-only entry must be followed to it (an entry with
        its text in the summary is followed too, as ``warta ingest`` follows any entry without full content)."""
        title, text = TOPICS[n % len(TOPICS)]
        link = f"{self.site.base}/news/{n}.html"
        entry = {"guid": f"story-{n}", "title": f"{title} ({n})", "link": link,
                 "summary": text[:60] if summary_only else text, "text": text}
        self._page(entry)
        self.entries.insert(0, entry)
        return entry

    def edit(self, guid: str, text: str) -> None:
        """Correct a story: its entry and its page say ``text`` now."""
        for entry in self.entries:
            if entry["guid"] == guid:
                entry["summary"] = entry["text"] = text
                self._page(entry)

    def _page(self, entry: dict[str, str]) -> None:
        title, text = entry["title"], entry["text"]
        self.site.add(entry["link"].removeprefix(self.site.base), f"<html><head><title>{title}</title></head><body>"
                      f"<article><h1>{title}</h1><p>{text}</p><p>{text}</p></article></body></html>")

    def body(self) -> bytes:
        items = "".join(
            f"<item><guid>{e['guid']}</guid><title>{e['title']}</title><link>{e['link']}</link>"
            f"<description>{e['summary']}</description><pubDate>Tue, 01 Dec 2026 07:00:00 GMT</pubDate></item>"
            for e in self.entries)
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Kabar Lokal</title>'
                f"<link>{self.site.base}/</link><description>t</description>{items}</channel></rss>").encode()

    def _feed(self, handler: Any) -> None:
        self.requests += 1
        if self.mode == "down":
            return _send(handler, 500, b"internal error")
        if self.mode == "garbage":
            return _send(handler, 200, b"<<< this is not a feed {{ ]] && <", "application/rss+xml")
        if self.mode == "slow":
            time.sleep(self.slow_s)
        if self.mode == "redirect":
            handler.send_response(302)
            handler.send_header("Location", "/moved/rss.xml")
            handler.end_headers()
            return None
        if self.mode == "loop":
            handler.send_response(302)
            handler.send_header("Location", "/loop")
            handler.end_headers()
            return None
        if self.mode == "gone":
            return _send(handler, 404, b"not found")
        return self._moved(handler, count=False)

    def _moved(self, handler: Any, count: bool = True) -> None:
        body = self.body()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if handler.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        _send(handler, 200, body, "application/rss+xml; charset=utf-8",
              {"ETag": etag, "Last-Modified": format_datetime(datetime(2026, 12, 1, 7, tzinfo=UTC), usegmt=True)})


def _send(handler: Any, status: int, body: bytes, content_type: str = "text/plain",
          headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    try:
        handler.wfile.write(body)
    except OSError:  # the client gave up (a timeout test)
        pass
