"""dictation: what a person said in one short recording (a learner's question for the teacher of
a live class), as written text, by the language's speech model without a grammar.

Owns: decoding one short 16 kHz mono 16-bit PCM recording in memory into written words.
Must not: keep the audio, choose a model (``speech_models``) nor decide what the text is for.
"""

from __future__ import annotations

import json

from . import recognise, speech_models
from .errors import MediaError
from .words import Word, rejoin

RATE = 16000
MAX_SECONDS = 30.0
STEP_BYTES = RATE * 2  # fed a second at a time


def transcribe(model_path: str, language: str, pcm: bytes) -> str:
    """The words said in ``pcm``, written as the language writes them ("" when none were
    heard). Raises MediaError for audio that is not 16-bit PCM or is too long."""
    if len(pcm) % 2:
        raise MediaError("The recording is not 16-bit PCM (its length is odd).")
    if len(pcm) > MAX_SECONDS * RATE * 2:
        raise MediaError(f"A spoken question can be at most {MAX_SECONDS:g} seconds long.")
    from vosk import KaldiRecognizer

    model = speech_models.load(str(model_path))
    recognise._seed_dither()  # the same recording gives the same words
    recogniser = KaldiRecognizer(model, RATE)
    recogniser.SetWords(True)
    items: list[dict] = []
    for start in range(0, len(pcm), STEP_BYTES):
        if recogniser.AcceptWaveform(bytes(pcm[start:start + STEP_BYTES])):
            items += json.loads(recogniser.Result()).get("result", [])
    items += json.loads(recogniser.FinalResult()).get("result", [])
    words = [Word(i["word"], i["start"], i["end"], float(i.get("conf", 1.0))) for i in items]
    return " ".join(word.text for word in rejoin(words, language))
