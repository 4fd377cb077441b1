"""`make bench`, captioning: our pipeline against peer tools on the same lecture-length audio.

The lecture is the Zeroth-Korean development clips in ``../shared/data/speech/ko/`` (only the
files listed in its manifest), joined ``BENCH_CAPTION_REPEATS`` times (default 3, about 5.7 min)
with 1 s of silence between clips. Every tool gets the same WAV and the same Korean Vosk model:

- our pipeline through ``flask --app accessible_learning media caption`` with 1 and 2 processes;
- ``vosk-transcriber``, the CLI that ships in the ``vosk`` package (SRT output);
- ``vosk-cli`` from PyPI (WebVTT output), when it is installed;
- for reference, ``vosk-transcriber`` again with jemalloc preloaded: our pipeline decodes on
  jemalloc (``accessible_learning.allocator``) and the peers, as shipped, on the C library's
  allocator, so this row shows how much of the difference is the allocator. The ratios to the
  peers (``× v-t``) are to the peers as shipped.

Each is timed end to end as a command (start-up and model loading included), without network
access where ``unshare -rn`` works, so that no tool can fetch a model. The commands run in
turn ``BENCH_CAPTION_ROUNDS`` times (default 3) and each tool's fastest round is reported: on
this shared 2-core machine the same command's wall time varies by up to a quarter from one
minute to the next (measured: one half of the lecture decoded in 20.5 s, then 28.2 s), and
alternating the tools exposes them to the same conditions. Captions are read back into
cues and judged by the same code: character and word error rates against the references, and the
caption rules of DESIGN.md §4 (``media_pipeline.segment.check``).

Run alone with ``python -m benchmarks.captioning``.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import webvtt

from accessible_learning import allocator
from media_pipeline import speech_models
from media_pipeline.captions import Cue, parse_webvtt, plain_text
from media_pipeline.metrics import cer, edit_distance, wer
from media_pipeline.segment import check
from media_pipeline.words import normalise_token

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SPEECH = Path(os.environ.get("BENCH_SPEECH_DIR")
              or ROOT.parent / "shared" / "data" / "speech" / "ko")
REPEATS = int(os.environ.get("BENCH_CAPTION_REPEATS", "3"))
ROUNDS = max(1, int(os.environ.get("BENCH_CAPTION_ROUNDS", "3")))
SILENCE_S = 1.0
LANGUAGE = "ko"
# Particles the Korean model splits off the word they belong to (결론 을); standing alone in
# caption text they show the tokens were not rejoined into written words.
PARTICLES = {"의", "을", "를", "이", "가", "은", "는", "에"}
RULES = ["line-length", "lines", "reading-speed", "min-duration", "max-duration", "overlap", "gap"]


@dataclass
class Run:
    tool: str
    processes: int
    wall_s: float = 0.0
    cpu_s: float = 0.0  # user + system time of the command and the processes it waited for
    load: float = 0.0  # 1-minute load average just before the run: other work on the machine
    cues: list[Cue] = field(default_factory=list)
    words: list[str] | None = None  # our JSON word list, to compare 1 and 2 processes
    error: str | None = None


def build_lecture(tmp: Path) -> tuple[Path, str, float]:
    """The joined WAV, its reference text (repeated the same way) and its duration."""
    manifest = SPEECH / "manifest.tsv"
    if not manifest.is_file():
        raise SystemExit(f"{manifest} is missing: the captioning benchmark needs shared/data")
    with manifest.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
                if r["file"].startswith("zeroth_")]
    silence = tmp / "silence.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "anullsrc=r=16000:cl=mono", "-t", str(SILENCE_S), "-c:a", "pcm_s16le",
                    str(silence)], check=True)
    listing, references = [], []
    for _ in range(REPEATS):
        for row in rows:
            if listing:
                listing.append(f"file '{silence}'")
            listing.append(f"file '{(SPEECH / row['file']).resolve()}'")
            references.append(row["reference"])
    (tmp / "list.txt").write_text("\n".join(listing) + "\n", encoding="utf-8")
    lecture = tmp / "lecture.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "concat", "-safe",
                    "0", "-i", str(tmp / "list.txt"), "-ar", "16000", "-ac", "1", "-c:a",
                    "pcm_s16le", str(lecture)], check=True)
    with wave.open(str(lecture), "rb") as w:
        duration = w.getnframes() / w.getframerate()
    return lecture, " ".join(references), duration


def offline_prefix() -> list[str]:
    """``unshare -rn`` (no network) when this machine allows it."""
    if shutil.which("unshare") is None:
        return []
    ok = subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0
    return ["unshare", "-rn"] if ok else []


def warm(model: Path) -> None:
    """Read the model once so that the first tool timed does not pay for the disk alone."""
    for path in model.rglob("*"):
        if path.is_file():
            with path.open("rb") as f:
                while f.read(1 << 20):
                    pass


def timed(run: Run, cmd: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    run.load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    run.wall_s = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        run.error = f"exit {done.returncode}: {tail[0][:120]}"
    return done


def ours(lecture: Path, model: Path, jobs: int, tmp: Path, prefix: list[str]) -> Run:
    run = Run("ours (flask media caption)", jobs)
    vtt, js = tmp / f"ours-{jobs}.vtt", tmp / f"ours-{jobs}.json"
    instance = tmp / f"instance-{jobs}"
    instance.mkdir(exist_ok=True)
    env = {**os.environ, "INSTANCE_PATH": str(instance), "VOSK_MODELS": f"{LANGUAGE}={model}"}
    timed(run, [*prefix, str(BIN / "flask"), "--app", "accessible_learning", "media", "caption",
                str(lecture), "--lang", LANGUAGE, "--output", str(vtt), "--json", str(js),
                "--jobs", str(jobs)], env)
    if not run.error:
        run.cues = parse_webvtt(vtt.read_text(encoding="utf-8"))
        run.words = [w["word"] for w in json.loads(js.read_text(encoding="utf-8"))["words"]]
    return run


def vosk_transcriber(lecture: Path, model: Path, tmp: Path, prefix: list[str],
                     on_jemalloc: bool = False) -> Run:
    run = Run("vosk-transcriber on jemalloc" if on_jemalloc else "vosk-transcriber (vosk 0.3.45)",
              1)
    out = tmp / "vosk-transcriber.srt"
    if on_jemalloc and not allocator.jemalloc():
        run.error = (f"jemalloc is not installed (apt-get install libjemalloc2), or "
                     f"{allocator.SETTING}=system")
        return run
    env = allocator.environ() if on_jemalloc else None
    timed(run, [*prefix, str(BIN / "vosk-transcriber"), "-m", str(model), "-i", str(lecture),
                "-t", "srt", "-o", str(out), "--log-level", "WARNING"], env)
    if not run.error:
        run.cues = parse_webvtt(webvtt.from_srt(str(out)).content)
    return run


def vosk_cli(lecture: Path, model: Path, tmp: Path, prefix: list[str]) -> Run:
    run = Run("vosk-cli (PyPI)", 1)
    exe = BIN / "vosk-cli"
    if not exe.exists():
        run.error = "not installed (pip install vosk-cli)"
        return run
    out = tmp / "vosk-cli.vtt"
    # vosk-cli takes an absolute model directory as it is and never downloads one.
    timed(run, [*prefix, str(exe), "-m", str(model.resolve()), "-i", str(lecture), "-o",
                str(out)])
    if not run.error:
        run.cues = parse_webvtt(out.read_text(encoding="utf-8"))
    return run


def hypothesis_tokens(cues: list[Cue]) -> list[str]:
    return [normalise_token(token) for cue in cues for token in plain_text(cue.text).split()]


def main() -> int:
    model = speech_models.find_model(LANGUAGE).path
    prefix = offline_prefix()
    tmp = Path(tempfile.mkdtemp(prefix="al-bench-captions-"))
    try:
        lecture, reference, duration = build_lecture(tmp)
        warm(model)
        rounds = [[vosk_transcriber(lecture, model, tmp, prefix),
                   vosk_cli(lecture, model, tmp, prefix),
                   ours(lecture, model, 1, tmp, prefix),
                   ours(lecture, model, 2, tmp, prefix),
                   vosk_transcriber(lecture, model, tmp, prefix, on_jemalloc=True)]
                  for _ in range(ROUNDS)]
        per_tool = list(zip(*rounds, strict=True))
        runs = [min(same, key=lambda r: (r.error is not None, r.wall_s)) for same in per_tool]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    baseline = runs[0].wall_s if not runs[0].error else None
    each_round = "; ".join(
        f"{same[0].tool.split(' (')[0]} x{same[0].processes} "
        + "/".join(f"{r.wall_s:.1f}" for r in same) for same in per_tool)
    print(f"\nCaptioning: {duration / 60:.1f} min of Korean speech (Zeroth clips x{REPEATS}, "
          f"{SILENCE_S:g} s silence between), model {model}, fastest of {ROUNDS} rounds "
          f"(wall s of each round: {each_round}), "
          f"{os.cpu_count()} cores, " + ("no network (unshare -rn)" if prefix
                                         else "network not isolated")
          + (", ours on jemalloc" if allocator.jemalloc() else ", ours on the system allocator"))
    print(f"{'tool':<31} {'proc':>4} {'wall s':>6} {'RTF':>5} {'× v-t':>5} {'CPU s':>6} "
          f"{'load':>4} {'CER':>5} {'WER':>5} {'cues':>4} {'breaking':>8} {'lone particles':>14}")
    by_rule: list[tuple[str, int, Counter]] = []
    for run in runs:
        if run.error:
            print(f"{run.tool:<31} {run.processes:>4}  not measured: {run.error}")
            continue
        tokens = hypothesis_tokens(run.cues)
        text = " ".join(tokens)
        breaks = check(run.cues, LANGUAGE)
        breaking = len({b.cue_index for b in breaks})
        ratio = f"{run.wall_s / baseline:>5.2f}" if baseline else f"{'-':>5}"
        particles = sum(1 for t in tokens if t in PARTICLES)
        print(f"{run.tool:<31} {run.processes:>4} {run.wall_s:>6.1f} "
              f"{run.wall_s / duration:>5.3f} {ratio} {run.cpu_s:>6.1f} {run.load:>4.1f} "
              f"{cer(reference, text, LANGUAGE):>5.3f} {wer(reference, text, LANGUAGE):>5.3f} "
              f"{len(run.cues):>4} {breaking:>8} {particles:>14}")
        by_rule.append((run.tool, run.processes, Counter(b.rule for b in breaks)))
    ref_particles = sum(1 for t in reference.split() if t in PARTICLES)
    print(f"{'reference transcript':<{31 + 62}} {ref_particles:>14}")
    print("RTF = wall time / audio duration; × v-t = wall time / vosk-transcriber's; CPU s = user "
          "+ system time of the tool's processes;\nload = 1-minute load average before the run "
          "(other work on the machine slows the wall times); CER ignores spaces, WER counts "
          "spacing;\nbreaking = cues breaking at least one caption rule (DESIGN.md §4, Korean "
          f"profile); lone particles = tokens {' '.join(sorted(PARTICLES))} standing alone;\n"
          "vosk-transcriber on jemalloc = the same peer with the allocator our pipeline decodes "
          "on (LD_PRELOAD), for reference.")

    print("\nCues breaking each caption rule")
    print(f"{'tool':<31} {'proc':>4} " + " ".join(f"{rule:>13}" for rule in RULES))
    for tool, processes, counts in by_rule:
        print(f"{tool:<31} {processes:>4} " + " ".join(f"{counts[rule]:>13}" for rule in RULES))

    one, two = runs[2:4]
    if one.words is not None and two.words is not None:
        differ = edit_distance(one.words, two.words)
        print(f"\nOur pipeline, 2 processes against 1: {len(two.words)} against {len(one.words)} "
              f"words, {differ} word edits apart"
              + (" (the same words)" if differ == 0 else ""))
    return 1 if one.error or two.error else 0  # a peer that cannot run is reported, not fatal


if __name__ == "__main__":
    sys.exit(main())
