"""align: timings for a known script. The script's own words, spelling and punctuation become the
caption text; recognition only provides the times.

1. Each script word is split into the model's vocabulary tokens (the Korean model's are
   morpheme-like: 시작하겠습니다 → 시작 하겠습니다). Words that cannot be spelled with the
   vocabulary are reported.
2. Vosk recognises the audio with the script's tokens as its grammar.
3. The recognised tokens are matched to the script's tokens in order; matched tokens give their
   words a time.
4. Words left without a time get one by sharing out the time between their neighbours by length,
   starting a sentence where speech starts after a pause and ending it where the pause begins.
5. Speech that no script word covers (an unscripted remark, a question from the room) is
   recognised freely, and its words are put in between the script's, in time order.

Owns: matching a script to recognition, timing every script word, and finding speech outside
the script. Must not: hold language facts (what a caption word of a script is in a language
written without spaces is its ``languages`` entry's ``alignment_unit``), change the script's
text, or segment and write captions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from pathlib import Path

from . import languages
from .recognise import Progress, recognise, recognise_spans, silences
from .vocabulary import split_into_tokens, vocabulary
from .words import Word, rejoin

UNSCRIPTED_MIN_S = 1.0  # speech at least this long with no script word on it is not scripted
UNSCRIPTED_PAD_S = 0.15  # taken either side, so that the recogniser hears the word onsets

_SENTENCE_SPLIT = re.compile(r"(?<=[.?!。？！])\s+|\n+")


@dataclass
class Alignment:
    words: list[Word]  # the script's words with times; text exactly as in the script
    sentence_starts: list[int]  # index in words of each sentence's first word
    missing: list[str] = field(default_factory=list)  # script words not in the vocabulary
    matched: int = 0  # words timed by recognition (the rest were interpolated)
    # stretches of speech outside the script, and where in words free recognition put its words
    unscripted: list[tuple[float, float]] = field(default_factory=list)
    inserted: list[int] = field(default_factory=list)

    @property
    def matched_ratio(self) -> float:
        return self.matched / len(self.words) if self.words else 0.0


def script_sentences(script: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(script) if s and s.strip()]


def _script_units(sentence: str, language: str) -> list[str]:
    unit = languages.get(language).alignment_unit
    if unit:
        # E.g. no spaces: caption words are the chunks between punctuation and spaces; the
        # tokenizer splits them further for recognition.
        return re.findall(unit, sentence)
    return sentence.split()


def align(wav_path: str | Path, model_path: str | Path, script: str, language: str, *,
          duration_s: float, jobs: int = 1, progress: Progress | None = None) -> Alignment:
    vocab = vocabulary(str(model_path))
    words_text: list[str] = []
    sentence_starts: list[int] = []
    word_tokens: list[list[str]] = []
    missing: list[str] = []
    grammar: list[str] = []
    for sentence in script_sentences(script):
        sentence_starts.append(len(words_text))
        phrase: list[str] = []
        for unit in _script_units(sentence, language):
            tokens = split_into_tokens(unit, vocab)
            if tokens is None:
                missing.append(unit)
                tokens = []
            words_text.append(unit)
            word_tokens.append(tokens)
            phrase.extend(tokens)
        if phrase:
            grammar.append(" ".join(phrase))
    if not words_text:
        return Alignment([], [], missing)

    recognised = recognise(wav_path, model_path, jobs=jobs, grammar=grammar, progress=progress)
    flat = [(i, token) for i, tokens in enumerate(word_tokens) for token in tokens]
    matcher = SequenceMatcher(None, [t for _, t in flat], [w.text for w in recognised],
                              autojunk=False)
    times: list[tuple[float, float] | None] = [None] * len(words_text)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            word_index = flat[block.a + k][0]
            rec = recognised[block.b + k]
            current = times[word_index]
            times[word_index] = (rec.start, rec.end) if current is None else (
                min(current[0], rec.start), max(current[1], rec.end))
    matched = sum(1 for t in times if t is not None)
    quiet = silences(Path(wav_path))
    timed = _interpolate(words_text, times, set(sentence_starts), quiet, duration_s)
    words = [Word(text, min(start, duration_s), min(end, duration_s), 1.0 if times[i] else 0.0)
             for i, (text, (start, end)) in enumerate(zip(words_text, timed, strict=True))]
    result = Alignment(words, sentence_starts, missing, matched)
    spans = uncovered_speech(words, set(sentence_starts), quiet, duration_s)
    spans = _retime_lost_sentences(result, spans, quiet)
    if spans:
        extra = [replace(w, unscripted=True) for w in
                 rejoin(recognise_spans(wav_path, model_path, spans, jobs=jobs), language)]
        _insert(result, extra)
        result.unscripted = spans
    return result


def uncovered_speech(words: list[Word], sentence_starts: set[int],
                     quiet: list[tuple[float, float]],
                     duration: float) -> list[tuple[float, float]]:
    """Stretches of speech (audio between silences) that no script word's time covers and that
    lie between two sentences (or before the first, or after the last). Inside a sentence such a
    stretch means recognition matched the sentence's words badly (measured on food_safety.wav: a
    1.4 s hole inside 익힌 음식과 날 음식은), not that someone said something else."""
    speech, cursor = [], 0.0
    for start, end in sorted(quiet):
        if start > cursor:
            speech.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < duration:
        speech.append((cursor, duration))
    spans = []
    for a, b in speech:
        cursor, following = a, 0  # following: index of the first word starting after cursor
        for index, word in enumerate(words):
            if word.end <= cursor:
                following = index + 1
                continue
            if word.start >= b:
                break
            if word.start - cursor >= UNSCRIPTED_MIN_S and index in sentence_starts:
                spans.append((cursor, word.start))
            cursor, following = max(cursor, word.end), index + 1
        if b - cursor >= UNSCRIPTED_MIN_S and (following >= len(words)
                                               or following in sentence_starts):
            spans.append((cursor, b))
    return [(max(0.0, a - UNSCRIPTED_PAD_S), min(duration, b + UNSCRIPTED_PAD_S))
            for a, b in spans]


LOST_SENTENCE = 1 / 3  # a sentence with fewer of its words matched was placed by guesswork


def _retime_lost_sentences(result: Alignment, spans: list[tuple[float, float]],
                           quiet: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A stretch of uncovered speech next to a sentence that recognition hardly matched and that
    interpolation put mostly on silence, or squeezed impossibly fast, is that sentence, not
    unscripted speech (seen: a last sentence squeezed into 0.1 s at the very end of a demo
    narration, its real place left uncovered). Such a
    sentence is moved into the stretch; the stretches left are returned. (A sentence placed on
    speech stays: interpolation between pauses usually puts it right.)"""
    words, starts = result.words, result.sentence_starts
    bounds = [(a, b) for a, b in zip(starts, [*starts[1:], len(words)], strict=True) if b > a]
    left = []
    for span in spans:
        a, b = span[0] + UNSCRIPTED_PAD_S, span[1] - UNSCRIPTED_PAD_S  # the speech itself
        before = [k for k in bounds if words[k[1] - 1].end <= a + 1e-3]
        after = [k for k in bounds if words[k[0]].start >= b - 1e-3]
        candidates = ([before[-1]] if before else []) + ([after[0]] if after else [])
        lost = [(i, j) for i, j in candidates
                if sum(1 for w in words[i:j] if w.conf > 0) < LOST_SENTENCE * (j - i)
                and _misplaced(words[i:j], quiet)]
        if not lost:
            left.append(span)
            continue
        i, j = lost[0]
        lengths = [max(1, _chars(w.text)) for w in words[i:j]]
        t, step = a, (b - a) / sum(lengths)
        for k, length in zip(range(i, j), lengths, strict=True):
            words[k] = replace(words[k], start=round(t, 3), end=round(t + step * length, 3))
            t += step * length
    return left


def _misplaced(sentence: list[Word], quiet: list[tuple[float, float]]) -> bool:
    """Placed mostly on silence, or squeezed faster than anyone speaks."""
    start, end = sentence[0].start, sentence[-1].end
    length = max(end - start, 1e-3)
    chars = sum(_chars(w.text) for w in sentence)
    return _speech_between(start, end, quiet) < 0.5 * length or chars / length > MAX_CPS


def _insert(result: Alignment, extra: list[Word]) -> None:
    """Merge freely recognised words into the script's words by time; sentence starts follow
    the script words they point at."""
    firsts = {id(result.words[i]) for i in result.sentence_starts}
    added = {id(w) for w in extra}
    merged = sorted([*result.words, *extra], key=lambda w: w.start)  # stable: script order kept
    result.sentence_starts = [i for i, w in enumerate(merged) if id(w) in firsts]
    result.inserted = [i for i, w in enumerate(merged) if id(w) in added]
    result.words = merged


MAX_CPS = 20.0  # faster than anyone speaks: the anchors around such a stretch are wrong
MIN_CPS = 1.0  # over 1.5 s of speech with almost no words: likewise
USUAL_CPS = 8.0  # a usual speaking pace, to choose between pauses
_CHARS = re.compile(r"\w")


def _chars(text: str) -> int:
    return len(_CHARS.findall(text))


def _speech_between(a: float, b: float, quiet: list[tuple[float, float]]) -> float:
    silent = sum(max(0.0, min(b, e) - max(a, s)) for s, e in quiet)
    return max(0.0, b - a - silent)


def _drop_implausible(texts: list[str], times: list, quiet: list[tuple[float, float]],
                      duration: float) -> None:
    """Remove matched runs that would make the speech impossibly fast, slow or out of order.
    Of the two runs around a bad stretch, the one further from where its words are expected
    (by their position in the script) goes."""
    cumulative, total = [], 0
    for text in texts:
        cumulative.append(total)
        total += _chars(text)
    speech_start = quiet[0][1] if quiet and quiet[0][0] <= 0.05 else 0.0
    speech_end = quiet[-1][0] if quiet and quiet[-1][1] >= duration - 0.05 else duration

    def expected(i: int) -> float:
        return speech_start + (speech_end - speech_start) * cumulative[i] / max(1, total)

    def run_ending(i: int) -> list[int]:
        a = i
        while a > 0 and times[a - 1] is not None:
            a -= 1
        return list(range(a, i + 1))

    def run_starting(i: int) -> list[int]:
        b = i
        while b + 1 < len(times) and times[b + 1] is not None:
            b += 1
        return list(range(i, b + 1))

    changed = True
    while changed:
        changed = False
        anchors = [i for i, t in enumerate(times) if t is not None]
        for a, b in zip(anchors, anchors[1:], strict=False):
            between = sum(_chars(texts[k]) for k in range(a + 1, b))
            gap = times[b][0] - times[a][1]
            speech = _speech_between(times[a][1], times[b][0], quiet)
            bad = (gap < -0.05 or (between and between / max(gap, 0.01) > MAX_CPS)
                   or (speech > 1.5 and between / speech < MIN_CPS))
            if not bad:
                continue
            left, right = run_ending(a), run_starting(b)

            def deviation(run: list[int]) -> float:
                return max(abs(times[k][0] - expected(k)) for k in run)

            worse = left if (deviation(left), -len(left)) > (deviation(right), -len(right)) \
                else right
            for k in worse:
                times[k] = None
            changed = True
            break


def _interpolate(texts: list[str], times: list[tuple[float, float] | None], starts: set[int],
                 quiet: list[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    _drop_implausible(texts, times, quiet, duration)
    result: list[tuple[float, float]] = []
    i = 0
    while i < len(texts):
        if times[i] is not None:
            result.append(times[i])
            i += 1
            continue
        j = i
        while j < len(texts) and times[j] is None:
            j += 1
        left = result[-1][1] if result else 0.0
        right = times[j][0] if j < len(texts) else duration
        _fill(texts, i, j, left, right, starts, quiet, result)
        i = j
    # Keep times monotonic even where recognition matched out of order.
    fixed: list[tuple[float, float]] = []
    for start, end in result:
        if fixed and start < fixed[-1][0]:
            start = fixed[-1][0]
        fixed.append((start, max(start, end)))
    return fixed


def _fill(texts: list[str], i: int, j: int, left: float, right: float, starts: set[int],
          quiet: list[tuple[float, float]], out: list[tuple[float, float]]) -> None:
    """Time the untimed words i..j-1 between left and right."""
    lengths = [max(1, _chars(texts[k])) for k in range(i, j)]
    internal = [k for k in range(i + 1, j) if k in starts]
    if internal:  # a sentence boundary inside: put it in the pause nearest where it should be
        k = internal[0]
        estimate = left + (right - left) * sum(lengths[: k - i]) / sum(lengths)
        pauses = [(s, e) for s, e in quiet if left < s and e < right]
        s, e = min(pauses, key=lambda p: abs((p[0] + p[1]) / 2 - estimate)) if pauses else (
            estimate, estimate)
        _fill(texts, i, k, left, s, starts, quiet, out)
        _fill(texts, k, j, e, right, starts, quiet, out)
        return
    needed = sum(lengths) / MAX_CPS
    if i in starts:  # a sentence starts where speech resumes after a pause: the pause before the
        # next timed word that ends nearest to where these words would start at a usual pace
        onsets = [e for s, e in quiet if e >= left and s < right]
        if onsets:
            expected = right - sum(lengths) / USUAL_CPS
            left = min(right, min(onsets, key=lambda e: abs(e - expected)))
    if j in starts or j == len(texts):  # and ends where the next pause begins
        pauses = [s for s, e in quiet if left + needed <= s <= right]
        if pauses:
            right = pauses[0]
    span = max(0.0, right - left)
    t = left
    for length in lengths:
        step = span * length / sum(lengths)
        out.append((round(t, 3), round(t + step, 3)))
        t += step
