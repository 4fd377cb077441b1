"""recognise: Vosk speech recognition with word timings and confidences.

The model is loaded once per process. Long audio is split at silences into chunks that several
processes decode in parallel: forked from a process that has loaded the model (and share it), or,
in a process with other threads running, started afresh to load it once each. The pool is kept
for the next call in the same process. Every file or chunk gets a recogniser of its own.

Kaldi dithers the sound with random numbers from the C library's generator, so the same audio
gave other words depending on how many numbers the process had drawn before (a script's
alignment broke a caption rule only after other files had been decoded). Each recogniser is
created right after re-seeding that generator (``_seed_dither``), so the same media gives the
same captions. Measured: aligning the same lecture twice in one process, each time with a fresh
recogniser, gave different results; re-seeded, equal ones. Switching dither off instead made the
benchmark lecture's character error rate worse (0.156 against 0.139; it has digital silence).
The memory allocator matters too, a little: the app decodes on jemalloc (see
``accessible_learning.allocator``).

Owns: loading the model into decoding processes, splitting at silences, decoding with word
times and confidences. Must not: turn tokens into written words (``words``), choose a model
(``speech_models``), or hold language facts (``languages``).
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import json
import multiprocessing
import re
import subprocess
import threading
import time
import wave
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import speech_models
from .errors import MediaError
from .probe import INPUT_OPTIONS
from .processes import die_with_parent
from .words import Word

BLOCK_FRAMES = 16000  # 1 s at 16 kHz (measured: 9 % less CPU than 0.25 s blocks)
MIN_CHUNK_S = 20.0
SILENCE_DB = -35
SILENCE_MIN_S = 0.3

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Chunk:
    start_s: float
    end_s: float


def _check_wav(path: Path) -> tuple[int, int]:
    try:
        with wave.open(str(path), "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2:
                raise MediaError("Recognition needs 16-bit mono PCM; run the extract stage first.")
            return w.getframerate(), w.getnframes()
    except (wave.Error, EOFError) as exc:
        raise MediaError(f"The audio file {path.name} is not a readable WAV file.") from exc


DITHER_SEED = 20240601


def _seed_dither() -> None:
    """Re-seed the C library's random generator, which Kaldi's dither draws from. Two recognisers
    decoding at the same moment in one process would share it and not be repeatable; the job
    worker runs one job at a time, and each decoding process one chunk at a time."""
    ctypes.CDLL(None).srand(DITHER_SEED)


def _decode(model_path: str, wav_path: str, start_s: float, end_s: float | None,
            grammar: list[str] | None = None, progress: Progress | None = None,
            progress_path: str | None = None) -> list[Word]:
    """The words of ``wav_path`` from ``start_s`` to ``end_s``, with a recogniser of its own: a
    recogniser kept from an earlier file carries that file's speaker adaptation into the next
    (measured: the same clip decoded after another gave other words and times), so the same
    media would not always give the same captions. A fresh one builds its decoding graph's cache
    again, about 2 s of CPU. In a decoding process, ``progress_path`` is a file where the
    seconds decoded so far are written about twice a second, for the caller to read."""
    from vosk import KaldiRecognizer

    model = _model(model_path, free=not grammar)
    with wave.open(wav_path, "rb") as w:
        rate = w.getframerate()
        _seed_dither()
        recognizer = (KaldiRecognizer(model, rate, json.dumps(grammar, ensure_ascii=False))
                      if grammar else KaldiRecognizer(model, rate))
        recognizer.SetWords(True)
        first = int(start_s * rate)
        last = w.getnframes() if end_s is None else min(w.getnframes(), int(end_s * rate))
        w.setpos(first)
        words: list[Word] = []
        position = first
        written_at = time.monotonic()

        def collect(result: str) -> None:
            for item in json.loads(result).get("result", []):
                words.append(Word(item["word"], item["start"] + start_s, item["end"] + start_s,
                                  float(item.get("conf", 1.0))))

        while position < last:
            count = min(BLOCK_FRAMES, last - position)
            data = w.readframes(count)
            if not data:
                break
            position += count
            if recognizer.AcceptWaveform(data):
                collect(recognizer.Result())
            if progress:
                progress((position - first) / max(1, last - first))
            if progress_path and time.monotonic() - written_at >= 0.5:
                Path(progress_path).write_text(f"{(position - first) / rate:.2f}")
                written_at = time.monotonic()
        collect(recognizer.FinalResult())
    return words


def silences(wav_path: Path) -> list[tuple[float, float]]:
    """(start, end) of every silence of at least SILENCE_MIN_S, found by ffmpeg silencedetect."""
    out = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", *INPUT_OPTIONS, "-i", str(wav_path),
         "-af", f"silencedetect=n={SILENCE_DB}dB:d={SILENCE_MIN_S}", "-f", "null", "-"],
        capture_output=True, text=True, preexec_fn=die_with_parent,
    ).stderr
    starts = [float(x) for x in re.findall(r"silence_start: (-?[\d.]+)", out)]
    ends = [float(x) for x in re.findall(r"silence_end: ([\d.]+)", out)]
    return list(zip(starts, ends, strict=False))


def plan_chunks(duration_s: float, quiet: list[tuple[float, float]], jobs: int) -> list[Chunk]:
    """Cut the audio into one chunk for each of ``jobs`` processes, each cut in the middle of the
    silence nearest to where the chunks hold equal amounts of sound (decoding silence costs
    little). One chunk a process: each process's first recogniser pays for building its
    decoding graph's cache, and every chunk restarts the speaker adaptation. Two chunks a
    process, taken by whichever process is free, were tried on the benchmark lecture: no
    faster (29.1 s against 25.7 s, in runs half an hour apart on this shared machine)."""
    count = max(1, min(jobs, int(duration_s // MIN_CHUNK_S)))
    if count == 1:
        return [Chunk(0.0, duration_s)]
    quiet = sorted((max(0.0, s), min(duration_s, e)) for s, e in quiet if e > s)
    sound = duration_s - sum(e - s for s, e in quiet)
    cuts = []
    for i in range(1, count):
        ideal = _time_with_sound(sound * i / count, quiet)
        middles = [(s + e) / 2 for s, e in quiet if 0 < (s + e) / 2 < duration_s]
        cut = min(middles, key=lambda m: abs(m - ideal)) if middles else ideal
        if abs(cut - ideal) > duration_s / count / 2:
            cut = ideal  # no silence near: cut anyway (a word may be split at the boundary)
        if not cuts or cut > cuts[-1] + 1.0:
            cuts.append(cut)
    edges = [0.0, *cuts, duration_s]
    return [Chunk(a, b) for a, b in zip(edges, edges[1:], strict=False)]


def _time_with_sound(amount: float, quiet: list[tuple[float, float]]) -> float:
    """The time by which ``amount`` seconds of non-silent audio have passed."""
    t = 0.0
    for start, end in quiet:
        if start - t >= amount:
            break
        amount -= max(0.0, start - t)
        t = max(t, end)
    return t + amount


_pools: dict[tuple[str, int], ProcessPoolExecutor] = {}
_loading: dict[str, threading.Thread] = {}


def _alone() -> bool:
    """Whether this process may fork its decoding processes: the calling thread is its only
    thread (a fork copies only the calling thread, and a lock another thread held at that moment
    would stay locked in the copy), and the system can fork."""
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def _wait_for_loader(model_path: str) -> None:
    """When ``prepare`` is loading the model in a thread, wait for that load (rather than start
    a second one)."""
    loader = _loading.pop(model_path, None)
    if loader is not None:
        loader.join()


# Set in the model's settings for free recognition (``speech_models.with_options``): Kaldi computes
# the acoustic model for this many frames at a time; the model's folder does not set it. Measured on
# the 10 Zeroth clips, one pass each, against the model as it comes: 6 % less CPU and a character
# error rate of 0.138 against 0.147; on the 5.7-minute benchmark lecture, 7 to 11 % less CPU and
# 0.137 against 0.141. With 64 frames: 0.148 on the clips; with 100 or 150: 0.145 on the lecture.
# Alignment to a script (a grammar) decodes with the model as it comes: with 75 frames one sentence
# of a synthetic lecture started 0.64 s late instead of 0.06 s.
MODEL_OPTIONS = {"frames-per-chunk": "75"}


@functools.cache
def _with_options(model_path: str) -> str:
    try:
        return str(speech_models.with_options(model_path, MODEL_OPTIONS))
    except OSError:  # no folder can be made for the settings: decode with the model as it is
        return model_path


def _load(model_path: str, free: bool = True):
    """The model at ``model_path``, loaded once per process: with ``MODEL_OPTIONS`` for free
    recognition, as it comes for alignment."""
    return speech_models.load(_with_options(model_path) if free else model_path)


def _model(model_path: str, free: bool = True):
    """The model, loaded once in this process (short media is decoded here, in one piece)."""
    _wait_for_loader(model_path)
    return _load(model_path, free)


def _start_decoder(model_path: str, free: bool) -> None:
    """A decoding process's start: it ends with the process that started it, then loads the
    model."""
    die_with_parent()
    _load(model_path, free)


def _pool(model_path: str, jobs: int, free: bool = True) -> ProcessPoolExecutor:
    """The decoding processes. When this process is alone (``flask media caption``), it loads
    the model itself and forks them: they share its copy of the model, and start at once instead
    of each starting Python and loading the model (about 2 s of CPU each). Otherwise (the job
    worker, whose other threads keep running) they are started afresh and load it themselves.
    ``free``: which of the two ways of ``_load`` to load first (they load the other when asked
    for it)."""
    key = (model_path, jobs)
    if key not in _pools:
        _wait_for_loader(model_path)  # before counting threads: the loader is one of them
        if _alone():
            _load(model_path, free)
            _pools[key] = ProcessPoolExecutor(max_workers=jobs,
                                              mp_context=multiprocessing.get_context("fork"),
                                              initializer=die_with_parent)
        else:
            context = multiprocessing.get_context("spawn")
            _pools[key] = ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                              initializer=_start_decoder,
                                              initargs=(model_path, free))
    return _pools[key]


@contextmanager
def decoding_processes(model_path: str | Path, jobs: int,
                       free: bool = True) -> Iterator[ProcessPoolExecutor]:
    """The ``jobs`` decoding processes for the model (see ``_pool``), kept for the next call,
    unless one of them dies while in use (killed, or out of memory): then the pool is broken for
    good, so it is dropped and the next call starts new processes (the job worker's retry of the
    job would otherwise fail the same way)."""
    key = (str(model_path), jobs)
    pool = _pool(*key, free)
    try:
        yield pool
    except BrokenProcessPool:
        if _pools.get(key) is pool:
            del _pools[key]
        pool.shutdown(wait=False, cancel_futures=True)
        raise


def _ready() -> bool:
    return True


def _finish_loading() -> None:
    """At exit, wait for a model still loading (a command that failed on bad input just after
    starting the load): the process would otherwise end while the loader thread is inside Vosk,
    as the C++ library's globals are destroyed."""
    for loader in list(_loading.values()):
        loader.join()


@functools.cache
def _finish_loading_at_exit() -> None:
    atexit.register(_finish_loading)


def prepare(model_path: str | Path, jobs: int, free: bool = True) -> None:
    """Get the model or the decoding processes ready while the caller does other work (reading
    its input, probing, extracting the sound): alone, load the model in a thread of this
    process (Vosk loads it without holding the GIL), to decode with here or to fork the
    processes from when they are needed; otherwise start the processes, and they load it."""
    model_path = str(model_path)
    if (model_path, jobs) in _pools or model_path in _loading:
        return
    if _alone():
        loader = threading.Thread(target=_load, args=(model_path, free),
                                  name="model-loader", daemon=True)
        _finish_loading_at_exit()
        _loading[model_path] = loader
        loader.start()
    elif jobs > 1:
        pool = _pool(model_path, jobs, free)
        for _ in range(jobs):
            pool.submit(_ready)


def recognise(wav_path: str | Path, model_path: str | Path, *, jobs: int = 1,
              grammar: list[str] | None = None, progress: Progress | None = None) -> list[Word]:
    """Words with times (seconds) and confidences, from a 16 kHz mono 16-bit WAV."""
    wav_path, model_path = Path(wav_path), str(model_path)
    rate, frames = _check_wav(wav_path)
    duration = frames / rate
    if progress:
        progress(0.0)  # recognition has begun
    chunks = plan_chunks(duration, silences(wav_path) if jobs > 1 else [], jobs)
    if len(chunks) == 1:
        return _decode(model_path, str(wav_path), 0.0, None, grammar, progress)
    # Each decoding process writes how far it has got beside the sound; the seconds decoded by
    # all of them are the progress, read every second while they work.
    marks = [wav_path.with_name(f".{wav_path.stem}.decoded-{i}") for i in range(len(chunks))]
    try:
        with decoding_processes(model_path, jobs, free=not grammar) as pool:
            futures = [pool.submit(_decode, model_path, str(wav_path), c.start_s, c.end_s,
                                   grammar, None, str(mark))
                       for c, mark in zip(chunks, marks, strict=True)]
            while wait(futures, timeout=1.0).not_done:
                if progress:
                    progress(min(1.0, _decoded(marks, chunks, futures) / duration))
            words = [word for future in futures for word in future.result()]
    finally:
        for mark in marks:
            mark.unlink(missing_ok=True)
    if progress:
        progress(1.0)
    return words


def _decoded(marks: list[Path], chunks: list[Chunk], futures) -> float:
    """Seconds decoded so far: whole chunks that are done, and what the others have written."""
    total = 0.0
    for mark, chunk, future in zip(marks, chunks, futures, strict=True):
        if future.done():
            total += chunk.end_s - chunk.start_s
            continue
        try:
            total += float(mark.read_text() or 0)
        except (OSError, ValueError):
            pass  # not written yet, or being written
    return total


def recognise_spans(wav_path: str | Path, model_path: str | Path,
                    spans: list[tuple[float, float]], *, jobs: int = 1) -> list[Word]:
    """Free recognition of just the given (start, end) stretches, in order. With several
    stretches and processes, the decoding processes of ``recognise`` are reused."""
    wav_path, model_path = Path(wav_path), str(model_path)
    _check_wav(wav_path)
    if jobs > 1 and len(spans) > 1:
        with decoding_processes(model_path, jobs) as pool:
            futures = [pool.submit(_decode, model_path, str(wav_path), a, b) for a, b in spans]
            results = [future.result() for future in futures]
    else:
        results = [_decode(model_path, str(wav_path), a, b) for a, b in spans]
    return [word for words in results for word in words]
