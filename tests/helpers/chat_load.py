"""Concurrent chat sessions against a running Warta web UI, in one headless Chromium (real pages, real queue).

Each session is its own browser context (its own Gradio session): it opens the app, then asks its questions
one after another, each as soon as the previous answer finished streaming. All sessions run at once, so the
server sees up to ``len(sessions)`` chats queued together. Used by ``tests/test_load.py`` (a bounded run in
``make test``) and ``benchmarks/bench_load.py`` (figures).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ui.web.texts import MESSAGES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# What the app writes in place of an answer when something failed, in both languages (up to the detail).
ERROR_TEXTS = tuple(MESSAGES[lang][key].split("{")[0].rstrip(": ") for lang in MESSAGES for key in ("error", "internal"))


# (question, what a correct run does): the seed article answers the first three, nothing answers the last.
QUESTIONS = [
    ("Why did OpenAI drop Scale AI?", "answer"),
    ("Berapa nilai investasi Meta di Scale AI?", "answer"),
    ("Siapa CEO interim Scale AI?", "answer"),
    ("Who won the 2022 World Cup?", "refuse"),
]
REFUSALS = ("I could not find the answer", "Saya tidak menemukan jawabannya")


def session_questions(n_sessions: int, per_session: int) -> list[list[str]]:
    """Each session starts at another question, so the server sees a mix at every moment."""
    return [[QUESTIONS[(s + t) % len(QUESTIONS)][0] for t in range(per_session)] for s in range(n_sessions)]


@dataclass
class Turn:
    session: int
    turn: int
    question: str
    seconds: float = 0.0  # from pressing Enter to the answer's sources being written
    answer: str = ""
    cards: int = 0  # source cards shown for this answer
    titles: tuple[str, ...] = ()  # their titles
    error: str = ""
    resent: int = 0  # times Enter was pressed again while the question was not taken yet (see ``_send``)


@dataclass
class LoadRun:
    turns: list[Turn]
    open_seconds: float  # opening every page, before the first question

    @property
    def errors(self) -> list[Turn]:
        return [t for t in self.turns if t.error]

    def percentile(self, q: float) -> float:
        values = sorted(t.seconds for t in self.turns if not t.error)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]

    def summary(self) -> str:
        return (f"{len({t.session for t in self.turns})} sessions, {len(self.turns)} questions, "
                f"{len(self.errors)} errors, p50 {self.percentile(50):.2f} s, p95 {self.percentile(95):.2f} s, "
                f"max {max((t.seconds for t in self.turns), default=0):.2f} s, "
                f"Enter pressed again {sum(t.resent for t in self.turns)} times (a question the page did not take)")


TAKEN_S = 20  # a question the page has not taken after this long is sent again, as a user would


async def _send(page, box, question: str, turn: Turn, timeout_s: float) -> None:
    """Type ``question`` and press Enter; press it again while the page has not taken it.

    The page takes a question at once (the box empties and locks until the answer is done: ``ui.web.app``), so
    ``fill`` waits for the previous answer and Enter is never pressed into a pending answer event. A question the
    queue holds is taken all the same (its bubble comes when its turn comes). Enter is pressed again only when
    the box still holds the question after ``TAKEN_S``: counted. On a starved machine taking it can take longer
    than that (10 of 20 in one CI run); the repeated Enter then falls into the pending take and is dropped, so no
    question is sent twice."""
    await box.fill(question)
    await box.press("Enter")
    asked = page.locator('#chatbot [data-testid="user"]').nth(turn.turn - 1)
    for _ in range(max(1, int(timeout_s // TAKEN_S))):
        try:
            await asked.wait_for(state="attached", timeout=TAKEN_S * 1000)
            return
        except Exception:  # noqa: BLE001 (playwright's TimeoutError: not taken yet)
            if await box.input_value() != question:
                return  # taken (the box was emptied): its bubble is on its way
            await box.press("Enter")
            turn.resent += 1
    raise TimeoutError(f"the page did not take the question in {timeout_s:.0f} s")


async def _answered(page, question: str, taken: int, resent: int, timeout_s: float) -> int:
    """The page's turn that answers ``question`` (the one after ``taken``), once its sources are written. When Enter
    was pressed again (``resent``) the page may have taken the previous question twice: a turn whose question
    bubble is not ``question`` is that repeat, and the answer is the next turn."""
    for _ in range(1 + resent):
        taken += 1
        done = page.locator(f'#sources-panel [data-turn="{taken}"][data-status="done"]')
        await done.wait_for(state="attached", timeout=timeout_s * 1000)
        asked = await page.locator('#chatbot [data-testid="user"]').nth(taken - 1).inner_text()
        if " ".join(question.split()) in " ".join(asked.split()):
            break
    return taken


async def _state(page) -> str:
    """What the page shows, for the error of a turn that did not finish: bubbles, the last answer, the turns of
    the sources panel, error toasts, console errors."""
    try:
        return await page.evaluate("""() => {
            const q = (s) => Array.from(document.querySelectorAll(s));
            const bots = q('#chatbot [data-testid="bot"]');
            return JSON.stringify({
                user: q('#chatbot [data-testid="user"]').length, bot: bots.length,
                last_bot: bots.length ? bots[bots.length - 1].innerText.slice(0, 120) : "",
                box: (document.querySelector('#msg textarea') || {}).value,
                panel: q('#sources-panel [data-turn]').map(e => e.dataset.turn + ':' + e.dataset.status),
                toasts: q('.toast-body, [data-testid="toast-body"]').map(e => e.innerText.slice(0, 200)),
                errors: window.__console_errors || [],
            });
        }""")
    except Exception as exc:  # noqa: BLE001 (a closed page)
        return f"unreadable ({type(exc).__name__})"


async def _session(browser, url: str, n: int, questions: Sequence[str], timeout_s: float, opened: asyncio.Barrier,
                   out: list[Turn]) -> None:
    context = await browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-US")
    try:
        page = await context.new_page()
        await page.add_init_script("window.__console_errors = [];"
                                   "window.addEventListener('error', e => window.__console_errors.push(String(e.message)));"
                                   "window.addEventListener('unhandledrejection', e => "
                                   "window.__console_errors.push('rejection: ' + String(e.reason)));")
        page.set_default_timeout(timeout_s * 1000)
        await page.goto(url, wait_until="domcontentloaded")
        await page.wait_for_selector("#chatbot")
        await opened.wait()  # every session asks at the same moment
        taken = 0  # the questions the page took: a repeated Enter on a starved machine can make it take one twice
        for i, question in enumerate(questions, start=1):
            turn = Turn(n, i, question)
            out.append(turn)
            started = time.monotonic()
            try:
                box = page.locator("#msg textarea")
                await _send(page, box, question, turn, timeout_s)
                taken = await _answered(page, question, taken, turn.resent, timeout_s)
                turn.seconds = time.monotonic() - started
                turn.answer = await page.locator('#chatbot [data-testid="bot"]').nth(taken - 1).inner_text()
                turn.titles = tuple(await page.locator(f'#sources-panel [data-turn="{taken}"] .src-card .src-title')
                                    .all_inner_texts())
                turn.cards = len(turn.titles)
                shown = next((text for text in ERROR_TEXTS if text in turn.answer), "")
                if shown:
                    turn.error = f"error shown: {turn.answer[turn.answer.index(shown):][:300]}"
            except Exception as exc:  # noqa: BLE001 (a timeout or a closed page: recorded, the run goes on)
                turn.seconds = time.monotonic() - started
                turn.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}; page: {await _state(page)}"
    finally:
        await context.close()


async def _run(url: str, sessions: Sequence[Sequence[str]], timeout_s: float) -> LoadRun:
    from playwright.async_api import async_playwright

    turns: list[Turn] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            opened = asyncio.Barrier(len(sessions) + 1)
            started = time.monotonic()
            tasks = [asyncio.create_task(_session(browser, url, n, qs, timeout_s, opened, turns))
                     for n, qs in enumerate(sessions, start=1)]
            await asyncio.wait_for(opened.wait(), timeout=timeout_s)
            open_seconds = time.monotonic() - started
            await asyncio.gather(*tasks)
        finally:
            await browser.close()
    return LoadRun(sorted(turns, key=lambda t: (t.session, t.turn)), open_seconds)


def run_sessions(url: str, sessions: Sequence[Sequence[str]], *, timeout_s: float = 300.0) -> LoadRun:
    """Run one chat session per entry of ``sessions`` (its questions, asked in order) against ``url``."""
    return asyncio.run(_run(url, sessions, timeout_s))
