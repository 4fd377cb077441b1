"""The caption editor's changes before saving: split a cue, merge it with the next, delete it,
add a cue after it, and undo the last of these.

Each change comes back as the editor's rows (start, end, text, the cue each row came from, and
its "I checked" box), to show again with the change made; nothing is stored until the content
team presses "Save as a new version" (``captions.parse_edited_cues`` then reads the rows, and
``captions.carry_checks`` keeps the review of unchanged cues). The rows before the change travel
with the form, so that the last change can be undone. It must not touch the database.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from flask_babel import gettext as _

from media_pipeline import languages

from .captions import (
    MAX_CUE_TEXT,
    MAX_SPEAKER,
    _same_words,
    editable_cues,
    parse_time,
    speaker_from,
)

MAX_ROWS = 2000
NEW_CUE_SECONDS = 2.0


class EditorError(ValueError):
    """The form was not sent by our editor (a row that cannot be read)."""


@dataclass
class Row:
    start: float
    end: float
    text: str
    origin: int | None  # the cue of the version being edited it came from; None: new
    confirmed: bool = False
    speaker: str = ""


def read_rows(form, count: int) -> tuple[list[Row], list[tuple[str, str]]]:
    """Every row as sent (empty texts too); errors as (field id, message) for times that are
    not times."""
    rows, errors = [], []
    for i in range(min(count, MAX_ROWS)):
        times = {}
        for part in ("start", "end"):
            raw = (form.get(f"cue-{i}-{part}") or "").strip()
            try:
                times[part] = parse_time(raw)
            except ValueError:
                errors.append((f"cue-{i}-{part}", _(
                    "Cue %(n)d: the %(part)s time “%(raw)s” is not a time. Write seconds (12.5) "
                    "or minutes and seconds (0:12.5).", n=i + 1,
                    part=_("start") if part == "start" else _("end"), raw=raw[:20])))
        origin = form.get(f"cue-{i}-origin") or ""
        rows.append(Row(times.get("start", 0.0), times.get("end", 0.0),
                        (form.get(f"cue-{i}-text") or "").strip()[:MAX_CUE_TEXT * 2],
                        int(origin) if origin.isdigit() else None,
                        form.get(f"cue-{i}-confirmed") == "yes", speaker_from(form, i)))
    return rows, errors


def undo_data(rows: list[Row]) -> str:
    return json.dumps([asdict(row) for row in rows], ensure_ascii=False)


def rows_from_undo(data: str) -> list[Row]:
    try:
        items = json.loads(data)
        rows = [Row(float(i["start"]), float(i["end"]), str(i["text"])[:MAX_CUE_TEXT * 2],
                    i["origin"] if isinstance(i["origin"], int) else None,
                    bool(i.get("confirmed")),
                    " ".join(str(i.get("speaker") or "").split())[:MAX_SPEAKER])
                for i in items]
    except (ValueError, TypeError, KeyError) as exc:
        raise EditorError("not the editor's undo data") from exc
    if len(rows) > MAX_ROWS:
        raise EditorError("too many rows")
    return rows


def _halves(text: str, no_spaces: bool) -> tuple[str, str]:
    words = text.split()
    if len(words) >= 2 and not no_spaces:
        cut = len(words) // 2
        return " ".join(words[:cut]), " ".join(words[cut:])
    joined = "".join(words) if no_spaces else text
    cut = max(1, len(joined) // 2)
    return joined[:cut], joined[cut:]


def apply(rows: list[Row], op: str, language: str,
          duration: float | None) -> tuple[list[Row], str, int]:
    """The rows with the change ``op`` made ("split-3", "merge-3", "delete-3", "add-3"), what to
    say about it, and the row to put the focus at. EditorError for an op our editor does not
    send."""
    kind, _sep, number = op.partition("-")
    if not number.isdigit() or int(number) >= len(rows) and not (kind == "add" and not rows):
        raise EditorError(op)
    i = int(number)
    rows = list(rows)
    saved = _("Nothing is saved until you press “Save as a new version”.")
    if kind == "split":
        row = rows[i]
        first, second = _halves(row.text, languages.get(language).no_spaces)
        if not second:
            return rows, _("Cue %(n)d has too little text to split.", n=i + 1), i
        middle = round(row.start + (row.end - row.start) * len(first)
                       / max(1, len(first) + len(second)), 3)
        rows[i:i + 1] = [Row(row.start, middle, first, row.origin, speaker=row.speaker),
                         Row(middle, row.end, second, row.origin, speaker=row.speaker)]
        return rows, _("Cue %(n)d is split in two: cues %(n)d and %(next)d.", n=i + 1,
                       next=i + 2) + " " + saved, i
    if kind == "merge":
        if i + 1 >= len(rows):
            raise EditorError(op)
        row, following = rows[i], rows[i + 1]
        joiner = "" if languages.get(language).no_spaces else " "
        rows[i:i + 2] = [Row(row.start, following.end,
                             joiner.join(t for t in (row.text, following.text) if t),
                             row.origin, speaker=row.speaker or following.speaker)]
        return rows, _("Cues %(n)d and %(next)d are merged into cue %(n)d.", n=i + 1,
                       next=i + 2) + " " + saved, i
    if kind == "delete":
        del rows[i]
        return rows, _("Cue %(n)d is deleted.", n=i + 1) + " " + saved, min(i, len(rows) - 1)
    if kind == "add":
        start = rows[i].end if rows else 0.0
        end = start + NEW_CUE_SECONDS
        if i + 1 < len(rows):
            end = min(end, rows[i + 1].start)
        if duration is not None:
            end = min(end, duration)
        end = max(end, round(start + 0.5, 3))
        rows.insert(i + 1 if rows else 0, Row(round(start, 3), round(end, 3), "", None))
        position = i + 1 if len(rows) > 1 else 0
        return rows, _("A new, empty cue %(n)d is added: write its text, for example "
                       "[music].", n=position + 1) + " " + saved, position
    raise EditorError(op)


def show(track, rows: list[Row]) -> list[dict]:
    """The rows as the editor shows cues: a row still the words of the cue it came from keeps
    that cue's flags; a changed or new one has none (the person wrote it)."""
    before = editable_cues(track)
    shown = []
    for index, row in enumerate(rows):
        old = before[row.origin] if row.origin is not None and row.origin < len(before) else None
        same = old is not None and _same_words(old["text"], row.text)
        low = old["low"] if same else []
        unscripted = old["unscripted"] if same else []
        breaks = old["breaks"] if same else []
        untranslated = same and old["untranslated"]
        flagged = bool(low or unscripted or breaks or untranslated)
        confirmed = row.confirmed or (same and old["confirmed"])
        shown.append({"index": index, "start": row.start, "end": row.end, "text": row.text,
                      "speaker": row.speaker, "origin": row.origin, "low": low,
                      "unscripted": unscripted,
                      "untranslated": untranslated, "breaks": breaks, "flagged": flagged,
                      "confirmed": confirmed, "open": flagged and not confirmed})
    return shown
