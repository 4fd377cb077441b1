"""live: captions while a class is spoken, from a stream of 16 kHz mono PCM.

A Vosk recogniser decodes the sound as it comes. Its partial result (the words of the utterance
so far) may still change; a token is *committed* (final, never changed again) when it has stood
at its place in the partial result for ``STABLE_S`` and is not the last one, or when the
recogniser ends the utterance at a pause. So finals keep coming in continuous speech without
waiting for a pause. Measured on the development recordings (``long/dev_concat.wav``, fed in
50 ms steps as fast as it goes): a word is committed 0.84 s after its end (median), 1.26 s at
p95, with a character error rate of 0.186 (0.172 committing only at the ends of utterances,
4.9 s later; a longer ``STABLE_S`` gains nothing: 0.188 at 0.3 s and at 1 s).
One recogniser decoding a long stream gets worse as it goes on (its adaptation to the sound
is carried from utterance to utterance): at the first pause ``RESET_EVERY_S`` after the last
fresh start, the recogniser is made anew (about 0.06 s; the model and its graph are kept).
Measured on the same recording: 0.186 without, 0.164 anew at every pause, 0.160 every 20 s,
0.156 every 40 s; the batch pipeline decodes it in one piece at 0.168 and in two (split at a
silence, as two processes do) at 0.150, so that is where its advantage came from.
Committed tokens are joined into written words (``words.rejoin``) and grouped into cues by the
same rules as recorded lessons (``segment``, DESIGN.md §4): a cue grows while its words come and
is closed when the rules start the next one or the utterance ends. A word committed from the
partial result has estimated times (the partial text carries none).

Events, plain dicts for whoever carries them (the web app sends them to viewers):
``{"type": "partial", "text": …}`` the words not yet committed;
``{"type": "final", "cue": n, "start": s, "end": s, "text": …, "closed": bool, "words": k}`` the
cue ``n`` as it now stands (``words`` counts its committed written words, ``end`` is its last
word's end until it is closed, then its display end by the rules).

Owns: streaming decoding, committing words, growing and closing cues. Must not: read files or
streams itself (the caller feeds bytes), choose a model, nor know about the web app.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import recognise, speech_models
from .languages import Profile
from .segment import profile_for, segment
from .words import Word, rejoin

RATE = 16000
BYTES_PER_S = RATE * 2
FRAMES_PER_CHUNK = 20  # decode in steps of 0.6 s of sound (recorded lessons take 75)
STABLE_S = 0.15  # a token that stood this long at its place in the partial result is committed
PARTIAL_LAG_S = 0.45  # a word reaches the partial result about this long after it ends
WORD_S = 0.35  # the assumed length of a committed word whose start is not known
RESET_EVERY_S = 20.0  # a fresh recogniser at the first pause this long after the last one


def _live_model(model_path: str, frames_per_chunk: int):
    try:
        return speech_models.with_options(model_path, {"frames-per-chunk": str(frames_per_chunk)})
    except OSError:
        return model_path


@dataclass
class _Cue:
    number: int
    words: list[Word] = field(default_factory=list)


@dataclass
class _Seen:
    token: str
    since: float  # stream time at which this token first stood at its place


class LiveCaptioner:
    """Feed it PCM (16-bit mono at 16 kHz) as it arrives; each call returns the events it
    caused. ``offset_s`` is the stream time of the first byte fed."""

    def __init__(self, model_path: str, language: str, *, stable_s: float = STABLE_S,
                 profile: Profile | None = None, offset_s: float = 0.0,
                 frames_per_chunk: int = FRAMES_PER_CHUNK, first_number: int = 1,
                 reset_every_s: float | None = RESET_EVERY_S) -> None:
        self.language = language
        self.profile = profile or profile_for(language)
        self.stable_s = stable_s
        self.reset_every_s = reset_every_s
        self._model = speech_models.load(str(_live_model(str(model_path), frames_per_chunk)))
        self.offset_s = offset_s
        self._fed_bytes = 0
        self._new_recogniser()
        self._committed: list[Word] = []  # this utterance's committed tokens
        self._seen: list[_Seen] = []  # this utterance's partial tokens and since when
        self._partial_text = ""
        self._cue = _Cue(first_number)
        self.cues: list[tuple[int, float, float, str]] = []  # closed: number, start, end, text

    def _new_recogniser(self) -> None:
        """A recogniser starting afresh at the sound fed so far (its times count from there)."""
        from vosk import KaldiRecognizer

        self.offset_s, self._fed_bytes = self.heard_s, 0
        recognise._seed_dither()
        self._recogniser = KaldiRecognizer(self._model, RATE)
        self._recogniser.SetWords(True)  # exact times in each utterance's result
        # Partial results with word times come from the lattice, 1.3 s later than the plain
        # text (measured on the development recordings: a word showed 1.76 s after its end
        # with times, 0.48 s without); the text is enough to commit words early.
        self._recogniser.SetPartialWords(False)
        self._fresh_at = self.offset_s

    def begin_at(self, offset_s: float, first_number: int | None = None) -> None:
        """The stream time of the first byte and the first cue's number, known only once the
        stream comes (the model is loaded before); called before feeding."""
        assert self._fed_bytes == 0 and not self.cues
        self.offset_s = self._fresh_at = offset_s
        if first_number is not None:
            self._cue = _Cue(first_number)

    @property
    def heard_s(self) -> float:
        """Stream time of the end of the sound fed so far."""
        return self.offset_s + self._fed_bytes / BYTES_PER_S

    def feed(self, pcm: bytes) -> list[dict]:
        events: list[dict] = []
        self._fed_bytes += len(pcm)
        if self._recogniser.AcceptWaveform(pcm):
            events += self._end_utterance(json.loads(self._recogniser.Result()))
        else:
            tokens = json.loads(self._recogniser.PartialResult()).get("partial", "").split()
            events += self._commit_stable(tokens)
            events += self._partial(tokens[len(self._committed):])
        return events

    def finish(self) -> list[dict]:
        """The end of the stream: everything still pending is committed and the cue closed."""
        return self._end_utterance(json.loads(self._recogniser.FinalResult()))

    # -- committing ---------------------------------------------------------------------------
    def _commit_stable(self, tokens: list[str]) -> list[dict]:
        """Commit the leading tokens of the partial result that have stood unchanged at their
        place for ``stable_s``, all but the last (which may still grow into another word)."""
        now = self.heard_s
        for i, token in enumerate(tokens):
            if i < len(self._seen) and self._seen[i].token == token:
                continue
            del self._seen[i:]
            self._seen.append(_Seen(token, now))
        del self._seen[len(tokens):]
        ready = []
        for i in range(len(self._committed), len(tokens) - 1):
            if now - self._seen[i].since < self.stable_s:
                break
            ready.append(self._estimated(tokens[i], self._seen[i].since))
        return self._commit(ready)

    def _estimated(self, token: str, seen_at: float) -> Word:
        """A committed token's times, from when the recogniser first gave it: its end is
        ``PARTIAL_LAG_S`` earlier (the median measured), and it began after the word before."""
        end = max(seen_at - PARTIAL_LAG_S, self._last_end() + 0.05)
        return Word(token, max(self._last_end(), end - WORD_S), end, 1.0)

    def _last_end(self) -> float:
        if self._committed:
            return self._committed[-1].end
        return self._cue.words[-1].end if self._cue.words else self.offset_s

    def _end_utterance(self, result: dict) -> list[dict]:
        """The recogniser ended an utterance (a pause): its words not yet committed are, with
        their own times, and the cue is closed."""
        rest = []
        for item in result.get("result", [])[len(self._committed):]:
            start = max(item["start"] + self.offset_s, self._last_end())
            word = Word(item["word"], start, max(start, item["end"] + self.offset_s),
                        float(item.get("conf", 1.0)))
            rest.append(word)
            self._committed.append(word)
        events = self._commit(rest, utterance_end=True)
        self._committed, self._seen = [], []
        events += self._partial([])
        if self._cue.words:
            events.append(self._close())
        if self.reset_every_s is not None and self.heard_s - self._fresh_at >= self.reset_every_s:
            self._new_recogniser()
        return events

    def _commit(self, tokens: list[Word], utterance_end: bool = False) -> list[dict]:
        if not tokens:
            return []
        if not utterance_end:
            self._committed += tokens
        events: list[dict] = []
        for word in tokens:
            self._cue.words = rejoin([*self._cue.words, word], self.language)
            found = segment(self._cue.words, self.language, profile=self.profile)
            # The rules start a new cue (a full cue, a sentence's end, too long): the cues
            # before the last are closed, timed knowing where the next one starts.
            for cue, words in zip(found.cues[:-1], found.words_per_cue[:-1], strict=True):
                events.append(self._closed(cue, len(words)))
            self._cue.words = list(found.words_per_cue[-1])
        events.append(self._open_event())
        return events

    def _open_event(self) -> dict:
        words = self._cue.words
        text = segment(words, self.language, profile=self.profile).cues[0].text
        return {"type": "final", "cue": self._cue.number, "start": round(words[0].start, 3),
                "end": round(words[-1].end, 3), "text": text, "closed": False,
                "words": len(words)}

    def _closed(self, cue, words: int) -> dict:
        number = self._cue.number
        self.cues.append((number, cue.start, cue.end, cue.text))
        self._cue = _Cue(number + 1)
        return {"type": "final", "cue": number, "start": cue.start, "end": cue.end,
                "text": cue.text, "closed": True, "words": words}

    def _close(self) -> dict:
        words = self._cue.words
        return self._closed(segment(words, self.language, profile=self.profile).cues[0],
                            len(words))

    def _partial(self, pending: list[str]) -> list[dict]:
        text = " ".join(w.text for w in rejoin(
            [Word(token, 0.0, 0.0) for token in pending], self.language))
        if text == self._partial_text:
            return []
        self._partial_text = text
        return [{"type": "partial", "text": text}]
