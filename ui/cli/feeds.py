"""``warta feeds add|list|remove|run``: feeds that refresh themselves (``ingest.feeds``)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from core.settings import Settings, format_interval
from ui.cli.output import EXIT_FAILED_ITEMS, EXIT_OK, print_json

if TYPE_CHECKING:
    from ingest.feeds import FeedPoller


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "never"



def _poller(settings: Settings) -> FeedPoller:  # imported late: the CLI starts fast
    from ingest.feeds import FeedPoller

    return FeedPoller(settings)


def cmd_feeds_add(args: argparse.Namespace, settings: Settings) -> int:
    feed, new = _poller(settings).add(args.url, every=args.every, outlet=args.outlet or "")
    verb = "added" if new else "updated"
    outlet = f", outlet {feed.outlet!r}" if feed.outlet else ""
    print(f"{verb}: {feed.url} (every {format_interval(feed.every_s)}{outlet}); it is polled by `warta serve`, or now "
          "by `warta feeds run`.")
    return EXIT_OK


def cmd_feeds_list(args: argparse.Namespace, settings: Settings) -> int:
    feeds = _poller(settings).all()
    if args.json:
        print_json([f.to_json() for f in feeds])
        return EXIT_OK
    if not feeds:
        print("No feeds yet. Add one with `warta feeds add URL [--every 30m] [--outlet NAME]`.")
    for f in feeds:
        print(f.url)
        print(f"  every {format_interval(f.every_s)}" + (f", outlet {f.outlet}" if f.outlet else "")
              + f"; {f.entries_seen} entries seen, {f.entries_ingested} ingested")
        print(f"  last success: {_when(f.last_success)}; next poll: {_when(f.next_poll)}")
        if f.last_error:
            failing = f" ({f.error_count} failures in a row)" if f.error_count else " (recovered since)"
            print(f"  last error: {_when(f.last_error_at)}: {f.last_error}{failing}")
    return EXIT_OK


def cmd_feeds_remove(args: argparse.Namespace, settings: Settings) -> int:
    poller, status = _poller(settings), EXIT_OK
    for url in args.urls:
        if poller.remove(url):
            print(f"removed: {url} (its articles stay; remove them with `warta remove ID|URL`)")
        else:
            print(f"not a feed: {url!r} (see `warta feeds list`)")
            status = EXIT_FAILED_ITEMS
    return status


def cmd_feeds_run(args: argparse.Namespace, settings: Settings) -> int:
    poller = _poller(settings)
    feeds = poller.all()
    if not feeds:
        print("No feeds yet. Add one with `warta feeds add URL`.")
        return EXIT_OK
    results = poller.poll_due(feeds if args.all else None)
    if not results:
        following = min(f.next_poll for f in feeds)
        print(f"No feed is due; the next is due at {_when(following)} (`warta feeds run --all` polls them now).")
    for result in results:
        print(result.line())
        for failure in result.entry_failures:
            print(f"  failed: {failure}")
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED_ITEMS
