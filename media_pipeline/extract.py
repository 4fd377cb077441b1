"""extract: any readable media → 16 kHz mono 16-bit PCM WAV, in one ffmpeg pass, with progress;
and a live class's recording (FLV from the RTMP ingest) → MP4 without re-encoding.

Owns: the one ffmpeg pass to 16 kHz mono PCM and its progress, and the recording's remux.
Must not: recognise, or read anything but local files (``probe.LOCAL_ONLY``).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from .errors import MediaError
from .probe import INPUT_OPTIONS, probe
from .processes import die_with_parent

SAMPLE_RATE = 16000

Progress = Callable[[float], None]  # receives a fraction from 0 to 1


def extract_pcm(source: str | Path, target: str | Path, *, duration_s: float | None = None,
                progress: Progress | None = None) -> Path:
    """``duration_s`` (for progress) when the caller has probed the file already."""
    source, target = Path(source), Path(target)
    duration = duration_s if duration_s is not None else probe(source).duration_s
    tmp = target.with_name(f".{target.name}.tmp")
    cmd = [
        "ffmpeg", "-nostdin", "-hide_banner", "-v", "error",
        *INPUT_OPTIONS, "-i", str(source),
        "-vn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", "-f", "wav",
        "-progress", "pipe:1", "-y", str(tmp),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=die_with_parent)
    assert proc.stdout is not None
    for line in proc.stdout:
        key, _, value = line.strip().partition("=")
        if progress and key == "out_time_us" and value.isdigit() and duration > 0:
            progress(min(1.0, int(value) / 1e6 / duration))
    stderr = proc.stderr.read() if proc.stderr else ""
    if proc.wait() != 0:
        tmp.unlink(missing_ok=True)
        raise MediaError(f"The sound could not be extracted from the file: {stderr.strip()[-300:]}")
    os.replace(tmp, target)
    if progress:
        progress(1.0)
    return target


RECORDING_FORMATS = "flv,live_flv"


def _concat_quoted(path: Path) -> str:
    """A path as the concat demuxer's list quotes it (a quote is closed, escaped, reopened)."""
    return str(path).replace("'", "'\\''")


def remux_recording(sources: str | Path | list, target: str | Path) -> Path:
    """A recording of the live ingest (FLV with H.264 and AAC, as OBS and browsers send) as
    MP4 with the index at the front, the streams copied as they are. Several recordings (a
    class whose connection dropped and came back) are joined in their order, each after the
    one before (ffmpeg's concat demuxer: an encoder sends the same kind of streams again).
    Raises MediaError for a file that is not such a recording."""
    paths = [Path(p) for p in (sources if isinstance(sources, list) else [sources])]
    target = Path(target)
    tmp = target.with_name(f".{target.name}.tmp.mp4")
    listing = target.with_name(f".{target.name}.list")
    if len(paths) == 1:
        inputs = ["-format_whitelist", RECORDING_FORMATS, "-i", str(paths[0])]
    else:
        listing.write_text("".join(f"file '{_concat_quoted(p.resolve())}'\n" for p in paths),
                           encoding="utf-8")
        inputs = ["-format_whitelist", f"concat,{RECORDING_FORMATS}", "-f", "concat",
                  "-safe", "0", "-i", str(listing)]
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-protocol_whitelist", "file",
           *inputs, "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", "-movflags", "+faststart",
           "-y", str(tmp)]
    done = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=die_with_parent)
    listing.unlink(missing_ok=True)
    if done.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        raise MediaError("The class's recording could not be read: "
                         f"{done.stderr.strip()[-300:] or 'it holds no picture or sound'}")
    os.replace(tmp, target)
    return target
