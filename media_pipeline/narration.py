"""Narrated slide videos made on this machine: espeak-ng speaks, ffmpeg draws and encodes.

Used for the bundled demo course. Each sentence is spoken separately, so its start and end time
in the narration is known exactly and becomes a caption cue.

Owns: speaking sentences with espeak-ng and drawing the slide videos. Must not: hold language
facts (the espeak-ng voice of a language is its ``languages`` entry's ``espeak_voice``), be
used for description audio (``synthesise``), or import Flask.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from pathlib import Path

import ffmpeg

from . import languages
from .captions import Cue
from .errors import MediaError

LEAD_IN_S = 0.5
PAUSE_S = 0.7
TAIL_S = 0.8

_FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
]


def _espeak() -> str:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise MediaError("espeak-ng is not installed. Install it with: apt-get install espeak-ng")
    return exe


def speak_sentences(sentences: Sequence[str], language: str, out_wav: Path,
                    words_per_minute: int = 150) -> list[Cue]:
    """Speak each sentence, join them with pauses into one WAV; return one cue per sentence."""
    voice = languages.get(language).espeak_voice or language
    out_wav = Path(out_wav)
    cues: list[Cue] = []
    with tempfile.TemporaryDirectory(prefix="narration-") as tmp:
        clips = []
        for i, sentence in enumerate(sentences):
            clip = Path(tmp) / f"{i:03d}.wav"
            subprocess.run(
                [_espeak(), "-v", voice, "-s", str(words_per_minute), "-w", str(clip), sentence],
                check=True, capture_output=True, timeout=120,
            )
            clips.append(clip)
        params = None
        frames: list[bytes] = []
        t = LEAD_IN_S
        for clip, sentence in zip(clips, sentences, strict=True):
            with wave.open(str(clip), "rb") as w:
                if params is None:
                    params = w.getparams()
                    silence_frame = b"\x00" * params.sampwidth * params.nchannels
                    frames.append(silence_frame * int(LEAD_IN_S * params.framerate))
                data = w.readframes(w.getnframes())
                length = w.getnframes() / w.getframerate()
            frames.append(data)
            cues.append(Cue(round(t, 3), round(t + length, 3), sentence))
            t += length + PAUSE_S
            frames.append(silence_frame * int(PAUSE_S * params.framerate))
        if params is None:
            raise MediaError("There is no narration text to speak.")
        frames.append(silence_frame * int((TAIL_S - PAUSE_S) * params.framerate))
        tmp_out = out_wav.with_name(f".{out_wav.name}.tmp")
        with wave.open(str(tmp_out), "wb") as w:
            w.setparams(params)
            w.writeframes(b"".join(frames))
        os.replace(tmp_out, out_wav)
    return cues


def render_slide_video(audio_wav: Path, title: str, out_path: Path, *,
                       colour: str = "0x1d3557", size: str = "640x360", fps: int = 10) -> Path:
    """A WebM (VP8 + Opus) slide: a coloured background, a drawn frame and the title."""
    out_path = Path(out_path)
    audio = ffmpeg.input(str(audio_wav))
    duration = _wav_duration(audio_wav)
    video = ffmpeg.input(f"color=c={colour}:s={size}:r={fps}:d={duration:.3f}", f="lavfi")
    video = video.drawbox(40, 40, "iw-80", "ih-80", color="white@0.8", thickness=4)
    video = video.drawbox("iw/2-60", "ih/2-10", 120, 120, color="0xe9c46a", thickness=6)
    font = next((f for f in _FONT_CANDIDATES if Path(f).exists()), None)
    if font:
        video = video.drawtext(text=title, fontfile=font, fontcolor="white", fontsize=28,
                               x="(w-text_w)/2", y=80)
    tmp_out = out_path.with_name(f".{out_path.stem}.tmp{out_path.suffix}")
    try:
        (
            ffmpeg.output(
                video, audio, str(tmp_out), vcodec="libvpx", acodec="libopus",
                **{"b:v": "150k", "b:a": "48k", "deadline": "realtime", "cpu-used": 8,
                   "shortest": None, "f": "webm"},
            )
            .overwrite_output()
            .run(capture_stdout=True, capture_stderr=True)
        )
    except ffmpeg.Error as exc:
        tmp_out.unlink(missing_ok=True)
        detail = exc.stderr.decode("utf-8", "replace")[-400:] if exc.stderr else ""
        raise MediaError(f"ffmpeg could not make the video: {detail}") from exc
    os.replace(tmp_out, out_path)
    return out_path


def _wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()
