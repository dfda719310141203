"""The login brake: wrong passwords are answered slower and slower, then refused for a while.

Gradio's ``launch(auth=...)`` checks the password on ``POST /login`` and answers at once, as often as it
is asked (50 wrong passwords took 11 s). ``LoginBrake`` is an ASGI middleware in front of that route,
given to Gradio's FastAPI app through ``launch(app_kwargs={"middleware": [...]})``:

- a wrong password from a client (its IP address) is answered after ``ui.login_delay_s``, doubled for
  each further one in a row, and one client's attempts are taken one at a time, so that sending them in
  parallel gains nothing;
- after ``ui.login_max_failures`` wrong passwords in a row the client's logins are paused for
  ``ui.login_lockout_s``: every attempt, right or wrong, gets HTTP 429 with the seconds left;
- a successful login forgets the client's failures; failures older than the lockout are forgotten too.

Gradio also leaves ``/gradio_api/cancel``, ``/gradio_api/reset`` and ``/gradio_api/heartbeat/<session>``
open without a login. They reveal nothing (``{"success": true}``), but given someone's session id (it
travels in URLs that a reverse proxy may log) ``cancel`` stops their answer and ``heartbeat`` closes their
session; so when a login is set they require one too.

Behind a reverse proxy every client has the proxy's address: the brake then counts them together.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.settings import UISettings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_DELAY_S = 60.0  # a wrong password is never answered later than this
SESSION_ROUTES = ("/gradio_api/cancel", "/gradio_api/reset")  # plus /gradio_api/heartbeat/<session>


@dataclass
class _Client:
    failures: int = 0
    last_failure: float = 0.0
    locked_until: float = 0.0


class FailedLogins:
    """Wrong passwords per client, and the delay or lockout they have earned. Pure bookkeeping.

    Args:
        max_failures: wrong passwords in a row that pause a client's logins.
        lockout_s: how long they are paused; failures older than this are forgotten.
        delay_s: delay before answering the first wrong password; doubled for each further one.
        clock: seconds, monotonic (tests pass their own).
        max_clients: clients remembered at most (the oldest quiet ones are forgotten first).
    """

    def __init__(self, max_failures: int, lockout_s: float, delay_s: float, *,
                 clock: Callable[[], float] = time.monotonic, max_clients: int = 10_000) -> None:
        self.max_failures, self.lockout_s, self.delay_s = max_failures, lockout_s, delay_s
        self.clock, self.max_clients = clock, max_clients
        self._clients: dict[str, _Client] = {}

    @classmethod
    def from_settings(cls, ui: UISettings) -> FailedLogins:
        return cls(ui.login_max_failures, ui.login_lockout_s, ui.login_delay_s)

    def locked_for(self, key: str) -> float:
        """Seconds until ``key`` may try again; 0 when it may now."""
        client = self._clients.get(key)
        if client is None:
            return 0.0
        left = client.locked_until - self.clock()
        if left > 0:
            return left
        if client.locked_until:  # a lockout has run out: a fresh start
            del self._clients[key]
        return 0.0

    def failed(self, key: str) -> float:
        """Record a wrong password from ``key``; returns the seconds to wait before answering it
        (0 when this one locks the client out: ``locked_for`` then says for how long)."""
        now = self.clock()
        client = self._clients.get(key)
        if client is None or now - client.last_failure > self.lockout_s:
            client = self._clients[key] = _Client(last_failure=now)
            self._forget_some(keep=key)
        client.failures += 1
        client.last_failure = now
        if client.failures >= self.max_failures:
            client.locked_until = now + self.lockout_s
            return 0.0
        return min(self.delay_s * 2 ** (client.failures - 1), MAX_DELAY_S)

    def succeeded(self, key: str) -> None:
        self._clients.pop(key, None)

    def _forget_some(self, keep: str) -> None:
        if len(self._clients) <= self.max_clients:
            return
        now = self.clock()
        for key, client in list(self._clients.items()):
            if client.locked_until <= now and now - client.last_failure > self.lockout_s:
                del self._clients[key]
        while len(self._clients) > self.max_clients:  # many clients at once: the oldest failures go first
            del self._clients[min((k for k in self._clients if k != keep), key=lambda k: self._clients[k].last_failure)]


class LoginBrake:
    """ASGI middleware: ``FailedLogins`` on Gradio's ``POST /login``, and a login for its session routes."""

    def __init__(self, app: ASGIApp, failures: FailedLogins) -> None:
        self.app = app
        self.failures = failures
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}  # per client: one attempt at a time

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "").rstrip("/")
        if scope.get("method") == "POST" and path.endswith("/login"):
            await self._login(scope, receive, send)
        elif (path.endswith(SESSION_ROUTES) or "/gradio_api/heartbeat/" in path) and not logged_in(scope):
            await _reply(send, 401, {"detail": "Not authenticated"})
        else:
            await self.app(scope, receive, send)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = (scope.get("client") or ("unknown", 0))[0]
        lock, waiting = self._turns.get(key) or (asyncio.Lock(), 0)
        self._turns[key] = (lock, waiting + 1)
        try:
            async with lock:
                await self._attempt(key, scope, receive, send)
        finally:
            lock, waiting = self._turns[key]
            if waiting > 1:
                self._turns[key] = (lock, waiting - 1)
            else:
                del self._turns[key]

    async def _attempt(self, key: str, scope: Scope, receive: Receive, send: Send) -> None:
        if wait := self.failures.locked_for(key):
            await _locked(send, wait)
            return
        held: list[Message] = []
        status = 0

        async def hold_failures(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            if status == 400:  # Gradio's "Incorrect credentials": held back until the delay is over
                held.append(message)
            else:
                await send(message)

        await self.app(scope, receive, hold_failures)
        if status == 200:
            self.failures.succeeded(key)
        elif status == 400:
            delay = self.failures.failed(key)
            if wait := self.failures.locked_for(key):
                await _locked(send, wait)
                return
            await asyncio.sleep(delay)
            for message in held:
                await send(message)


def logged_in(scope: Scope) -> bool:
    """The request carries the cookie of a Gradio login (``App.tokens``; Gradio 6.31 names the cookie
    ``access-token[-unsecure]-<cookie_id>``). Anything unexpected counts as not logged in."""
    app = scope.get("app")
    tokens, cookie_id = getattr(app, "tokens", None), getattr(app, "cookie_id", None)
    if not isinstance(tokens, dict) or not cookie_id:
        return False
    from starlette.requests import Request

    cookies = Request(scope).cookies
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return token is not None and token in tokens


async def _locked(send: Send, wait: float) -> None:
    seconds = math.ceil(wait)
    await _reply(send, 429, {"detail": f"Too many wrong passwords from your address: logins are paused for "
                                       f"{seconds} s. Try again later."}, [(b"retry-after", str(seconds).encode())])


async def _reply(send: Send, status: int, body: dict[str, str], headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": data})


def login_message(ui: UISettings) -> str:
    """What the login page says (Gradio shows it above the form; it cannot show the 429's text)."""
    minutes = max(1, round(ui.login_lockout_s / 60))
    return (f"Warta · {ui.login_max_failures} wrong passwords pause logins from your address for {minutes} min"
            f" · {ui.login_max_failures} kata sandi salah menjeda login dari alamat Anda selama {minutes} menit")
