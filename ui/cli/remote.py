"""``warta ask``, ``chat`` and ``search`` through a running ``warta serve`` on the same data dir: its models
are loaded already, so an answer starts in seconds instead of after ~15 s of loading.

``connect`` finds the server (``ui.http.state``) and checks that it serves the same index as this CLI's settings
would open; anything else (no server, a dead one, another index, ``ui.cli_use_server = false``) means None,
and the CLI answers by itself as before. ``RemoteAssistant`` has the part of ``Assistant``'s interface the CLI
uses, over the HTTP API (``ui.http.api``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from assistant.records import Answer
from core.errors import InputError, WartaError
from core.identity import identity_key, index_identity
from core.paths import server_file
from core.records import Hit
from core.settings import SearchMode, Settings
from store.filters import Filters
from ui.http.state import ServerState, read_state

if TYPE_CHECKING:  # not needed to talk to a server: the CLI starts faster without them
    from assistant.followup import Message
    from assistant.retrieve import Retrieval

CONNECT_TIMEOUT_S = 1.0  # a server that does not answer this fast is not used
ANSWER_TIMEOUT_S = 900.0  # generous: the server may be answering someone else first


class ServerError(WartaError):
    """The running ``warta serve`` failed a request."""


def connect(settings: Settings) -> RemoteAssistant | None:
    """The data dir's running server, when there is one that serves the index these settings open."""
    if not settings.ui.cli_use_server:
        return None
    state = read_state(server_file(settings))
    if state is None:
        return None
    try:
        with httpx.Client(timeout=CONNECT_TIMEOUT_S) as client:
            r = client.get(f"{state.url}/api/server", headers={"Authorization": f"Bearer {state.token}"})
        if r.status_code != 200 or r.json().get("index") != identity_key(index_identity(settings)):
            return None
    except (httpx.HTTPError, ValueError):
        return None
    return RemoteAssistant(state, settings.answer.backend, settings.time.now)


class RemoteStream:
    """An answer being written by the server: iterate for the draft pieces, then ``result()``."""

    def __init__(self, events: Iterator[tuple[str, dict[str, Any]]]) -> None:
        self._events = events
        self.answer: Answer | None = None

    def __iter__(self) -> RemoteStream:
        return self

    def __next__(self) -> str:
        for event, data in self._events:
            if event == "draft":
                return str(data.get("text", ""))
            if event == "answer":
                self.answer = Answer.from_json(data)
            elif event == "error":
                raise ServerError(f"the running warta serve could not answer: {data.get('error')}")
        if self.answer is None:
            raise ServerError("the running warta serve stopped before the answer was complete")
        raise StopIteration

    def result(self) -> Answer:
        for _ in self:
            pass
        assert self.answer is not None
        return self.answer


class RemoteAssistant:
    """What the CLI needs of ``Assistant``, answered by a running ``warta serve``."""

    def __init__(self, state: ServerState, backend: str, now: str = "") -> None:
        self.state, self.backend = state, backend
        self.now = now  # the CLI's `--now` / WARTA_NOW, sent with every question (else the server's day counts)
        self._client = httpx.Client(base_url=state.url, timeout=ANSWER_TIMEOUT_S,
                                    headers={"Authorization": f"Bearer {state.token}"})

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            r = self._client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise ServerError(f"the running warta serve at {self.state.url} did not answer ({exc}); stop it or "
                              "set ui.cli_use_server = false") from None
        data = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
        if r.status_code == 400:
            raise InputError(data.get("error", {}).get("message", r.text))
        if r.status_code != 200:
            raise ServerError(f"the running warta serve failed: {data.get('error', {}).get('message', r.text)}")
        return data

    def search(self, query: str, *, k: int | None = None, filters: Filters | None = None,
               mode: SearchMode = "hybrid") -> Retrieval:
        from assistant.records import TimeFocus
        from assistant.retrieve import Retrieval

        data = self._post("/api/search", {"query": query, "k": k, "mode": mode, "now": self.now,
                                          "filters": (filters or Filters()).to_json()})
        return Retrieval(data["query"], data["language"], [Hit.from_json(h) for h in data["hits"]], data["relevant"],
                         data.get("timings_ms", {}), TimeFocus.from_json(data.get("time")))

    def warnings(self) -> list[str]:
        try:
            return list(self._client.get("/api/stats").json().get("warnings", []))
        except (httpx.HTTPError, ValueError):
            return []

    def _body(self, question: str, history: Sequence[Message], filters: Filters | None,
              backend: str | None) -> dict[str, Any]:
        return {"question": question, "history": list(history), "filters": (filters or Filters()).to_json(),
                "backend": backend or self.backend, "now": self.now}

    def ask(self, question: str, history: Sequence[Message] = (), *, filters: Filters | None = None,
            backend: str | None = None) -> Answer:
        return Answer.from_json(self._post("/api/ask", self._body(question, history, filters, backend)))

    def stream(self, question: str, history: Sequence[Message] = (), *, filters: Filters | None = None,
               backend: str | None = None) -> RemoteStream:
        body = {**self._body(question, history, filters, backend), "stream": True}
        return RemoteStream(self._events(body))

    def _events(self, body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        try:
            with self._client.stream("POST", "/api/ask", json=body) as r:
                if r.status_code != 200:
                    r.read()
                    message = r.json().get("error", {}).get("message", r.text) if r.content else r.reason_phrase
                    raise (InputError if r.status_code == 400 else ServerError)(message)
                event = "message"
                for line in r.iter_lines():
                    if line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: "):
                        yield event, json.loads(line[6:])
                        event = "message"
        except httpx.HTTPError as exc:
            raise ServerError(f"the running warta serve at {self.state.url} stopped answering ({exc})") from None

    def warm_up(self, backend: str | None = None) -> None:
        """The server has its models loaded."""

    def close(self) -> None:
        self._client.close()
