"""`make bench`, renditions (issue 29): bytes and encode time of the smaller versions of a lesson.

Two 5-minute lessons (``BENCH_RENDITION_SECONDS``, default 300) with the same real speech (the
long Zeroth concatenation in ``../shared/data/speech/ko/long``, looped to that length):

- **slides**: the demo's kind of lesson, a slide video (``narration.render_slide_video``:
  640x360, 10 frames a second, VP8 + Opus);
- **camera**: a moving picture standing in for a filmed lesson, harder to compress: ffmpeg's
  ``testsrc2`` (a moving pattern and counter) at 1280x720, 25 frames a second, H.264 + AAC.

Each is made into renditions by ``media_pipeline.renditions.make_renditions`` (one ffmpeg run:
the source decoded once, every size scaled from the same frames), timed end to end, and, side by
side in the same run, by the obvious way: one ffmpeg run a rendition, each decoding the source
again (the same encoder settings, through ``renditions.command`` with one rung at a time). The
figures are bytes per rendition and encode time as a share of the media duration, and the ratio
of the two ways. Goals (issue 29): 240p under 5 MB and audio only under 2 MB for a 5-minute
lesson; all renditions in under 0.5x the media duration on 2 cores. Then each lesson's time to
first frame on a slow link, original against 240p, automatic and audio only
(``benchmarks/first_frame.py``).

Run alone with ``python -m benchmarks.renditions``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from media_pipeline import narration
from media_pipeline.probe import probe
from media_pipeline.renditions import command, frame_rate, ladder_for, make_renditions

from . import first_frame

ROOT = Path(__file__).resolve().parent.parent
SPEECH = Path(os.environ.get("BENCH_RENDITION_SPEECH")
              or ROOT.parent / "shared" / "data" / "speech" / "ko" / "long" / "dev_concat.wav")
TARGET_S = float(os.environ.get("BENCH_RENDITION_SECONDS", "300"))
GOALS = {"240p": 5e6, "audio": 2e6}
GOAL_RATIO = 0.5


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


def narration_wav(tmp: Path) -> Path:
    if not SPEECH.is_file():
        raise SystemExit(f"{SPEECH} is missing: the renditions benchmark needs shared/data")
    out = tmp / "speech.wav"
    _run(["ffmpeg", "-y", "-loglevel", "error", "-stream_loop", "-1", "-i", str(SPEECH),
          "-t", f"{TARGET_S:g}", "-ac", "1", "-ar", "16000", str(out)])
    return out


def sources(tmp: Path) -> dict[str, Path]:
    speech = narration_wav(tmp)
    slides = narration.render_slide_video(speech, "렌디션 벤치마크", tmp / "slides.webm")
    camera = tmp / "camera.mp4"
    _run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
          f"testsrc2=s=1280x720:r=25:d={TARGET_S:g}", "-i", str(speech), "-shortest",
          "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-c:a", "aac", "-b:a", "96k",
          str(camera)])
    return {"slides": slides, "camera": camera}


def one_run_a_rendition(source: Path, out: Path) -> float:
    """The obvious way: one ffmpeg run a rendition, each decoding the source again, with the
    same settings; its wall time."""
    info = probe(source)
    fps = frame_rate(info.raw)
    started = time.perf_counter()
    runs = [([rung], False) for rung in ladder_for(info.height)] + [([], True)]
    for i, (rungs, audio_only) in enumerate(runs):
        folder = out / str(i)
        folder.mkdir(parents=True)
        _run(command(source, folder, rungs, width=info.width, height=info.height,
                     has_audio=True, fps=fps, audio_only=audio_only))
    return time.perf_counter() - started


def main() -> int:
    print("\n== Renditions (issue 29): HLS 480p/360p/240p (H.264 + AAC) and audio only (Opus) ==")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="bench-renditions-") as tmp_name:
        tmp = Path(tmp_name)
        made = sources(tmp)
        for name, source in made.items():
            info = probe(source)
            result = make_renditions(source, tmp / f"{name}-out")
            separate = one_run_a_rendition(source, tmp / f"{name}-separate")
            duration = info.duration_s
            print(f"\n{name}: {info.width}x{info.height}, {duration:.0f} s, source "
                  f"{source.stat().st_size / 1e6:.1f} MB")
            for r in [*result.video, result.audio]:
                if r is None:
                    continue
                goal = GOALS.get(r.name)
                mark = "" if goal is None else (
                    f"  (goal < {goal / 1e6:.0f} MB: {'met' if r.bytes < goal else 'NOT met'})")
                failed += goal is not None and r.bytes >= goal
                size = f"{r.width}x{r.height}" if r.height else "audio"
                print(f"  {r.name:>6} {size:>9}: {r.bytes / 1e6:6.2f} MB, "
                      f"{r.bytes * 8 / duration / 1000:5.0f} kbit/s on average{mark}")
            ratio = result.seconds / duration
            failed += ratio >= GOAL_RATIO
            print(f"  one run, all renditions: {result.seconds:.1f} s = {ratio:.3f}x the media "
                  f"duration (goal < {GOAL_RATIO}x: {'met' if ratio < GOAL_RATIO else 'NOT met'})")
            print(f"  one run a rendition:     {separate:.1f} s = {separate / duration:.3f}x; "
                  f"the single run takes {result.seconds / separate:.2f}x its time")
            failed += first_frame.measure(tmp / f"{name}-out", source)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
