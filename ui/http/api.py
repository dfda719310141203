"""The HTTP API of ``warta serve``, on the web UI's port: Warta's JSON API under ``/api`` and an
OpenAI-compatible chat API under ``/v1`` (docs/api.md documents both, with examples).

A front end like the CLI and the web UI: it reads a request, calls the assistant, the index or the
ingestor, and writes JSON. What it must never do is let a client show a claim the checks removed: the
model's text is revised after generation (``assistant.cite.ground``), so

- ``POST /api/ask`` with ``"stream": true`` sends the model's text as it is written as ``draft`` events and then
  the checked answer as one ``answer`` event, for clients that can replace what they showed;
- ``POST /v1/chat/completions`` (chat clients cannot replace text) streams only the checked answer, and keeps
  the connection alive with SSE comments while the model writes.

Login: when the web UI asks for one (``ui.auth_user_env`` / ``ui.auth_password_env``), every route here asks
for the same user and password, as HTTP Basic or as a bearer token that is the password (what OpenAI clients
send as their API key). Wrong passwords are slowed down and locked out like the UI's (``ui.web.login``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import Any, get_args

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute

from assistant.assistant import Assistant, question_from
from assistant.followup import Message, history_from
from assistant.records import Answer
from core.errors import InputError, WartaError
from core.identity import identity_key, index_identity
from core.settings import BackendName, Settings
from core.text.calendar import iso_day
from ingest.ingestor import Ingestor
from store.filters import Filters
from ui.web.login import FailedLogins

log = logging.getLogger(__name__)

MODEL = "warta"  # the configured answer backend; "warta-<backend>" names one ("warta-extractive": no model)
KEEP_ALIVE_S = 5.0  # an SSE comment at least this often while the model writes (proxies close quiet streams)
MAX_BODY_BYTES = 1_000_000


class ApiError(Exception):
    """A request the API refuses, with its HTTP status and a message naming what is wrong."""

    def __init__(self, status: int, message: str, code: str = "invalid_request",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}


def _error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
    # OpenAI clients read {"error": {"message", "type", "code"}}; Warta's own clients read the same shape
    return JSONResponse({"error": {"message": message, "type": code, "code": code}}, status_code=status,
                        headers=headers)


def _sse(data: Any, event: str = "") -> str:
    return (f"event: {event}\n" if event else "") + f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def _content(message: dict[str, Any], i: int) -> str:
    """A chat message's text: a string, or OpenAI's list of parts (only text parts are read)."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(part.get("text", "") for part in content
                         if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str))
    if content is None:
        return ""
    raise InputError(f"'messages'[{i}].content must be a string or a list of text parts")


def chat_turns(messages: object) -> tuple[str, list[Message]]:
    """(question, history) from OpenAI chat ``messages``: the last user message is the question, the user and
    assistant messages before it are the conversation; system and tool messages are ignored (Warta's own
    instructions decide how it answers).

    Raises:
        InputError: no messages, a malformed one, or no user message last.
    """
    if not isinstance(messages, list) or not messages:
        raise InputError("'messages' must be a non-empty list of {\"role\", \"content\"} objects")
    turns: list[Message] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise InputError(f"'messages'[{i}] must be an object with a 'role' and a 'content'")
        if message["role"] in ("user", "assistant"):
            turns.append({"role": message["role"], "content": _content(message, i)})
    if not turns or turns[-1]["role"] != "user":
        raise InputError("the last message must be the user's question")
    # the client's copy of earlier answers still carries their [n] markers: history_from keeps the text,
    # recent_turns (assistant.followup) strips markers before the model sees it
    return turns[-1]["content"], history_from(turns[:-1])


def _sentences_of(text: str) -> Iterator[str]:
    """``text`` in pieces that end after a sentence (with its marker), for streaming a finished answer."""
    start = 0
    for match in re.finditer(r"[.!?](?:\s*\[\d+(?:,\s*\d+)*\])*(?=\s+)", text):
        yield text[start:match.end()]
        start = match.end()
    if start < len(text):
        yield text[start:]


class Api:
    """The routes of the HTTP API over one assistant (the web UI's).

    Args:
        settings: the settings tree.
        assistant: answers, searches, and holds the index and the embedder.
        auth: (user, password) when a login is required, else None.
        failures: wrong-password bookkeeping shared with the web UI's login.
        backend: the answer backend of ``model: "warta"`` (default ``answer.backend``).
        token: a bearer token accepted as a login too (the one ``warta serve`` leaves for the CLI).
        ingestor: the ingestor to add articles with (the web UI's Library shares its own); default: a new one.
    """

    def __init__(self, settings: Settings, assistant: Assistant, *, auth: tuple[str, str] | None = None,
                 failures: FailedLogins | None = None, backend: str | None = None, token: str | None = None,
                 ingestor: Callable[[], Ingestor] | None = None) -> None:
        self.settings, self.assistant, self.auth, self.backend = settings, assistant, auth, backend
        self.token = token  # the CLI's login (ui.http.state), beside the UI's password
        self.failures = failures or FailedLogins.from_settings(settings.ui)
        self._ingest_lock = threading.Lock()
        # one answer at a time, as in the web UI's queue: two on 2 cores would each take twice as long
        self._answering = threading.Lock()
        self._ingestor = ingestor or (lambda: Ingestor(settings, index=assistant.index, embedder=assistant.embedder))

    # --- login ------------------------------------------------------------------------------------------

    def _credentials_ok(self, header: str) -> bool:
        assert self.auth is not None
        user, password = self.auth
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            given = value.strip().encode()
            return hmac.compare_digest(given, password.encode()) | (
                self.token is not None and hmac.compare_digest(given, self.token.encode()))
        if scheme.lower() == "basic":
            try:
                given_user, _, given_password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            return (hmac.compare_digest(given_user.encode(), user.encode())
                    & hmac.compare_digest(given_password.encode(), password.encode()))
        return False

    async def require_login(self, request: Request) -> None:
        if self.auth is None:
            return
        key = request.client.host if request.client else "?"
        wait = self.failures.locked_for(key)
        if wait > 0:
            raise ApiError(429, f"too many wrong passwords: try again in {wait:.0f} s", "rate_limited",
                           headers={"Retry-After": str(int(wait) + 1)})
        header = request.headers.get("authorization", "")
        if header and self._credentials_ok(header):
            self.failures.succeeded(key)
            return
        if header:  # a wrong password (no header at all is a client that has not tried yet)
            await asyncio.sleep(self.failures.failed(key))
        raise ApiError(401, "log in with the web UI's user and password (HTTP Basic, or the password as a "
                            "bearer token / API key)", "invalid_api_key",
                       headers={"WWW-Authenticate": 'Basic realm="warta"'})

    # --- routes -------------------------------------------------------------------------------------------

    @staticmethod
    def exception_handlers() -> dict[type[Exception], Callable[..., Any]]:
        """For the app: a refused request (``ApiError``: no login, a body that is not JSON) answered as an error."""

        async def refused(request: Request, exc: Exception) -> Response:
            assert isinstance(exc, ApiError)
            return _error(exc.status, exc.message, exc.code, exc.headers)

        return {ApiError: refused}

    def routes(self) -> list[BaseRoute]:
        router = APIRouter(dependencies=[Depends(self.require_login)])
        router.add_api_route("/v1/models", self.models, methods=["GET"])
        router.add_api_route("/v1/chat/completions", self.chat_completions, methods=["POST"])
        router.add_api_route("/api/ask", self.ask, methods=["POST"])
        router.add_api_route("/api/search", self.search, methods=["POST"])
        router.add_api_route("/api/articles", self.list_articles, methods=["GET"])
        router.add_api_route("/api/articles", self.add_articles, methods=["POST"])
        router.add_api_route("/api/articles/{ref:path}", self.remove_article, methods=["DELETE"])
        router.add_api_route("/api/stats", self.stats, methods=["GET"])
        router.add_api_route("/api/server", self.server, methods=["GET"])
        return list(router.routes)

    @staticmethod
    async def _body(request: Request) -> dict[str, Any]:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:  # refused before it is read
            raise ApiError(413, f"the request body is larger than {MAX_BODY_BYTES:,} bytes")
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            raise ApiError(413, f"the request body is larger than {MAX_BODY_BYTES:,} bytes")
        try:
            body = json.loads(raw or b"{}")
        except (ValueError, RecursionError):
            raise ApiError(400, "the request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, f"the request body must be a JSON object, got {type(body).__name__}")
        return body

    @staticmethod
    def _guarded(call: Callable[[], Any]) -> Any:
        """Run ``call()``: Warta's errors become 400/503 with their message, anything else a 500 that names
        only its type (the traceback goes to the server log, never to the client)."""
        try:
            return call()
        except ApiError as exc:
            return _error(exc.status, exc.message, exc.code)
        except InputError as exc:
            return _error(400, str(exc), "invalid_request")
        except WartaError as exc:
            return _error(503, str(exc), "unavailable")
        except Exception as exc:
            log.exception("API request failed")
            return _error(500, f"internal error ({type(exc).__name__}); see the server log", "internal_error")

    def _backend_of(self, model: object) -> str | None:
        if model in (None, "", MODEL):
            return self.backend
        if isinstance(model, str) and model.startswith(f"{MODEL}-") and model[len(MODEL) + 1:] in self._backends():
            return model[len(MODEL) + 1:]
        raise ApiError(404, f"unknown model {model!r}: GET /v1/models lists them", "model_not_found")

    def _backends(self) -> list[str]:
        return sorted({self.backend or self.settings.answer.backend, "extractive"})

    def _ask(self, question: str, history: list[Message], filters: Filters, backend: str | None,
             **when: Any) -> Answer:
        with self._answering:
            return self.assistant.ask(question, history, filters=filters, backend=backend, **when)

    def _stream(self, question: str, history: list[Message], filters: Filters,
                backend: str | None, **when: Any) -> Iterator[str | Answer]:
        """The draft's pieces as the model writes them, then the checked ``Answer``. A client that goes away
        stops the model (the generator is closed, and closes the answer's stream). ``when``: ``time_aware`` and
        ``now`` (see ``time_options``)."""
        with self._answering:
            stream = self.assistant.stream(question, history, filters=filters, backend=backend, **when)
            try:
                yield from stream
            finally:
                stream.close()
            assert stream.answer is not None
            yield stream.answer

    # --- OpenAI-compatible ------------------------------------------------------------------------------

    async def models(self) -> JSONResponse:
        names = [MODEL, *(f"{MODEL}-{b}" for b in self._backends())]
        return JSONResponse({"object": "list", "data": [
            {"id": name, "object": "model", "created": 0, "owned_by": "warta"} for name in names]})

    async def chat_completions(self, request: Request) -> Response:
        body = await self._body(request)

        def start() -> tuple[str, list[Message], str | None, Filters, dict[str, Any]]:
            backend = self._backend_of(body.get("model"))
            question, history = chat_turns(body.get("messages"))
            return question, history, backend, Filters.from_json(body.get("filters")), time_options(body)

        started = self._guarded(start)
        if isinstance(started, JSONResponse):
            return started
        question, history, backend, filters, when = started
        reply_id, created, model = f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), body.get("model") or MODEL

        def completion(answer: Answer) -> dict[str, Any]:
            return {"id": reply_id, "object": "chat.completion", "created": created, "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                    "citations": [c.to_json() for c in answer.citations], "warta": _details(answer)}

        if not body.get("stream"):
            return await asyncio.to_thread(self._guarded, lambda: JSONResponse(
                completion(self._ask(question, history, filters, backend, **when))))

        def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
            return _sse({"id": reply_id, "object": "chat.completion.chunk", "created": created, "model": model,
                         "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra})

        def events() -> Iterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            try:
                last = time.monotonic()
                answer = None
                for piece in self._stream(question, history, filters, backend, **when):
                    if isinstance(piece, Answer):
                        answer = piece
                    elif time.monotonic() - last >= KEEP_ALIVE_S:  # the draft is not sent: it may still lose a
                        last = time.monotonic()  # sentence to the checks
                        yield ": the answer is being written\n\n"
                assert answer is not None
            except Exception as exc:
                if not isinstance(exc, WartaError):
                    log.exception("API answer failed")
                yield _sse({"error": {"message": _message(exc), "type": "unavailable", "code": "unavailable"}})
                return
            for piece in _sentences_of(answer.text):
                yield chunk({"content": piece})
            yield chunk({}, "stop", citations=[c.to_json() for c in answer.citations], warta=_details(answer))
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    # --- Warta's JSON API -------------------------------------------------------------------------------

    async def ask(self, request: Request) -> Response:
        body = await self._body(request)

        def start() -> tuple[str, list[Message], str | None, Filters, dict[str, Any]]:
            if "question" not in body:
                raise InputError("'question' is missing")
            backend = body.get("backend")
            if backend is not None and backend not in get_args(BackendName):
                raise InputError(f"unknown backend {backend!r} ({', '.join(get_args(BackendName))})")
            return (question_from(body["question"]), history_from(body.get("history")), backend or self.backend,
                    Filters.from_json(body.get("filters")), time_options(body))

        started = self._guarded(start)
        if isinstance(started, JSONResponse):
            return started
        question, history, backend, filters, when = started
        if not body.get("stream"):
            return await asyncio.to_thread(self._guarded, lambda: JSONResponse(
                self._ask(question, history, filters, backend, **when).to_json()))

        def events() -> Iterator[str]:
            try:
                for piece in self._stream(question, history, filters, backend, **when):
                    if isinstance(piece, Answer):
                        yield _sse(piece.to_json(), "answer")
                    else:
                        yield _sse({"text": piece}, "draft")
            except Exception as exc:
                if not isinstance(exc, WartaError):
                    log.exception("API answer failed")
                yield _sse({"error": _message(exc)}, "error")

        return StreamingResponse(events(), media_type="text/event-stream")

    async def search(self, request: Request) -> Response:
        body = await self._body(request)

        def run() -> JSONResponse:
            query = question_from(body.get("query", body.get("question")))
            k = body.get("k")
            if k is not None and (not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 100):
                raise InputError("'k' must be a whole number from 1 to 100")
            mode = body.get("mode", "hybrid")
            if mode not in ("hybrid", "dense", "keyword"):
                raise InputError(f"unknown mode {mode!r} (hybrid, dense or keyword)")
            found = self.assistant.search(query, k=k, filters=Filters.from_json(body.get("filters")), mode=mode,
                                          **time_options(body))
            return JSONResponse({"query": query, "language": found.language, "relevant": found.relevant,
                                 "timings_ms": found.timings_ms, "hits": [h.to_json() for h in found.hits],
                                 "time": found.time.to_json(found.language) if found.time.asked else None})

        return await asyncio.to_thread(self._guarded, run)

    async def list_articles(self) -> Response:
        return await asyncio.to_thread(self._guarded, lambda: JSONResponse(
            [a.to_json() for a in self.assistant.index.articles()]))

    async def server(self) -> Response:
        """Which index this server answers from (the CLI checks it before using the server)."""
        return JSONResponse({"index": identity_key(index_identity(self.settings)),
                             "data_dir": str(self.settings.data_dir),
                             "backend": self.backend or self.settings.answer.backend})

    async def stats(self) -> Response:
        return await asyncio.to_thread(self._guarded, lambda: JSONResponse(self.assistant.index.stats()))

    async def remove_article(self, ref: str) -> Response:
        def run() -> JSONResponse:
            removed = self.assistant.index.remove(ref)
            if not removed:
                raise ApiError(404, f"no stored article has the id or URL {ref!r}", "not_found")
            return JSONResponse({"removed": [a.to_json() for a in removed]})

        return await asyncio.to_thread(self._guarded, run)

    async def add_articles(self, request: Request) -> Response:
        """``{"urls": [...]}`` (pages or feeds to fetch) and/or ``{"articles": [{"title", "text", "url"?, "outlet"?,
        "date"?, "lang"?}, ...]}``; one result per item, a bad item named in its own result."""
        body = await self._body(request)

        def run() -> JSONResponse:
            from ingest.sources.jsonl import from_json_text
            from ingest.sources.load import load_sources

            urls = body.get("urls", [body["url"]] if "url" in body else [])
            articles = body.get("articles", [])
            if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
                raise InputError("'urls' must be a list of http(s) URLs")
            if not all(u.startswith(("http://", "https://")) for u in urls):
                raise InputError("only http(s) URLs can be ingested through the API (files: use `warta ingest`)")
            if not isinstance(articles, list):
                raise InputError("'articles' must be a list of {\"title\", \"text\", ...} objects")
            if not urls and not articles:
                raise InputError("nothing to ingest: give 'urls' and/or 'articles'")
            with self._ingest_lock:
                cfg = self.settings.ingest

                def loaded() -> Iterator[Any]:
                    yield from load_sources(urls, cfg)
                    if articles:
                        yield from from_json_text(json.dumps(articles), "articles", cfg)

                report = self._ingestor().ingest_loaded(loaded())
            return JSONResponse({"results": [asdict(r) for r in report.results], "summary": report.summary(),
                                 "seconds": round(report.seconds, 2)},
                                status_code=200 if not report.failed else 207)

        return await asyncio.to_thread(self._guarded, run)


def time_options(body: dict[str, Any]) -> dict[str, Any]:
    """``time_aware`` (bool, default true: honour a date range or "latest" the question asks for) and ``now`` (the
    day "kemarin" counts from, YYYY-MM-DD; default the server's ``time.now`` or today) of a request body.

    Raises:
        InputError: either has the wrong type or form.
    """
    aware, now = body.get("time_aware", True), body.get("now")
    if not isinstance(aware, bool):
        raise InputError(f"'time_aware' must be true or false, got {aware!r}")
    if now is None or now == "":
        return {"time_aware": aware}
    try:
        return {"time_aware": aware, "now": iso_day(now)}
    except ValueError:
        raise InputError(f"'now' must be a day as YYYY-MM-DD, got {now!r}") from None


def _details(answer: Answer) -> dict[str, Any]:
    """What an OpenAI-shaped reply carries besides the text: refusal, removed sentences, language, notes."""
    data = answer.to_json()
    return {key: data[key] for key in ("refused", "language", "unsupported", "corrected", "standalone_question",
                                       "backend", "note", "time")}


def _message(exc: Exception) -> str:
    return str(exc) if isinstance(exc, WartaError) else f"internal error ({type(exc).__name__}); see the server log"
