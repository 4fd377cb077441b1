"""What a job says: its messages in English and in each reader's language.

Owns the catalogue of job messages (``N_`` marks them for pybabel), the stage messages of the
pipelines and the words for storage faults. It must not touch the database or the queue: it
only turns message ids and values into text.
"""

from __future__ import annotations

import errno

from ..models import Job


def N_(text: str) -> str:
    """Marks a job message for the translation catalogue (pybabel extracts ``N_``)."""
    return text


STAGE_MESSAGES = {
    "probe": N_("Reading the media file."),
    "extract": N_("Extracting the sound."),
    "recognise": N_("Recognising speech."),
    "segment": N_("Making caption cues."),
    "write": N_("Writing the captions."),
    "gaps": N_("Finding the pauses in the speech."),
    "synthesise": N_("Speaking the descriptions."),
    "mix": N_("Mixing the described versions."),
    "scenes": N_("Looking for changes of picture."),
}


def say(msgid: str, **args) -> dict:
    """A job's message: ``message`` in English (logs, the command line), and ``message_i18n``,
    the catalogue's words and their values, shown in each reader's language by
    ``message_text``."""
    return {"message": msgid % args if args else msgid,
            "message_i18n": {"id": msgid, "args": args}}


def message_text(job: Job) -> str:
    """The job's message in the reader's language. Messages without catalogue words (a media
    error's own explanation) are shown as they are."""
    from flask_babel import gettext

    key = job.message_i18n
    if not key or not job.message:
        return job.message or ""
    args = {name: gettext(value) if isinstance(value, str) else value  # e.g. a cause's words
            for name, value in (key.get("args") or {}).items()}
    try:
        return gettext(key["id"], **args)
    except (KeyError, TypeError, ValueError):  # a translation that does not fit its values
        return job.message


def storage_problem(exc: BaseException) -> str | None:
    """A disk or folder fault in words, or None for any other error."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return N_("The server's disk is full")
        if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
            return N_("The media or temporary folder cannot be written")
    return None
