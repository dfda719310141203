"""Feed state: intervals, backoff, due feeds, entry keys and fingerprints; an old catalog keeps its articles."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import hypothesis
import pytest
from hypothesis import strategies as st

from core.errors import SourceError
from core.settings import format_interval, load_settings, parse_interval
from ingest.sources.feed import entry_fingerprint, entry_key, parse_feed
from store.catalog import Catalog
from store.feeds import FeedStore, backoff_s

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "seconds"), [("30m", 1800), ("2h", 7200), ("1d", 86400), ("90s", 90),
                                                ("120", 120), (" 45M ", 2700)])
def test_intervals(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "often", "5x", "30 minutes", "-5m", "10s", "1.5h"])
def test_bad_intervals_are_refused_with_the_value(text):
    with pytest.raises(ValueError, match="interval|minute"):
        parse_interval(text)


def test_settings_reject_a_bad_interval():
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match="feeds.default_every"):
        load_settings(environ={}, overrides={"feeds": {"default_every": "soon"}})


def test_backoff_doubles_per_failure_up_to_the_cap():
    assert [backoff_s(1800, n, 86400) for n in range(7)] == [1800, 3600, 7200, 14400, 28800, 57600, 86400]
    assert backoff_s(1800, 500, 86400) == 86400  # no overflow after many failures
    assert backoff_s(2 * 86400, 3, 86400) == 2 * 86400  # never sooner than the interval


def test_entry_key_is_guid_else_link_else_content():
    assert entry_key({"id": "g1", "link": "https://x/1"}) == "g1"
    assert entry_key({"link": "https://x/1"}) == "https://x/1"
    a, b = entry_key({"title": "A", "summary": "s"}), entry_key({"title": "B", "summary": "s"})
    assert a.startswith("sha256:") and a != b


def test_fingerprint_changes_with_content_only():
    entry = {"id": "g1", "title": "Harga beras", "summary": "naik", "link": "https://x/1"}
    assert entry_fingerprint(entry) == entry_fingerprint(dict(entry))
    assert entry_fingerprint(entry) != entry_fingerprint({**entry, "summary": "turun"})
    assert entry_fingerprint(entry) != entry_fingerprint({**entry, "content": [{"value": "full text"}]})


@pytest.mark.parametrize("text", ["<html><body>not a feed</body></html>", "\x00\x01garbage{{", '{"a": 1}'])
def test_garbage_is_not_a_feed(text):
    with pytest.raises(SourceError, match="feed"):
        parse_feed(text, "https://x/rss")


def test_a_document_that_looks_like_a_url_or_a_path_is_read_as_text(tmp_path):
    # feedparser fetches a string that looks like a URL, opens one that names a file and raised ValueError on "//["
    rss = tmp_path / "feed.xml"
    rss.write_text('<rss version="2.0"><channel><item><title>a</title><link>https://x/a</link></item></channel></rss>')
    for text in ("//[", str(rss), "http://127.0.0.1:9/rss"):
        with pytest.raises(SourceError, match="feed"):
            parse_feed(text, "doc")


def test_an_empty_feed_is_a_feed():
    parsed = parse_feed('<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>', "u")
    assert parsed.entries == [] and parsed.outlet == "T"


def test_due_success_failure_and_removal(tmp_path):
    store = FeedStore(tmp_path / "catalog.sqlite")
    feed, new = store.add("https://a/rss", every_s=1800, outlet="A", now=T0)
    assert new and feed.due(T0) and store.due(T0) == [feed]
    store.add("https://b/rss", every_s=3600, now=T0 + timedelta(seconds=1))
    store.record_success("https://a/rss", now=T0, etag='"v1"', last_modified="Tue, 01 Dec 2026 08:00:00 GMT")
    a = store.get("https://a/rss")
    assert a is not None and a.next_poll == T0 + timedelta(minutes=30) and a.etag == '"v1"'
    assert [f.url for f in store.due(T0 + timedelta(minutes=5))] == ["https://b/rss"]

    assert store.record_failure("https://a/rss", "HTTP 500", now=T0, max_backoff_s=86400) == 1
    assert store.record_failure("https://a/rss", "HTTP 500", now=T0, max_backoff_s=86400) == 2
    a = store.get("https://a/rss")
    assert a is not None and a.error_count == 2 and a.last_error == "HTTP 500"
    assert a.next_poll == T0 + timedelta(hours=2) and a.last_success == T0 and a.etag == '"v1"'

    store.record_success("https://a/rss", now=T0 + timedelta(hours=2), keep_validators=True)
    a = store.get("https://a/rss")
    assert a is not None and a.error_count == 0 and a.etag == '"v1"' and a.last_error == "HTTP 500"

    store.remember_entries("https://a/rss", [("g1", "f1", "art1")], now=T0)
    assert store.fingerprints("https://a/rss") == {"g1": "f1"}
    assert store.remove("https://a/rss") and not store.remove("https://a/rss")
    assert store.fingerprints("https://a/rss") == {} and [f.url for f in store.all()] == ["https://b/rss"]


def test_feed_tables_join_an_old_catalog_which_keeps_its_articles(tmp_path):
    from core.records import Article, Chunk

    path = tmp_path / "catalog.sqlite"
    catalog = Catalog(path)
    article = Article(id="a1", title="T", text="text", url="https://x/1", published="", outlet="", lang="en",
                      source="s")
    catalog.commit_articles([(article, [Chunk("c1", "a1", 0, "text", "text", 1)], ["text"])], [])
    catalog.close()
    with sqlite3.connect(path) as db:
        assert not db.execute("SELECT name FROM sqlite_master WHERE name='feeds'").fetchone()
    store = FeedStore(path)
    store.add("https://a/rss", every_s=1800, now=T0)
    assert Catalog(path).counts() == (1, 1)
    assert [f.url for f in FeedStore(path).all()] == ["https://a/rss"]  # kept on reopening


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(st.one_of(st.text(max_size=400), st.builds(
    lambda items: '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>' + items + "</channel></rss>",
    st.text(alphabet="<>/itemguldsprk &;#x0123", max_size=300))))
def test_parse_feed_gives_entries_or_a_source_error(text):
    try:
        parsed = parse_feed(text, "u")
    except SourceError:
        return
    assert all(e.key and len(e.fingerprint) == 32 for e in parsed.entries)


@pytest.mark.parametrize(("seconds", "text"), [(1800, "30m"), (7200, "2h"), (86400, "1d"), (90, "90s"), (5400, "90m")])
def test_intervals_are_shown_as_they_are_written(seconds, text):
    assert format_interval(seconds) == text and parse_interval(text) == seconds
