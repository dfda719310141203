"""The Library tab's feeds: the polled feeds with their state, add (polled at once) and remove.

The feeds are polled by ``ingest.feeds.PollingThread`` inside ``warta serve`` (``feeds.poll``); adding one here
polls it at once in the library's queue, so chats go on meanwhile. Removing one keeps its articles.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import gradio as gr

from core.errors import WartaError
from core.settings import Settings, format_interval
from ingest.feeds import FeedPoller, PollingThread
from ingest.ingestor import Ingestor
from store.feeds import Feed
from ui.web import render
from ui.web.texts import LABELS, message
from ui.web.texts import request_language as _lang

log = logging.getLogger(__name__)

FEED_COLUMNS = ("col_feed", "col_outlet", "col_every", "col_last_success", "col_last_error", "col_next_poll",
                "col_entries")


@dataclass(frozen=True)
class FeedsView:
    """The feed controls (for wiring and tests' selectors, see the elem_ids)."""

    table: gr.Dataframe
    url: gr.Textbox
    every: gr.Textbox
    outlet: gr.Textbox
    add: gr.Button
    remove: gr.Button
    status: gr.HTML


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "–"



def feed_rows(feeds: list[Feed]) -> list[list[str]]:
    """Table rows: URL, outlet, interval, last success, last error (with failures in a row), next poll, counts."""
    rows = []
    for f in feeds:
        error = f"{_when(f.last_error_at)}: {f.last_error}" + (f" (×{f.error_count})" if f.error_count else "") \
            if f.last_error else "–"
        rows.append([f.url, f.outlet or "–", format_interval(f.every_s), _when(f.last_success), error,
                     _when(f.next_poll), f"{f.entries_seen} / {f.entries_ingested}"])
    return rows


class Feeds:
    """Handlers of the feed controls, over one ``FeedPoller`` shared with the server's polling thread."""

    def __init__(self, settings: Settings, ingestor: Callable[[], Ingestor]) -> None:
        self.settings = settings
        self.poller = FeedPoller(settings, ingestor=ingestor)
        self._thread: PollingThread | None = None

    def start_polling(self) -> bool:
        """Start the background poller when ``feeds.poll`` is on (it polls whatever feeds are due, also ones added
        later). Returns whether it runs."""
        if self.settings.feeds.poll and self._thread is None:
            self._thread = PollingThread(self.poller, on_result=lambda r: log.info("warta: feed %s", r.line()))
            self._thread.start()
        return self._thread is not None

    def stop_polling(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.stop()

    def table(self, lang: str) -> dict[str, Any]:
        try:
            rows = feed_rows(self.poller.all())
        except WartaError:
            rows = []
        return {"data": rows, "headers": [LABELS[lang][key] for key in FEED_COLUMNS]}

    # --- handlers ---------------------------------------------------------------------------------

    def refresh(self, ui_lang: str, request: gr.Request) -> dict[str, Any]:
        return self.table(_lang(ui_lang, request))

    @staticmethod
    def select(evt: gr.SelectData) -> Any:
        """A click on a row puts its feed URL (first column) into the URL box."""
        row = evt.row_value or []
        return str(row[0]) if row else gr.skip()

    def add(self, url: str, every: str, outlet: str, ui_lang: str, request: gr.Request) -> tuple:
        """Add a feed and poll it at once. Outputs: feeds table, status, URL box."""
        lang = _lang(ui_lang, request)
        if not (url or "").strip():
            return gr.skip(), render.status_html(message(lang, "feed_missing")), gr.skip()
        try:
            feed, _new = self.poller.add(url, every=(every or "").strip() or None, outlet=outlet or "")
            result = self.poller.poll(feed.url)
        except WartaError as exc:
            return gr.skip(), render.status_html(f"⚠ {exc}"), gr.skip()
        except Exception as exc:
            log.exception("adding the feed %r failed", url)
            return gr.skip(), render.status_html(f"⚠ {type(exc).__name__}: {exc}"), gr.skip()
        return self.table(lang), render.status_html(("" if result.ok else "⚠ ") + result.line()), ""

    def remove(self, url: str, ui_lang: str, request: gr.Request) -> tuple:
        """Stop polling a feed (its articles stay). Outputs: feeds table, status, URL box."""
        lang = _lang(ui_lang, request)
        url = (url or "").strip()
        if not url:
            return gr.skip(), render.status_html(message(lang, "feed_missing")), gr.skip()
        try:
            removed = self.poller.remove(url)
        except WartaError as exc:
            return gr.skip(), render.status_html(f"⚠ {exc}"), gr.skip()
        key = "feed_removed" if removed else "feed_not_found"
        return self.table(lang), render.status_html(message(lang, key, url=url)), "" if removed else gr.skip()

    # --- page -------------------------------------------------------------------------------------

    def build(self, i18n: gr.I18n, ui_lang: gr.Dropdown, library_table: gr.Dataframe, library_search: gr.Textbox,
              refresh_library: Callable[..., Any]) -> FeedsView:
        """Draw the feed controls (inside the Library tab) and wire their events; after a poll the article
        table is redrawn with ``refresh_library``."""
        gr.Markdown(i18n("feeds_title"), elem_id="lib-feeds-title")
        table = gr.Dataframe(value=self.table("en"), datatype=["str"] * len(FEED_COLUMNS), type="array",
                             interactive=False, elem_id="lib-feeds-table", max_height=300, wrap=True,
                             column_widths=["26%", "10%", "7%", "14%", "22%", "14%", "7%"])
        with gr.Row():
            url = gr.Textbox(label=i18n("feed_url"), elem_id="lib-feed-url", scale=4)
            every = gr.Textbox(label=i18n("feed_every"), placeholder=self.settings.feeds.default_every,
                               elem_id="lib-feed-every", scale=1, min_width=90)
            outlet = gr.Textbox(label=i18n("feed_outlet"), elem_id="lib-feed-outlet", scale=2)
        with gr.Row():
            add = gr.Button(i18n("feed_add"), variant="primary", elem_id="lib-feed-add-btn")
            remove = gr.Button(i18n("feed_remove"), variant="stop", elem_id="lib-feed-remove-btn")
        status = gr.HTML("", elem_id="lib-feed-status", js_on_load=None, padding=False)

        private: dict[str, Any] = dict(api_visibility="private")
        table.select(self.select, None, url, queue=False, **private)
        writes: dict[str, Any] = dict(concurrency_limit=1, concurrency_id="library", show_progress="full",
                                      show_progress_on=[status], **private)
        add.click(self.add, [url, every, outlet, ui_lang], [table, status, url], **writes).then(
            refresh_library, [library_search, ui_lang], [library_table], queue=False, **private)
        remove.click(self.remove, [url, ui_lang], [table, status, url], **writes)
        return FeedsView(table, url, every, outlet, add, remove, status)
