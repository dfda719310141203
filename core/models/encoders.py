"""The forward pass of the e5 encoder: token ids in, one normalized vector per text out.

Two runtimes compute the same vectors (cosine >= 0.9999 to fp32) from the one sentence-transformers folder
``warta setup`` builds:

- ``openvino`` (default): the folder exported once to OpenVINO IR (``<model>/openvino/``, by ``export_openvino``),
  run in bfloat16 where the CPU has it (a single question in f32: see ``OpenVinoEncoder``). On the reference CPU
  (2 cores, avx512_bf16) it embeds chunks ~1.3x faster than torch and a single question in 12 ms instead of 19
  (BENCHMARKS.md), and torch is never imported at run time (less memory, faster start).
- ``torch``: sentence-transformers under bfloat16 autocast: the reference, and the fallback for a CPU or
  platform OpenVINO does not serve.

OpenVINO's Python package imports its usage-telemetry client (``openvino_telemetry``), which writes a client id
into ``~/intel`` and may phone home when a model is converted. Warta makes no network calls of its own, so the
client is blocked before OpenVINO is imported: OpenVINO then uses its own built-in stub (the path it takes when
the package is absent).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from core.errors import ModelError

Runtime = Literal["openvino", "torch"]
MAX_TOKENS = 512  # the model's positions
OPENVINO_DIR = "openvino"  # inside the model folder
OPENVINO_EXPORT_VERSION = 1  # bump when the exported graph changes


class Encoder(Protocol):
    """One runtime of the e5 model."""

    dimension: int

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text with its special tokens, at most ``MAX_TOKENS`` (what the model computes)."""
        ...

    def encode(self, texts: Sequence[str], *, small: bool) -> np.ndarray:
        """Normalized float32 vectors of ``texts`` (one batch, prefixes already applied); ``small``: one short
        input (a question), which a runtime may compute differently (torch: one thread; OpenVINO: in f32)."""
        ...


def cpu_has_bf16() -> bool:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            flags = fh.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _openvino() -> Any:
    """The ``openvino`` module, its telemetry client blocked (see the module docstring)."""
    sys.modules.setdefault("openvino_telemetry", None)  # type: ignore[arg-type]  # None: "not installed"
    import openvino

    return openvino


_compiled_lock = threading.Lock()
_compiled_models: dict[tuple[str, int, int, str, int], Any] = {}


def _compiled(ir: Path, precision: str, threads: int) -> Any:
    """The IR compiled for the CPU at ``precision``: once per process for each file version, precision and thread
    count. The compiled model holds the weights (~230 MB each precision); every encoder made after the first (a
    test session or a tool makes many) costs only its own infer request, not another copy and another thread
    pool."""
    stat = ir.stat()
    key = (str(ir), stat.st_mtime_ns, stat.st_size, precision, threads)
    with _compiled_lock:
        if key not in _compiled_models:
            config: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": precision}
            if threads:
                config["INFERENCE_NUM_THREADS"] = threads
            _compiled_models[key] = _openvino().Core().compile_model(str(ir), "CPU", config)
        return _compiled_models[key]


class OpenVinoEncoder:
    """The IR of ``export_openvino`` on OpenVINO's CPU plugin; tokens from the folder's ``tokenizer.json``.

    Batches (chunks at ingest) run in bf16 where the CPU has it; a small input (one question) runs in f32 on a
    second compiled model, made on first need: with bf16 on both sides, a question whose two best passages were
    .004 apart in fused score swapped them (FacQA), and f32 questions give the torch ranking on every dev set.
    """

    def __init__(self, model_dir: Path, *, bf16: bool = True, threads: int = 0) -> None:
        from tokenizers import Tokenizer

        ir = Path(model_dir) / OPENVINO_DIR / "model.xml"
        if not ir.is_file():
            raise ModelError(f"{str(ir)!r} is missing: run `warta setup` (or set embedding.runtime = 'torch').")
        self._ir, self._threads = ir, threads
        exact = not (bf16 and cpu_has_bf16())
        # one request per precision, each used by one call at a time (the embedder holds a lock)
        self._request = self._compile("f32" if exact else "bf16")
        self._exact: Any = self._request if exact else None  # f32 for small inputs, compiled on first need
        self.dimension = int(self._request.get_compiled_model().output(0).get_partial_shape()[1].get_length())
        self._tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        pad = self._tokenizer.token_to_id("<pad>")
        self._tokenizer.enable_padding(pad_id=1 if pad is None else pad, pad_token="<pad>")

    def _compile(self, precision: str) -> Any:
        return _compiled(self._ir, precision, self._threads).create_infer_request()

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        return [sum(e.attention_mask) for e in self._tokenizer.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str], *, small: bool) -> np.ndarray:
        encoded = self._tokenizer.encode_batch(list(texts))
        inputs = {"input_ids": np.array([e.ids for e in encoded], np.int64),
                  "attention_mask": np.array([e.attention_mask for e in encoded], np.int64)}
        request = self._request
        if small:
            if self._exact is None:
                self._exact = self._compile("f32")
            request = self._exact
        result = request.infer(inputs)
        return np.asarray(result[0], np.float32).copy()


class TorchEncoder:
    """sentence-transformers on torch, under bfloat16 autocast where the CPU has it."""

    def __init__(self, model_dir: Path, *, bf16: bool = True, threads: int = 0) -> None:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        if threads:
            torch.set_num_threads(threads)
        self.bf16 = bf16 and cpu_has_bf16()
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ModelError(f"{str(model_dir)!r} is not an embedding model (it names no vector size); "
                             "run `warta setup`.")
        self.dimension = int(dimension)

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        ids = self._model.tokenizer(list(texts), add_special_tokens=True)["input_ids"]
        return [min(len(one), MAX_TOKENS) for one in ids]

    def encode(self, texts: Sequence[str], *, small: bool) -> np.ndarray:
        import torch

        with _torch_threads(1 if small else 0), torch.inference_mode(), \
                torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            vectors = self._model.encode(list(texts), batch_size=len(texts), convert_to_numpy=True,
                                         normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, np.float32)


@contextmanager
def _torch_threads(n: int) -> Iterator[None]:
    """Run with ``n`` torch threads (0: unchanged). A single question's matrices are too small to share
    between cores: one thread embeds it ~30% faster than two (benchmarks/bench_query.py)."""
    import torch

    before = torch.get_num_threads()
    if not n or n >= before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def build_encoder(runtime: Runtime, model_dir: Path, *, bf16: bool = True, threads: int = 0) -> Encoder:
    if runtime == "openvino":
        return OpenVinoEncoder(model_dir, bf16=bf16, threads=threads)
    return TorchEncoder(model_dir, bf16=bf16, threads=threads)


def export_openvino(model_dir: Path, stamp: dict[str, Any]) -> Path:
    """Export the sentence-transformers folder's encoder, with its mean pooling and normalization, to OpenVINO
    IR in ``<model_dir>/openvino`` (once: ``stamp`` is written beside it and compared next time)."""
    out = Path(model_dir) / OPENVINO_DIR
    stamp_file = out / "warta-export.json"
    if stamp_file.is_file() and json.loads(stamp_file.read_text()) == stamp:
        return out
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()  # "Loading weights" bars on the user's terminal for a sub-second load
    ov = _openvino()

    class Pooled(torch.nn.Module):  # what the sentence-transformers folder's modules do after the encoder
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    model = Pooled(AutoModel.from_pretrained(model_dir, local_files_only=True).eval())
    example = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)(
        ["query: a question", "passage: a somewhat longer passage of text"], padding=True, return_tensors="pt")
    # Tracing warns about shape-dependent branches (TracerWarning), torch and transformers about deprecations:
    # notes for library authors, not for a user running `warta setup`; the exported graph is compared with the
    # torch encoder in tests (test_both_encoder_runtimes_give_the_same_vectors).
    with torch.inference_mode(), warnings.catch_warnings():
        for category in (torch.jit.TracerWarning, FutureWarning, DeprecationWarning):
            warnings.simplefilter("ignore", category=category)
        graph = ov.convert_model(model, example_input=(example["input_ids"], example["attention_mask"]))
    for port, name in zip(graph.inputs, ("input_ids", "attention_mask"), strict=True):
        port.get_tensor().set_names({name})
    graph.outputs[0].get_tensor().set_names({"embedding"})
    staging = Path(tempfile.mkdtemp(prefix=OPENVINO_DIR + ".", dir=model_dir))
    try:
        ov.save_model(graph, str(staging / "model.xml"))  # weights stored as fp16 (computed in bf16 or f32)
        (staging / "warta-export.json").write_text(json.dumps(stamp))
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)  # atomic: a crash never leaves a half-written export
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out
