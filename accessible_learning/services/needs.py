"""What a learner's declared accessibility needs change in their preferences.

A need declared at registration, or added later on the account page, turns its settings on
("I am deaf or hard of hearing": captions in every lesson; "I am blind or have low vision":
audio description, given as text descriptions read by the screen reader). Removing a need turns
nothing off, and the learner can change every setting on the Preferences page, which says what
was set from which need. It must not decide access, and it reads needs only to set or explain
preferences.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import preferences

# need -> the preferences it sets.
SETTINGS: dict[str, dict] = {
    "deaf_hoh": {"captions_on": True},
    "low_vision": {"audio_description": True, "description_mode": "screen-reader"},
}
_REASONS = {
    "deaf_hoh": _l("You told us you are deaf or hard of hearing: captions are shown in every "
                   "lesson."),
    "low_vision": _l("You told us you are blind or have low vision: audio description is on, "
                     "as text descriptions read by your screen reader."),
}


def settings_for(needs) -> dict:
    """The preferences the needs set, together."""
    changes: dict = {}
    for need in needs or []:
        changes.update(SETTINGS.get(need, {}))
    return changes


def reasons(needs) -> list[str]:
    """What each of the needs set, in words for the learner."""
    return [str(_REASONS[need]) for need in SETTINGS if need in (needs or [])]


def apply_added(user, before, after) -> list[str]:
    """Turn on the settings of the needs in ``after`` that were not in ``before`` (commits);
    returns what was set, in words, for the notice."""
    added = [need for need in after or [] if need not in (before or [])]
    changes = settings_for(added)
    if not changes:
        return []
    preferences.update(user, changes)
    return reasons(added)


def still_set(user_needs, prefs: preferences.Prefs) -> list[str]:
    """For the Preferences page: what the declared needs set and is still so."""
    return [str(_REASONS[need]) for need in SETTINGS if need in (user_needs or [])
            and all(getattr(prefs, name) == value for name, value in SETTINGS[need].items())]


def settings_notice() -> str:
    return _("You can change these on the Preferences page.")
