"""The ``ik_llama`` runtime of the local model: ik_llama.cpp behind a small OpenAI-compatible chat endpoint.

Runs in the model's child process (``child.py``) when ``local.runtime = "ik_llama"``. ik_llama.cpp is a fork of
llama.cpp with faster CPU kernels; its PyPI wheel (``ik-llama-cpp-python``) carries bindings only, no server.
Measured side by side on the reference machine (BENCHMARKS.md, "Local model runtime"), the same GGUF reads
prompts ~1.6x and generates ~1.7x as fast as the xllamacpp build, with run-time repacking of the weights and
flash attention on. So this module serves what Warta's ``ChatOpenAI`` client needs from llama.cpp's server, and
nothing more:

- ``POST /v1/chat/completions``, streaming (SSE, with a final usage chunk) or not, greedy at temperature 0,
  with OpenAI's ``logprobs`` / ``top_logprobs`` (the assistant reads how likely the model's first token starts
  a refusal); ``GET /v1/models``; ``GET /health``. Bearer key required, loopback only (``server.py`` checks
  the address).
- The prompt is the model's ChatML template (Qwen2.5), rendered here; ``ChatML`` is checked against the
  GGUF's own Jinja template by a test through the llama.cpp runtime.
- One sequence, one request at a time (a lock: on 2 cores two generations at once are each half as fast).
  The KV cache keeps the previous prompt, and the states of a few earlier prompts are saved in RAM: a new
  prompt is read only from where it leaves the longest prefix it shares with one of them, so the system
  prompts and their worked examples are read once (``Assistant.warm_up`` sends them at start).
"""

from __future__ import annotations

import codecs
import ctypes
import itertools
import json
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

# Saved KV states of earlier prompts (the two system prompts with their examples, the follow-up rewriter's, the
# last question's): ~28 KB per token for the 1.5B model, so four prompts of ~1,000 tokens are ~110 MB.
_SAVED_PROMPTS = 4
# Restoring a saved state copies all of it: worth it only when it saves reading this many tokens.
_RESTORE_MIN_GAIN = 32
# OpenAI's limit of alternatives per token.
_MAX_TOP_LOGPROBS = 20

# Qwen2.5's chat template adds this system turn when a conversation has none.
QWEN_DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."


def chatml(messages: list[dict[str, Any]]) -> str:
    """The prompt Qwen2.5's GGUF template renders for ``messages`` (text contents), ready for the answer."""
    turns = list(messages)
    if not turns or turns[0].get("role") != "system":
        turns.insert(0, {"role": "system", "content": QWEN_DEFAULT_SYSTEM})
    out = []
    for m in turns:
        role, content = m.get("role"), m.get("content")
        if role not in ("system", "user", "assistant"):
            raise BadRequestError(f"unsupported message role {role!r}")
        if isinstance(content, list):  # OpenAI content parts: text only
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        if not isinstance(content, str):
            raise BadRequestError("each message needs a text content")
        out.append(f"<|im_start|>{role}\n{content}<|im_end|>\n")
    return "".join(out) + "<|im_start|>assistant\n"


class BadRequestError(ValueError):
    """A request the endpoint refuses with HTTP 400 (the message is sent to the client)."""


@dataclass
class Request:
    prompt: str
    max_tokens: int
    temperature: float
    stop: list[str]
    stream: bool
    include_usage: bool
    top_logprobs: int | None = None  # None: no logprobs; else each token's logprob and this many alternatives

    @classmethod
    def parse(cls, body: dict[str, Any], default_max_tokens: int) -> Request:
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            raise BadRequestError("'messages' must be a non-empty list")
        stop = body.get("stop") or []
        stop = [stop] if isinstance(stop, str) else [s for s in stop if isinstance(s, str) and s]
        max_tokens = body.get("max_completion_tokens") or body.get("max_tokens") or default_max_tokens
        if not isinstance(max_tokens, int) or max_tokens < 1:
            raise BadRequestError("'max_tokens' must be a positive integer")
        temperature = body.get("temperature", 0.0)
        if not isinstance(temperature, int | float) or temperature < 0:
            raise BadRequestError("'temperature' must be a number >= 0")
        top = body.get("top_logprobs")
        if top is not None and (not isinstance(top, int) or isinstance(top, bool) or not 0 <= top <= _MAX_TOP_LOGPROBS):
            raise BadRequestError(f"'top_logprobs' must be an integer from 0 to {_MAX_TOP_LOGPROBS}")
        if top is not None and not body.get("logprobs"):
            raise BadRequestError("'logprobs' must be true when 'top_logprobs' is given")
        return cls(
            chatml(body["messages"]),
            max_tokens,
            float(temperature),
            stop,
            bool(body.get("stream")),
            bool((body.get("stream_options") or {}).get("include_usage")),
            (top or 0) if body.get("logprobs") else None,
        )


class Piece(NamedTuple):
    """Answer text as it is sent, with the logprobs of the tokens it holds (OpenAI's ``logprobs.content`` items;
    empty unless asked for)."""

    text: str
    logprobs: list[dict[str, Any]]


class Engine:
    """The model and its one KV sequence; ``complete`` yields text pieces (one generation at a time)."""

    def __init__(self, model_path: str, *, n_ctx: int, n_threads: int, log_verbosity: int = 1) -> None:
        import ik_llama_cpp._ctypes_api as capi
        from ik_llama_cpp._internals import IkContext, IkModel

        self._C = C = capi  # noqa: N806 (the C API, named as in ik_llama_cpp)
        _quiet_logs(C, log_verbosity)
        C.llama_backend_init()
        params = C.llama_model_default_params()
        params.repack_tensors = True  # interleave the Q4_K/Q6_K rows for the CPU kernels at load (-rtr)
        model = IkModel.__new__(IkModel)
        model._model = C.llama_model_load_from_file(model_path.encode(), params)
        if not model._model:
            raise RuntimeError(f"ik_llama.cpp could not load {model_path}")
        model._vocab = C.llama_model_get_vocab(model._model)
        model.n_vocab = C.llama_vocab_n_tokens(model._vocab)
        self.model = model
        # One thread count for prompt reading and generation (IkContext sets both).
        self.ctx = IkContext(model, n_ctx=n_ctx, n_threads=n_threads, flash_attn=True)
        self._seq_rm = _bind(
            C._lib.llama_kv_cache_seq_rm,
            [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32, ctypes.c_int32],
            ctypes.c_bool,
        )
        # ik_llama.cpp's state calls end with a flags word (llama_state_seq_flags; 0: the whole state). Left out,
        # the callee reads whatever the register holds, saves a partial state and cannot restore it.
        self._state_size = _bind(C._lib.llama_state_seq_get_size, [ctypes.c_void_p, ctypes.c_int32, ctypes.c_uint32],
                                 ctypes.c_size_t)
        self._state_get = _bind(
            C._lib.llama_state_seq_get_data,
            [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int32, ctypes.c_uint32],
            ctypes.c_size_t,
        )
        self._state_set = _bind(
            C._lib.llama_state_seq_set_data,
            [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int32, ctypes.c_uint32],
            ctypes.c_size_t,
        )
        self.n_ctx = n_ctx
        self._cached: list[int] = []  # the tokens whose keys and values are in the KV cache, in order
        self._saved: list[tuple[list[int], ctypes.Array[ctypes.c_char]]] = []  # earlier prompts' states, newest last
        self.lock = threading.Lock()

    def tokenize(self, text: str) -> list[int]:
        return self.model.tokenize(text, add_bos=True, special=True)

    def _piece(self, token: int, buf: ctypes.Array[ctypes.c_char]) -> bytes:
        n = self._C.llama_token_to_piece(self.model.model, token, buf, len(buf), 0, False)
        return buf.raw[:n] if n > 0 else b""

    def _read(self, tokens: list[int]) -> int:
        """Bring the KV cache to ``tokens``: keep the longest prefix it shares with what is cached (live, or a
        saved earlier prompt), read the rest (at least the last token, for its logits), then save the state.
        Returns how many tokens were not read (found in the cache)."""
        C = self._C  # noqa: N806
        keep = _common(self._cached, tokens)
        best = max(self._saved, key=lambda saved: _common(saved[0], tokens), default=None)
        if best is not None and _common(best[0], tokens) > keep + _RESTORE_MIN_GAIN:
            self._seq_rm(self.ctx.ctx, 0, 0, -1)
            if self._state_set(self.ctx.ctx, best[1], len(best[1]), 0, 0):
                self._cached = list(best[0])
            else:  # could not restore: start from an empty cache
                self._cached = []
            keep = _common(self._cached, tokens)
        self._seq_rm(self.ctx.ctx, 0, keep, -1)
        self._cached = self._cached[:keep]
        step = self.ctx._n_ubatch
        from ik_llama_cpp._internals import make_batch_range

        for i in range(keep, len(tokens), step):
            chunk = tokens[i : i + step]
            batch = make_batch_range(chunk, pos_start=i, logits_last=i + step >= len(tokens))
            try:
                if C.llama_decode(self.ctx.ctx, batch) != 0:
                    raise RuntimeError("llama_decode failed while reading the prompt")
            finally:
                C.llama_batch_free(batch)
            self._cached.extend(chunk)
        self._save(tokens)
        return keep

    def _save(self, tokens: list[int]) -> None:
        """Keep the KV state of this prompt (a few, newest last), so that a request with another system prompt
        in between does not make the next one read this prompt's shared prefix again."""
        self._saved = [s for s in self._saved if _common(s[0], tokens) < len(s[0])]  # drop prefixes of this one
        size = self._state_size(self.ctx.ctx, 0, 0)
        data = ctypes.create_string_buffer(size)
        if self._state_get(self.ctx.ctx, data, size, 0, 0):
            self._saved.append((list(tokens), data))
        while len(self._saved) > _SAVED_PROMPTS:
            self._saved.pop(0)

    def _logits(self) -> Any:
        import numpy as np

        ptr = self._C.llama_get_logits_ith(self.ctx.ctx, -1)
        return np.ctypeslib.as_array(ptr, shape=(self.model.n_vocab,))

    @staticmethod
    def _next(logits: Any, temperature: float, rng: Any) -> int:
        import numpy as np

        if temperature <= 0:
            return int(logits.argmax())
        z = logits.astype(np.float64) / temperature
        p = np.exp(z - z.max())
        return int(rng.choice(len(p), p=p / p.sum()))

    def _logprob(self, logits: Any, token: int, top: int, buf: ctypes.Array[ctypes.c_char]) -> dict[str, Any]:
        """OpenAI's logprobs item for ``token``: its log-probability (of the model's distribution, before any
        temperature) and the ``top`` most likely tokens with theirs."""
        import numpy as np

        # on the raw float32 logits, summed in float64: ~1.7 ms a token on the reference CPU, not ~4 for a float64
        # copy of the 152k-token vocabulary (every token of an answer pays it)
        peak = float(logits.max())
        norm = peak + float(np.log(np.exp(logits - peak).sum(dtype=np.float64)))

        def item(t: int) -> dict[str, Any]:
            raw = self._piece(t, buf)
            return {"token": raw.decode("utf-8", errors="replace"), "logprob": float(logits[t]) - norm,
                    "bytes": list(raw)}

        best = np.argpartition(logits, -top)[-top:] if top else np.array([], dtype=int)
        return {**item(token), "top_logprobs": [item(int(t)) for t in best[np.argsort(-logits[best])]]}

    def complete(self, req: Request, usage: dict[str, int]) -> Iterator[Piece]:
        """Pieces of the answer to ``req`` (greedy at temperature 0); fills ``usage`` as it goes.

        The caller holds ``lock``. Generation stops at the end-of-turn token, at ``max_tokens`` or at a stop
        string (not included); ``usage["finish"]`` says which ("stop" or "length").
        """
        import numpy as np
        from ik_llama_cpp._internals import make_batch_single

        C = self._C  # noqa: N806
        tokens = self.tokenize(req.prompt)
        if len(tokens) >= self.n_ctx:  # as llama.cpp's server: the prompt must fit; the answer stops at the end
            raise BadRequestError(f"the prompt ({len(tokens)} tokens) does not fit the context of {self.n_ctx} "
                                  "tokens")
        usage.update(prompt_tokens=len(tokens), completion_tokens=0, finish=0)
        usage["cached_tokens"] = self._read(tokens)
        rng = np.random.default_rng()
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        buf = ctypes.create_string_buffer(256)
        text, sent = "", 0
        hold = max((len(s) for s in req.stop), default=1) - 1  # characters held back: a stop string may start there
        finish = "length"
        logprobs: list[dict[str, Any]] = []  # of the tokens whose text is not sent yet
        for _ in range(min(req.max_tokens, self.n_ctx - len(tokens))):
            logits = self._logits()
            token = self._next(logits, req.temperature, rng)
            if C.llama_token_is_eog(self.model.model, token):
                finish = "stop"
                break
            usage["completion_tokens"] += 1
            if req.top_logprobs is not None:
                logprobs.append(self._logprob(logits, token, req.top_logprobs, buf))
            text += decoder.decode(self._piece(token, buf))
            cut = min((i for i in (text.find(s) for s in req.stop) if i >= 0), default=-1)
            if cut >= 0:
                text, finish = text[:cut], "stop"
                break
            if len(text) - hold > sent:
                yield Piece(text[sent : len(text) - hold], logprobs)
                sent, logprobs = len(text) - hold, []
            batch = make_batch_single(token, len(self._cached))
            try:
                ok = C.llama_decode(self.ctx.ctx, batch) == 0
            finally:
                C.llama_batch_free(batch)
            self._cached.append(token)
            if not ok:
                raise RuntimeError("llama_decode failed while generating")
        text += decoder.decode(b"", final=True)
        if len(text) > sent or logprobs:
            yield Piece(text[sent:], logprobs)
        usage["finish"] = 1 if finish == "stop" else 2


_LOG_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
_KEEP_ALIVE: list[Any] = []  # the C library holds a pointer to the log callback


def _quiet_logs(C: Any, verbosity: int) -> None:  # noqa: N803 (the C API module)
    """Send ik_llama.cpp's log to stderr from the level ``server.py``'s ``log_verbosity`` names on (1 errors,
    2 warnings, 3 info), not its whole load report (ggml levels: 2 info, 3 warning, 4 error, 5 continued)."""
    floor = {1: 4, 2: 3}.get(verbosity, 2)
    shown = [False]

    def log(level: int, text: bytes, _: Any) -> None:
        shown[0] = shown[0] if level == 5 else level >= floor
        if shown[0]:
            sys.stderr.write(text.decode(errors="replace"))

    _KEEP_ALIVE.append(_LOG_CALLBACK(log))
    _bind(C._lib.llama_log_set, [_LOG_CALLBACK, ctypes.c_void_p], None)(_KEEP_ALIVE[-1], None)


def _bind(func: Any, argtypes: list[Any], restype: Any) -> Any:
    """A C function of the ik_llama library that its Python bindings leave out."""
    func.argtypes, func.restype = argtypes, restype
    return func


def _common(a: list[int], b: list[int]) -> int:
    """How many tokens ``a`` shares with ``b[:-1]`` from the start (the last token is always read again)."""
    n = 0
    for x, y in zip(a, b[:-1], strict=False):
        if x != y:
            break
        n += 1
    return n


def _finish(usage: dict[str, int]) -> str:
    return "stop" if usage.get("finish") == 1 else "length"


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no access log on stderr: prompts are private

    def _json(self, status: int, obj: dict[str, Any]) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        self._json(status, {"error": {"message": message, "type": kind, "code": status}})

    def _authorized(self) -> bool:
        given = self.headers.get("Authorization", "")
        if secrets.compare_digest(given.encode(), f"Bearer {self.server.api_key}".encode()):
            return True
        self._error(HTTPStatus.UNAUTHORIZED, "invalid API key", "authentication_error")
        return False

    def do_GET(self) -> None:
        if self.path == "/health":
            self._json(HTTPStatus.OK, {"status": "ok"})
        elif self.path == "/v1/models":
            if self._authorized():
                self._json(
                    HTTPStatus.OK,
                    {
                        "object": "list",
                        "data": [{"id": self.server.model_name, "object": "model", "owned_by": "warta", "created": 0}],
                    },
                )
        else:
            self._error(HTTPStatus.NOT_FOUND, f"no route {self.path}")

    def do_POST(self) -> None:
        # Read the body before any answer, even a refusal: left in a kept-alive connection, it would be parsed as
        # the next request (clients such as the openai library reuse their connections).
        try:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        except ValueError:
            self.close_connection = True
            self._error(HTTPStatus.BAD_REQUEST, "invalid Content-Length")
            return
        if self.path != "/v1/chat/completions":
            self._error(HTTPStatus.NOT_FOUND, f"no route {self.path}")
            return
        if not self._authorized():
            return
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise BadRequestError("the body must be a JSON object")
            req = Request.parse(body, self.server.max_tokens)
        except (ValueError, BadRequestError) as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        engine = self.server.engine
        with engine.lock:
            usage: dict[str, int] = {}
            pieces = engine.complete(req, usage)
            try:
                first = next(pieces, None)  # reads the prompt: a prompt that does not fit fails here, before any reply
            except BadRequestError as exc:
                self._error(HTTPStatus.BAD_REQUEST, str(exc))
                return
            if req.stream:
                self._stream(first, pieces, usage, req)
            else:
                whole = [first, *pieces] if first is not None else []
                self._json(
                    HTTPStatus.OK,
                    self._envelope(
                        "chat.completion",
                        {
                            "choices": [
                                {
                                    "index": 0,
                                    "message": {"role": "assistant", "content": "".join(p.text for p in whole)},
                                    "logprobs": _logprobs(req, [item for p in whole for item in p.logprobs]),
                                    "finish_reason": _finish(usage),
                                }
                            ],
                            "usage": _usage(usage),
                        },
                    ),
                )

    def _envelope(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.server.request_id,
            "object": kind,
            "created": int(time.time()),
            "model": self.server.model_name,
            **fields,
        }

    def _stream(self, first: Piece | None, pieces: Iterator[Piece], usage: dict[str, int], req: Request) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

        def event(choices: list[dict[str, Any]], **extra: Any) -> None:
            chunk = self._envelope("chat.completion.chunk", {"choices": choices, **extra})
            self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            self.wfile.flush()

        try:
            event([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
            # a client that hangs up stops the generation (BrokenPipeError)
            for piece in itertools.chain([first] if first else [], pieces):
                event([{"index": 0, "delta": {"content": piece.text}, "logprobs": _logprobs(req, piece.logprobs),
                        "finish_reason": None}])
            event([{"index": 0, "delta": {}, "finish_reason": _finish(usage)}])
            if req.include_usage:
                event([], usage=_usage(usage))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


def _logprobs(req: Request, items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A choice's ``logprobs`` field: null unless the request asked for them."""
    return None if req.top_logprobs is None else {"content": items, "refusal": None}


def _usage(usage: dict[str, int]) -> dict[str, Any]:
    prompt, completion = usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": usage.get("cached_tokens", 0)}}  # not read: from the cache


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], engine: Engine, *, api_key: str, model_name: str, max_tokens: int
    ) -> None:
        super().__init__(address, _Handler)
        self.engine, self.api_key, self.model_name, self.max_tokens = engine, api_key, model_name, max_tokens

    @property
    def request_id(self) -> str:
        return f"chatcmpl-{secrets.token_hex(8)}"


def serve(cfg: dict[str, Any]) -> str:
    """Load the model, start the endpoint on a background thread and return its address (``http://host:port``)."""
    engine = Engine(
        cfg["model_path"], n_ctx=cfg["n_ctx"], n_threads=cfg["n_threads"], log_verbosity=cfg.get("log_verbosity", 1)
    )
    server = _Server(
        (cfg["host"], cfg["port"]),
        engine,
        api_key=cfg["api_key"],
        model_name=cfg["model_name"],
        max_tokens=cfg.get("max_tokens", 512),
    )
    threading.Thread(target=server.serve_forever, name="ik-llama-http", daemon=True).start()
    return f"http://{cfg['host']}:{server.server_address[1]}"
