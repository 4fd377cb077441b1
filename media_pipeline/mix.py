"""mix: the described audio track and the extended-description rendition, with ffmpeg-python.

- The programme audio is ducked under each description: lowered by ``duck_db`` (default 12 dB,
  DESIGN.md §5) with short linear ramps either side, by one ``volume`` filter whose expression
  is evaluated per audio frame.
- The descriptions are laid on top (sped up with ``atempo`` where placement asked for it).
- The mix is written once, then loudness-normalised to ``TARGET_LUFS`` by a static gain
  measured on it (ffmpeg's ``loudnorm`` as a meter) plus a peak limiter. A static gain, not
  loudnorm's dynamic mode, so that the ducking depth survives normalisation.
- For the extended rendition, the picture freezes (``tpad`` clone) and the programme audio pauses
  (``apad``) at each extended description's point, for as long as it is spoken.

Every output is written under a temporary name and renamed when complete.

Owns: the ffmpeg filter graphs for ducking, mixing, loudness and the extended rendition.
Must not: decide where descriptions go (``place``) or synthesise speech (``synthesise``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from .errors import MediaError
from .probe import LOCAL_ONLY
from .processes import die_with_parent

DUCK_DB = -12.0
RAMP_S = 0.25
TARGET_LUFS = -16.0
PEAK_LIMIT = 0.84  # about -1.5 dBFS
RATE = 48000


@dataclass(frozen=True)
class Clip:
    """A spoken description on the output timeline."""

    wav: Path
    start: float
    duration: float  # as heard, after any speed-up
    speed: float = 1.0

    @property
    def end(self) -> float:
        return self.start + self.duration


@dataclass(frozen=True)
class Pause:
    """An extended description's point in the programme and how long the programme waits."""

    at: float
    length: float


def duck_expression(windows: Sequence[tuple[float, float]], depth_db: float = DUCK_DB,
                    ramp_s: float = RAMP_S) -> str:
    """A ``volume`` expression of t: 0 dB outside the windows, ``depth_db`` inside, with linear
    ramps of ``ramp_s`` before and after each window."""
    if not windows:
        return "1"
    r = max(ramp_s, 1e-3)
    terms = [f"clip(min((t-{s - r:.3f})/{r:.3f},({e + r:.3f}-t)/{r:.3f}),0,1)"
             for s, e in windows]
    return f"pow(10,{depth_db / 20:.4f}*clip({'+'.join(terms)},0,1))"


def _run(stream, what: str) -> str:
    """Run the ffmpeg of ``stream`` (it ends with this process: ``die_with_parent``)."""
    done = subprocess.run(stream.compile(), capture_output=True, preexec_fn=die_with_parent)
    err = done.stderr or b""
    if done.returncode != 0:
        detail = err.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise MediaError(f"ffmpeg could not {what}: {detail[0] if detail else 'no detail'}")
    return err.decode("utf-8", "replace")


def _input(path: str | Path, **kwargs):
    return ffmpeg.input(str(path), **LOCAL_ONLY, **kwargs)


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.stem}.{os.getpid()}.partial{target.suffix}")


def _atomic(target: Path, write) -> Path:
    target = Path(target)
    partial = _temporary(target)
    try:
        write(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _copies(stream, count: int, video: bool = False) -> list:
    """``count`` uses of one stream (ffmpeg needs an explicit split for more than one)."""
    if count == 1:
        return [stream]
    split = stream.filter_multi_output("split" if video else "asplit", count)
    return [split.stream(i) for i in range(count)]


def programme_audio(source: str | Path, out_wav: Path, pauses: Sequence[Pause] = ()) -> Path:
    """The source's audio as 48 kHz stereo PCM, with silence inserted at each pause."""
    audio = _input(source).audio.filter("aformat", sample_rates=RATE, channel_layouts="stereo")
    if pauses:
        pauses = sorted(pauses, key=lambda p: p.at)
        copies = _copies(audio, len(pauses) + 1)
        parts, cursor = [], 0.0
        for pause, copy in zip(pauses, copies, strict=False):
            parts.append(copy.filter("atrim", start=cursor, end=pause.at).filter(
                "asetpts", "PTS-STARTPTS").filter("apad", pad_dur=f"{pause.length:.3f}"))
            cursor = pause.at
        parts.append(copies[-1].filter("atrim", start=cursor).filter("asetpts", "PTS-STARTPTS"))
        audio = ffmpeg.concat(*parts, v=0, a=1)
    return _atomic(Path(out_wav), lambda tmp: _run(
        ffmpeg.output(audio, str(tmp), acodec="pcm_s16le", ar=RATE, ac=2, f="wav")
        .overwrite_output(), "read the programme audio"))


def _mixed(programme_wav: Path, clips: Sequence[Clip], depth_db: float, ramp_s: float,
           include_clips: bool):
    bed = _input(programme_wav).audio.filter(
        "volume", volume=duck_expression([(c.start, c.end) for c in clips], depth_db, ramp_s),
        eval="frame")
    if not include_clips or not clips:
        return bed
    # One input per file (a description said twice is read once and split).
    sources: dict[Path, list[int]] = {}
    for i, clip in enumerate(clips):
        sources.setdefault(Path(clip.wav), []).append(i)
    streams: dict[int, object] = {}
    for path, indexes in sources.items():
        audio = _input(path).audio
        split = (audio.filter_multi_output("asplit", len(indexes)) if len(indexes) > 1 else None)
        for n, i in enumerate(indexes):
            streams[i] = split.stream(n) if split is not None else audio
    voices = []
    for i, clip in enumerate(clips):
        voice = streams[i]
        if clip.speed > 1.0:
            voice = voice.filter("atempo", f"{clip.speed:.3f}")
        voice = voice.filter("aformat", sample_rates=RATE, channel_layouts="stereo").filter(
            "adelay", delays=int(round(clip.start * 1000)), all=1)
        voices.append(voice)
    return ffmpeg.filter([bed, *voices], "amix", inputs=len(voices) + 1, duration="first",
                         normalize=0, dropout_transition=0)


def mix_audio(programme_wav: str | Path, clips: Sequence[Clip], out_wav: str | Path, *,
              depth_db: float = DUCK_DB, ramp_s: float = RAMP_S, include_clips: bool = True,
              target_lufs: float = TARGET_LUFS) -> Path:
    """Duck ``programme_wav`` under the clips, lay the clips on top and normalise loudness.
    With ``include_clips=False`` only the ducked programme is written (to measure the ducking)."""
    out_wav = Path(out_wav)
    # Mix once, into a float WAV beside the output (no clipping before the gain), then measure
    # that file and write it again with the gain: the mix itself, the costly part, runs once.
    mixed_wav = out_wav.with_name(f".{out_wav.stem}.{os.getpid()}.unnormalised.wav")
    try:
        _run(ffmpeg.output(_mixed(Path(programme_wav), clips, depth_db, ramp_s, include_clips),
                           str(mixed_wav), acodec="pcm_f32le", ar=RATE, ac=2, f="wav")
             .overwrite_output(), "mix the described audio")
        meter = _input(mixed_wav).audio.filter("loudnorm", I=target_lufs, TP=-1.5, LRA=20,
                                               print_format="json")
        log = _run(ffmpeg.output(meter, "-", f="null").overwrite_output(),
                   "measure the loudness")
        measured = json.loads(re.findall(r"\{[^{}]*\"input_i\"[^{}]*\}", log)[-1])
        loudness = float(measured["input_i"])
        gain = 0.0 if loudness == float("-inf") or loudness < -70 else target_lufs - loudness
        final = _input(mixed_wav).audio.filter("volume", f"{gain:.2f}dB").filter(
            "alimiter", limit=PEAK_LIMIT, level=0, attack=5, release=50)
        return _atomic(out_wav, lambda tmp: _run(
            ffmpeg.output(final, str(tmp), acodec="pcm_s16le", ar=RATE, ac=2, f="wav")
            .overwrite_output(), "normalise the described audio"))
    finally:
        mixed_wav.unlink(missing_ok=True)


def encode(source: str | Path, audio_wav: str | Path, out_path: str | Path, *,
           pauses: Sequence[Pause] = (), with_video: bool = True) -> Path:
    """The final file: the source's picture (frozen at each pause) with ``audio_wav`` as its
    sound; WebM (VP8 + Opus) for video, Ogg Opus for audio only."""
    out_path = Path(out_path)
    audio = _input(audio_wav).audio
    if not with_video:
        return _atomic(out_path, lambda tmp: _run(
            ffmpeg.output(audio, str(tmp), acodec="libopus", **{"b:a": "96k"}, f="ogg")
            .overwrite_output(), "encode the described audio"))
    video = _input(source).video
    if not pauses and Path(source).suffix.lower() == ".webm":
        # The picture is unchanged: copy it (measured: re-encoding took 14 s of a 64 s run).
        try:
            return _atomic(out_path, lambda tmp: _run(
                ffmpeg.output(video, audio, str(tmp), vcodec="copy", acodec="libopus", f="webm",
                              shortest=None, **{"b:a": "96k"}).overwrite_output(),
                "copy the picture"))
        except MediaError:
            pass  # a picture WebM cannot carry as it is: encode it below
    if pauses:
        pauses = sorted(pauses, key=lambda p: p.at)
        copies = _copies(video, len(pauses) + 1, video=True)
        parts, cursor = [], 0.0
        for pause, copy in zip(pauses, copies, strict=False):
            parts.append(copy.trim(start=cursor, end=pause.at).setpts("PTS-STARTPTS")
                         .filter("tpad", stop_mode="clone", stop_duration=f"{pause.length:.3f}"))
            cursor = pause.at
        parts.append(copies[-1].trim(start=cursor).setpts("PTS-STARTPTS"))
        video = ffmpeg.concat(*parts, v=1, a=0)
    return _atomic(out_path, lambda tmp: _run(
        ffmpeg.output(video, audio, str(tmp), vcodec="libvpx", acodec="libopus", f="webm",
                      shortest=None, **{"b:v": "600k", "b:a": "96k", "deadline": "realtime",
                                        "cpu-used": 8})
        .overwrite_output(), "encode the described video"))


# --- The stem and one-pass renditions (issue 26): the player mixes the stem itself ------------
#
# The descriptions alone, at their places on the lesson's timeline and silent elsewhere, as a
# mono Ogg Opus stem (a codec made for voice, MAUR DV-9) of the lesson's duration: the player
# plays it beside the original video and mixes the two with Web Audio, ducking the programme
# and applying the learner's two volumes. The voice keeps the level it was synthesised at,
# which is the balance the old mix had before its loudness gain; the player's programme is the
# original's own audio, so the downloadable mix and the extended rendition are not
# loudness-normalised either (the same level as the original: no jump when switching), only
# peak-limited. Each is made by one ffmpeg run straight from the source (no intermediate WAV,
# no loudness pass) with the picture copied, never re-encoded, from a WebM source: in the
# extended rendition the packets after each pause point are moved later by the ``setts``
# bitstream filter, so the picture holds its last frame while the programme waits.

STEM_BITRATE = "32k"  # mono voice
MIX_BITRATE_PER_CHANNEL = 32  # kb/s: the programme with descriptions, mono or stereo as the
# source is (speech: ample for Opus; the old mix was stereo 96 kb/s whatever the source)
# libopus's effort, 0-10 (default 10), measured on the benchmark's 5-minute lesson: for the stem
# (speech and digital silence) 5 took a quarter of the time of 10 (0.9 s instead of 3.4 s) and
# made a smaller file (0.22 MB instead of 0.55); for the programme mixes 5 took 1.3 s instead
# of 5.0 but made files 60 % larger (1.8 MB of audio instead of 1.1: below 7 libopus leaves out
# the signal analysis its rate control uses), so they keep 10.
STEM_EFFORT = 5
MIX_EFFORT = 10


def _silence(seconds: float, layout: str):
    return ffmpeg.input(f"anullsrc=r={RATE}:cl={layout}:d={seconds:.6f}", f="lavfi").audio


def _voice_track(clips: Sequence[Clip], duration_s: float, layout: str):
    """The clips, each sped up as placed, one after another with silence between, as one
    stream of exactly ``duration_s``: each clip's segment is padded or cut to end where the next
    one starts, so lengths never drift. Its cost grows with the duration, not with the number
    of clips times the duration (as one delayed stream per clip into ``amix`` did). The clips
    never overlap (``place`` starts each after the one before)."""
    clips = sorted(clips, key=lambda c: c.start)
    if not clips:
        return _silence(duration_s, layout)
    sources: dict[Path, list[int]] = {}
    for i, clip in enumerate(clips):
        sources.setdefault(Path(clip.wav), []).append(i)
    streams: dict[int, object] = {}
    for path, indexes in sources.items():
        for n, stream in enumerate(_copies(_input(path).audio, len(indexes))):
            streams[indexes[n]] = stream
    parts = [_silence(clips[0].start, layout)] if clips[0].start > 1e-3 else []
    for i, clip in enumerate(clips):
        until = clips[i + 1].start if i + 1 < len(clips) else max(duration_s, clip.end)
        voice = streams[i]
        if clip.speed > 1.0:
            voice = voice.filter("atempo", f"{clip.speed:.3f}")
        parts.append(voice.filter("aformat", sample_rates=RATE, channel_layouts=layout)
                     .filter("apad", whole_dur=f"{until - clip.start:.6f}")
                     .filter("atrim", duration=f"{until - clip.start:.6f}")
                     .filter("asetpts", "PTS-STARTPTS"))
    return ffmpeg.concat(*parts, v=0, a=1) if len(parts) > 1 else parts[0]


def _programme(source: str | Path, pauses: Sequence[Pause], layout: str):
    """The source's audio with silence inserted at each pause point. Each stretch between two
    pauses is read by an input of its own that seeks to its start, so the source is decoded
    once in all (a split stream trimmed once per stretch decoded it once per pause), and each
    stretch is cut and padded to its exact length, so the pauses never drift."""
    def audio(**seek):
        return _input(source, **seek).audio.filter("aformat", sample_rates=RATE,
                                                   channel_layouts=layout)
    if not pauses:
        return audio()
    parts, cursor = [], 0.0
    for pause in sorted(pauses, key=lambda p: p.at):
        stretch = pause.at - cursor
        seek = {"ss": f"{cursor:.6f}"} if cursor > 0 else {}
        parts.append(audio(t=f"{stretch:.6f}", **seek)
                     .filter("atrim", duration=f"{stretch:.6f}")
                     .filter("asetpts", "PTS-STARTPTS")
                     .filter("apad", whole_dur=f"{stretch + pause.length:.6f}")
                     .filter("atrim", duration=f"{stretch + pause.length:.6f}"))
        cursor = pause.at
    parts.append(audio(ss=f"{cursor:.6f}").filter("asetpts", "PTS-STARTPTS"))
    return ffmpeg.concat(*parts, v=0, a=1)


def stem(clips: Sequence[Clip], duration_s: float, out_path: str | Path) -> Path:
    """The descriptions alone on a silent bed of ``duration_s``: mono Ogg Opus."""
    audio = _voice_track(clips, duration_s, "mono").filter(
        "atrim", duration=f"{duration_s:.6f}").filter(
        "alimiter", limit=PEAK_LIMIT, level=0, attack=5, release=50)
    return _atomic(Path(out_path), lambda tmp: _run(
        ffmpeg.output(audio, str(tmp), acodec="libopus", ac=1, ar=RATE, f="ogg",
                      compression_level=STEM_EFFORT, **{"b:a": STEM_BITRATE})
        .overwrite_output(), "encode the description stem"))


def shift_expression(pauses: Sequence[Pause]) -> str:
    """A ``setts`` expression moving each packet later by the pauses at or before it."""
    terms = "+".join(f"gte(PTS*TB\\,{p.at:.3f})*{p.length:.3f}" for p in pauses)
    return f"setts=ts=TS+({terms})/TB"


def render(source: str | Path, clips: Sequence[Clip], out_path: str | Path, *,
           pauses: Sequence[Pause] = (), with_video: bool = True, depth_db: float = DUCK_DB,
           ramp_s: float = RAMP_S, channels: int = 2, duration_s: float) -> Path:
    """The programme (with silence at each pause) ducked under the clips, the clips on top,
    peak-limited, as Opus in ``channels`` (1 or 2); with the source's picture copied (held
    through each pause) when it is a WebM, otherwise re-encoded as ``encode`` does. One ffmpeg
    run. ``duration_s`` is the source's (the output lasts it plus the pauses)."""
    out_path = Path(out_path)
    layout = "mono" if channels == 1 else "stereo"
    bed = _programme(source, pauses, layout)
    bed = bed.filter("volume", volume=duck_expression([(c.start, c.end) for c in clips],
                                                      depth_db, ramp_s), eval="frame")
    length = duration_s + sum(p.length for p in pauses)
    audio = ffmpeg.filter([bed, _voice_track(clips, length, layout)], "amix", inputs=2,
                          duration="first", normalize=0, dropout_transition=0)
    audio = audio.filter("alimiter", limit=PEAK_LIMIT, level=0, attack=5, release=50)
    channels = 1 if channels == 1 else 2
    opus = {"acodec": "libopus", "ar": RATE, "ac": channels, "compression_level": MIX_EFFORT,
            "b:a": f"{MIX_BITRATE_PER_CHANNEL * channels}k"}
    if not with_video:
        return _atomic(out_path, lambda tmp: _run(
            ffmpeg.output(audio, str(tmp), f="ogg", **opus).overwrite_output(),
            "encode the described audio"))
    if Path(source).suffix.lower() == ".webm":
        shift = {"bsf:v": shift_expression(sorted(pauses, key=lambda p: p.at))} if pauses else {}
        try:
            return _atomic(out_path, lambda tmp: _run(
                ffmpeg.output(_input(source).video, audio, str(tmp), vcodec="copy", f="webm",
                              **shift, **opus).overwrite_output(), "copy the picture"))
        except MediaError:
            pass  # a picture WebM cannot carry as it is: encode it below
    wav = out_path.with_name(f".{out_path.stem}.{os.getpid()}.mix.wav")
    try:
        _run(ffmpeg.output(audio, str(wav), acodec="pcm_s16le", ar=RATE, ac=2, f="wav")
             .overwrite_output(), "mix the described audio")
        return encode(source, wav, out_path, pauses=pauses, with_video=True)
    finally:
        wav.unlink(missing_ok=True)
