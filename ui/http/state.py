"""Where a running ``warta serve`` answers: ``<data dir>/server.json``, so that ``warta ask``, ``chat`` and
``search`` on the same data dir use its loaded models instead of loading their own (seconds instead of ~15 s).

The file holds the server's process id, its URL and a random token that the API accepts as a login. It is
written owner-only (0600): whoever can read it can already read the data dir. A file left by a server that
died is recognised (its process is gone, or it does not answer) and ignored.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServerState:
    pid: int
    url: str  # http://127.0.0.1:7860, reachable from this machine
    token: str


def write_state(path: Path, url: str) -> ServerState:
    """Record this process as the data dir's server; returns what was written (with a fresh token)."""
    state = ServerState(os.getpid(), url, secrets.token_urlsafe(32))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(asdict(state), f)
    os.replace(tmp, path)
    return state


def read_state(path: Path) -> ServerState | None:
    """The recorded server, when the file is readable and its process is alive; else None."""
    try:
        data = json.loads(path.read_text())
        state = ServerState(int(data["pid"]), str(data["url"]), str(data["token"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(state.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, another user's: its token is not ours to use anyway
        return None
    return state


def remove_state(path: Path, state: ServerState) -> None:
    """Remove the file if it still names ``state`` (a newer server may have replaced it)."""
    try:
        if json.loads(path.read_text()).get("token") == state.token:
            path.unlink()
    except (OSError, ValueError):
        pass
