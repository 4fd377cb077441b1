"""A live class's captions riding in its HLS stream: a WebVTT subtitle playlist beside nginx's
video playlist, and a master playlist naming both (for players with HLS subtitles: Safari's own
HLS, TV apps; our page shows the same captions from the events).

The captioner writes them into the class's HLS folder as cues close: WebVTT segments of
``SEGMENT_S`` seconds of stream time (a cue in every segment it overlaps), each with an
``X-TIMESTAMP-MAP`` that puts stream time 0 at MPEG-TS time 0 (nginx-rtmp stamps its segments
with the RTMP stream's own time, which starts at 0 when the teacher starts), and a live playlist
of the newest ``WINDOW`` segments, as nginx keeps the video's. Files are replaced whole (written,
then renamed), so a player never reads half of one.

It must not decide what a caption says (the captioner does) nor serve the files (the web app
does, to whoever may watch).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from media_pipeline.captions import timestamp

SEGMENT_S = 6
WINDOW = 20  # segments in the playlist: two minutes, like the video's window
MASTER = "master.m3u8"
PLAYLIST = "subs.m3u8"


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class SubtitleTrack:
    def __init__(self, folder: Path, language: str, label: str,
                 cues: list[tuple[float, float, str]] | None = None) -> None:
        """``cues``: the class's closed cues so far (a captioner started again, or after a
        dropped connection, writes the segments still in the window with them)."""
        self.folder = folder
        self.cues: list[tuple[float, float, str]] = list(cues or [])
        self.written = -1  # the newest segment in the playlist
        self.first = 0  # the oldest
        folder.mkdir(parents=True, exist_ok=True)
        _write(folder / MASTER, "\n".join([
            "#EXTM3U",
            f'#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="captions",NAME="{label}",'
            f'LANGUAGE="{language}",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="{PLAYLIST}"',
            '#EXT-X-STREAM-INF:BANDWIDTH=1200000,SUBTITLES="captions"',
            "index.m3u8", ""]))

    def add(self, start: float, end: float, text: str) -> None:
        """A closed cue: the segments it overlaps are written again."""
        self.cues.append((start, end, text))
        for number in range(int(start // SEGMENT_S), int(math.ceil(end / SEGMENT_S))):
            if number <= self.written:
                self._segment(number)

    def advance(self, heard_s: float) -> None:
        """The stream has reached ``heard_s``: each segment that has ended is written and
        listed."""
        ready = int(heard_s // SEGMENT_S) - 1
        if ready <= self.written:
            return
        for number in range(self.written + 1, ready + 1):
            self._segment(number)
        self.written = ready
        first = max(0, ready - WINDOW + 1)
        lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{SEGMENT_S}",
                 f"#EXT-X-MEDIA-SEQUENCE:{first}"]
        for number in range(first, ready + 1):
            lines += [f"#EXTINF:{SEGMENT_S:.3f},", f"subs-{number}.vtt"]
        _write(self.folder / PLAYLIST, "\n".join(lines) + "\n")
        for number in range(self.first, first):  # out of the window now
            (self.folder / f"subs-{number}.vtt").unlink(missing_ok=True)
        self.first = first

    def _segment(self, number: int) -> None:
        begin, finish = number * SEGMENT_S, (number + 1) * SEGMENT_S
        lines = ["WEBVTT", "X-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000", ""]
        for start, end, text in self.cues:
            if start < finish and end > begin:
                escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                lines += [f"{timestamp(start)} --> {timestamp(end)}", escaped, ""]
        _write(self.folder / f"subs-{number}.vtt", "\n".join(lines))
