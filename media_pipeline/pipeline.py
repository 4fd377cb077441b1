"""caption: the whole captioning pipeline for one media file, stage by stage; caption_many: for a
batch of files.

Owns: running the captioning stages in order, with timings and progress, for one file or a
batch. Must not: hold rules or language facts of its own (each stage reads ``languages``),
store anything (the app does), or import Flask or the database.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from . import speech_models
from .align import align
from .captions import Cue, to_srt, to_webvtt
from .errors import MediaError
from .extract import extract_pcm
from .probe import probe
from .recognise import decoding_processes, prepare, recognise
from .segment import RuleBreak, segment
from .words import Word, rejoin
from .write import to_json, to_transcript

# (stage name, fraction done overall)
StageProgress = Callable[[str, float], None]
STAGES = [("probe", 0.02), ("extract", 0.10), ("recognise", 0.90), ("segment", 0.95),
          ("write", 1.0)]


@dataclass
class CaptionResult:
    duration_s: float
    words: list[Word]
    cues: list[Cue]
    report: list[RuleBreak]
    vtt: str
    srt: str
    transcript: str
    json: str
    model: str
    seconds: dict[str, float] = field(default_factory=dict)
    aligned: bool = False  # timings for a given script (caption text is the script's)
    missing_words: list[str] = field(default_factory=list)  # script words the model lacks
    matched_ratio: float | None = None  # share of script words timed by recognition
    # speech outside the script, recognised freely: (start, end) of each stretch
    unscripted: list[tuple[float, float]] = field(default_factory=list)

    @property
    def real_time_factor(self) -> float:
        return sum(self.seconds.values()) / self.duration_s if self.duration_s else 0.0

    def summary(self) -> str:
        low = sum(1 for w in self.words if w.conf < 0.6)
        outside = sum(1 for w in self.words if w.unscripted)
        how = (f"aligned to the script: {self.matched_ratio:.0%} of its words matched, "
               f"{len(self.missing_words)} not in the model's vocabulary; {outside} said outside "
               f"the script ({len(self.unscripted)} stretches) recognised freely"
               if self.aligned else f"{low} with low confidence")
        return (f"{self.duration_s:.1f} s of media, {len(self.words)} words, {how}; "
                f"{len(self.cues)} cues, {len(self.report)} rule breaks; "
                f"{sum(self.seconds.values()):.1f} s, real-time factor "
                f"{self.real_time_factor:.2f}")


def caption(source: str | Path, language: str, *, script: str | None = None,
            jobs: int | None = None, configured_models: dict | None = None,
            max_duration_s: float = 4 * 3600,
            progress: StageProgress | None = None) -> CaptionResult:
    """Probe, extract, recognise (or align to ``script``), segment and write captions."""
    jobs = jobs or os.cpu_count() or 1
    seconds: dict[str, float] = {}
    report = progress or (lambda stage, fraction: None)
    base = {name: (STAGES[i - 1][1] if i else 0.0) for i, (name, _) in enumerate(STAGES)}
    span = {name: end - base[name] for name, end in STAGES}

    def stage_progress(name):
        return lambda fraction: report(name, base[name] + span[name] * fraction)

    t = time.perf_counter()
    report("probe", 0.0)
    info = probe(source, max_duration_s=max_duration_s)
    model = speech_models.find_model(language, configured_models)  # fails early, naming the fix
    # Decoding processes load the model while the sound is extracted (as it comes, to align).
    prepare(model.path, jobs, free=not (script and script.strip()))
    seconds["probe"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory(prefix="caption-") as tmp:
        t = time.perf_counter()
        wav = extract_pcm(source, Path(tmp) / "audio.wav", duration_s=info.duration_s,
                          progress=stage_progress("extract"))
        seconds["extract"] = time.perf_counter() - t
        t = time.perf_counter()
        alignment = None
        if script and script.strip():
            alignment = align(wav, model.path, script, language, duration_s=info.duration_s,
                              jobs=jobs, progress=stage_progress("recognise"))
            raw = alignment.words
        else:
            raw = recognise(wav, model.path, jobs=jobs, progress=stage_progress("recognise"))
        seconds["recognise"] = time.perf_counter() - t
    t = time.perf_counter()
    report("segment", base["segment"])
    words = raw if alignment else rejoin(raw, language)
    seg = segment(words, language, duration_s=info.duration_s)
    seconds["segment"] = time.perf_counter() - t
    report("write", base["write"])
    result = CaptionResult(
        duration_s=info.duration_s, words=words, cues=seg.cues, report=seg.report,
        vtt=to_webvtt(seg.cues, language), srt=to_srt(seg.cues, language),
        transcript=to_transcript(seg.words_per_cue, language),
        json=to_json(words, seg.cues, language, {"model": str(model.path)}),
        model=str(model.path), seconds=seconds, aligned=alignment is not None,
        missing_words=alignment.missing if alignment else [],
        matched_ratio=alignment.matched_ratio if alignment else None,
        unscripted=alignment.unscripted if alignment else [],
    )
    report("write", 1.0)
    return result


def caption_many(sources: list[Path], language: str, *, scripts: dict[Path, str] | None = None,
                 jobs: int | None = None, configured_models: dict | None = None,
                 max_duration_s: float = 4 * 3600,
                 ) -> Iterator[tuple[Path, CaptionResult | MediaError]]:
    """Caption several files, each as ``caption`` does, with the model loaded once per process:
    ``jobs`` processes (default: the number of cores) take whole files, one at a time each,
    so a batch of short lessons keeps every core busy (a file shorter than
    ``recognise.MIN_CHUNK_S`` is never split). A single file is split into chunks instead.
    Yields (source, result) as each file is done, or (source, MediaError) for a file that could
    not be captioned; the other files go on."""
    jobs = jobs or os.cpu_count() or 1
    scripts = scripts or {}
    model = speech_models.find_model(language, configured_models)  # fails early, naming the fix
    if len(sources) == 1 or jobs == 1:
        for source in sources:
            try:
                yield source, caption(source, language, script=scripts.get(source), jobs=jobs,
                                      configured_models=configured_models,
                                      max_duration_s=max_duration_s)
            except MediaError as exc:
                yield source, exc
        return
    try:
        with decoding_processes(model.path, jobs) as pool:
            futures = {pool.submit(caption, source, language, script=scripts.get(source), jobs=1,
                                   configured_models=configured_models,
                                   max_duration_s=max_duration_s): source for source in sources}
            for future in as_completed(futures):
                try:
                    yield futures[future], future.result()
                except MediaError as exc:
                    yield futures[future], exc
    except BrokenProcessPool as exc:
        raise MediaError("A captioning process stopped before the batch was done (killed, or "
                         "out of memory). The captions already reported are saved; run the batch "
                         "again for the files not reported.") from exc
