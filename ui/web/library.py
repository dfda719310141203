"""The Library tab: the ingested articles, search by title, remove, and add by upload or URL; and the feeds
polled for new articles (``ui.web.feeds``).

Adding runs ``Ingestor.ingest`` in its own queue (``concurrency_id="library"``), so chats go on while
articles are embedded; the index's write lock keeps concurrent writers in order.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.assistant import Assistant
from core.errors import WartaError
from core.settings import Settings
from ingest.ingestor import Ingestor, ItemResult
from ui.web import render
from ui.web.feeds import Feeds, FeedsView
from ui.web.texts import LABELS, message, passages
from ui.web.texts import request_language as _lang
from ui.web.uploads import store_upload

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LibraryView:
    """The tab's components (for wiring and tests' selectors, see the elem_ids)."""

    search: gr.Textbox
    table: gr.Dataframe
    ref: gr.Textbox
    remove: gr.Button
    status: gr.HTML
    upload: gr.File
    urls: gr.Textbox
    add: gr.Button
    feeds: FeedsView


class Library:
    """Handlers of the Library tab over the assistant's index and embedder."""

    def __init__(self, settings: Settings, assistant: Assistant) -> None:
        self.settings = settings
        self.assistant = assistant
        self._ingestor: Ingestor | None = None
        self._lock = threading.Lock()
        self.feeds = Feeds(settings, self.ingestor)

    def start_polling(self) -> bool:
        """Poll the feeds in the background (``feeds.poll``); see ``ui.web.feeds``."""
        return self.feeds.start_polling()

    def stop_polling(self) -> None:
        self.feeds.stop_polling()

    def ingestor(self) -> Ingestor:
        with self._lock:
            if self._ingestor is None:
                self._ingestor = Ingestor(self.settings, index=self.assistant.index,
                                          embedder=self.assistant.embedder)
            return self._ingestor

    # --- reads ------------------------------------------------------------------------------------

    def is_empty(self) -> bool:
        """True when there is nothing to answer from.

        Raises:
            IndexMismatchError: the data dir's articles were indexed with other settings.
        """
        index = self.assistant.index
        if index.counts()[0]:
            return False
        index.require_compatible()
        return True

    def table(self, query: str, lang: str) -> dict[str, Any]:
        """The table's value: matching rows with headers in ``lang``."""
        try:
            rows = render.library_rows(self.assistant.index.articles(), query or "")
        except WartaError:
            rows = []
        return {"data": rows, "headers": [LABELS[lang][key] for key in render.LIBRARY_COLUMNS]}

    def outlet_choices(self) -> dict[str, Any]:
        try:
            outlets = sorted({a.outlet for a in self.assistant.index.articles() if a.outlet}, key=str.casefold)
        except WartaError:
            outlets = []
        return gr.update(choices=outlets)

    # --- handlers ---------------------------------------------------------------------------------

    def search(self, query: str, ui_lang: str, request: gr.Request) -> dict[str, Any]:
        return self.table(query, _lang(ui_lang, request))

    @staticmethod
    def select(evt: gr.SelectData) -> Any:
        """A click on a row puts its article id (last column) into the remove box."""
        row = evt.row_value or []
        return str(row[-1]) if row else gr.skip()

    def remove(self, ref: str, query: str, ui_lang: str, request: gr.Request) -> tuple:
        """Outputs: table, status, remove box, outlet choices."""
        lang = _lang(ui_lang, request)
        ref = (ref or "").strip()
        if not ref:
            return gr.skip(), render.status_html(message(lang, "nothing_selected")), gr.skip(), gr.skip()
        try:
            removed = self.assistant.index.remove(ref)
        except WartaError as exc:  # e.g. another writer kept the write lock: its message names it
            return gr.skip(), render.status_html(f"⚠ {exc}"), gr.skip(), gr.skip()
        except Exception as exc:
            log.exception("removing %r failed", ref)
            return gr.skip(), render.status_html(f"⚠ {type(exc).__name__}: {exc}"), gr.skip(), gr.skip()
        if not removed:
            status = message(lang, "not_found", ref=ref)
        else:
            status = " ".join(message(lang, "removed", title=info.title, count=passages(lang, info.n_chunks))
                              for info in removed)
        return self.table(query, lang), render.status_html(status), "", self.outlet_choices()

    def add(self, files: list[str] | None, urls: str, query: str, ui_lang: str, request: gr.Request,
            progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (how Gradio hands in a progress bar)
        """Ingest uploaded files and pasted URLs. Outputs: table, status, upload box, URL box, outlet choices."""
        lang = _lang(ui_lang, request)
        uploads = [store_upload(self.settings, path) for path in files or ()]
        lines = [line.strip() for line in (urls or "").splitlines() if line.strip()]
        rows: list[tuple[str, str, str, int, str]] = [(u.name, "failed", "", 0, u.error) for u in uploads if u.error]
        rows += [(line, "failed", "", 0, message(lang, "not_url")) for line in lines if not render.safe_url(line)]
        names = {str(u.path): u.name for u in uploads if u.path}
        sources = list(names) + [line for line in lines if render.safe_url(line)]
        if not sources and not rows:
            gr.Warning(message(lang, "nothing_to_add"))
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        if sources:
            progress(0, desc=message(lang, "reading"))
            done = 0

            def on_item(result: ItemResult, chunks_embedded: int) -> None:
                nonlocal done
                done += 1
                total = max(len(sources), done)
                progress((done, total), desc=message(lang, "progress", done=done, chunks=chunks_embedded))

            def waiting(note: str) -> None:
                progress(0, desc=note)

            try:
                report = self.ingestor().ingest(sources, progress=on_item, on_wait=waiting)
            except WartaError as exc:  # e.g. another writer kept the write lock: its message names it
                rows.append(("–", "failed", "", 0, str(exc)))
            except Exception as exc:
                log.exception("adding %r failed", sources)
                rows.append(("–", "failed", "", 0, f"{type(exc).__name__}: {exc}"))
            else:
                rows += [(_display_name(r.item, names), r.status, r.title, r.chunks, r.reason) for r in report.results]
        return (self.table(query, lang), render.ingest_report(rows, lang), None, "", self.outlet_choices())

    # --- page -------------------------------------------------------------------------------------

    def build(self, i18n: gr.I18n, ui_lang: gr.Dropdown, outlets: gr.Dropdown) -> LibraryView:
        """Draw the tab (inside a ``gr.Tab``) and wire its events."""
        ui = self.settings.ui
        with gr.Row():
            search = gr.Textbox(label=i18n("search"), elem_id="lib-search", scale=3)
            ref = gr.Textbox(label=i18n("remove_ref"), elem_id="lib-remove-ref", scale=2)
            remove = gr.Button(i18n("remove"), variant="stop", elem_id="lib-remove-btn", scale=0, min_width=110)
        table = gr.Dataframe(value=self.table("", "en"), datatype=["str", "str", "str", "str", "number", "str"],
                             type="array", interactive=False, elem_id="lib-table", max_height=420, wrap=True,
                             column_widths=["42%", "14%", "11%", "9%", "8%", "16%"])
        status = gr.HTML("", elem_id="lib-status", js_on_load=None, padding=False)
        with gr.Row():
            upload = gr.File(label=i18n("upload"), file_count="multiple", file_types=list(ui.upload_types),
                             type="filepath", elem_id="lib-upload")
            urls = gr.Textbox(label=i18n("urls"), lines=4, elem_id="lib-urls")
        add = gr.Button(i18n("add"), variant="primary", elem_id="lib-add-btn")
        feeds = self.feeds.build(i18n, ui_lang, table, search, self.search)
        view = LibraryView(search, table, ref, remove, status, upload, urls, add, feeds)

        private: dict[str, Any] = dict(api_visibility="private")
        search.change(self.search, [search, ui_lang], table, queue=False, **private)
        table.select(self.select, None, ref, queue=False, **private)
        writes: dict[str, Any] = dict(concurrency_limit=1, concurrency_id="library", show_progress="full",
                                      show_progress_on=[status], **private)
        remove.click(self.remove, [ref, search, ui_lang], [table, status, ref, outlets], **writes)
        add.click(self.add, [upload, urls, search, ui_lang], [table, status, upload, urls, outlets], **writes)
        return view


def _display_name(item: str, names: dict[str, str]) -> str:
    """An ingest item as the user knows it: an upload's own name (plus ``:line`` for JSONL records)."""
    for path, name in names.items():
        if item == path or item.startswith(path + ":"):
            return name + item[len(path):]
    return item
