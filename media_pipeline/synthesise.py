"""synthesise: description text spoken offline by pyttsx3 on espeak-ng, one WAV per text.

WAVs are cached by text, voice and rate, so that editing one description re-speaks only that one.
espeak-ng can be initialised once per process, so one engine serves the process, behind a lock;
it runs in espeak-ng's synchronous mode (``_synchronous_espeak``), so that each synthesis has its
own voice and rate.

Owns: the espeak-ng engine, the WAV cache and the limits on a description's text and rate.
Must not: hold language facts (each language's espeak-ng voice is its ``languages`` entry's
``synthesis_voice``), place or mix descriptions (``place``, ``mix``), or import Flask.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import os
import threading
import wave
from functools import lru_cache
from pathlib import Path

from . import languages
from .errors import MediaError

DEFAULT_RATE = 175  # words per minute
MIN_RATE, MAX_RATE = 80, 400
MAX_TEXT = 1000  # characters in one description

_lock = threading.Lock()


_sample_rate = 22050  # espeak-ng's, as its start reports it


def _synchronous_espeak() -> None:
    """Start espeak-ng in its synchronous mode before pyttsx3 would start it in its asynchronous
    retrieval mode (espeak-ng starts once per process; pyttsx3's driver skips its own start when
    it is marked done).

    In the asynchronous mode, espeak-ng's own thread hands the sound to pyttsx3's callback and
    writes the WAV while the next synthesis is being set up. With both processors busy, a
    description came out at the previous description's speaking rate, or with no sound at all
    (measured: 15 of 36 syntheses of one sentence at 175, 120 and 200 words a minute). In the
    synchronous mode the sound arrives in this thread before ``runAndWait`` returns, and
    ``_write_sound`` writes it."""
    global _sample_rate
    from pyttsx3.drivers import _espeak
    from pyttsx3.drivers.espeak import EspeakDriver

    if EspeakDriver._moduleInitialized:
        return
    rate = _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 1000)
    if rate == -1:
        raise RuntimeError("could not initialise espeak-ng")
    _sample_rate = rate
    current = _espeak.GetCurrentVoice()
    EspeakDriver._defaultVoice = (current.contents.name.decode("utf-8")
                                  if current and current.contents.name else "gmw/en")
    EspeakDriver._moduleInitialized = True


def _write_sound(engine, path: Path) -> None:
    """Write the sound of the synthesis ``runAndWait`` has just done. In the synchronous mode
    espeak-ng ends with an empty callback instead of the "message terminated" event on which
    pyttsx3 writes the file, so the sound is still in the driver's buffer: write it, and put the
    driver back as it was before the first synthesis (not speaking, buffer empty, the proxy
    busy), so that the next synthesis's commands wait for ``runAndWait``, which runs them in
    order and then synthesises."""
    driver = engine.proxy._driver
    if not driver._speaking:  # an espeak-ng that does send the event: pyttsx3 wrote it already
        return
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(_sample_rate)
        out.writeframes(driver._data_buffer)
    driver._data_buffer = b""
    driver._speaking = False
    engine.proxy.setBusy(True)  # as at the start: commands wait for runAndWait


@lru_cache(maxsize=1)
def _engine():
    try:
        import pyttsx3

        _synchronous_espeak()
        engine = pyttsx3.init("espeak")
    except (ImportError, RuntimeError, OSError) as exc:
        raise MediaError("Speech synthesis is not available: espeak-ng could not be started. "
                         "Install it with: apt-get install espeak-ng") from exc
    # Let the engine go while the interpreter is still whole: pyttsx3's clean-up fails noisily
    # ("Exception ignored in DriverProxy.__del__") when it runs during shutdown.
    atexit.register(_engine.cache_clear)
    return engine


@lru_cache(maxsize=1)
def installed_voices() -> frozenset[str]:
    with _lock:
        return frozenset(v.id for v in _engine().getProperty("voices"))


def voice_for(language: str) -> str:
    """The espeak-ng voice for ``language``, or a MediaError that says what is available."""
    voice = languages.get(language).synthesis_voice
    if voice is None or voice not in installed_voices():
        have = ", ".join(f"{languages.get(k).name} ({k})" for k in languages.with_synthesis_voice()
                         if languages.get(k).synthesis_voice in installed_voices())
        raise MediaError(f"There is no speech synthesis voice for the language “{language}”. "
                         f"Voices are available for: {have or 'none'}.")
    return voice


def cache_name(text: str, voice: str, rate: int) -> str:
    key = f"{voice}\0{rate}\0{text}".encode()
    return hashlib.sha256(key).hexdigest()[:32] + ".wav"


def synthesise(text: str, language: str, cache_dir: str | Path, *,
               rate: int = DEFAULT_RATE) -> Path:
    """A WAV of ``text`` spoken in the voice for ``language`` at ``rate`` words a minute."""
    text = " ".join(text.split())
    if not text:
        raise MediaError("A description has no text to speak. Write what the learner should hear.")
    if len(text) > MAX_TEXT:
        raise MediaError(f"A description is {len(text)} characters long; the limit is "
                         f"{MAX_TEXT}. Split it into shorter descriptions.")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise MediaError(f"The speaking rate {rate} is outside {MIN_RATE}–{MAX_RATE} words a "
                         "minute.")
    voice = voice_for(language)
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / cache_name(text, voice, rate)
    if target.exists():
        return target
    partial = cache_dir / f".{target.stem}.{os.getpid()}.{threading.get_ident()}.tmp.wav"
    try:
        with _lock:
            engine = _engine()
            engine.setProperty("voice", voice)
            engine.setProperty("rate", rate)
            engine.save_to_file(text, str(partial))
            with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 prints "Audio saved to"
                engine.runAndWait()
            _write_sound(engine, partial)
        if wav_duration(partial) <= 0:
            raise MediaError(f"Speech synthesis produced no sound for “{text[:40]}”.")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def wav_duration(path: str | Path) -> float:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / w.getframerate()
    except (wave.Error, EOFError, FileNotFoundError):
        return 0.0
