"""Feeds polled against a local server (real fetcher, real e5 model, embedded Chroma): new entries once, 304s,
changed entries, faults with backoff and recovery, and a simulated day of unattended polling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ingest.feeds import FeedPoller
from ingest.ingestor import Ingestor
from tests.conftest import make_settings
from tests.helpers.feedsite import FeedSite

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


class SimClock:
    """Simulated time: ``advance`` moves it on, nothing sleeps."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def feed(site) -> FeedSite:
    return FeedSite(site)


@pytest.fixture
def clock() -> SimClock:
    return SimClock()


@pytest.fixture
def poller(tmp_path, models_dir, embedder, clock) -> FeedPoller:
    settings = make_settings(tmp_path / "data", models_dir, ingest={"allow_private_urls": True},
                             feeds={"timeout_s": 1.0, "default_every": "30m", "max_backoff": "4h"})
    return FeedPoller(settings, ingestor=lambda: Ingestor(settings, embedder=embedder), clock=clock)


def articles(poller: FeedPoller) -> list[str]:
    ingestor = poller._ingestor()
    return sorted(a.url for a in ingestor.index.articles())


def test_new_entries_are_ingested_once_and_304_costs_nothing(poller, feed, clock):
    feed.publish(0)
    feed.publish(1, summary_only=True)  # followed to its page
    poller.add(feed.url)
    [first] = poller.poll_due()
    assert first.status == "ingested" and first.ingested == 2 and first.ok, first.line()
    assert articles(poller) == sorted(e["link"] for e in feed.entries)
    assert feed.site.hits_under("/news/1.html") == ["/news/1.html"]

    assert poller.poll_due() == []  # not due yet
    clock.advance(minutes=30)
    [again] = poller.poll_due()
    assert again.status == "not_modified" and feed.not_modified == 1
    state = poller.feeds.get(feed.url)
    assert state is not None and state.entries_seen == 2 and state.entries_ingested == 2
    assert state.next_poll == clock.now + timedelta(minutes=30)

    feed.publish(2)
    feed.edit("story-0", "Harga beras medium kini turun menjadi Rp13.900 per kilogram setelah operasi pasar Bulog.")
    clock.advance(minutes=30)
    [third] = poller.poll_due()
    assert (third.status, third.ingested, third.skipped) == ("ingested", 2, 1), third.line()
    assert feed.site.hits_under("/news/1.html") == ["/news/1.html"]  # the unchanged entry is not fetched again
    assert len(articles(poller)) == 3  # the edited entry replaced its article: nothing duplicated
    texts = {a.url: a.title for a in poller._ingestor().index.articles()}
    assert len(texts) == 3
    stored = {a.id: a for a in poller._ingestor().index.stored_articles()}
    assert "Rp13.900" in stored["story-0"].text
    assert poller.feeds.get(feed.url).entries_ingested == 4  # type: ignore[union-attr]


@pytest.mark.parametrize(("mode", "reason"), [
    ("down", "HTTP 500"), ("garbage", "not a readable feed"), ("slow", "timed out after 1 s"),
    ("loop", "too many redirects"), ("gone", "HTTP 404"),
])
def test_a_failing_feed_backs_off_and_recovers(poller, feed, clock, mode, reason):
    feed.publish(0)
    poller.add(feed.url)
    feed.mode = mode
    waits = []
    for _ in range(4):
        [result] = poller.poll_due()
        assert result.status == "failed" and reason in result.error and feed.url in result.line()
        state = poller.feeds.get(feed.url)
        assert state is not None and reason in state.last_error
        waits.append(state.next_poll - clock.now)
        clock.now = state.next_poll
    assert waits == [timedelta(hours=1), timedelta(hours=2), timedelta(hours=4), timedelta(hours=4)]  # capped
    assert articles(poller) == []
    feed.mode = "ok"
    [result] = poller.poll_due()
    assert result.status == "ingested" and result.ingested == 1
    state = poller.feeds.get(feed.url)
    assert state is not None and state.error_count == 0 and state.next_poll == clock.now + timedelta(minutes=30)
    assert state.last_success == clock.now and reason in state.last_error  # the last error stays visible


def test_a_redirected_feed_is_followed(poller, feed):
    feed.publish(0)
    feed.mode = "redirect"
    poller.add(feed.url)
    [result] = poller.poll_due()
    assert result.status == "ingested" and result.ingested == 1
    assert feed.site.hits_under("/moved/") == ["/moved/rss.xml"]


def test_one_feed_down_never_stops_the_others(poller, feed, site):
    feed.publish(0)
    other = FeedSite(site, path="/other/rss.xml")
    other.publish(3)
    other.mode = "down"
    poller.add(other.url)
    poller.add(feed.url)
    results = {r.url: r for r in poller.poll_due()}
    assert results[other.url].status == "failed" and results[feed.url].status == "ingested"


def test_an_entry_whose_page_fails_is_tried_again(poller, feed, clock, site):
    entry = feed.publish(4, summary_only=True)
    site.routes[entry["link"].removeprefix(site.base)] = (500, "text/plain", b"oops")
    poller.add(feed.url)
    [first] = poller.poll_due()
    assert first.status == "unchanged" and not first.ok and "HTTP 500" in first.entry_failures[0]
    site.add(entry["link"].removeprefix(site.base), "<html><body><article><p>" + "Gunung erupsi lagi. " * 10
             + "</p></article></body></html>")
    clock.advance(minutes=30)
    [second] = poller.poll_due()  # not answered 304: the failed entry is still to do
    assert second.status == "ingested" and second.ingested == 1 and second.ok


def test_a_simulated_day_of_polling_survives_the_faults(poller, feed, clock):
    """24 h, checking every 5 minutes: the feed gets a story every 2 h and misbehaves in between."""
    poller.add(feed.url)
    faults = {3: "down", 4: "down", 7: "garbage", 11: "slow", 15: "redirect", 16: "loop", 20: "down"}
    published, failures = 0, 0
    end = clock.now + timedelta(days=1)
    while clock.now < end:
        hour = int((clock.now - T0).total_seconds() // 3600)
        if hour % 2 == 0 and published <= hour // 2:
            feed.publish(published, summary_only=published % 3 == 0)
            published += 1
        feed.mode = faults.get(hour, "ok")
        for result in poller.poll_due():
            assert result.url == feed.url
            failures += result.status == "failed"
        clock.advance(minutes=5)
    feed.mode = "ok"
    clock.advance(days=1)
    [last] = poller.poll_due()
    assert last.ok
    assert failures >= 5
    assert articles(poller) == sorted(e["link"] for e in feed.entries)  # every story once, none twice
    state = poller.feeds.get(feed.url)
    assert state is not None and state.entries_seen == published == state.entries_ingested == 12
    assert state.error_count == 0
    assert feed.requests < 24 * 2 + 10  # every 30 min at most, fewer while backing off
