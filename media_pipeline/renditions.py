"""renditions: smaller versions of a lesson for slow links and for taking away.

From one source, in one ffmpeg run (the source is decoded once; each picture size is scaled from
the same frames), ``make_renditions`` writes:

- **HLS** (``master.m3u8``): H.264 + AAC video renditions of the ladder (480p, 360p, 240p by
  default; none taller than the source, and always the smallest), each its own media playlist of
  fragmented-MP4 segments of ``segment_s`` seconds (the first ``segment_s`` in segments of
  ``FIRST_SEGMENT_S``, for a quicker start on a slow link) whose key frames are forced at the
  same times,
  so that a player switches between them at any segment boundary (adaptive bitrate). The codecs
  are the ones every phone's browser plays, natively (Safari) or through Media Source Extensions
  (hls.js). Each rendition is CRF-coded (32, as Kolibri's guidance for offline lessons) with a
  ceiling on its bitrate, so a slide video costs what its pictures need, not the ceiling.
- **Audio only** (``audio.webm``): the programme as mono Opus at ``audio_kbps`` (32 kbit/s: speech
  stays clear), for the "audio and text" lesson and for saving data.

Everything is written in a hidden folder beside the output and renamed into place when complete,
so a failure leaves nothing half-made.

Owns: the ladder, the ffmpeg command and reading back what it wrote (``RenditionSet``). Must not:
decide which rendition a learner gets (the player does), store files in the app's media store
(the app's job does), or import Flask.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import MediaError
from .probe import INPUT_OPTIONS, probe
from .processes import die_with_parent


@dataclass(frozen=True)
class Rung:
    """One video rendition: its picture height and the ceiling of its video bitrate."""

    name: str
    height: int
    max_kbps: int
    audio_kbps: int


LADDER: tuple[Rung, ...] = (
    Rung("480p", 480, 900, 64),
    Rung("360p", 360, 500, 48),
    Rung("240p", 240, 220, 32),
)
CRF = 32
AUDIO_KBPS = 32
SEGMENT_S = 6.0
# The first seconds come in shorter segments, so that on a slow link the picture starts after a
# third of the bytes (issue 29's time to first frame): three of 2 s, then ``segment_s``.
FIRST_SEGMENT_S = 2.0
MASTER = "master.m3u8"
AUDIO_ONLY = "audio.webm"


@dataclass(frozen=True)
class Rendition:
    name: str
    height: int | None  # None: audio only
    width: int | None
    playlist: str | None  # relative to the folder; None for the audio-only file
    bytes: int
    peak_kbps: int  # the BANDWIDTH the master playlist gives it (0 for audio only)


@dataclass
class RenditionSet:
    folder: Path
    duration_s: float
    video: list[Rendition] = field(default_factory=list)
    audio: Rendition | None = None
    seconds: float = 0.0  # how long making them took

    @property
    def master(self) -> Path | None:
        return self.folder / MASTER if self.video else None

    def summary(self) -> str:
        parts = [f"{r.name} {r.bytes / 1e6:.2f} MB" for r in self.video]
        if self.audio:
            parts.append(f"audio only {self.audio.bytes / 1e6:.2f} MB")
        return ", ".join(parts)


def ladder_for(source_height: int | None, ladder: Sequence[Rung] = LADDER) -> list[Rung]:
    """The rungs not taller than the source (never scaled up), and always the smallest."""
    rungs = sorted(ladder, key=lambda r: -r.height)
    if not rungs:
        return []
    fitting = [r for r in rungs if source_height is None or r.height <= source_height]
    return fitting or [rungs[-1]]


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def command(source: Path, folder: Path, rungs: Sequence[Rung], *, width: int, height: int,
            has_audio: bool, fps: float, segment_s: float = SEGMENT_S,
            audio_kbps: int = AUDIO_KBPS, threads: int | None = None,
            audio_only: bool = True) -> list[str]:
    """The ffmpeg command that writes the renditions of ``rungs`` into ``folder``, and the
    audio-only one unless ``audio_only`` is False."""
    cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
           *INPUT_OPTIONS, "-i", str(source)]
    graph = []
    if rungs:
        graph.append(f"[0:v:0]split={len(rungs)}" + "".join(f"[s{i}]" for i in range(len(rungs))))
        for i, rung in enumerate(rungs):
            out_w = _even(width * rung.height / height)
            graph.append(f"[s{i}]scale={out_w}:{rung.height}:flags=bicubic,format=yuv420p[v{i}]")
    if graph:
        cmd += ["-filter_complex", ";".join(graph)]
    keyframes = f"expr:gte(t,n_forced*{segment_s:g})"
    short = FIRST_SEGMENT_S if segment_s > FIRST_SEGMENT_S else 0
    if short:
        count = int(round(segment_s / short))  # short segments before the first full one
        keyframes = (f"expr:if(lt(t,{segment_s - 0.01:g}),gte(t,n_forced*{short:g}),"
                     f"gte(t,{segment_s:g}+(n_forced-{count})*{segment_s:g}))")
    if rungs:
        for i in range(len(rungs)):
            cmd += ["-map", f"[v{i}]"]
            if has_audio:
                cmd += ["-map", "0:a:0"]
        for i, rung in enumerate(rungs):
            cmd += [f"-c:v:{i}", "libx264", f"-crf:v:{i}", str(CRF),
                    f"-maxrate:v:{i}", f"{rung.max_kbps}k", f"-bufsize:v:{i}",
                    f"{rung.max_kbps * 2}k"]
            if has_audio:
                cmd += [f"-c:a:{i}", "aac", f"-b:a:{i}", f"{rung.audio_kbps}k", f"-ac:a:{i}", "1"]
        cmd += ["-preset", "veryfast", "-profile:v", "main", "-force_key_frames", keyframes,
                "-sc_threshold", "0", "-r", f"{fps:g}"]
        streams = " ".join(f"v:{i},a:{i},name:{r.name}" if has_audio else f"v:{i},name:{r.name}"
                           for i, r in enumerate(rungs))
        cmd += ["-f", "hls", "-hls_time", f"{segment_s:g}", "-hls_playlist_type", "vod",
                *(["-hls_init_time", f"{short:g}"] if short else []),
                "-hls_segment_type", "fmp4", "-hls_flags", "independent_segments",
                "-hls_segment_filename", str(folder / "%v" / "segment-%03d.m4s"),
                "-hls_fmp4_init_filename", "init.mp4", "-master_pl_name", MASTER,
                "-var_stream_map", streams, str(folder / "%v" / "index.m3u8")]
    if has_audio and audio_only:
        cmd += ["-map", "0:a:0", "-c:a", "libopus", "-b:a", f"{audio_kbps}k", "-ac", "1",
                "-application", "voip" if audio_kbps <= 24 else "audio", "-vn",
                "-f", "webm", str(folder / AUDIO_ONLY)]
    if threads:
        cmd[1:1] = ["-threads", str(threads)]
    return cmd


_BANDWIDTH = re.compile(r"BANDWIDTH=(\d+).*?RESOLUTION=(\d+)x(\d+)")


def _read_master(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Each variant's folder name → (peak bits a second, width, height)."""
    found = {}
    lines = (folder / MASTER).read_text(encoding="utf-8").splitlines()
    for info, uri in zip(lines, lines[1:], strict=False):
        match = _BANDWIDTH.search(info) if info.startswith("#EXT-X-STREAM-INF") else None
        if match:
            found[uri.split("/", 1)[0]] = (int(match[1]), int(match[2]), int(match[3]))
    return found


def _folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def make_renditions(source: str | Path, output_dir: str | Path, *,
                    ladder: Sequence[Rung] = LADDER, segment_s: float = SEGMENT_S,
                    audio_kbps: int = AUDIO_KBPS, threads: int | None = None,
                    max_duration_s: float = 4 * 3600,
                    progress: Callable[[str], None] | None = None) -> RenditionSet:
    """Write the renditions of ``source`` into ``output_dir`` (made if missing; what it held
    before is replaced only once everything is made). MediaError for a file that is not
    media, has neither picture nor sound, or that ffmpeg cannot encode."""
    started = time.perf_counter()
    (progress or (lambda _stage: None))("probe")
    info = probe(source, max_duration_s=max_duration_s)
    if not info.has_video and not info.has_audio:
        raise MediaError("The file has neither a picture nor sound, so there is nothing to make "
                         "smaller versions of.")
    rungs = ladder_for(info.height, ladder) if info.has_video else []
    fps = frame_rate(info.raw) if info.has_video else 0.0
    output_dir = Path(output_dir)
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    (progress or (lambda _stage: None))("encode")
    with tempfile.TemporaryDirectory(prefix=f".{output_dir.name}-", dir=output_dir.parent) as tmp:
        folder = Path(tmp) / "out"
        folder.mkdir()
        cmd = command(Path(source), folder, rungs, width=info.width or 0,
                      height=info.height or 0, has_audio=info.has_audio, fps=fps,
                      segment_s=segment_s, audio_kbps=audio_kbps, threads=threads)
        done = subprocess.run(cmd, capture_output=True, preexec_fn=die_with_parent)
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise MediaError("ffmpeg could not make the smaller versions: "
                             f"{detail[0] if detail else 'no detail'}")
        result = _read(folder, rungs, info.duration_s)
        if output_dir.exists():
            old = Path(tmp) / "old"
            os.replace(output_dir, old)
        os.replace(folder, output_dir)
    result.folder = output_dir
    result.seconds = time.perf_counter() - started
    return result


def frame_rate(raw: dict) -> float:
    """The source's frame rate (at most 30: a lesson needs no more), 25 when unknown."""
    for stream in raw.get("streams", []):
        if stream.get("codec_type") == "video":
            num, _sep, den = str(stream.get("avg_frame_rate") or "0/0").partition("/")
            try:
                rate = float(num) / float(den or 1)
            except (ValueError, ZeroDivisionError):
                rate = 0.0
            if rate > 0:
                return min(rate, 30.0)
    return 25.0


def _read(folder: Path, rungs: Sequence[Rung], duration_s: float) -> RenditionSet:
    result = RenditionSet(folder, duration_s)
    if rungs:
        variants = _read_master(folder)
        for rung in rungs:
            if rung.name not in variants:
                raise MediaError(f"ffmpeg wrote no {rung.name} rendition.")
            peak, width, height = variants[rung.name]
            result.video.append(Rendition(rung.name, height, width, f"{rung.name}/index.m3u8",
                                          _folder_bytes(folder / rung.name), peak))
    audio = folder / AUDIO_ONLY
    if audio.exists():
        result.audio = Rendition("audio", None, None, None, audio.stat().st_size, 0)
    return result

