"""processes: the pipeline's child processes (ffmpeg, the decoding processes) end with the
process that started them.

Owns ``die_with_parent``, run in each child as it starts (``preexec_fn`` of a subprocess, the
initializer of a process pool): on Linux the kernel sends the child SIGKILL when its parent
dies, so a worker killed by an operator or by the out-of-memory killer leaves no ffmpeg writing
and no decoder holding half a gigabyte. Must not: start processes itself.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask the kernel for SIGKILL when this process's parent dies (Linux; elsewhere nothing).
    If the parent has already gone by then, end at once."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent == 1 or os.getppid() != parent:  # the parent died before the call
        os._exit(1)
