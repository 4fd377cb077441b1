"""place: where each audio description is spoken, in the gaps of a lesson's speech.

Each description has an anchor (where the thing it describes is shown) and a spoken duration. It
goes in the nearest gap at or after its anchor, within a window, that can hold it: at normal
speed if it fits, otherwise sped up a little (at most ``max_speedup``) so that it ends with the
gap. When no gap in the window can hold it, it becomes an *extended* description: the programme
pauses while it is spoken, at the start of the next gap so that the pause falls between words.

Descriptions never overlap speech or each other and keep their order. Pure: no I/O.

Owns: the placement rules (DESIGN.md §5) and the placement summary. Must not: read or write
files, synthesise or mix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

PLACED = "placed"
SPED_UP = "sped-up"
EXTENDED = "extended"
KINDS = (PLACED, SPED_UP, EXTENDED)


@dataclass(frozen=True)
class Gap:
    """A stretch of the programme with no speech, in seconds."""

    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Placement:
    index: int  # position of the description in the input list
    anchor: float
    duration: float  # natural spoken duration (speed 1)
    kind: str  # "placed" | "sped-up" | "extended"
    start: float  # programme time where it starts being spoken (extended: the pause point)
    end: float  # start + duration / speed; == start for extended (the programme is frozen)
    speed: float  # 1.0 for placed and extended; > 1 (at most max_speedup) for sped-up

    @property
    def spoken(self) -> float:
        """Seconds of speech actually heard."""
        return self.duration / self.speed


def place(descriptions: Sequence[tuple[float, float]], gaps: Sequence[Gap], *,
          window: float = 10.0, max_speedup: float = 1.25, media_duration: float | None = None,
          ) -> list[Placement]:
    """Place each ``(anchor, duration)`` description, in order, in the speech ``gaps``.

    A description may start no earlier than its anchor and than the end of the one before (an
    extended one takes no programme time). The first gap whose usable part starts within
    ``window`` seconds of the anchor and holds the description, at speed 1 or sped up to at most
    ``max_speedup``, wins; otherwise the description is extended."""
    items = _check_descriptions(descriptions, media_duration)
    gaps = _check_gaps(gaps)
    if math.isnan(window) or window < 0:
        raise ValueError(f"The placement window must be 0 s or more, not {window}.")
    if math.isnan(max_speedup) or max_speedup < 1:
        raise ValueError(f"The maximum speed-up must be 1 or more, not {max_speedup}.")

    placements: list[Placement] = []
    cursor = 0.0  # the earliest programme time the next description may start
    first = 0  # gaps before this one end at or before the cursor: of no use any more
    for index, (anchor, duration) in enumerate(items):
        t0 = max(anchor, cursor)
        while first < len(gaps) and gaps[first].end <= t0:
            first += 1
        placement = _fit(index, anchor, duration, t0, gaps, first, window, max_speedup)
        if placement is None:
            if first < len(gaps):
                point = max(gaps[first].start, t0)
            elif media_duration is None:
                point = t0
            else:  # clipped to the media, but never back into the description before
                point = max(min(t0, media_duration), cursor)
            placement = Placement(index, anchor, duration, EXTENDED, point, point, 1.0)
        placements.append(placement)
        cursor = placement.end
    return placements


def _fit(index: int, anchor: float, duration: float, t0: float, gaps: Sequence[Gap], first: int,
         window: float, max_speedup: float) -> Placement | None:
    """The placement in the first gap from ``gaps[first]`` on that holds the description."""
    for gap in gaps[first:]:
        start = max(gap.start, t0)
        if start > anchor + window:
            return None
        usable = gap.end - start
        if usable <= 0:
            continue
        if usable >= duration:
            return Placement(index, anchor, duration, PLACED, start, start + duration, 1.0)
        if duration / max_speedup <= usable:
            speed = min(max(_ceil3(duration / usable), 1.001), max_speedup)
            end = min(start + duration / speed, gap.end)  # min: float noise only
            return Placement(index, anchor, duration, SPED_UP, start, end, speed)
    return None


def _ceil3(value: float) -> float:
    """``value`` rounded up to 3 decimals, ignoring float noise (1.1000000000000001 -> 1.1)."""
    return math.ceil(round(value * 1000, 6)) / 1000


def _check_descriptions(descriptions: Sequence[tuple[float, float]],
                        media_duration: float | None) -> list[tuple[float, float]]:
    if media_duration is not None and not (math.isfinite(media_duration) and media_duration >= 0):
        raise ValueError(f"The media duration must be 0 s or more, not {media_duration}.")
    items: list[tuple[float, float]] = []
    for index, (anchor, duration) in enumerate(descriptions):
        number = index + 1
        anchor, duration = float(anchor), float(duration)
        if not math.isfinite(anchor) or anchor < 0:
            raise ValueError(f"Description {number} has anchor {anchor}: anchors must be 0 s "
                             "or more.")
        if media_duration is not None and anchor > media_duration:
            raise ValueError(f"Description {number} is anchored at {anchor:.2f} s, after the end "
                             f"of the media ({media_duration:.2f} s).")
        if not math.isfinite(duration) or duration <= 0:
            raise ValueError(f"Description {number} has duration {duration}: the spoken "
                             "duration must be more than 0 s.")
        if items and anchor < items[-1][0]:
            raise ValueError(f"Description {number} is anchored at {anchor:.2f} s, before "
                             f"description {number - 1} at {items[-1][0]:.2f} s: descriptions "
                             "must be in time order.")
        items.append((anchor, duration))
    return items


def _check_gaps(gaps: Sequence[Gap]) -> list[Gap]:
    checked: list[Gap] = []
    for index, gap in enumerate(gaps):
        number = index + 1
        if not (math.isfinite(gap.start) and math.isfinite(gap.end)) or gap.start < 0:
            raise ValueError(f"Gap {number} ({gap.start}–{gap.end} s) must lie at 0 s or later.")
        if gap.end <= gap.start:
            raise ValueError(f"Gap {number} ends ({gap.end:.2f} s) at or before it starts "
                             f"({gap.start:.2f} s).")
        if checked and gap.start < checked[-1].end:
            previous = checked[-1]
            raise ValueError(f"Gaps must be sorted and must not overlap: gap {number} "
                             f"({gap.start:.2f}–{gap.end:.2f} s) starts before gap {number - 1} "
                             f"({previous.start:.2f}–{previous.end:.2f} s) ends.")
        checked.append(gap)
    return checked


def summary(placements: Sequence[Placement]) -> dict[str, int]:
    """How many descriptions of each kind: {"placed": n, "sped-up": n, "extended": n}."""
    counts = dict.fromkeys(KINDS, 0)
    for p in placements:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    return counts


def report_lines(placements: Sequence[Placement], texts: Sequence[str] | None = None, *,
                 window: float = 10.0) -> list[str]:
    """One line per description, numbered from 1, for people: where and how it is spoken.

    ``window`` is only used to word the reason for an extended description; pass the one given
    to :func:`place`."""
    lines = []
    for p in placements:
        if p.kind == PLACED:
            line = f"{p.index + 1}: placed at {p.start:.2f}–{p.end:.2f} s (anchor {p.anchor:.2f} s)"
        elif p.kind == SPED_UP:
            line = (f"{p.index + 1}: sped up ×{_speed(p.speed)} at {p.start:.2f}–{p.end:.2f} s "
                    f"(anchor {p.anchor:.2f} s)")
        else:
            line = (f"{p.index + 1}: extended: the video pauses {p.duration:.2f} s at "
                    f"{p.start:.2f} s (no gap within {window:g} s of {p.anchor:.2f} s fits it)")
        if texts is not None:
            text = " ".join(texts[p.index].split())
            line += f' "{text[:40]}…"' if len(text) > 40 else f' "{text}"'
        lines.append(line)
    return lines


def _speed(speed: float) -> str:
    """1.12 -> "1.12", 1.125 -> "1.125", 1.2 -> "1.20"."""
    text = f"{speed:.3f}"
    return text[:-1] if text.endswith("0") else text
