"""``warta feeds`` through the CLI entry point, and the poller inside a real ``warta serve`` while chats go on."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime

import httpx

from store.feeds import FeedStore
from tests.conftest import SEED, make_settings, run_cli
from tests.helpers.feedsite import FeedSite
from tests.helpers.servers import WartaServer


def test_feeds_commands_add_list_run_remove(site, cli_env, capsys, models_dir, tmp_path):
    feed = FeedSite(site)
    feed.publish(0)
    feed.publish(1, summary_only=True)

    code, out, err = run_cli(capsys, "feeds", "add", feed.url, "--every", "soon")
    assert code == 2 and "'soon' is not an interval" in err and "Traceback" not in err
    code, out, err = run_cli(capsys, "feeds", "add", "ftp://x/rss")
    assert code == 2 and "http:// or https://" in err
    code, out, err = run_cli(capsys, "feeds", "add", feed.url, "--every", "2h", "--outlet", "Kabar")
    assert code == 0 and f"added: {feed.url} (every 2h, outlet 'Kabar')" in out

    code, out, err = run_cli(capsys, "feeds", "run")  # loopback is refused unless allowed
    assert code == 1 and "failed:" in out and "loopback" in out and "Traceback" not in err
    code, out, err = run_cli(capsys, "feeds", "run", "--allow-private-urls")
    assert code == 0 and "no feed is due" in out.lower()  # it waits after the failure
    code, out, err = run_cli(capsys, "feeds", "run", "--all", "--allow-private-urls")
    assert code == 0, out + err
    assert f"ok: {feed.url}: 2 new or changed entries ingested" in out

    code, out, err = run_cli(capsys, "feeds", "list")
    assert code == 0 and feed.url in out and "every 2h, outlet Kabar; 2 entries seen, 2 ingested" in out
    assert "last error:" in out and "(recovered since)" in out

    feed.mode = "down"
    code, out, err = run_cli(capsys, "feeds", "run", "--all", "--allow-private-urls")
    assert code == 1 and f"failed: {feed.url}: HTTP 500" in out

    code, out, err = run_cli(capsys, "feeds", "remove", feed.url, "https://nope/rss")
    assert code == 1 and f"removed: {feed.url} (its articles stay" in out and "not a feed: 'https://nope/rss'" in out
    code, out, err = run_cli(capsys, "list")
    assert out.count("\tKabar\t") == 2  # the feed's articles, with the outlet given
    code, out, err = run_cli(capsys, "feeds", "list")
    assert "No feeds yet" in out


def test_serve_polls_feeds_while_chats_keep_answering(site, tmp_path, models_dir, embedder):
    """A real `warta serve` polls a feed whose article pages are slow; /api/ask answers all the while."""
    from ingest.ingestor import Ingestor

    settings = make_settings(tmp_path / "data", models_dir)
    assert not Ingestor(settings, embedder=embedder).ingest([str(SEED)]).failed
    feed = FeedSite(site)
    for n in range(5):
        feed.publish(n, summary_only=True)
    polled: list[float] = []

    def slow_page(path: str, body: tuple) -> None:
        def handler(h) -> None:
            polled.append(time.monotonic())
            time.sleep(1.5)
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.end_headers()
            h.wfile.write(body[2])
        site.routes[path] = handler

    for path, route in list(site.routes.items()):
        if path.startswith("/news/") and path.endswith(".html"):
            slow_page(path, route)
    store = FeedStore.of(settings)
    store.add(feed.url, every_s=3600, now=datetime.now(UTC))
    env = {**os.environ, "WARTA_DATA_DIR": str(settings.data_dir), "WARTA_PATHS_MODELS_DIR": str(models_dir),
           "WARTA_ANSWER_BACKEND": "extractive", "WARTA_INGEST_ALLOW_PRIVATE_URLS": "true",
           "WARTA_FEEDS_CHECK_INTERVAL_S": "0.5"}
    answered: list[tuple[float, float]] = []  # (asked, answered) monotonic times
    with WartaServer(env, tmp_path / "serve.log") as server:
        stop = threading.Event()

        def ask() -> None:
            while not stop.is_set():
                asked = time.monotonic()
                r = httpx.post(f"{server.url}api/ask", json={"question": "Siapa CEO interim Scale AI?"}, timeout=120)
                assert r.status_code == 200 and r.json()["citations"], r.text
                answered.append((asked, time.monotonic()))

        asker = threading.Thread(target=ask, daemon=True)
        asker.start()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            state = store.get(feed.url)
            if state is not None and state.last_success is not None:
                break
            time.sleep(0.5)
        stop.set()
        asker.join(120)
        assert state is not None and state.last_success is not None, server.log_tail()
        assert state.entries_ingested == 5 and state.error_count == 0
        stats = httpx.get(f"{server.url}api/stats", timeout=60).json()
        assert stats["articles"] == 6
    assert len(polled) == 5
    during = [a for a in answered if polled[0] <= a[1] <= polled[-1] + 1.5]
    assert during, f"no answer while the poll ran: pages at {polled}, answers at {answered}"
    assert max(done - asked for asked, done in answered) < 30
