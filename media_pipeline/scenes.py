"""scenes: moments where the picture changes, to suggest where a description may be needed.

ffmpeg's scene score (``select='gt(scene,T)'``) marks frames that differ strongly from the one
before. A change that falls in a pause of the speech is a moment the content team should
consider describing: something new is shown and nothing is said about it.

Owns: ffmpeg scene detection and the suggestions in speech pauses. Must not: write
descriptions, or place them (``place``).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from .errors import MediaError
from .place import Gap
from .probe import INPUT_OPTIONS
from .processes import die_with_parent

SCENE_THRESHOLD = 0.3
MIN_APART_S = 2.0  # one suggestion for a burst of changes
_PTS = re.compile(r"pts_time:\s*([\d.]+)")


def scene_changes(source: str | Path, *, threshold: float = SCENE_THRESHOLD,
                  timeout_s: float = 3600) -> list[float]:
    """Times (seconds) of the frames whose scene score is above ``threshold``."""
    try:
        done = subprocess.run(
            ["ffmpeg", "-nostdin", "-hide_banner", *INPUT_OPTIONS, "-i",
             str(source), "-an", "-vf", f"select='gt(scene,{threshold})',showinfo", "-f", "null",
             "-"], capture_output=True, text=True, timeout=timeout_s, preexec_fn=die_with_parent)
    except subprocess.TimeoutExpired as exc:
        raise MediaError("Looking for picture changes took too long.") from exc
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no detail"]
        raise MediaError(f"ffmpeg could not read the picture: {tail[0][:160]}")
    return [float(t) for t in _PTS.findall(done.stderr)]


def suggestions(changes: Sequence[float], gaps: Sequence[Gap], *, min_gap: float = 1.0,
                reach_s: float = 1.0) -> list[float]:
    """Where to consider a description: each picture change that falls in a speech gap at least
    ``min_gap`` long, or just before one (within ``reach_s``: the change happens as the speaker
    finishes), moved to the start of the gap; at most one every MIN_APART_S."""
    result: list[float] = []
    for t in sorted(changes):
        gap = next((g for g in gaps if g.end - g.start >= min_gap
                    and g.start - reach_s <= t < g.end), None)
        if gap is None:
            continue
        moment = round(max(t, gap.start), 2)
        if not result or moment - result[-1] >= MIN_APART_S:
            result.append(moment)
    return result
