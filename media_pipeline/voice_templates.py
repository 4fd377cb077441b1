"""voice_templates: a learner's own voice commands, recognised by comparing what they say with
recordings they made of each command ("teach the player your voice").

The general recogniser (``voice``) knows how Korean sounds in general. A learner whose speech is
atypical (a motor-speech disorder, a strong accent, a whisper) may never be understood by it; the
same learner's own recordings of "정지" are the best model of their "정지". So each recording
(a "take", 16 kHz mono 16-bit PCM like a command) becomes a template: its silence trimmed, then
13 mel-frequency cepstral coefficients every 10 ms with their deltas, normalised over the take
(so the microphone's level and colour cancel out). An utterance is compared with every template
by dynamic time warping (each frame may stand for up to two of the other's, so a command said
faster or slower still lines up), in both directions, per frame. The command whose nearest take
is nearest wins, if

- it is near in absolute terms: within ``Tuning.act_within`` (to act) or ``Tuning.ask_within``
  (to ask first) times the learner's own spread, the median distance between two takes of the
  same command (speech that is no command lies far from every take), and
- it is clearly nearer than the runner-up command: ``Tuning.act_margin`` or
  ``Tuning.ask_margin`` times.

Measured in benchmarks/voice.py with espeak-ng voices standing in for learners (two takes per
command at two speeds; held-out takes at other speeds and pitches).

Owns: features, templates, the comparison and its decision. Must not: know about users,
storage or consent (the app's ``services/voice_samples``), import Flask, or act on a command.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .errors import MediaError
from .voice import NONE, SAMPLE_RATE, SILENCE_PEAK, Command, _check_pcm

FRAME = 400  # 25 ms
HOP = 160  # 10 ms
FFT = 512
MELS = 26
CEPSTRA = 13
MIN_TAKE_S = 0.25
MAX_TAKE_S = 4.0
TRIM_KEEP_FRAMES = 5  # 50 ms of quiet kept before and after the speech


@dataclass(frozen=True)
class Tuning:
    act_within: float = 1.4
    act_margin: float = 1.15
    ask_within: float = 1.8
    ask_margin: float = 1.1


@dataclass(frozen=True)
class Take:
    """One recording of a command by the learner: what it means, and its features."""

    command: str
    args: dict
    text: str
    features: np.ndarray


@lru_cache(maxsize=1)
def _filters() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mel filter bank (60–7600 Hz), the DCT-II matrix and the Hamming window."""

    def mel(hz):
        return 2595.0 * np.log10(1.0 + hz / 700.0)

    def hz(m):
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    edges = hz(np.linspace(mel(60.0), mel(7600.0), MELS + 2))
    bins = np.floor((FFT + 1) * edges / SAMPLE_RATE).astype(int)
    bank = np.zeros((MELS, FFT // 2 + 1))
    for i in range(MELS):
        low, centre, high = bins[i], bins[i + 1], bins[i + 2]
        bank[i, low:centre] = (np.arange(low, centre) - low) / max(1, centre - low)
        bank[i, centre:high] = (high - np.arange(centre, high)) / max(1, high - centre)
    dct = np.cos(np.pi / MELS * (np.arange(MELS) + 0.5)[None, :] * np.arange(CEPSTRA)[:, None])
    return bank, dct, np.hamming(FRAME)


def features(pcm: bytes) -> np.ndarray | None:
    """Cepstra (without the energy term) and their deltas, one row every 10 ms of the speech,
    each column normalised over the utterance; None when there is no speech."""
    samples = _check_pcm(pcm)
    if samples is None:
        return None
    x = np.frombuffer(bytes(pcm), dtype="<i2").astype(np.float64)
    frames = x[:len(x) // HOP * HOP].reshape(-1, HOP)
    peaks = np.abs(frames).max(axis=1)
    loud = np.nonzero(peaks >= max(SILENCE_PEAK, peaks.max() / 30.0))[0]
    if len(loud) == 0:
        return None
    first = max(0, loud[0] - TRIM_KEEP_FRAMES)
    last = min(len(frames), loud[-1] + 1 + TRIM_KEEP_FRAMES)
    x = x[first * HOP:last * HOP]
    if len(x) < FRAME * 2:
        return None
    x = np.append(x[0], x[1:] - 0.97 * x[:-1])  # pre-emphasis
    count = 1 + (len(x) - FRAME) // HOP
    bank, dct, window = _filters()
    index = np.arange(FRAME)[None, :] + HOP * np.arange(count)[:, None]
    power = np.abs(np.fft.rfft(x[index] * window, FFT)) ** 2
    cepstra = (np.log(power @ bank.T + 1e-6) @ dct.T)[:, 1:]
    cepstra = (cepstra - cepstra.mean(axis=0)) / (cepstra.std(axis=0) + 1e-6)
    deltas = np.gradient(cepstra, axis=0) if len(cepstra) > 1 else np.zeros_like(cepstra)
    return np.hstack([cepstra, deltas])


def _warp(a: np.ndarray, b: np.ndarray) -> float:
    """Mean frame distance of ``a`` against ``b`` along the best path in which each step of
    ``a`` moves 0, 1 or 2 frames in ``b``, from start to end."""
    cost = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1))
    total = np.full(cost.shape[1], np.inf)
    total[0] = cost[0, 0]
    for row in cost[1:]:
        best = total.copy()
        best[1:] = np.minimum(best[1:], total[:-1])
        best[2:] = np.minimum(best[2:], total[:-2])
        total = best + row
    return float(total[-1] / len(a))


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """How unlike two utterances are (0: the same), the same whichever is first."""
    return (_warp(a, b) + _warp(b, a)) / 2.0


def _key(take: Take) -> tuple:
    return take.command, tuple(sorted(take.args.items()))


class PersonalCommands:
    """Recognises one learner's commands from their takes. Needs two takes of at least one
    command (the learner's spread is measured between takes of the same command)."""

    def __init__(self, takes: list[Take], tuning: Tuning | None = None) -> None:
        self.takes = [t for t in takes if t.features is not None]
        self.tuning = tuning or Tuning()
        by_key: dict[tuple, list[Take]] = {}
        for take in self.takes:
            by_key.setdefault(_key(take), []).append(take)
        within = [distance(a.features, b.features) for group in by_key.values()
                  for i, a in enumerate(group) for b in group[i + 1:]]
        if not within:
            raise MediaError("Record each command at least twice, so that the player can tell "
                             "how your takes of one command differ.")
        self.spread = float(np.median(within))
        self.by_key = by_key

    def recognise_pcm(self, pcm: bytes) -> Command:
        """The learner's command in ``pcm``: "act", "ask" or ``none``. Unvoiced audio is
        compared too: a learner who whispers has whispered takes."""
        found = features(pcm)
        if found is None:
            return Command(NONE, {}, "", 0.0)
        return self.decide(found)

    def decide(self, found: np.ndarray) -> Command:
        nearest = sorted(((min(distance(found, t.features) for t in group), key)
                          for key, group in self.by_key.items()))
        best, key = nearest[0]
        runner_up = nearest[1][0] if len(nearest) > 1 else math.inf
        margin = runner_up / best if best > 0 else math.inf
        within = best / self.spread
        take = self.by_key[key][0]
        # The share of the nearest command among all, each weighted exp(-distance / spread).
        confidence = round(1.0 / sum(math.exp((best - d) / self.spread) for d, _ in nearest), 4)
        tuning = self.tuning
        if within <= tuning.act_within and margin >= tuning.act_margin:
            decision = "act"
        elif within <= tuning.ask_within and margin >= tuning.ask_margin:
            decision = "ask"
        else:
            return Command(NONE, {}, "", confidence)
        return Command(take.command, dict(take.args), take.text, confidence, decision)


class TakeError(MediaError):
    """What is wrong with a take: ``reason`` is "long", "unreadable", "silent" or "short"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def check_take(pcm: bytes) -> np.ndarray:
    """The features of one take, or TakeError saying what is wrong with it: too long, not
    16-bit PCM, nothing heard, or too short."""
    seconds = len(pcm) / 2 / SAMPLE_RATE
    if seconds > MAX_TAKE_S:
        raise TakeError("long", f"The recording is {seconds:.0f} seconds long; say the command "
                                f"alone, within {MAX_TAKE_S:g} seconds.")
    if len(pcm) % 2:
        raise TakeError("unreadable", "The recording is not 16-bit PCM.")
    samples = _check_pcm(pcm)
    if samples is None:
        raise TakeError("silent", "Nothing was heard. Check the microphone, then say the "
                                  "command.")
    found = features(pcm)
    if found is None or len(found) * HOP < MIN_TAKE_S * SAMPLE_RATE:
        raise TakeError("short", "The recording is too short to be a command. Say the whole "
                                 "command.")
    return found
