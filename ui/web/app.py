"""The web UI (Gradio): chat with cited answers, a sources panel, filters, and the article library.

It only draws and calls the library: ``Assistant.stream`` answers, ``Ingestor.ingest`` adds articles,
``Index.remove`` removes them, ``record_feedback`` stores thumbs. Library errors (``WartaError``) are
shown as readable messages; anything else is logged and shown as a generic one, never as a trace.
``ui.web.server`` serves it.
"""

from __future__ import annotations

import contextlib
import html
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.components.chatbot import ExampleMessage

from assistant.assistant import Assistant
from assistant.feedback import Rating, record_feedback
from core.errors import WartaError
from core.settings import Settings
from core.text.calendar import iso_day
from core.text.lang import is_lang
from store.filters import Filters
from ui.web import render
from ui.web.assets import LOAD_LOCALE_JS, SET_LOCALE_JS
from ui.web.briefing import Briefing
from ui.web.library import Library
from ui.web.texts import LABELS, message, request_language

log = logging.getLogger(__name__)

I18N = gr.I18n(**LABELS)
EXAMPLES: list[ExampleMessage] = [
    {"text": "Why did OpenAI drop Scale AI?"},
    {"text": "Berapa nilai investasi Meta di Scale AI?"},
    {"text": "Siapa CEO interim Scale AI?"},
]
CHAT_LIMITS = {"local": 1}  # one generation at a time on the bundled model (2 cores); others: 4


def _day(value: Any, lang: str) -> str:
    """A filter date as YYYY-MM-DD, or "" (with a warning toast when it is not a date)."""
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        return iso_day(text[:10]).isoformat()
    except ValueError:
        gr.Warning(message(lang, "bad_date", value=html.escape(text[:40])))
        return ""


@dataclass(frozen=True)
class ChatView:
    """The chat tab's components (for wiring, and tests' selectors: see the elem_ids)."""

    date_from: gr.DateTime
    date_to: gr.DateTime
    outlets: gr.Dropdown
    article_lang: gr.Radio
    chatbot: gr.Chatbot
    details: gr.HTML
    time_row: gr.Row  # shown under an answer whose question asked for a date range
    time_note: gr.HTML
    drop_dates: gr.Button
    question: gr.Textbox
    send: gr.Button
    stop: gr.Button
    new_chat: gr.Button
    panel: gr.HTML


class WebApp:
    """The handlers behind the page. One per server; the library objects are shared by every session."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None, backend: str | None = None) -> None:
        self.settings = settings
        self.assistant = assistant or Assistant(settings)
        self.backend = backend or settings.answer.backend
        self.library = Library(settings, self.assistant)
        self.briefing = Briefing(self.assistant)

    def warm_up(self) -> None:
        """Load the models before the first question (errors are shown again when someone asks)."""
        try:
            self.assistant.warm_up(self.backend)
        except WartaError as exc:
            log.warning("warta: %s", exc)
        except Exception as exc:
            if not _is_timeout(exc):
                log.exception("warm-up failed")
                return
            # the model is slow to read its prompts on a busy machine; answers still come (the CI load test: 20
            # answers, 0 errors, after a warm-up timeout)
            log.warning("warm-up did not finish (%s: %s); the first answers may be slow", type(exc).__name__, exc)

    # --- chat -------------------------------------------------------------------------------------

    def respond(self, question: str, time_aware: bool, chat: list[dict] | None, date_from: Any, date_to: Any,
                outlets: list[str] | None, article_lang: str, ui_lang: str, turns: list[render.Turn] | None,
                request: gr.Request) -> Iterator[tuple]:
        """Stream one answer to the question taken from the box (``time_aware`` False: the user removed the date
        range the previous answer searched). Outputs: chat, sources panel, details, turns, Send, Stop, the date
        row and its note."""
        lang = request_language(ui_lang, request)
        question = (question or "").strip()
        chat, turns = list(chat or []), list(turns or [])
        skip = gr.skip()
        if not question:
            yield skip, skip, skip, skip, skip, skip, skip, skip
            return
        number = 1 + sum(m.get("role") == "assistant" for m in chat)  # a stopped answer keeps its number
        history = render.plain_history(chat)
        chat += [{"role": "user", "content": render.chat_html(question)}, {"role": "assistant", "content": ""}]
        yield chat, skip, "", skip, gr.update(visible=False), gr.update(visible=True), gr.update(visible=False), ""

        filters = Filters(date_from=_day(date_from, lang), date_to=_day(date_to, lang), outlets=tuple(outlets or ()),
                          langs=(article_lang,) if is_lang(article_lang) else ())
        streamed, answer = "", None
        try:
            if self.library.is_empty():
                shown = message(lang, "empty_store")
            else:
                stream = self.assistant.stream(question, history, filters=filters, backend=self.backend,
                                               time_aware=time_aware)
                with contextlib.closing(stream):  # Stop: ends the model's stream too
                    for piece in stream:
                        streamed += piece
                        chat[-1] = {"role": "assistant", "content": render.answer_html(streamed, number)}
                        yield chat, skip, skip, skip, skip, skip, skip, skip
                answer = stream.answer
                shown = answer.text if answer else streamed
        except WartaError as exc:
            shown = f"{streamed}\n\n" * bool(streamed) + "⚠ " + message(lang, "error", message=str(exc))
        except Exception:  # GeneratorExit (Stop) is not an Exception: it ends the stream as it should
            log.exception("answering %r failed", question)
            shown = f"{streamed}\n\n" * bool(streamed) + "⚠ " + message(lang, "internal")
        details = render.details_line(answer, lang) if answer else ""
        chat[-1] = {"role": "assistant", "content": render.answer_html(shown, number)}
        turns.append(render.Turn(number, question, shown, answer, details))
        note = render.time_note(answer.time, lang) if answer else ""
        yield (chat, render.sources_panel(turns, lang), render.text_html(details), turns,
               gr.update(visible=True), gr.update(visible=False), gr.update(visible=bool(note)), note)

    def like(self, evt: gr.LikeData, chat: list[dict] | None, turns: list[render.Turn] | None) -> None:
        """Store a thumbs up/down (or its withdrawal) with the question, answer and citations."""
        chat = list(chat or [])
        if not isinstance(evt.index, int) or not 0 <= evt.index < len(chat):
            return
        rating: Rating = "up" if evt.liked is True else "down" if evt.liked is False else "cleared"
        number = sum(m.get("role") == "assistant" for m in chat[: evt.index + 1])
        turn = next((t for t in turns or () if t.number == number), None)
        if turn is not None:
            record_feedback(self.settings, rating, question=turn.question, answer=turn.answer, shown=turn.shown)
            return
        # an answer stopped before it finished: keep what the user saw
        before = render.plain_history(chat[: evt.index + 1])
        question = next((m["content"] for m in reversed(before) if m["role"] == "user"), "")
        shown = before[-1]["content"] if before and before[-1]["role"] == "assistant" else ""
        record_feedback(self.settings, rating, question=question, shown=shown)

    def clear(self, ui_lang: str, request: gr.Request) -> tuple:
        """A new conversation: empty chat, turns, panel and details."""
        return [], [], render.sources_panel([], request_language(ui_lang, request)), ""

    def redraw(self, ui_lang: str, turns: list[render.Turn] | None, query: str, request: gr.Request) -> tuple:
        """Server-made text in the current language: sources panel, library table and feeds table (whose state the
        poller changes meanwhile)."""
        lang = request_language(ui_lang, request)
        return (render.sources_panel(list(turns or []), lang), self.library.table(query, lang),
                self.library.feeds.table(lang))

    # --- page -------------------------------------------------------------------------------------

    def build(self) -> gr.Blocks:
        with gr.Blocks(title="Warta", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
            turns = gr.State([])
            with gr.Row(equal_height=True):
                gr.Markdown("## Warta", elem_id="app-title")
                ui_lang = gr.Dropdown([("Auto", "auto"), ("Bahasa Indonesia", "id"), ("English", "en")],
                                      value=self.settings.ui.language, label=I18N("ui_lang"), show_label=False,
                                      container=False, elem_id="ui-lang", scale=0, min_width=200)
            with gr.Tabs():
                with gr.Tab(I18N("tab_chat"), id="chat", elem_id="tab-chat"):
                    chat = self._chat_tab()
                with gr.Tab(I18N("tab_library"), id="library", elem_id="tab-library") as library_tab:
                    lib = self.library.build(I18N, ui_lang, chat.outlets)
                with gr.Tab(I18N("tab_brief"), id="brief", elem_id="tab-brief") as brief_tab:
                    brief = self.briefing.build(I18N)
            self._wire_chat(chat, ui_lang, turns)
            self.briefing.wire(brief, brief_tab, ui_lang)
            redraw = dict(fn=self.redraw, inputs=[ui_lang, turns, lib.search],
                          outputs=[chat.panel, lib.table, lib.feeds.table], queue=False, api_visibility="private")
            ui_lang.change(None, [ui_lang], [ui_lang], js=SET_LOCALE_JS, api_visibility="private").then(**redraw)
            demo.load(None, [ui_lang], [ui_lang], js=LOAD_LOCALE_JS, api_visibility="private")
            demo.load(**redraw)
            demo.load(self.library.outlet_choices, None, chat.outlets, queue=False, api_visibility="private")
            library_tab.select(**redraw)
        return demo

    def _chat_tab(self) -> ChatView:
        """Draw the chat tab (inside a ``gr.Tab``): filters, the chat, the question box and the sources panel."""
        with gr.Accordion(I18N("filters"), open=False, elem_id="filters"):
            with gr.Row():
                date_from = gr.DateTime(include_time=False, type="string", label=I18N("date_from"),
                                        elem_id="f-date-from")
                date_to = gr.DateTime(include_time=False, type="string", label=I18N("date_to"), elem_id="f-date-to")
                outlets = gr.Dropdown([], value=[], multiselect=True, allow_custom_value=True,
                                      label=I18N("outlets"), elem_id="f-outlets")
                article_lang = gr.Radio([(I18N("all"), "all"), (I18N("indonesian"), "id"), (I18N("english"), "en")],
                                        value="all", label=I18N("article_lang"), elem_id="f-lang")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=380):
                chatbot = gr.Chatbot(label=I18N("chat_label"), elem_id="chatbot", height=540, examples=EXAMPLES,
                                     feedback_options=("Like", "Dislike"), buttons=["copy"], sanitize_html=True,
                                     allow_tags=False, layout="bubble", latex_delimiters=[], render_markdown=False)
                details = gr.HTML("", elem_id="answer-details", js_on_load=None, padding=False)
                with gr.Row(visible=False, elem_id="time-row", equal_height=True) as time_row:
                    time_note = gr.HTML("", elem_id="time-note", js_on_load=None, padding=False)
                    drop_dates = gr.Button(I18N("drop_dates"), size="sm", elem_id="drop-dates-btn", scale=0,
                                           min_width=160)
                with gr.Row():
                    question = gr.Textbox(label=I18N("question"), placeholder=I18N("question_ph"), elem_id="msg",
                                          scale=5, lines=1, max_lines=4, submit_btn=False, autofocus=True,
                                          max_length=2000)
                    send = gr.Button(I18N("send"), variant="primary", elem_id="send-btn", scale=1, min_width=80)
                    stop = gr.Button(I18N("stop"), variant="stop", elem_id="stop-btn", scale=1, min_width=80,
                                     visible=False)
                new_chat = gr.Button(I18N("new_chat"), size="sm", elem_id="new-chat-btn")
            with gr.Column(scale=2, min_width=300):
                gr.Markdown(I18N("sources"), elem_id="sources-title")
                panel = gr.HTML(render.sources_panel([], "en"), elem_id="sources-panel", js_on_load=None,
                                padding=True, max_height=640)
        return ChatView(date_from, date_to, outlets, article_lang, chatbot, details, time_row, time_note, drop_dates,
                        question, send, stop, new_chat, panel)

    def _wire_chat(self, chat: ChatView, ui_lang: gr.Dropdown, turns: gr.State) -> None:
        """The chat's events: ask (Enter, Send, an example), Stop, thumbs, a new conversation.

        Asking is three steps, as in Gradio's ChatInterface: the question moves from the box into a State and the
        box is locked (no queue: at once, in the page), the answer streams, then the box opens again. A question
        typed while an answer streams cannot be sent and lost (Gradio drops an event triggered while the same
        event is still pending), and the box never holds a question that was already sent.
        """
        asked, time_aware = gr.State(""), gr.State(True)
        take: dict[str, Any] = dict(fn=_take_question, inputs=[chat.question],
                                    outputs=[chat.question, asked, time_aware], queue=False, api_visibility="private")
        answer_kw: dict[str, Any] = dict(
            fn=self.respond,
            inputs=[asked, time_aware, chat.chatbot, chat.date_from, chat.date_to, chat.outlets, chat.article_lang,
                    ui_lang, turns],
            outputs=[chat.chatbot, chat.panel, chat.details, turns, chat.send, chat.stop, chat.time_row,
                     chat.time_note],
            concurrency_limit=CHAT_LIMITS.get(self.backend, 4), concurrency_id="chat", show_progress="hidden",
            api_visibility="private",
            # a question asked right after Stop, while the page still counts the stopped answer as pending, waits
            # for it instead of being dropped (Gradio's default "once")
            trigger_mode="always_last",
        )
        reopen: dict[str, Any] = dict(fn=_reopen, inputs=None, outputs=[chat.question, chat.send, chat.stop],
                                      queue=False, api_visibility="private")
        taken = [chat.question.submit(**take), chat.send.click(**take),
                 chat.chatbot.example_select(_take_example, None, [chat.question, asked, time_aware], queue=False,
                                             api_visibility="private"),
                 # "search all dates": the last question again, without the date range it asked for
                 chat.drop_dates.click(_take_without_dates, [turns], [chat.question, asked, time_aware, chat.time_row],
                                       queue=False, api_visibility="private")]
        answering = [event.then(**answer_kw) for event in taken]
        for event in answering:
            event.then(**reopen)  # after the answer, an error or Stop
        # Stop only cancels: the page runs the answer's "then" (reopen) once the cancel is through. Reopening on
        # the click itself let a question be sent while the page still counted the stopped answer as pending;
        # Gradio deferred it (always_last) behind an answer that never completes, and it was lost.
        chat.stop.click(None, None, None, cancels=answering, queue=False, api_visibility="private")
        chat.chatbot.like(self.like, [chat.chatbot, turns], None, queue=False, api_visibility="private")
        for trigger in (chat.new_chat.click, chat.chatbot.clear):
            trigger(self.clear, [ui_lang], [chat.chatbot, turns, chat.panel, chat.details], queue=False,
                    api_visibility="private")


def _is_timeout(exc: BaseException) -> bool:
    """Python's ``TimeoutError`` or a client library's timeout (httpx ``TimeoutException``, openai
    ``APITimeoutError``, httpcore ``ReadTimeout``), told by class name so the UI imports no client library."""
    return isinstance(exc, TimeoutError) or any("Timeout" in cls.__name__ for cls in type(exc).__mro__)


def _take_question(question: str | None) -> tuple:
    """Enter or Send: the question leaves the box for the ``asked`` State and the box is locked until the answer
    is done (an empty box stays as it is); dates in it count."""
    question = question or ""
    if not question.strip():
        return gr.skip(), "", True
    return gr.update(value="", interactive=False), question, True


def _take_without_dates(turns: list[render.Turn] | None) -> tuple:
    """The date row's button: the last question asked again, searching all dates (the box locks meanwhile)."""
    question = turns[-1].question if turns else ""
    if not question:
        return gr.skip(), "", True, gr.update(visible=False)
    return gr.update(interactive=False), question, False, gr.update(visible=False)


def _take_example(evt: gr.SelectData) -> tuple:
    return _take_question(evt.value["text"])


def _reopen() -> tuple:
    """The answer is over (done, failed or stopped): the box takes questions again, Send replaces Stop."""
    return gr.update(interactive=True), gr.update(visible=True), gr.update(visible=False)


