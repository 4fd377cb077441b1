"""voice: offline recognition of spoken player commands ("자막 켜", "뒤로 십 초", …).

An utterance (16 kHz mono 16-bit little-endian PCM, at most ``MAX_SECONDS``) is decoded by Vosk
with a grammar: every command phrase of the language, spelled in the model's vocabulary tokens,
plus a few common short words ("fillers", and ``[unk]`` when the model has it) that ordinary
speech and noise can fall into. The decision is not the recogniser's one best text:

1. Each of the ``MAX_ALTERNATIVES`` best hypotheses keeps Vosk's own score: how it sounds plus
   the cost of its token sequence in the grammar's language model (Vosk compiles the grammar into
   a bigram, so tokens shared by many phrases, such as 초, are cheap).
2. Each hypothesis supports a command when it is a phrase (or, if ``Tuning.max_extra_tokens``
   allows, a phrase with extra tokens around it, less ``Tuning.extra_token_penalty`` each); any
   other hypothesis (fillers, pieces of phrases, silence) is garbage, with a prior of
   ``-Tuning.garbage_penalty``.
3. Each command's probability is the sum over all the hypotheses that support it, whichever
   of its phrases they say (synonyms add up instead of competing); the garbage's likewise.
4. The confidence is the posterior of the best command against every other command and the
   garbage. At or above ``Tuning.threshold`` (``DEFAULT_THRESHOLD``) the answer is to act; from
   ``Tuning.ask_threshold`` (``DEFAULT_ASK_THRESHOLD``) up to it, the answer names the command
   but asks the learner to confirm it first (``decision`` "ask"); below, the answer is ``none``:
   a wrong action is worse than a question, and a question is worse than "not understood" for
   speech that was not a command.
5. The check (``confirm``): a command found is decoded again with the language's most common
   words (``common_words``, 1,000 for Korean) in the grammar as well, as what ordinary speech
   may be. When that decoding does not name the same command at ``ask_threshold`` or more, an
   action becomes a question (and, for a learner who chose to be asked less, a question is
   refused). A few particles are too little garbage for real speech: words cut alone from
   the Zeroth recordings, none a command, were acted on 3.3 % of the time (대한, "about", as
   대본, "transcript"); with the check 1.2 %, and refusing the unconfirmed questions refuses
   97 % of them. What is left is a word outside the common ones that sounds like a phrase
   (전기, "electricity", is 정지, "pause", at 0.9999 either way). It costs a second decoding
   (about 50 ms) of what would be acted on or asked about, nothing for what is refused.
   Common words in the first grammar instead would refuse most of espeak-ng's commands (its
   Korean is heard as other words).

Measured on espeak-ng's Korean (benchmarks/voice.py): the command the learner said is the best
one for only about 4 utterances in 10, and among the 50 alternatives at all for about 5 in 10,
so no decision understands more of this synthetic speech; adding synonyms up, asking between
0.2 and 0.95 understands 34 % of 549 utterances (10 % directly, 14 % without the check) with
no wrong action, against 14 % with the former single threshold, and still refuses 96 % of one-
and two-second pieces of real speech that are not commands. The one real command word in the
recordings (앞으로 in Zeroth 0280), cut out alone, is acted on at 0.997. A learner's own
recordings (``voice_templates``) do better.

Taking the grammar's cost out of each score instead (so that every phrase competed on sound
alone) understood fewer commands for the same wrong actions. Measured on espeak-ng's Korean, each
way with the garbage penalty and threshold that gave no wrong action on 549 utterances (the 61
phrases at tests/test_voice.py's 3 speeds and 3 pitches): there, 80 correct against 55; on
244 utterances of two other espeak-ng voices (ko+f2, ko+m3) tuned on nothing, 48 correct against
32, with one wrong action each way.

The lattice beam of the model's own configuration (2.0 for the Korean model) keeps too few
alternatives to compare commands, so the model is decoded through a folder of links to it with a
wider ``--lattice-beam`` (``decoding_model_dir``); the files are not copied. There Kaldi's random
dither is switched off and a fixed one is added instead, so that the same recording always gets
the same answer. Silence longer than ``TRIM_KEEP_S`` is trimmed from both ends before decoding.

Input: empty, too short (< ``MIN_SECONDS``), silent or unvoiced audio (hiss: ``_has_voice``;
whispering is mostly unvoiced too) gives ``none``; audio that is not 16-bit PCM (odd length) or
longer than ``MAX_SECONDS``, and unreadable files, raise ``MediaError``. Vosk errors are raised
as ``MediaError`` too.

Owns: the grammar, the decision between commands and garbage, the check, its tuning, and
reading command audio. Must not: hold phrase lists, fillers or common words (each language's
are its ``languages`` entry and ``data/``), import Flask (the app's ``services/voice_commands``
wraps this), or act on a command.
"""

from __future__ import annotations

import array
import json
import logging
import math
import operator
import random
import re
import subprocess
import sys
import threading
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import languages as language_table
from . import speech_models
from .errors import MediaError
from .languages import Phrase
from .probe import INPUT_OPTIONS
from .vocabulary import special_symbols, split_into_tokens, vocabulary

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
MAX_SECONDS = 10.0
MIN_SECONDS = 0.2
SILENCE_PEAK = 300  # |sample| below this everywhere (about -40 dBFS) is silence
TRIM_KEEP_S = 0.3  # silence kept before and after the speech when trimming
MAX_ALTERNATIVES = 50
LATTICE_BEAM = 8.0
DEFAULT_THRESHOLD = 0.95
DEFAULT_ASK_THRESHOLD = 0.2
NONE = "none"
# What becomes of a command that the check with the language's common words does not confirm
# (``CommandRecogniser.confirm``): asked about instead of acted on; also refused when it would
# have been asked about; or no check.
ASK, REFUSE, OFF = "ask", "refuse", "off"
DATA_DIR = Path(__file__).parent / "data"
COMMON_WORDS = 1000

COMMANDS = ("play", "pause", "back", "forward", "faster", "slower", "normal_speed",
            "captions_on", "captions_off", "descriptions_on", "descriptions_off", "transcript",
            "next_lesson", "previous_lesson", "repeat", "where", "help")


@dataclass(frozen=True)
class Command:
    """A recognised command (``text``: its phrase as written), or ``none`` with empty ``args``
    (``text``: the best hypothesis heard, in vocabulary tokens; empty for silence).
    ``decision``: "act", "ask" (confirm with the learner before acting) or "none"."""

    command: str
    args: dict
    text: str
    confidence: float
    decision: str = "act"

    def __post_init__(self) -> None:
        if self.command == NONE:
            object.__setattr__(self, "decision", NONE)

    def as_dict(self) -> dict:
        return {"command": self.command, "args": dict(self.args), "text": self.text,
                "confidence": self.confidence, "decision": self.decision}


@dataclass(frozen=True)
class Tuning:
    """How sure the recogniser must be; tuned on synthetic speech (tests/test_voice.py,
    benchmarks/voice.py). A lower threshold, a higher garbage penalty or extra tokens give more
    answers and more wrong ones; a lower ``ask_threshold`` more questions."""

    threshold: float = DEFAULT_THRESHOLD
    ask_threshold: float = DEFAULT_ASK_THRESHOLD
    garbage_penalty: float = 3.0
    extra_token_penalty: float = 2.0
    max_extra_tokens: int = 0  # 1 lets "자막 켜 요" count for 자막 켜 (more answers, more errors)


@dataclass(frozen=True)
class Hypothesis:
    """One of the recogniser's alternatives, with Vosk's score for it."""

    tokens: tuple[str, ...]
    score: float


# Answers to the player's question: yes or no, nothing in between (no question about an answer).
ANSWER_TUNING = Tuning(threshold=0.9, ask_threshold=0.9)


def languages() -> list[str]:
    """The languages that have voice commands (their ``languages`` entry has phrases)."""
    return language_table.with_phrases()


def phrases(language: str) -> list[Phrase]:
    """The command phrases of ``language`` as written (the web app lists them on its help page);
    empty for a language without a list."""
    return list(language_table.get(language).phrases)


def common_words(language: str) -> list[str]:
    """The ``COMMON_WORDS`` most common words of ``language`` (its ``languages`` entry names
    the file in ``DATA_DIR``), most common first; empty when it has no such list."""
    name = language_table.get(language).common_words
    if not name:
        return []
    try:
        lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise MediaError(f"The common words of {language} cannot be read: {exc}") from exc
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")][
        :COMMON_WORDS]


def phrase_tokens(phrase: Phrase, vocab: frozenset[str]) -> list[str] | None:
    """The vocabulary tokens that spell ``phrase`` word by word, or None when a word cannot be
    spelled."""
    tokens: list[str] = []
    for word in phrase.text.split():
        pieces = split_into_tokens(word, vocab)
        if not pieces:
            return None
        tokens += pieces
    return tokens


def check_phrases(language: str, model_path: str | Path) -> list[str]:
    """``"phrase (word)"`` for each phrase with a word the model cannot spell; empty when every
    phrase can be recognised."""
    vocab = vocabulary(str(model_path))
    missing = []
    for phrase in phrases(language):
        for word in phrase.text.split():
            if not split_into_tokens(word, vocab):
                missing.append(f"{phrase.text} ({word})")
    return missing


def _sounds(text: str) -> str:
    """The text as letters that stand for sounds: Hangul syllables split into their jamo
    (켜 → ㅋㅕ), spaces left out; other scripts as written."""
    import unicodedata

    return unicodedata.normalize("NFD", text.replace(" ", ""))


def _distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


CONFUSABLE = 2  # phrases of two commands this close in sounds (jamo) are a minimal pair


def confusable_pairs(language: str) -> list[tuple[Phrase, Phrase]]:
    """Pairs of phrases of different commands that differ in at most ``CONFUSABLE`` sounds
    (자막 켜 / 자막 꺼: ㅋㅕ against ㄲㅓ): the recogniser takes one for the other, so the player
    asks rather than acts on them; a command's first phrase should have no such pair. Scripts
    whose letters do not spell sounds (Chinese: a character is a syllable) are not checked."""
    if language_table.get(language).no_spaces:
        return []
    found = []
    items = [(p, _sounds(p.text)) for p in phrases(language)]
    for i, (a, sa) in enumerate(items):
        for b, sb in items[i + 1:]:
            if _key(a) != _key(b) and _distance(sa, sb) <= CONFUSABLE:
                found.append((a, b))
    return found


_BEAM = re.compile(r"^--lattice-beam=([\d.]+)\s*$", re.M)


def decoding_model_dir(model_path: str | Path, cache_dir: str | Path | None = None) -> Path:
    """A folder that Vosk loads as the model at ``model_path`` with ``--lattice-beam`` at least
    ``LATTICE_BEAM`` and, unless the model sets it, no random dither
    (``speech_models.with_options``: links, not copies). The model itself when it needs neither."""
    conf = Path(model_path) / "conf"
    match = _BEAM.search((conf / "model.conf").read_text(encoding="utf-8"))
    beam = {} if match and float(match.group(1)) >= LATTICE_BEAM else \
        {"lattice-beam": str(LATTICE_BEAM)}
    mfcc = conf / "mfcc.conf"
    # Kaldi dithers with random noise: the same recording would not always give the same answer
    dither = {} if mfcc.is_file() and "--dither" in mfcc.read_text(encoding="utf-8") else \
        {"dither": "0"}
    return speech_models.with_options(model_path, beam, dither, cache_dir)


def _peaks(samples: array.array, frame: int) -> list[int]:
    return [max(max(samples[i:i + frame]), -min(samples[i:i + frame]))
            for i in range(0, len(samples), frame)]


def _check_pcm(pcm: bytes) -> array.array | None:
    """The samples, or None when there is nothing to recognise (too short or silent)."""
    if not isinstance(pcm, bytes | bytearray | memoryview):
        raise TypeError("pcm must be bytes")
    if len(pcm) % 2:
        raise MediaError("The recording is not 16-bit PCM (its length is odd). Send 16 kHz mono "
                         "16-bit little-endian samples.")
    if len(pcm) > MAX_SECONDS * SAMPLE_RATE * 2:
        raise MediaError(f"Voice commands can be at most {MAX_SECONDS:g} seconds long; "
                         "say the command alone and release the button.")
    if len(pcm) < MIN_SECONDS * SAMPLE_RATE * 2:
        return None
    samples = array.array("h")
    samples.frombytes(bytes(pcm))
    if sys.byteorder == "big":
        samples.byteswap()
    if max(max(samples), -min(samples)) < SILENCE_PEAK:
        return None
    return samples


@lru_cache(maxsize=1)
def _dither_noise() -> array.array:
    """Fixed Gaussian noise (standard deviation one step), the same every time: Kaldi's own
    dither is random, so the same recording would not always give the same answer."""
    rng = random.Random(20240601)
    return array.array("h", (round(rng.gauss(0.0, 1.0)) for _ in
                             range(int(MAX_SECONDS * SAMPLE_RATE))))


VOICED_ZCR = 0.25  # a frame's sign changes per sample: voiced speech well below, hiss near 0.5
VOICED_MIN_S = 0.1


def _has_voice(samples: array.array) -> bool:
    """Whether loud parts include voiced sound (at least ``VOICED_MIN_S`` of frames that cross
    zero rarely, as vowels do): a fan's or a line's hiss, which crosses zero at every other
    sample, is not speech, however loud."""
    frame = SAMPLE_RATE // 50
    peaks = _peaks(samples, frame)
    level = max(SILENCE_PEAK, max(peaks) // 30)
    voiced = 0
    for index, peak in enumerate(peaks):
        if peak < level:
            continue
        chunk = samples[index * frame:(index + 1) * frame]
        crossings = sum(1 for a, b in zip(chunk, chunk[1:], strict=False) if (a < 0) != (b < 0))
        if crossings < VOICED_ZCR * len(chunk):
            voiced += 1
    return voiced * frame >= VOICED_MIN_S * SAMPLE_RATE


def _prepare(samples: array.array) -> bytes:
    """The samples without silence longer than ``TRIM_KEEP_S`` at either end, dithered."""
    frame = SAMPLE_RATE // 100
    peaks = _peaks(samples, frame)
    level = max(SILENCE_PEAK, max(peaks) // 30)
    loud = [i for i, peak in enumerate(peaks) if peak >= level]
    keep = int(TRIM_KEEP_S * 100)
    first, last = max(0, loud[0] - keep), min(len(peaks), loud[-1] + 1 + keep)
    trimmed = samples[first * frame:last * frame]
    noise = _dither_noise()[:len(trimmed)]
    try:
        out = array.array("h", map(operator.add, trimmed, noise))
    except OverflowError:  # a sample at full scale
        out = array.array("h", (min(32767, max(-32768, a + b)) for a, b in
                                zip(trimmed, noise, strict=True)))
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def read_wav_pcm(path: str | Path) -> bytes:
    """16 kHz mono 16-bit PCM from a WAV (or any audio ffmpeg reads); read directly when it is
    already in that form. Raises MediaError when it cannot be read or is longer than
    ``MAX_SECONDS``."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"The audio file {path} does not exist.")
    try:
        with wave.open(str(path), "rb") as w:
            if (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getcomptype()) == \
                    (1, 2, SAMPLE_RATE, "NONE"):
                if w.getnframes() > MAX_SECONDS * SAMPLE_RATE:
                    raise MediaError(f"{path.name} is longer than {MAX_SECONDS:g} seconds; "
                                     "a voice command must be shorter.")
                return w.readframes(w.getnframes())
    except (wave.Error, EOFError):
        pass  # another encoding: ffmpeg converts it
    limit = MAX_SECONDS + 0.5
    try:
        done = subprocess.run(
            ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", *INPUT_OPTIONS,
             "-i", str(path), "-t", str(limit), "-vn", "-ac", "1", "-ar", str(SAMPLE_RATE),
             "-f", "s16le", "-acodec", "pcm_s16le", "-"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MediaError(f"{path.name} could not be converted: {exc}") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()[-200:]
        raise MediaError(f"{path.name} is not a readable audio file: {detail}")
    if len(done.stdout) > MAX_SECONDS * SAMPLE_RATE * 2:
        raise MediaError(f"{path.name} is longer than {MAX_SECONDS:g} seconds; a voice command "
                         "must be shorter.")
    return done.stdout


class CommandRecogniser:
    """Recognises the commands of one language with one model. Build it once per process
    (``recogniser``); it is safe to use from several threads."""

    def __init__(self, model_path: str | Path, language: str, *, tuning: Tuning | None = None,
                 cache_dir: str | Path | None = None, kind: str = "commands") -> None:
        entry = language_table.get(language)
        own = {"answers": entry.answers, "wake": entry.wake}.get(kind, entry.phrases)
        if not own:
            raise MediaError(f"There are no voice {kind} for the language {language!r}.")
        self.language = language
        self.kind = kind
        self.model_path = str(model_path)
        self.tuning = tuning or (ANSWER_TUNING if kind in ("answers", "wake") else Tuning())
        vocab = vocabulary(self.model_path)
        self.phrase_of: dict[tuple[str, ...], Phrase] = {}
        for phrase in own:
            tokens = phrase_tokens(phrase, vocab)
            if tokens:
                self.phrase_of.setdefault(tuple(tokens), phrase)
        if not self.phrase_of:
            raise MediaError(f"The model at {model_path} cannot spell any {language} command.")
        phrase_tokens_used = {t for tokens in self.phrase_of for t in tokens}
        extra = ["[unk]"] if "[unk]" in special_symbols(self.model_path) else []
        # Short, common words that are not in any phrase: ordinary speech decodes into them
        # rather than into a command. Words missing from the model's vocabulary are skipped.
        extra += [f for f in entry.fillers if f in vocab
                  and f not in phrase_tokens_used]
        sentences = [list(tokens) for tokens in self.phrase_of] + [[f] for f in extra]
        self.grammar = [" ".join(s) for s in sentences]
        self._grammar_json = json.dumps(self.grammar, ensure_ascii=False)
        # The check's grammar: the same, with the language's common words as ordinary speech
        # (not for answers: a question's yes or no is expected, and is short enough to be
        # taken for common words; measured, the check lost 13 of 34 espeak-ng answers).
        common = [w for w in common_words(language) if w in vocab
                  and w not in phrase_tokens_used and w not in extra] \
            if kind in ("commands", "wake") else []
        self.check_grammar = self.grammar + common if common else []
        self._check_json = json.dumps(self.check_grammar, ensure_ascii=False)
        self._by_length = sorted(self.phrase_of, key=len, reverse=True)
        try:
            self.decoding_path = str(decoding_model_dir(self.model_path, cache_dir))
        except OSError as exc:
            log.warning("Voice commands: no wider lattice beam (%s); using %s as it is.", exc,
                        self.model_path)
            self.decoding_path = self.model_path
        self._model = speech_models.load(self.decoding_path)
        self._local = threading.local()
        _dither_noise()

    def recognise_pcm(self, pcm: bytes, threshold: float | None = None,
                      ask_threshold: float | None = None, unconfirmed: str = ASK) -> Command:
        """The command in ``pcm`` (16 kHz mono 16-bit little-endian), or ``none``. A command
        that the check (``confirm``) does not confirm is asked about instead of acted on; with
        ``unconfirmed`` "refuse", one that would have been asked about is refused; with "off"
        there is no check."""
        samples = _check_pcm(pcm)
        if samples is None or not _has_voice(samples):
            return Command(NONE, {}, "", 0.0)
        prepared = _prepare(samples)
        found = self.decide(self.hypotheses(prepared), threshold, ask_threshold)
        if unconfirmed == OFF or found.decision == NONE or not self.check_grammar:
            return found
        return self.confirm(found, self.hypotheses(prepared, check=True), threshold,
                            ask_threshold, unconfirmed)

    def confirm(self, found: Command, check: list[Hypothesis], threshold: float | None = None,
                ask_threshold: float | None = None, unconfirmed: str = ASK) -> Command:
        """``found`` as the check's alternatives (``check_grammar``: the language's common
        words as ordinary speech) leave it: unchanged when they name the same command at least
        as surely as ``ask_threshold``; otherwise an action becomes a question and, with
        ``unconfirmed`` "refuse", a question becomes ``none``. Where nothing is asked about
        (the wake word), an unconfirmed action becomes ``none``."""
        second = self.decide(check, threshold, ask_threshold)
        if second.decision != NONE and (second.command, second.args) == \
                (found.command, found.args):
            return found
        if self.tuning.ask_threshold >= self.tuning.threshold:
            return Command(NONE, {}, found.text, found.confidence)
        if found.decision == "act":
            return Command(found.command, found.args, found.text, found.confidence, "ask")
        if unconfirmed == REFUSE:
            return Command(NONE, {}, found.text, found.confidence)
        return found

    def recognise_wav(self, path: str | Path, threshold: float | None = None,
                      ask_threshold: float | None = None, unconfirmed: str = ASK) -> Command:
        return self.recognise_pcm(read_wav_pcm(path), threshold, ask_threshold, unconfirmed)

    def hypotheses(self, pcm: bytes, check: bool = False) -> list[Hypothesis]:
        """The recogniser's alternatives for ``pcm`` (checked already), best first; ``check``:
        with the check's grammar (``check_grammar``)."""
        try:
            recogniser = self._thread_recogniser(check)
            recogniser.AcceptWaveform(bytes(pcm))
            result = json.loads(recogniser.FinalResult())
        except Exception as exc:  # noqa: BLE001 - Vosk raises bare Exception
            setattr(self._local, "check" if check else "recogniser", None)  # not fit to reuse
            raise MediaError(f"The speech recogniser failed: {exc}") from exc
        return [Hypothesis(tuple(alternative.get("text", "").split()),
                           float(alternative["confidence"]))
                for alternative in result.get("alternatives", [])]

    def _thread_recogniser(self, check: bool = False):
        """This thread's Vosk recogniser with the command grammar (or the check's), kept
        between utterances: after ``FinalResult`` it starts afresh, but its decoding graph's
        cache stays built (measured on 50 utterances: the same alternatives and scores, and a
        sixth less time)."""
        name = "check" if check else "recogniser"
        recogniser = getattr(self._local, name, None)
        if recogniser is None:
            from vosk import KaldiRecognizer

            recogniser = KaldiRecognizer(self._model, SAMPLE_RATE,
                                         self._check_json if check else self._grammar_json)
            recogniser.SetMaxAlternatives(MAX_ALTERNATIVES)
            setattr(self._local, name, recogniser)
        return recogniser

    def recognise_naive(self, pcm: bytes) -> Command:
        """The naive approach, kept to compare against: the recogniser's one best text with a
        grammar of the phrases alone, taken as the command when it is a phrase."""
        from vosk import KaldiRecognizer

        samples = _check_pcm(pcm)
        if samples is None:
            return Command(NONE, {}, "", 0.0)
        grammar = json.dumps([" ".join(tokens) for tokens in self.phrase_of], ensure_ascii=False)
        try:
            recogniser = KaldiRecognizer(self._model, SAMPLE_RATE, grammar)
            recogniser.AcceptWaveform(_prepare(samples))
            text = json.loads(recogniser.FinalResult()).get("text", "")
        except Exception as exc:  # noqa: BLE001 - Vosk raises bare Exception
            raise MediaError(f"The speech recogniser failed: {exc}") from exc
        phrase = self.phrase_of.get(tuple(text.split()))
        if phrase is None:
            return Command(NONE, {}, text, 0.0)
        return Command(phrase.command, dict(phrase.args), phrase.text, 1.0)

    def _supports(self, tokens: tuple[str, ...]) -> tuple[Phrase | None, int]:
        """The phrase a hypothesis says, with the number of extra tokens around it."""
        if tokens in self.phrase_of:
            return self.phrase_of[tokens], 0
        best: list[Phrase] = []
        length = 0
        for phrase_tokens_ in self._by_length:
            n = len(phrase_tokens_)
            if n < length or len(tokens) - n > self.tuning.max_extra_tokens:
                continue
            if any(tokens[i:i + n] == phrase_tokens_ for i in range(len(tokens) - n + 1)):
                best.append(self.phrase_of[phrase_tokens_])
                length = n
        keys = {_key(p) for p in best}
        if len(keys) != 1:
            return None, 0
        return best[0], len(tokens) - length

    def decide(self, hypotheses: list[Hypothesis], threshold: float | None = None,
               ask_threshold: float | None = None) -> Command:
        """The command that the alternatives support: acted on when its posterior reaches
        ``threshold``, asked about when it reaches ``ask_threshold``, else ``none``."""
        tuning = self.tuning
        threshold = tuning.threshold if threshold is None else threshold
        ask = tuning.ask_threshold if ask_threshold is None else ask_threshold
        ask = min(ask, threshold)
        support: dict[tuple, list[float]] = {}
        best_phrase: dict[tuple, tuple[float, Phrase]] = {}
        garbage: list[float] = []
        for hypothesis in hypotheses:
            phrase, extra = self._supports(hypothesis.tokens)
            if phrase is None:
                garbage.append(hypothesis.score - tuning.garbage_penalty)
                continue
            key = _key(phrase)
            score = hypothesis.score - tuning.extra_token_penalty * extra
            support.setdefault(key, []).append(score)
            if score > best_phrase.get(key, (-math.inf, None))[0]:
                best_phrase[key] = (score, phrase)
        heard = " ".join(hypotheses[0].tokens) if hypotheses else ""
        if not support:
            return Command(NONE, {}, heard, 0.0)
        ranked = sorted(((_log_sum(scores), key) for key, scores in support.items()),
                        reverse=True)
        best, best_key = ranked[0]
        others = [score for score, _ in ranked[1:]]
        if garbage:
            others.append(_log_sum(garbage))
        confidence = round(1.0 / (1.0 + sum(math.exp(s - best) for s in others)), 4)
        if confidence < ask:
            return Command(NONE, {}, heard, confidence)
        phrase = best_phrase[best_key][1]
        return Command(phrase.command, dict(phrase.args), phrase.text, confidence,
                       "act" if confidence >= threshold else "ask")


def _log_sum(scores: list[float]) -> float:
    top = max(scores)
    return top + math.log(sum(math.exp(s - top) for s in scores))


def _key(phrase: Phrase) -> tuple:
    return phrase.command, tuple(sorted(phrase.args.items()))


_lock = threading.Lock()


@lru_cache(maxsize=8)
def _cached(model_path: str, language: str, kind: str) -> CommandRecogniser:
    return CommandRecogniser(model_path, language, kind=kind)


def recogniser(model_path: str | Path, language: str, kind: str = "commands") -> CommandRecogniser:
    """The recogniser for ``language`` with the model at ``model_path``, built once per process
    (building reads the vocabulary and loads the model: a few seconds). ``kind`` "answers":
    the yes and no of the language, for the player's questions; "wake": the word that wakes
    the player in hands-free listening."""
    with _lock:
        return _cached(str(model_path), language, kind)
