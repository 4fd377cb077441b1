"""Voice commands in the web app: the phrase lists, and recognition with the lesson language's
model, loaded once per process (media_pipeline.voice does the recognising).

It must never store the audio.
"""

from __future__ import annotations

from flask import current_app

from media_pipeline import dictation, languages, voice
from media_pipeline.errors import MediaError
from media_pipeline.speech_models import ModelNotFound, find_model

from . import voice_samples

# The learner's voice sensitivity (preferences): (ask from, act from) on the recogniser's
# confidence. Measured on 549 synthetic Korean commands (benchmarks/voice.py), "balanced"
# understands about a third of them, directly or after a question, with no wrong action.
SENSITIVITY = {"careful": (0.35, 0.98), "balanced": (voice.DEFAULT_ASK_THRESHOLD,
                                                     voice.DEFAULT_THRESHOLD),
               "eager": (0.2, 0.9)}
# What becomes of a command that the check with the language's common words does not confirm
# (media_pipeline.voice.CommandRecogniser.confirm): "careful" refuses what it would have asked
# about, the others ask. Measured on 246 words cut alone from real speech that are no command:
# careful refuses 97 %, balanced asks about 25 % and acts on 1.2 % (without the check: 3.3 %).
UNCONFIRMED = {"careful": voice.REFUSE}


def examples(language: str) -> dict[str, str]:
    """A phrase for play, pause, help, back and captions off in ``language`` (English when it
    has no list), the words the player names for yes and no when it asks, and its wake word."""
    phrases = voice.phrases(language) or voice.phrases("en")
    first: dict[str, str] = {}
    for phrase in phrases:
        first.setdefault(phrase.command, phrase.text)
    entry = languages.get(language) if voice.phrases(language) else languages.get("en")
    for phrase in entry.answers + entry.wake:
        first.setdefault(phrase.command, phrase.text)
    return {name: first.get(name, "") for name in ("play", "pause", "help", "yes", "no", "wake",
                                                   "back", "captions_off")}


def phrase_table() -> list[dict]:
    """Every language's phrases by command, and whether its model is installed here."""
    table = []
    for language in voice.languages():
        by_command: dict[str, list[str]] = {}
        for phrase in voice.phrases(language):
            by_command.setdefault(phrase.command, []).append(phrase.text)
        table.append({"language": language, "name": languages.get(language).native_name,
                      "installed": _model_path(language) is not None,
                      "commands": by_command})
    return table


def _model_path(language: str) -> str | None:
    try:
        return str(find_model(language, current_app.config.get("VOSK_MODELS")).path)
    except ModelNotFound:
        return None


def recognise(language: str, pcm: bytes, sensitivity: str = "balanced",
              expect: str = "command", user=None) -> voice.Command:
    """The command in an utterance (16 kHz mono 16-bit PCM), acted on, asked about or refused
    as the learner's ``sensitivity`` says; ``expect`` "answer": the learner's yes or no to the
    player's question; "wake": whether it is the word that wakes hands-free listening. A
    learner who recorded their own commands (``voice_samples``) is recognised by those first:
    what they match is done (or asked about, unless the general recogniser is sure); what they
    do not match goes to the general recogniser. Raises MediaError when this language has no
    model or the audio is not usable."""
    path = _model_path(language)
    if path is None:
        raise ModelNotFound(f"No speech model for {language} is installed on this server.")
    if expect in ("answer", "wake"):
        kind = "answers" if expect == "answer" else "wake"
        return voice.recogniser(path, language, kind).recognise_pcm(pcm)
    personal = voice_samples.matcher(user, language) if user is not None else None
    mine = personal.recognise_pcm(pcm) if personal is not None else None
    if mine is not None and mine.decision == "act":
        return mine
    ask, act = SENSITIVITY.get(sensitivity, SENSITIVITY["balanced"])
    act = current_app.config.get("VOICE_CONFIDENCE_THRESHOLD") or act
    general = voice.recogniser(path, language).recognise_pcm(
        pcm, threshold=act, ask_threshold=min(ask, act),
        unconfirmed=UNCONFIRMED.get(sensitivity, voice.ASK))
    if mine is not None and mine.decision == "ask" and general.decision != "act":
        return mine
    return general


def transcribe(language: str, pcm: bytes) -> str:
    """What was said in a short recording (a spoken question), as text. Raises ModelNotFound
    when this language has no model here, MediaError when the audio is not usable."""
    path = _model_path(language)
    if path is None:
        raise ModelNotFound(f"No speech model for {language} is installed on this server.")
    return dictation.transcribe(path, language, pcm)


def prepare() -> list[str]:
    """Build the recognisers (commands, answers, wake word) of every installed language with
    voice commands, so that the first command is answered as fast as the next; the languages
    readied."""
    ready = []
    for language in voice.languages():
        path = _model_path(language)
        if path is not None:
            for kind in ("commands", "answers", "wake"):
                voice.recogniser(path, language, kind)
            ready.append(language)
    return ready


def check_installed() -> dict[str, list[str]]:
    """Phrases missing from the vocabulary of each installed model (run at start-up)."""
    missing = {}
    for language in voice.languages():
        path = _model_path(language)
        if path is not None:
            missing[language] = voice.check_phrases(language, path)
    return missing


MAX_SECONDS = voice.MAX_SECONDS

DICTATION_SECONDS = dictation.MAX_SECONDS

__all__ = ["DICTATION_SECONDS", "MAX_SECONDS", "MediaError", "ModelNotFound", "check_installed",
           "examples", "phrase_table", "prepare", "recognise", "transcribe"]
