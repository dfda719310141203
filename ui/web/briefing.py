"""The Briefing tab: what came in since the reader last opened it (or over a span they pick), one item per story,
newest first, every sentence cited (``Assistant.brief``).

"Since your last visit" is kept in the reader's browser (``gr.BrowserState``): opening the tab shows what came in
since the previous opening and moves the mark to now; **Refresh** shows the same span again with what arrived
meanwhile.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import gradio as gr

from assistant.assistant import Assistant
from assistant.brief import parse_since
from core.errors import WartaError
from ui.web import render
from ui.web.texts import message
from ui.web.texts import request_language as _lang

log = logging.getLogger(__name__)
FIRST_VISIT = timedelta(hours=24)  # "since your last visit" on a first visit
SPANS = ("last", "24h", "7d", "30d")


@dataclass(frozen=True)
class BriefingView:
    """The tab's components (for wiring and tests' selectors, see the elem_ids)."""

    since: gr.Dropdown
    topic: gr.Textbox
    refresh: gr.Button
    body: gr.HTML
    visits: gr.BrowserState  # {"previous": ISO, "current": ISO}: the last two openings of the tab


class Briefing:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def build(self, i18n: gr.I18n) -> BriefingView:
        with gr.Row(equal_height=True):
            since = gr.Dropdown([(i18n("brief_last_visit"), "last"), (i18n("brief_24h"), "24h"),
                                 (i18n("brief_7d"), "7d"), (i18n("brief_30d"), "30d")], value="last",
                                label=i18n("brief_since"), elem_id="brief-since", scale=1)
            topic = gr.Textbox(label=i18n("brief_topic"), placeholder=i18n("brief_topic_hint"), elem_id="brief-topic",
                               scale=2)
            refresh = gr.Button(i18n("brief_refresh"), elem_id="brief-refresh", scale=0, min_width=120)
        body = gr.HTML(elem_id="brief-body")
        return BriefingView(since, topic, refresh, body, gr.BrowserState({}, storage_key="warta-briefing"))

    def wire(self, view: BriefingView, tab: gr.Tab, ui_lang: gr.Dropdown) -> None:
        inputs = [view.since, view.topic, view.visits, ui_lang]
        tab.select(self.open, inputs, [view.body, view.visits], api_visibility="private")
        for trigger in (view.refresh.click, view.since.change, view.topic.submit):
            trigger(self.show, inputs, [view.body], api_visibility="private")

    def open(self, span: str, topic: str, visits: dict | None, ui_lang: str, request: gr.Request) -> tuple:
        """The tab was opened: the previous opening becomes "your last visit"."""
        visits = {"previous": (visits or {}).get("current", ""),
                  "current": datetime.now(UTC).isoformat(timespec="seconds")}
        return self.show(span, topic, visits, ui_lang, request), visits

    def show(self, span: str, topic: str, visits: dict | None, ui_lang: str, request: gr.Request) -> str:
        lang = _lang(ui_lang, request)
        now = datetime.now(UTC)
        try:
            since = self._since(span, (visits or {}).get("previous", ""), now)
            return render.briefing_html(self.assistant.brief(since, language=lang, topic=topic or ""), lang)
        except WartaError as exc:
            return f'<div class="brief-error">{html.escape(message(lang, "error", message=str(exc)))}</div>'
        except Exception:
            log.exception("briefing failed")
            return f'<div class="brief-error">{html.escape(message(lang, "internal"))}</div>'

    @staticmethod
    def _since(span: str, previous: str, now: datetime) -> datetime:
        if span != "last":
            return parse_since(span if span in SPANS else "24h", now)
        try:
            return datetime.fromisoformat(previous) if previous else now - FIRST_VISIT
        except ValueError:
            return now - FIRST_VISIT


