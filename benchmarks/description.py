"""`make bench`, audio description: synthesising, placing and mixing 30 descriptions for a lesson.

The lesson is a demo-style slide video (``media_pipeline.narration.render_slide_video``: WebM,
VP8 + Opus, 640x360, 10 fps) about ``BENCH_DESCRIBE_SECONDS`` long (default 300): the sentences of
the three Korean lecture scripts in ``../shared/data/speech/ko-synth/`` in turn, repeated until
that length, each spoken by ``espeak-ng -v ko`` (150 words a minute, like the demo narration) and
followed by 0.7 s of silence, or by 3 s after every 4th sentence so that descriptions have room.
The 30 Korean descriptions run from two words ("분필 선.") to two sentences, anchored evenly over
the lesson and in order.

Speech recognition is not part of the figure: the lesson's audio is recognised once beforehand
(the Korean Vosk model, 2 processes, tokens rejoined into words) and the words are given to
``media_pipeline.describe.describe``, which is timed once, end to end and per stage (probe, gaps,
synthesise + place, mix + encode), with a fresh, empty speech cache so that every description is
really synthesised. Its speech engine (pyttsx3 on espeak-ng) is started beforehand, once per
process as in a long-running worker; the time to start it is printed on its own. The CPU time of
each stage (this process and its ffmpeg children, read at the stage boundaries describe reports)
and the CPU time other processes used meanwhile (from /proc/stat) are printed too: on this
shared 2-core machine the same run's mix stage took 65 s when it was otherwise idle and 144 s
while a test suite ran beside it.

With the cache that run left, synthesising and placing the same descriptions again (what an
edited lesson costs before mixing) is timed alone, outside describe.

The old way and the new are timed in the same run, side by side: first ``outputs="mixed"`` (the
described video and the extended rendition mixed through WAV passes with a loudness pass, the
extended picture re-encoded; the fresh-cache run above), then ``outputs="stem"`` (the
description stem, the downloadable described video and the extended rendition, each one ffmpeg
run with the picture copied, side by side) with the warm cache, so that its mix stage is
compared with the old one's: seconds, × media, CPU and bytes, and new / old as ratios.

Run alone with ``python -m benchmarks.description``.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

from media_pipeline import languages, narration, speech_models
from media_pipeline.describe import DescribeResult, Description, describe
from media_pipeline.extract import extract_pcm
from media_pipeline.place import Gap, place, summary
from media_pipeline.probe import probe
from media_pipeline.recognise import recognise
from media_pipeline.synthesise import installed_voices, synthesise, voice_for, wav_duration
from media_pipeline.words import Word, rejoin

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = Path(os.environ.get("BENCH_SYNTH_DIR")
               or ROOT.parent / "shared" / "data" / "speech" / "ko-synth")
SCRIPT_NAMES = ["food_safety", "livestream", "noodles"]
TARGET_S = float(os.environ.get("BENCH_DESCRIBE_SECONDS", "300"))
LANGUAGE = "ko"
WORDS_PER_MINUTE = 150  # narration.speak_sentences' default
PAUSE_S = narration.PAUSE_S  # 0.7 s after a sentence
LONG_PAUSE_S = 3.0  # after every LONG_EVERY-th sentence instead
LONG_EVERY = 4
STAGES = ["probe", "gaps", "synthesise", "mix"]
STAGE_LABELS = {"probe": "probe + checks", "gaps": "gaps (PCM + silences)",
                "synthesise": "synthesise + place", "mix": "mix + encode"}

DESCRIPTIONS = [
    "분필 선.",
    "칠판에 제목이 적혀 있습니다.",
    "강사가 앞치마를 두르고 있습니다.",
    "손 씻는 그림.",
    "비누 거품이 손등까지 덮여 있습니다.",
    "냉장고 온도계가 사 도를 가리킵니다.",
    "빨간 도마와 초록 도마가 나란히 놓여 있습니다. 빨간 도마에는 날고기가 있습니다.",
    "유통 기한 표시.",
    "폐기함에 우유 팩을 넣습니다.",
    "소독제를 뿌리고 행주로 닦습니다. 조리대가 반짝입니다.",
    "화면 전환.",
    "스마트폰이 삼각대에 고정되어 있습니다.",
    "링 조명이 켜집니다.",
    "마이크를 옷깃에 답니다.",
    "화면 오른쪽에 시청자 댓글이 올라옵니다. 가격을 묻는 질문이 많습니다.",
    "상품 확대.",
    "주문 목록 표가 나타납니다.",
    "택배 상자에 송장을 붙입니다.",
    "밀가루 한 봉지.",
    "그릇에 소금물을 조금씩 붓습니다.",
    "손으로 반죽을 치댑니다. 반죽 표면이 매끄러워집니다.",
    "비닐 랩.",
    "타이머가 삼십 분으로 맞춰져 있습니다.",
    "긴 밀대로 반죽을 얇게 밉니다.",
    "칼로 같은 폭으로 면을 자릅니다. 자른 면을 밀가루에 살짝 버무립니다.",
    "냄비에서 김이 납니다.",
    "면을 체에 밭칩니다.",
    "찬물 속의 면.",
    "완성된 국수가 그릇에 담겨 있습니다. 위에 송송 썬 파를 올렸습니다.",
    "끝 화면에 다음 수업 제목이 보입니다.",
]


def script_sentences() -> list[str]:
    sentences = []
    for name in SCRIPT_NAMES:
        path = SCRIPTS / f"{name}.script.txt"
        if not path.is_file():
            raise SystemExit(f"{path} is missing: the description benchmark needs shared/data")
        sentences += [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                      if line.strip()]
    return sentences


def build_lesson(tmp: Path) -> tuple[Path, int]:
    """The lesson video and how many sentences it speaks. Each distinct sentence is spoken once
    by espeak-ng; the narration is the sentences in turn, with silences, until TARGET_S."""
    sentences = script_sentences()
    clips: list[bytes] = []
    params = None
    for i, sentence in enumerate(sentences):
        clip = tmp / f"sentence-{i:02d}.wav"
        subprocess.run(["espeak-ng", "-v", languages.get(LANGUAGE).espeak_voice, "-s",
                        str(WORDS_PER_MINUTE), "-w", str(clip), sentence],
                       check=True, capture_output=True, timeout=120)
        with wave.open(str(clip), "rb") as w:
            params = params or w.getparams()
            clips.append(w.readframes(w.getnframes()))
    frame_bytes = params.sampwidth * params.nchannels
    bytes_per_s = params.framerate * frame_bytes

    def silence(seconds: float) -> bytes:
        return b"\x00" * frame_bytes * int(seconds * params.framerate)

    frames, spoken = [silence(narration.LEAD_IN_S)], 0
    length = len(frames[0])
    while length / bytes_per_s < TARGET_S - narration.TAIL_S:
        clip = clips[spoken % len(clips)]
        spoken += 1
        pause = silence(LONG_PAUSE_S if spoken % LONG_EVERY == 0 else PAUSE_S)
        frames += [clip, pause]
        length += len(clip) + len(pause)
    frames.append(silence(max(0.0, narration.TAIL_S - PAUSE_S)))
    narration_wav = tmp / "narration.wav"
    with wave.open(str(narration_wav), "wb") as w:
        w.setparams(params)
        w.writeframes(b"".join(frames))
    lesson = narration.render_slide_video(narration_wav, "오디오 해설 벤치마크",
                                          tmp / "lesson.webm")
    return lesson, spoken


def descriptions_for(duration: float) -> list[Description]:
    """Anchored evenly over the lesson: the middle of each of len(DESCRIPTIONS) equal stretches."""
    n = len(DESCRIPTIONS)
    return [Description(round(duration * (i + 0.5) / n, 1), text)
            for i, text in enumerate(DESCRIPTIONS)]


def cpu_seconds() -> float:
    """User + system time of this process and of the children it has waited for (ffmpeg)."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine have used since boot (from /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return float("nan")
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def timed_describe(lesson: Path, descriptions: list[Description], words: list[Word],
                   cache: Path, out: Path, outputs: str = "mixed"
                   ) -> tuple[DescribeResult, float, dict[str, float]]:
    """The result, its wall time end to end, and the CPU seconds of each stage (taken at the
    stage boundaries that describe reports through ``progress``)."""
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    marks.append(("", cpu_seconds()))
    result = describe(lesson, descriptions, LANGUAGE, out, words=words, cache_dir=cache, jobs=2,
                      progress=lambda stage: marks.append((stage, cpu_seconds())),
                      outputs=outputs)
    wall = time.perf_counter() - start
    marks.append(("", cpu_seconds()))
    cpu = {stage: after - before for (stage, before), (_, after) in zip(marks[1:], marks[2:],
                                                                         strict=False)}
    cpu["total"] = marks[-1][1] - marks[0][1]
    return result, wall, cpu


def synthesise_and_place(descriptions: list[Description], gaps: list[Gap], cache: Path,
                         duration: float) -> float:
    """What describe's "synthesise" stage does (speak every text, then place), timed alone."""
    start = time.perf_counter()
    wavs = [synthesise(d.text, LANGUAGE, cache) for d in descriptions]
    place([(d.anchor, wav_duration(w)) for d, w in zip(descriptions, wavs, strict=True)], gaps,
          media_duration=duration)
    return time.perf_counter() - start


def size(path: Path | None) -> str:
    if path is None:
        return "none"
    n = path.stat().st_size
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


def main() -> int:
    model = speech_models.find_model(LANGUAGE).path
    tmp = Path(tempfile.mkdtemp(prefix="al-bench-describe-"))
    try:
        t = time.perf_counter()
        lesson, sentences = build_lesson(tmp)
        build_s = time.perf_counter() - t
        descriptions = descriptions_for(probe(lesson).duration_s)
        t = time.perf_counter()
        wav16 = extract_pcm(lesson, tmp / "lesson16k.wav")
        words = rejoin(recognise(wav16, model, jobs=2), LANGUAGE)
        recognise_s = time.perf_counter() - t
        t = time.perf_counter()
        installed_voices()  # starts pyttsx3's espeak-ng engine, once per process
        voice_for(LANGUAGE)
        engine_s = time.perf_counter() - t

        cache = tmp / "speech-cache"  # fresh and empty: every description is synthesised
        busy = machine_busy_seconds()
        result, wall_s, cpu = timed_describe(lesson, descriptions, words, cache, tmp / "out")
        others = machine_busy_seconds() - busy - cpu["total"]  # other work on the machine
        cached = len(list(cache.glob("*.wav")))
        warm_s = synthesise_and_place(descriptions, result.gaps, cache, result.duration_s)
        outputs = [("described", result.described), ("extended", result.extended),
                   ("descriptions.vtt", result.vtt)]
        sizes = ", ".join(f"{label} {size(path)}" for label, path in outputs)
        lesson_size = size(lesson)
        new, new_wall, new_cpu = timed_describe(lesson, descriptions, words, cache,
                                                tmp / "out-stem", outputs="stem")
        old_bytes = {"described": result.described.stat().st_size,
                     "extended": result.extended.stat().st_size if result.extended else 0}
        new_bytes = {"stem": new.stem.stat().st_size,
                     "described": new.described.stat().st_size,
                     "extended": new.extended.stat().st_size if new.extended else 0}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    duration = result.duration_s
    cores = os.cpu_count() or 1
    counts = summary(result.placements)
    speech_s = sum(p.duration for p in result.placements)
    print(f"\nAudio description: a {duration / 60:.1f}-min demo lesson (WebM VP8/Opus 640x360 "
          f"10 fps, {lesson_size}; {sentences} espeak-ng sentences of the 3 ko-synth scripts, "
          f"{PAUSE_S:g} s pauses, {LONG_PAUSE_S:g} s after every {LONG_EVERY}th), "
          f"{len(DESCRIPTIONS)} Korean descriptions ({speech_s:.0f} s of speech), "
          f"{len(words)} recognised words given, fresh speech cache, {os.cpu_count()} cores "
          f"(other processes used {max(0.0, others):.0f} CPU s of the {wall_s * cores:.0f} "
          "there were during the run)")
    print(f"{'stage':<24} {'wall s':>7} {'× media':>8} {'CPU s':>7}")
    for stage in STAGES:
        seconds = result.seconds.get(stage, 0.0)
        print(f"{STAGE_LABELS[stage]:<24} {seconds:>7.2f} {seconds / duration:>8.4f} "
              f"{cpu.get(stage, 0.0):>7.1f}")
    print(f"{'total (end to end)':<24} {wall_s:>7.2f} {wall_s / duration:>8.4f} "
          f"{cpu['total']:>7.1f}")
    print(f"{'synthesise + place, warm':<24} {warm_s:>7.3f} {warm_s / duration:>8.5f}"
          "   (the same calls again with the cache the run left, outside describe)")
    print(f"Placed {counts.get('placed', 0)}, sped up {counts.get('sped-up', 0)}, extended "
          f"{counts.get('extended', 0)} of {len(result.placements)} descriptions, in "
          f"{len(result.gaps)} speech gaps (from {result.gaps_from}); outputs: {sizes}.")
    print(f"× media = wall seconds / media duration; CPU s = user + system time of this process "
          f"and its ffmpeg children (it grows when other work shares the cores); {cached} WAVs "
          f"synthesised.\nNot timed: making the lesson "
          f"{build_s:.0f} s, recognising its words {recognise_s:.0f} s (2 processes), starting "
          f"the speech engine {engine_s:.2f} s (once per process).")
    _print_comparison(duration, result, cpu, old_bytes, new, new_cpu, new_bytes)
    return 0


def _print_comparison(duration: float, old: DescribeResult, old_cpu: dict, old_bytes: dict,
                      new: DescribeResult, new_cpu: dict, new_bytes: dict) -> None:
    """The mix stage (what makes the described and extended outputs) the old way and the new,
    side by side, with new / old ratios; and the bytes of each output."""
    old_s, new_s = old.seconds["mix"], new.seconds["mix"]
    print("\nDescribed + extended outputs, old way (mixed in the file) and new (stem mixed in the "
          "browser), same lesson, same run:")
    print(f"{'':<26} {'old':>10} {'new':>10} {'new/old':>8}")
    print(f"{'mix + encode, wall s':<26} {old_s:>10.2f} {new_s:>10.2f} {new_s / old_s:>8.3f}")
    print(f"{'  × media (goal < 0.05)':<26} {old_s / duration:>10.4f} {new_s / duration:>10.4f}")
    print(f"{'mix + encode, CPU s':<26} {old_cpu['mix']:>10.1f} {new_cpu['mix']:>10.1f} "
          f"{new_cpu['mix'] / old_cpu['mix']:>8.3f}")
    for label in ("stem", "described", "extended"):
        before, after = old_bytes.get(label, 0), new_bytes.get(label, 0)
        print(f"{label + ', MB':<26} {before / 1e6:>10.2f} {after / 1e6:>10.2f} "
              f"{(after / before if before else float('nan')):>8.3f}")
    old_total, new_total = sum(old_bytes.values()), sum(new_bytes.values())
    print(f"{'all outputs, MB':<26} {old_total / 1e6:>10.2f} {new_total / 1e6:>10.2f} "
          f"{new_total / old_total:>8.3f}   (goal < 0.5)")
    played = new_bytes["stem"] + new_bytes["extended"]
    print(f"{'played (stem + extended)':<26} {old_total / 1e6:>10.2f} {played / 1e6:>10.2f} "
          f"{played / old_total:>8.3f}   (the described video is now only the download)")
    print("new: the stem (mono Ogg Opus 32 kb/s), the described video (picture copied, audio "
          "Opus 32 kb/s a channel)\nand the extended rendition (picture copied and held through "
          "each pause by setts, audio likewise), made side by side;\nold: Opus 96 kb/s stereo, "
          "the extended picture re-encoded (VP8 600 kb/s).")


if __name__ == "__main__":
    sys.exit(main())
