"""The locks between processes that share a data dir: the write lock and the ingest session.

Writers (ingest, remove, reindex) hold the write lock only while they store a batch, and leave a note in the
lock file (pid, command, since when) so that a writer kept waiting can say for whom; it gives up after
``ingest.lock_timeout_s``. An ingest also holds the session lock, shared, for its whole run: readers then
leave BM25 to it (it rebuilds BM25 at its end) instead of rebuilding it after each batch.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO

from core.errors import LockTimeoutError
from core.paths import DataDir

OnWait = Callable[[str], None]  # told once when a writer has to wait for the lock


class Locks:
    """The write lock and the ingest session of one data dir; ``timeout_s`` bounds a writer's wait."""

    def __init__(self, paths: DataDir, timeout_s: float) -> None:
        self.paths = paths
        self.timeout_s = timeout_s

    @contextmanager
    def write(self, *, blocking: bool = True, on_wait: OnWait | None = None) -> Iterator[bool]:
        """Serialize writers. Yields whether the lock is held: without ``blocking``, False when another writer
        has it; with it, always True, after telling ``on_wait`` who holds it (pid and command) if it has to
        wait.

        Raises:
            LockTimeoutError: another writer kept it for ``timeout_s``.
        """
        with open(self.paths.write_lock, "a+") as fh:  # "a+", not "w": opening must not erase the holder's note
            if not _try_flock(fh, fcntl.LOCK_EX):
                if not blocking:
                    yield False
                    return
                self._wait(fh, on_wait)
            try:
                fh.seek(0)
                fh.truncate()
                fh.write(json.dumps({"pid": os.getpid(), "command": _command(), "since": time.time()}))
                fh.flush()
                yield True
            finally:
                fh.seek(0)
                fh.truncate()
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _wait(self, fh: IO[str], on_wait: OnWait | None) -> None:
        timeout = self.timeout_s
        holder = _holder(self.paths.write_lock)
        if on_wait is not None:
            on_wait(f"waiting for another writer ({holder}) to finish storing; giving up after {timeout:g} s ...")
        deadline = time.monotonic() + timeout
        while not _try_flock(fh, fcntl.LOCK_EX):
            if time.monotonic() >= deadline:
                latest = _holder(self.paths.write_lock)  # the writer that has it now (the first may have finished)
                raise LockTimeoutError(
                    f"Another writer ({holder if latest == 'pid unknown' else latest}) is storing into the index in "
                    f"{str(self.paths.root)!r}; gave up after {timeout:g} s. Try again when it has finished, "
                    "or wait longer with ingest.lock_timeout_s (WARTA_INGEST_LOCK_TIMEOUT_S)."
                )
            time.sleep(0.1)

    @contextmanager
    def ingest_session(self) -> Iterator[None]:
        """Held (shared) by an ingest for its whole run, while it takes the write lock batch by batch."""
        with open(self.paths.ingest_session, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def ingest_running(self) -> bool:
        """Whether an ingest (in any process) is running on this data dir now."""
        with open(self.paths.ingest_session, "a") as fh:
            if not _try_flock(fh, fcntl.LOCK_EX):
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False


def _try_flock(fh: IO[str], mode: int) -> bool:
    try:
        fcntl.flock(fh, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _command() -> str:
    """This process's command line, short, for other writers' messages."""
    argv = [Path(sys.argv[0]).name if sys.argv else "python", *sys.argv[1:]]
    line = " ".join(argv)
    return line if len(line) <= 120 else line[:117] + "..."


def _holder(path: Path) -> str:
    """Who holds the write lock, from the note its holder left in the lock file."""
    try:
        note = json.loads(path.read_text() or "{}")
        since = datetime.fromtimestamp(float(note["since"])).strftime("%H:%M:%S")
        return f"pid {int(note['pid'])}: {note['command']}, since {since}"
    except (OSError, ValueError, KeyError, TypeError):
        return "pid unknown"
