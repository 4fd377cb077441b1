"""jemalloc for the processes that recognise speech.

Vosk's decoder makes and frees small objects all the time (its decoding graph's cache, the
lattice's tokens). Profiled with ``perf`` on the benchmark lecture, glibc's allocator took about
13 % of decoding's CPU (``malloc``, ``free`` and ``malloc_consolidate``). With jemalloc
(Debian's ``libjemalloc2``) preloaded instead, measured on the same lecture, 2 processes: 12.5 s
wall and 22.4 s of CPU against 14.9 s and 27.0 s, and 7 % less memory; 1 process: 22.5 s
against 29.3 s (two runs each, taking turns).

The decoder's results depend a little on the allocator (we have not traced where): with 2
processes the words, times and cues were the same on both, and 26 of 554 words' confidences
differed, by up to 0.03; with 1 process one word of 556 differed (나의 몸도 heard as 나의도).
Each allocator gives the same result every run, so the same media gives the same captions.

A process cannot change its allocator once started: ``make run``'s launcher starts the web
server and the worker with jemalloc preloaded (``environ``), and ``flask media caption`` starts
itself again with it (``restart_with_jemalloc``). ``ACCESSIBLE_LEARNING_ALLOCATOR=system`` keeps
the system's allocator everywhere.
It must not restart any process but the ``flask`` program itself.
"""

from __future__ import annotations

import ctypes.util
import functools
import glob
import os
import sys
from collections.abc import Mapping
from pathlib import Path

SETTING = "ACCESSIBLE_LEARNING_ALLOCATOR"


def jemalloc() -> str | None:
    """The jemalloc library to preload, or None when it is not installed or not wanted."""
    return None if os.environ.get(SETTING) == "system" else _installed()


@functools.cache
def _installed() -> str | None:
    """Where jemalloc is installed. The usual places are looked at first: ``find_library`` runs
    ``ldconfig`` (18 ms)."""
    for pattern in ("/usr/lib/*-linux-gnu/libjemalloc.so.2", "/usr/lib/libjemalloc.so.2",
                    "/usr/local/lib/libjemalloc.so.2"):
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    return ctypes.util.find_library("jemalloc")


def loaded() -> bool:
    """Whether this process runs on jemalloc."""
    try:
        return "libjemalloc" in Path("/proc/self/maps").read_text()
    except OSError:
        return False


def environ(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (by default this process's environment) with jemalloc preloaded, for a process
    about to be started; unchanged when jemalloc is not installed or not wanted."""
    env = dict(os.environ if base is None else base)
    library = jemalloc()
    if library and library not in env.get("LD_PRELOAD", ""):
        env["LD_PRELOAD"] = ":".join(filter(None, [library, env.get("LD_PRELOAD")]))
        env[SETTING] = "jemalloc"
    return env


def restart_with_jemalloc() -> None:
    """Replace this process with the same command on jemalloc, when it runs as the ``flask``
    program (never inside another program, such as a test runner invoking a command), is not on
    jemalloc already, and has not been restarted before. Costs about 0.2 s: Python and Flask
    start again. When the restart cannot be made the command goes on as it is."""
    if os.environ.get(SETTING) or loaded() or not _running_flask():
        return
    env = environ()
    if SETTING not in env:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)  # noqa: S606
    except OSError:
        return


def _running_flask() -> bool:
    """Whether this process is the ``flask`` command (its script, or ``python -m flask``)."""
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    return program.name == "flask" or (program.name == "__main__.py"
                                       and program.parent.name == "flask")
