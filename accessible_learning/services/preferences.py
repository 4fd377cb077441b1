"""Accessibility and display preferences: stored for users, kept in the session for visitors.

It must not read or show accessibility needs (those belong to the account).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Protocol

from flask import session
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Preferences, User
from . import sign_videos
from .captions import CAPTION_LANGUAGES


class Account(Protocol):
    """Who is asking: the ORM ``User``, the request's signed-in user (``security``'s, whose
    ``preferences`` are already ``Prefs``), or an anonymous visitor. Only these are read."""

    id: int
    is_authenticated: bool
    preferences: object

SIZE_CHOICES = [
    ("small", _l("Small")),
    ("medium", _l("Medium")),
    ("large", _l("Large")),
    ("xlarge", _l("Extra large")),
]
COLOR_CHOICES = [
    ("white", _l("White")),
    ("yellow", _l("Yellow")),
    ("cyan", _l("Cyan")),
    ("black", _l("Black")),
]
BACKGROUND_CHOICES = [
    ("black", _l("Black")),
    ("translucent", _l("Semi-transparent black")),
    ("navy", _l("Dark blue")),
    ("white", _l("White")),
]
# The font of captions: the site's, OpenDyslexic (vendored; it has Latin letters only, so Korean
# or Chinese captions keep the system's font for their own letters), a font made for Korean,
# Chinese and Japanese (the system's own, by name: none is sent), or a serif.
FONT_CHOICES = [
    ("default", _l("The site's font")),
    ("dyslexic", _l("OpenDyslexic, for readers with dyslexia (Latin letters)")),
    ("cjk", _l("A font for Korean, Chinese and Japanese")),
    ("serif", _l("Serif")),
]
EDGE_CHOICES = [
    ("none", _l("None")),
    ("outline", _l("Outline")),
    ("shadow", _l("Drop shadow")),
]
OPACITY_CHOICES = [
    ("100", _l("Solid")),
    ("75", _l("Three quarters")),
    ("50", _l("Half")),
    ("0", _l("No background (text only)")),
]
# Where captions are: over the video at the bottom (WebVTT line and position settings of a
# cue are honoured), at the top (cues that set no line of their own), or below the video, where
# they never cover what the video shows (measurements on screen, a signer's hands).
POSITION_CHOICES = [
    ("bottom", _l("Over the video, at the bottom")),
    ("top", _l("Over the video, at the top")),
    ("below", _l("Below the video, never covering it")),
]
# How the player gives audio description when it is on: the described audio, the extended
# version (falls back to the described audio where a lesson has none), or text descriptions
# spoken by the browser or sent to the screen reader.
DESCRIPTION_MODE_CHOICES = [
    ("described", _l("Described audio: descriptions spoken in the pauses")),
    ("extended", _l("Extended version: the video waits for long descriptions")),
    ("speech", _l("Text descriptions, spoken by the browser")),
    ("screen-reader", _l("Text descriptions, read by my screen reader")),
]
# Text descriptions longer than their pause (MAUR TVD-4, EVD-1): the video waits and goes on by
# itself (when the browser's speech ends; for a screen reader, after the time reading it
# takes), waits until the learner presses Play, plays on while it is read, or they are left out.
OVERFLOW_CHOICES = [
    ("pause", _l("The video waits, then goes on by itself")),
    ("wait", _l("The video waits until I press Play")),
    ("continue", _l("The video plays on while it is read")),
    ("skip", _l("Leave it out")),
]
DESCRIPTION_RATE_CHOICES = [(r, f"{r:g}×") for r in (0.75, 1.0, 1.25, 1.5, 2.0)]
# The language of captions and, apart from it, of the transcript (MAUR CC-26, CN-10): the lesson's
# own ("") or a translation, when the lesson has one in that language.
CAPTION_LANGUAGE_CHOICES = [("", _l("The language spoken in the lesson")),
                            *CAPTION_LANGUAGES.items()]
TRANSCRIPT_LANGUAGE_CHOICES = [("", _l("The same as the captions")),
                               *CAPTION_LANGUAGES.items()]
# Sign-language videos (MAUR SL-3, SL-5): which sign language ("" for the lesson's first one),
# and where the video is: over the lesson's video in a corner, beside it, or swapped (the sign
# video large, the lesson's small in the corner); its corner and size over the video.
SIGN_LANGUAGE_CHOICES = [("", _l("The lesson's first sign language")),
                         *sign_videos.SIGN_LANGUAGES]
SIGN_LAYOUT_CHOICES = [
    ("over", _l("Over the video, in a corner")),
    ("beside", _l("Beside the video")),
    ("swap", _l("Swapped: the sign-language video large, the lesson video small")),
]
SIGN_CORNER_CHOICES = [
    ("top-left", _l("Top left")),
    ("top-right", _l("Top right")),
    ("bottom-right", _l("Bottom right")),
    ("bottom-left", _l("Bottom left")),
]
SIGN_SIZE_CHOICES = [("small", _l("Small")), ("medium", _l("Medium")), ("large", _l("Large"))]
# Slow links (issue 29): the picture quality of lessons that have smaller versions. "auto"
# follows the connection; a height fixes it ("data saver" is the smallest); "original" is the
# uploaded file. Audio and text: the lesson's sound with captions and transcript, no picture.
QUALITY_CHOICES = [
    ("auto", _l("Automatic: as good as the connection allows")),
    ("480p", _l("480p")),
    ("360p", _l("360p")),
    ("240p", _l("240p: data saver")),
    ("original", _l("The original file (the most data)")),
]
# Voice commands (issue 27): when the player acts on what it heard, asks first ("Pause? Press
# Enter or say yes"), or says it did not understand (``services/voice_commands.SENSITIVITY``).
VOICE_SENSITIVITY_CHOICES = [
    ("careful", _l("Careful: act only when very sure, ask less often, refuse more")),
    ("balanced", _l("Balanced: act when sure, ask when unsure")),
    ("eager", _l("Eager: act more often without asking (more mistakes)")),
]
# 50 % to 250 % (MAUR TSM-1): listeners used to fast speech go past 2×.
SPEED_CHOICES = [(s, f"{s:g}×") for s in (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5)]


@dataclass
class Prefs:
    caption_size: str = "medium"
    caption_color: str = "white"
    caption_background: str = "black"
    caption_font: str = "default"
    caption_edge: str = "none"
    caption_opacity: str = "100"
    caption_position: str = "bottom"
    caption_language: str = ""
    transcript_language: str = ""
    captions_on: bool = False
    audio_description: bool = False
    description_mode: str = "described"
    description_overflow: str = "pause"
    description_rate: float = 1.0
    description_volume: int = 100
    programme_volume: int = 100
    high_contrast: bool = False
    reduced_motion: bool = False
    playback_speed: float = 1.0
    language: str = "en"
    sign_on: bool = False
    sign_language: str = ""
    sign_layout: str = "over"
    sign_corner: str = "bottom-right"
    sign_size: str = "medium"
    video_quality: str = "auto"
    audio_mode: bool = False
    voice_sensitivity: str = "balanced"
    voice_hands_free: bool = False

    def transcript_in(self) -> str:
        """The language the learner reads transcripts in ("": the lesson's own)."""
        return self.transcript_language or self.caption_language

    def body_classes(self) -> str:
        classes = [prefix + getattr(self, name) for name, prefix in CLASS_PREFIXES.items()]
        if self.high_contrast:
            classes.append("high-contrast")
        if self.reduced_motion:
            classes.append("reduce-motion")
        return " ".join(classes)


FIELD_NAMES = [f.name for f in fields(Prefs)]
_SESSION_KEY = "preferences"


ALLOWED = {
    "caption_size": {c for c, _ in SIZE_CHOICES},
    "caption_color": {c for c, _ in COLOR_CHOICES},
    "caption_background": {c for c, _ in BACKGROUND_CHOICES},
    "caption_font": {c for c, _ in FONT_CHOICES},
    "caption_edge": {c for c, _ in EDGE_CHOICES},
    "caption_opacity": {c for c, _ in OPACITY_CHOICES},
    "caption_position": {c for c, _ in POSITION_CHOICES},
    "playback_speed": {s for s, _ in SPEED_CHOICES},
    "description_mode": {m for m, _ in DESCRIPTION_MODE_CHOICES},
    "description_overflow": {m for m, _ in OVERFLOW_CHOICES},
    "description_rate": {r for r, _ in DESCRIPTION_RATE_CHOICES},
    "caption_language": {c for c, _ in CAPTION_LANGUAGE_CHOICES},
    "transcript_language": {c for c, _ in TRANSCRIPT_LANGUAGE_CHOICES},
    "language": {"en", "zh"},
    "sign_language": {c for c, _ in SIGN_LANGUAGE_CHOICES},
    "sign_layout": {c for c, _ in SIGN_LAYOUT_CHOICES},
    "sign_corner": {c for c, _ in SIGN_CORNER_CHOICES},
    "sign_size": {c for c, _ in SIGN_SIZE_CHOICES},
    "video_quality": {c for c, _ in QUALITY_CHOICES},
    "voice_sensitivity": {c for c, _ in VOICE_SENSITIVITY_CHOICES},
}
# What the lesson player may change by itself, without the preferences form.
CAPTION_STYLE_FIELDS = ("caption_size", "caption_color", "caption_background", "caption_font",
                        "caption_edge", "caption_opacity", "caption_position")
PLAYER_FIELDS = (*CAPTION_STYLE_FIELDS, "captions_on", "playback_speed", "description_overflow",
                 "description_rate", "caption_language", "transcript_language")
# The learner's volumes when the player mixes the description stem with the programme (MAUR
# DV-6, CA-3): 0–100 %, in steps of 5, set in the player (saved at once) or on this page.
VOLUME_FIELDS = ("description_volume", "programme_volume")
VOLUME_CHOICES = tuple(range(0, 101, 5))
ALLOWED.update({name: set(VOLUME_CHOICES) for name in VOLUME_FIELDS})
PLAYER_FIELDS = (*PLAYER_FIELDS, *VOLUME_FIELDS)
SIGN_FIELDS = ("sign_on", "sign_language", "sign_layout", "sign_corner", "sign_size")
PLAYER_FIELDS = (*PLAYER_FIELDS, *SIGN_FIELDS, "video_quality", "audio_mode", "voice_hands_free")
BOOLEAN_PLAYER_FIELDS = ("captions_on", "sign_on", "audio_mode", "voice_hands_free")
# Each caption style is a class on the page's body (static/css/app.css styles ::cue by them).
CLASS_PREFIXES = {"caption_size": "cue-size-", "caption_color": "cue-color-",
                  "caption_background": "cue-bg-", "caption_font": "cue-font-",
                  "caption_edge": "cue-edge-", "caption_opacity": "cue-opacity-",
                  "caption_position": "cue-pos-"}


def _valid(data: dict) -> dict:
    defaults = Prefs()
    clean = {}
    for name in FIELD_NAMES:
        value = data.get(name, getattr(defaults, name))
        if name in ALLOWED and value not in ALLOWED[name]:
            value = getattr(defaults, name)
        clean[name] = value
    return clean


def checked(values: dict) -> Prefs:
    """Stored preferences, any value no longer offered replaced by its default."""
    return Prefs(**_valid(values))


def current(user: Account | None) -> Prefs:
    if user is not None and user.is_authenticated:
        row = user.preferences
        if row is None:
            return Prefs()
        if isinstance(row, Prefs):  # a SignedInUser's, checked when it was read
            return row
        return checked({n: getattr(row, n) for n in FIELD_NAMES})
    return checked(session.get(_SESSION_KEY, {}))


def save(user: Account | None, data: dict) -> Prefs:
    clean = _valid(data)
    if user is not None and user.is_authenticated:
        row = db.session.get(Preferences, user.id) or Preferences(user_id=user.id)
        for name, value in clean.items():
            setattr(row, name, value)
        db.session.add(row)
        db.session.commit()
        if not isinstance(user, User):  # the rest of this request sees the new preferences
            user.preferences = Prefs(**clean)
    else:
        session[_SESSION_KEY] = clean
        session["language"] = clean["language"]
    return Prefs(**clean)


def player_changes(form) -> dict | None:
    """The player's changes from a form (only the fields present), or None when one of them has
    a value that is not offered."""
    changes: dict = {}
    for name in PLAYER_FIELDS:
        if name not in form:
            continue
        raw = form.get(name, "")
        if name in BOOLEAN_PLAYER_FIELDS:
            if raw not in {"true", "false"}:
                return None
            changes[name] = raw == "true"
            continue
        if name in ("playback_speed", "description_rate"):
            try:
                raw = float(raw)
            except ValueError:
                return None
        if name in VOLUME_FIELDS:
            raw = int(raw) if raw.isascii() and raw.isdigit() else None
        if raw not in ALLOWED[name]:
            return None
        changes[name] = raw
    return changes


def update(user: User | None, changes: dict) -> Prefs:
    """Change some preferences and keep the others. A stored row gets only the changed columns
    written, so that two changes sent at once (the player saves each as it is made) never undo
    each other with the values read before them."""
    clean = _valid({**asdict(current(user)), **changes})
    row = (db.session.get(Preferences, user.id)
           if user is not None and user.is_authenticated else None)
    if row is None:
        return save(user, clean)
    for name in changes:
        setattr(row, name, clean[name])
    db.session.commit()
    stored = checked({n: getattr(row, n) for n in FIELD_NAMES})
    if not isinstance(user, User):  # the rest of this request sees the new preferences
        user.preferences = stored
    return stored


def session_preferences() -> dict:
    """Preferences a visitor set before registering, to carry into the new account."""
    return asdict(Prefs(**_valid(session.get(_SESSION_KEY, {}))))
