"""The worker's scratch folder: where a job's temporary files (the sound extracted for
recognition, mixes in the making) are written.

Owns giving each worker process a folder of its own in the instance folder
(``scratch/<host>-<pid>``), made the process's temporary folder, and removing at start-up the
folders of this machine's workers that are no longer running (killed with SIGKILL or by the
out-of-memory killer, their ``finally`` never ran). It must not run jobs.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

from ..paths import instance_path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def sweep(root: Path | None = None) -> list[Path]:
    """Remove the scratch folders of this machine's workers that have stopped."""
    root = root or instance_path() / "scratch"
    host = socket.gethostname()
    removed = []
    for folder in root.glob(f"{host}-*") if root.is_dir() else ():
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def use_own(root: Path | None = None) -> Path:
    """Sweep, then make this process's folder its temporary folder (``tempfile``)."""
    root = root or instance_path() / "scratch"
    sweep(root)
    own = root / f"{socket.gethostname()}-{os.getpid()}"
    own.mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = str(own)
    return own
