"""A learner's own recordings of voice commands ("teach the player your voice", issue 27): kept
only with the learner's consent, listed and deleted by them, and used to recognise their
commands (``media_pipeline.voice_templates``) before the general recogniser.

Consent is asked on the page before the first recording and kept in the session; each kept
recording carries the time it was given. Deleting all recordings withdraws it. At most
``TAKES`` recordings of a command are kept: a new one replaces the oldest.

It must not keep audio without consent, keep anything but the recording of the command asked
for, or show one learner's recordings to anyone else.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from flask import session
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from media_pipeline import voice, voice_templates

from ..extensions import db
from ..models import VoiceSample

TAKES = 3
MIN_TAKES = 2  # of a command, before it is used (the learner's spread needs two)
_CONSENT = "voice_samples_consent"


class SampleError(ValueError):
    """What is wrong with a recording or a request, in words for the learner (translated)."""


UNREADABLE = _l("That file is not a recording we can read. Send a WAV, MP3, Ogg or WebM file "
                "of the command alone.")
NO_CONSENT = _l("Agree to keep your recordings first: they are kept only if you do.")
NO_SUCH_COMMAND = _l("There is no such command to record. Choose one from the list.")
TAKE_PROBLEMS = {
    "long": _l("The recording is too long. Say the command alone, within four seconds."),
    "unreadable": UNREADABLE,
    "silent": _l("Nothing was heard. Check the microphone, then say the command."),
    "short": _l("The recording is too short to be a command. Say the whole command."),
}


@dataclass(frozen=True)
class Teachable:
    key: str  # in URLs: "pause", "back-10"
    command: str
    args: dict
    phrase: str  # the phrase the learner is asked to say (the command's first)
    count: int = 0


def languages() -> list[str]:
    """The languages that have voice commands to teach."""
    return voice.languages()


def _key(command: str, args: dict) -> str:
    return command + "".join(f"-{value}" for _name, value in sorted(args.items()))


def teachable(language: str) -> list[Teachable]:
    """One entry for each command of ``language``, with the phrase to say: its first phrase."""
    found: dict[str, Teachable] = {}
    for phrase in voice.phrases(language):
        if phrase.command not in {t.command for t in found.values()}:
            key = _key(phrase.command, phrase.args)
            found[key] = Teachable(key, phrase.command, dict(phrase.args), phrase.text)
    return list(found.values())


def summary(user, language: str) -> list[Teachable]:
    """The commands with how many recordings of each the learner has kept."""
    counts = dict(db.session.execute(
        select(VoiceSample.command, func.count()).where(VoiceSample.user_id == user.id,
                                                        VoiceSample.language == language)
        .group_by(VoiceSample.command)).all())
    return [Teachable(t.key, t.command, t.args, t.phrase, counts.get(t.command, 0))
            for t in teachable(language)]


def has_consent(user) -> bool:
    return bool(session.get(_CONSENT)) or db.session.scalar(
        select(func.count()).select_from(VoiceSample)
        .where(VoiceSample.user_id == user.id)) > 0


def give_consent() -> None:
    session[_CONSENT] = True


def add(user, language: str, key: str, pcm: bytes) -> int:
    """Keep a recording of the command ``key``; the number of its recordings now kept. Raises
    SampleError (no consent, an unknown command, or a recording that is not a command)."""
    if not has_consent(user):
        raise SampleError(str(NO_CONSENT))
    wanted = next((t for t in teachable(language) if t.key == key), None)
    if wanted is None:
        raise SampleError(str(NO_SUCH_COMMAND))
    try:
        voice_templates.check_take(pcm)
    except voice_templates.TakeError as exc:
        raise SampleError(str(TAKE_PROBLEMS[exc.reason])) from exc
    kept = list(db.session.scalars(
        select(VoiceSample).where(VoiceSample.user_id == user.id,
                                  VoiceSample.language == language,
                                  VoiceSample.command == wanted.command)
        .order_by(VoiceSample.id)))
    for old in kept[:max(0, len(kept) - TAKES + 1)]:
        db.session.delete(old)
    db.session.add(VoiceSample(user_id=user.id, language=language, command=wanted.command,
                               args=wanted.args, phrase=wanted.phrase, pcm=bytes(pcm)))
    db.session.commit()
    return min(TAKES, len(kept) + 1)


def add_file(user, language: str, key: str, path) -> int:
    """``add`` for a recording sent as an audio file of any format ffmpeg reads."""
    from media_pipeline.errors import MediaError

    try:
        pcm = voice.read_wav_pcm(path)
    except MediaError as exc:
        raise SampleError(str(UNREADABLE)) from exc
    return add(user, language, key, pcm)


def phrase_of(language: str, key: str) -> str:
    return next((t.phrase for t in teachable(language) if t.key == key), "")


def remove(user, language: str, key: str | None = None) -> int:
    """Delete the learner's recordings of one command, or all of them (and the consent to
    keep more); how many were deleted."""
    query = delete(VoiceSample).where(VoiceSample.user_id == user.id)
    if key is not None:
        wanted = next((t for t in teachable(language) if t.key == key), None)
        if wanted is None:
            raise SampleError(str(NO_SUCH_COMMAND))
        query = query.where(VoiceSample.language == language,
                            VoiceSample.command == wanted.command)
    else:
        session.pop(_CONSENT, None)
    deleted = db.session.execute(query).rowcount or 0
    db.session.commit()
    with _lock:
        _matcher.cache_clear()  # deleted recordings are not kept in this process's memory
    return deleted


_lock = threading.Lock()


@lru_cache(maxsize=64)
def _matcher(user_id: int, language: str, version: tuple) -> voice_templates.PersonalCommands:
    rows = db.session.execute(
        select(VoiceSample.command, VoiceSample.args, VoiceSample.phrase, VoiceSample.pcm)
        .where(VoiceSample.user_id == user_id, VoiceSample.language == language)).all()
    takes = [voice_templates.Take(command, dict(args or {}), phrase,
                                  voice_templates.features(pcm))
             for command, args, phrase, pcm in rows]
    return voice_templates.PersonalCommands(takes)


def matcher(user, language: str) -> voice_templates.PersonalCommands | None:
    """The learner's own commands, when at least one is recorded ``MIN_TAKES`` times; built
    once per process for each set of recordings."""
    # Ids may be used again after a deletion (SQLite): the newest time tells recordings apart.
    version = tuple(db.session.execute(
        select(VoiceSample.command, func.count(), func.max(VoiceSample.id),
               func.max(VoiceSample.consented_at))
        .where(VoiceSample.user_id == user.id, VoiceSample.language == language)
        .group_by(VoiceSample.command).order_by(VoiceSample.command)).all())
    if not any(count >= MIN_TAKES for _command, count, _last, _when in version):
        return None
    with _lock:
        return _matcher(user.id, language, version)
