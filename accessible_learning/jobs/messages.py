"""What a job says: its messages in English and in each reader's language.

Owns the catalogue of job messages (``N_`` marks them for pybabel, ``N_plural`` a counted part
of one, such as "1 description fits" / "2 descriptions fit"), the stage messages of the
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
    "renditions-probe": N_("Reading the media file."),
    "renditions-encode": N_("Making the smaller versions for slow connections."),
}


def N_plural(singular: str, plural: str, num: int, **args) -> dict:
    """A counted part of a job message, a value of ``say``: its words in the singular and
    the plural (``%(num)d`` is the count), chosen for the reader's language by ngettext."""
    return {"plural": [singular, plural], "num": num, "args": args}


def _english(value):
    if isinstance(value, dict) and "plural" in value:
        singular, plural = value["plural"]
        return (singular if value["num"] == 1 else plural) % {"num": value["num"],
                                                              **value["args"]}
    return value


def say(msgid: str, **args) -> dict:
    """A job's message: ``message`` in English (logs, the command line), and ``message_i18n``,
    the catalogue's words and their values, shown in each reader's language by
    ``message_text``."""
    english = {name: _english(value) for name, value in args.items()}
    return {"message": msgid % english if args else msgid,
            "message_i18n": {"id": msgid, "args": args}}


def message_text(job: Job) -> str:
    """The job's message in the reader's language. Messages without catalogue words (a media
    error's own explanation) are shown as they are."""
    from flask_babel import gettext, ngettext

    def translated(value):
        if isinstance(value, str):  # e.g. a cause's words
            return gettext(value)
        if isinstance(value, dict) and "plural" in value:
            return ngettext(*value["plural"], value["num"], **value["args"])
        return value

    key = job.message_i18n
    if not key or not job.message:
        return job.message or ""
    args = {name: translated(value) for name, value in (key.get("args") or {}).items()}
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
