"""describe: audio description for one lesson, from description cues to the three outputs.

1. Probe the media and check the descriptions (text, times, order) before anything is written.
2. Find the speech gaps from the recognised words (given, or recognised here) and silences.
3. Speak each description (pyttsx3 on espeak-ng; cached) and place it in the nearest gap at or
   after its anchor that fits it, sped up a little if needed, otherwise as an extended one.
4. Write the description stem (the descriptions that fit, alone, at their places: mono Ogg
   Opus of the lesson's length, which the player mixes with the original in the browser), the
   described version (programme ducked under them: the download, and what the player plays
   without Web Audio), the extended-description rendition (picture and programme pause for the
   others; only when there are any) and a descriptions WebVTT with the final times.

   ``outputs="stem"`` (the default) makes the three media files at once, each in one ffmpeg run
   from the source with the picture copied (``mix.stem``, ``mix.render``); ``outputs="mixed"``
   is the way before the stem (two WAV passes, a loudness pass and, for the extended rendition,
   the picture re-encoded; no stem), kept so that ``make bench`` compares the two in one run.

Owns: the audio-description run for one lesson, stage by stage, and reading/checking
description cues. Must not: hold language facts (the synthesis voice is the ``languages``
entry's), place or mix itself (``place``, ``mix``), or import Flask or the database.
"""

from __future__ import annotations

import html
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import webvtt

from . import speech_models
from .captions import read_caption_file, timestamp
from .errors import MediaError
from .extract import extract_pcm
from .gaps import find_gaps
from .mix import DUCK_DB, Clip, Pause, encode, mix_audio, programme_audio, render
from .mix import stem as make_stem
from .place import Gap, Placement, place, report_lines, summary
from .probe import probe
from .recognise import recognise
from .synthesise import DEFAULT_RATE, synthesise, voice_for, wav_duration
from .words import Word, rejoin
from .write import atomic_write

Stage = Callable[[str], None]


@dataclass(frozen=True)
class Description:
    anchor: float  # seconds into the lesson: where the thing to describe is shown
    text: str


@dataclass
class DescribeResult:
    duration_s: float
    descriptions: list[Description]
    gaps: list[Gap]
    placements: list[Placement]
    described: Path
    extended: Path | None
    vtt: Path
    gaps_from: str  # "words" or "silences"
    window: float = 10.0
    seconds: dict[str, float] = field(default_factory=dict)
    stem: Path | None = None  # the descriptions alone (Ogg Opus); None with outputs="mixed"

    def report(self) -> list[str]:
        return report_lines(self.placements, [d.text for d in self.descriptions],
                            window=self.window)

    def summary(self) -> str:
        counts = summary(self.placements)
        took = sum(self.seconds.values())
        return (f"{len(self.placements)} descriptions for {self.duration_s:.1f} s of media: "
                f"{counts.get('placed', 0)} placed, {counts.get('sped-up', 0)} sped up, "
                f"{counts.get('extended', 0)} extended; {len(self.gaps)} speech gaps (from "
                f"{self.gaps_from}); {took:.1f} s, {took / self.duration_s:.2f} of real time")


def check_descriptions(descriptions: Sequence[Description], duration: float) -> None:
    """Every description has text, starts inside the media, and they come in time order."""
    if not descriptions:
        raise MediaError("There are no descriptions to place. Add at least one.")
    previous = None
    for number, item in enumerate(descriptions, start=1):
        if not item.text.strip():
            raise MediaError(f"Description {number} has no text. Write what the learner should "
                             "hear, or remove it.")
        if item.anchor < 0 or item.anchor >= duration:
            raise MediaError(f"Description {number} is at {timestamp(max(0.0, item.anchor))}, "
                             f"outside the media, which lasts {timestamp(duration)}.")
        if previous is not None and item.anchor < previous:
            raise MediaError(f"Description {number} is at {timestamp(item.anchor)}, before "
                             f"description {number - 1}. Put the descriptions in time order.")
        previous = item.anchor


def read_descriptions(data: bytes, filename: str) -> list[Description]:
    """Descriptions from a WebVTT (kind descriptions) or SRT file: each cue's start is the
    anchor. Malformed files and overlapping cues are refused with the line or cue at fault."""
    cues = read_caption_file(data, filename)
    for number, (a, b) in enumerate(zip(cues, cues[1:], strict=False), start=1):
        if b.start < a.end:
            raise MediaError(f"Descriptions {number} and {number + 1} overlap ({timestamp(a.start)}"
                             f" to {timestamp(a.end)} and from {timestamp(b.start)}). Give each "
                             "description its own time.")
    return [Description(c.start, " ".join(c.text.split())) for c in cues]  # lines joined


def authored_vtt(descriptions: Sequence[Description]) -> str:
    """WebVTT (kind descriptions) of authored cues: each starts at its anchor and lasts until the
    next one (at most 2 s); the text stays on one line (no caption line breaking)."""
    vtt = webvtt.WebVTT()
    for i, item in enumerate(descriptions):
        end = item.anchor + 2.0
        if i + 1 < len(descriptions):
            end = min(end, descriptions[i + 1].anchor)
        vtt.captions.append(webvtt.Caption(timestamp(item.anchor), timestamp(end),
                                           [html.escape(item.text, quote=False)]))
    return vtt.content if descriptions else "WEBVTT\n"


def descriptions_vtt(placements: Sequence[Placement], texts: Sequence[str]) -> str:
    """Final times: a placed description lasts while it is spoken; an extended one is a short cue
    at its pause point whose identifier ends in "extended" (the player pauses the video for it)."""
    vtt = webvtt.WebVTT()
    for p in placements:
        end = p.end if p.kind != "extended" else p.start + 0.5
        vtt.captions.append(webvtt.Caption(
            timestamp(p.start), timestamp(end), [html.escape(texts[p.index], quote=False)],
            identifier=f"description-{p.index + 1}" + ("-extended" if p.kind == "extended"
                                                       else "")))
    return vtt.content


def _timeline(placements: Sequence[Placement], wavs: Sequence[Path], extended: bool):
    """Clips on the output timeline, and the pauses (merged per point) for the rendition."""
    clips, pauses, shift = [], [], 0.0
    for p in placements:
        if p.kind == "extended":
            if not extended:
                continue
            clips.append(Clip(wavs[p.index], p.start + shift, p.duration))
            if pauses and abs(pauses[-1].at - p.start) < 1e-6:
                pauses[-1] = Pause(p.start, pauses[-1].length + p.duration)
            else:
                pauses.append(Pause(p.start, p.duration))
            shift += p.duration
        else:
            clips.append(Clip(wavs[p.index], p.start + shift, p.spoken, p.speed))
    return clips, pauses


def describe(source: str | Path, descriptions: Sequence[Description], language: str,
             output_dir: str | Path, *, words: Sequence[Word] | None = None,
             cache_dir: str | Path | None = None, configured_models: dict | None = None,
             rate: int = DEFAULT_RATE, window: float = 10.0, max_speedup: float = 1.25,
             depth_db: float = DUCK_DB, jobs: int | None = None,
             max_duration_s: float = 4 * 3600, progress: Stage | None = None,
             outputs: str = "stem") -> DescribeResult:
    stage = progress or (lambda name: None)
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    stage("probe")
    info = probe(source, max_duration_s=max_duration_s)
    voice_for(language)  # no voice: fail before any work
    descriptions = list(descriptions)
    check_descriptions(descriptions, info.duration_s)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    if not os.access(output_dir, os.W_OK):
        raise MediaError(f"The folder {output_dir} cannot be written to.")
    seconds["probe"] = time.perf_counter() - t
    # Work in a hidden folder beside the outputs; they are renamed into place only when all
    # are complete, so that a failure leaves nothing half-written.
    with tempfile.TemporaryDirectory(prefix=".describe-", dir=output_dir) as tmp_name:
        tmp = Path(tmp_name)
        t = time.perf_counter()
        stage("gaps")
        wav16 = extract_pcm(source, tmp / "audio16.wav", duration_s=info.duration_s)
        gaps_from = "words"
        if words is None:
            try:
                model = speech_models.find_model(language, configured_models)
                words = rejoin(recognise(wav16, model.path, jobs=jobs or os.cpu_count() or 1),
                               language)
            except speech_models.ModelNotFound:
                words, gaps_from = [], "silences"
        gaps = find_gaps(wav16, words, info.duration_s)
        seconds["gaps"] = time.perf_counter() - t

        t = time.perf_counter()
        stage("synthesise")
        cache = Path(cache_dir) if cache_dir else tmp / "speech"
        wavs = [synthesise(d.text, language, cache, rate=rate) for d in descriptions]
        placements = place([(d.anchor, wav_duration(w)) for d, w in zip(descriptions, wavs,
                                                                          strict=True)],
                           gaps, window=window, max_speedup=max_speedup,
                           media_duration=info.duration_s)
        seconds["synthesise"] = time.perf_counter() - t

        t = time.perf_counter()
        stage("mix")
        ext = ".webm" if info.has_video else ".ogg"
        stem_path = None
        if outputs == "stem":
            channels = min((s.get("channels") or 2 for s in info.raw.get("streams", [])
                            if s.get("codec_type") == "audio"), default=2)
            stem_path, described, extended_path = _render_all(
                source, placements, wavs, tmp, ext, info.duration_s, info.has_video, depth_db,
                channels)
        else:
            clips, _ = _timeline(placements, wavs, extended=False)
            mixed = mix_audio(programme_audio(source, tmp / "programme.wav"), clips,
                              tmp / "described.wav", depth_db=depth_db)
            described = encode(source, mixed, tmp / f"described{ext}", with_video=info.has_video)
            extended_path = None
            if any(p.kind == "extended" for p in placements):
                clips, pauses = _timeline(placements, wavs, extended=True)
                mixed = mix_audio(programme_audio(source, tmp / "programme-extended.wav", pauses),
                                  clips, tmp / "extended.wav", depth_db=depth_db)
                extended_path = encode(source, mixed, tmp / f"extended{ext}", pauses=pauses,
                                       with_video=info.has_video)
        vtt = atomic_write(tmp / "descriptions.vtt",
                           descriptions_vtt(placements, [d.text for d in descriptions]))
        kept = []
        for made in (described, extended_path, vtt, stem_path):
            if made is not None:
                kept.append(output_dir / made.name)
                os.replace(made, kept[-1])
        seconds["mix"] = time.perf_counter() - t
    made = iter(kept)
    described = next(made)
    extended_path = next(made) if extended_path is not None else None
    vtt = next(made)
    stem_path = next(made) if stem_path is not None else None
    return DescribeResult(info.duration_s, descriptions, gaps, placements, described,
                          extended_path, vtt, gaps_from, window, seconds, stem_path)


def _render_all(source, placements: Sequence[Placement], wavs: Sequence[Path], tmp: Path,
                ext: str, duration_s: float, has_video: bool, depth_db: float, channels: int):
    """The stem, the described version and (when any description is extended) the extended
    rendition, side by side: each is one ffmpeg run, mostly on one core."""
    clips, _ = _timeline(placements, wavs, extended=False)
    extended = any(p.kind == "extended" for p in placements)
    with ThreadPoolExecutor(max_workers=3) as pool:
        stem_job = pool.submit(make_stem, clips, duration_s, tmp / "stem.ogg")
        described_job = pool.submit(render, source, clips, tmp / f"described{ext}",
                                    with_video=has_video, depth_db=depth_db, channels=channels,
                                    duration_s=duration_s)
        extended_job = None
        if extended:
            all_clips, pauses = _timeline(placements, wavs, extended=True)
            extended_job = pool.submit(render, source, all_clips, tmp / f"extended{ext}",
                                       pauses=pauses, with_video=has_video, depth_db=depth_db,
                                       channels=channels, duration_s=duration_s)
        return (stem_job.result(), described_job.result(),
                extended_job.result() if extended_job else None)
