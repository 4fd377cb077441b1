"""The lesson player's keyboard shortcuts: one list for the page, the help dialog and the script.

Every shortcut is Alt+Shift with a key, so that none clashes with a screen reader's own keys
(which use Insert or Caps Lock) or with the browser's; the key is given as a ``KeyboardEvent.code``
so that it works on any keyboard layout.
It must not render templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..i18n import per_locale

MODIFIERS = "Alt+Shift"


@dataclass(frozen=True)
class Shortcut:
    code: str  # KeyboardEvent.code
    key: str  # as printed on the key
    action: str  # the player action it runs
    label: object  # what it does, translated


SHORTCUTS = [
    Shortcut("KeyP", "P", "play", _l("Play or pause")),
    Shortcut("KeyB", "B", "back", _l("Back 10 seconds")),
    Shortcut("KeyF", "F", "forward", _l("Forward 10 seconds")),
    Shortcut("Comma", ",", "slower", _l("Slower")),
    Shortcut("Period", ".", "faster", _l("Faster")),
    Shortcut("KeyN", "N", "normal_speed", _l("Normal speed")),
    Shortcut("KeyM", "M", "mute", _l("Mute or unmute")),
    Shortcut("KeyC", "C", "captions", _l("Captions on or off")),
    Shortcut("KeyD", "D", "descriptions", _l("Audio description on or off")),
    Shortcut("KeyT", "T", "transcript", _l("Show or hide the transcript")),
    Shortcut("KeyR", "R", "repeat", _l("Repeat the last caption")),
    Shortcut("BracketRight", "]", "next_chapter", _l("Next chapter")),
    Shortcut("BracketLeft", "[", "previous_chapter",
             _l("Start of this chapter, or the previous one")),
    Shortcut("KeyK", "K", "link", _l("Link to this moment")),
    Shortcut("KeyW", "W", "where", _l("Where am I: the position and the lesson")),
    Shortcut("KeyV", "V", "voice", _l("Speak a voice command")),
    Shortcut("KeyL", "L", "fullscreen", _l("Full screen on or off")),
    Shortcut("KeyH", "H", "help", _l("These keyboard shortcuts")),
    # The sign-language video (static/js/player/sign.js).
    Shortcut("KeyS", "S", "sign", _l("Sign-language video on or off")),
    Shortcut("KeyX", "X", "sign_swap", _l("Swap the sign-language video and the lesson video")),
    Shortcut("KeyO", "O", "sign_move", _l("Move the small video to the next corner")),
    Shortcut("Equal", "=", "sign_larger", _l("Small video larger")),
    Shortcut("Minus", "-", "sign_smaller", _l("Small video smaller")),
]


def script_map() -> dict[str, str]:
    return {s.code: s.action for s in SHORTCUTS}


@per_locale
def messages() -> dict[str, str]:
    """What the player says in the live region, translated; ``{name}`` parts are filled in.
    Made once per interface language."""
    return _messages()


def _messages() -> dict[str, str]:
    from flask_babel import gettext as _

    return {
        "play": _("Playing."),
        "pause": _("Paused."),
        "back": _("Back {seconds} seconds."),
        "forward": _("Forward {seconds} seconds."),
        "speed": _("Speed {speed}×."),
        "mute": _("Sound off."),
        "unmute": _("Sound on."),
        "captions_on": _("Captions on."),
        "captions_off": _("Captions off."),
        "no_captions": _("This lesson has no captions yet."),
        "descriptions_off": _("Audio description off."),
        "no_descriptions": _("This lesson has no audio description."),
        "transcript_shown": _("Transcript shown."),
        "transcript_hidden": _("Transcript hidden."),
        "next_lesson": _("Opening the next lesson: {title}."),
        "previous_lesson": _("Opening the previous lesson: {title}."),
        "no_next": _("This is the last lesson of the course."),
        "no_previous": _("This is the first lesson of the course."),
        "repeat": _("Repeating: {text}"),
        "nothing_to_repeat": _("No caption has been shown yet."),
        "where": _("{position} of {duration}. Lesson: {title}."),
        "time_of": _("{position} of {duration}"),
        "minute_one": _("{n} minute"),
        "minute_other": _("{n} minutes"),
        "second_one": _("{n} second"),
        "second_other": _("{n} seconds"),
        "chapter": _("Chapter {number} of {count}: {title}."),
        "no_chapters": _("This lesson has no chapters."),
        "no_next_chapter": _("This is the last chapter."),
        "link_copied": _("Link to {position} copied."),
        "link_opened": _("At {position}, where the link points."),
        "link_ready": _("Link to {position} selected: press Control and C to copy it."),
        "fullscreen_on": _("Full screen."),
        "fullscreen_off": _("Full screen closed."),
        "resume": _("Going on from {position}."),
        "restart": _("Starting from the beginning."),
        "completed": _("Lesson completed."),
        "played": _("{percent} percent of the video played."),
        "follow_on": _("The transcript follows the video."),
        "follow_off": _("The transcript stays where you leave it."),
        "style_saved": _("Caption style saved."),
        "caption_language": _("Captions in {language}, saved."),
        "transcript_language": _("Transcript in {language}, saved."),
        "reading_saved": _("Saved: {choice}."),
        "press_play": _("The video waits: press Play to go on."),
        "quality": _("Picture quality: {quality}, saved."),
        "audio_mode_on": _("Audio and text: the picture is off, to save data. Captions and the "
                           "transcript go on."),
        "audio_mode_off": _("The picture is on again."),
        "sign_on": _("Sign language: {language}."),
        "sign_off": _("Sign-language video off."),
        "no_sign": _("This lesson has no sign-language video."),
        "sign_over": _("Sign-language video: {corner}, {size}."),
        "sign_beside_left": _("Sign-language video: beside the video, on the left, {size}."),
        "sign_beside_right": _("Sign-language video: beside the video, on the right, {size}."),
        "sign_swap": _("Swapped: the sign-language video is large; the lesson video: {corner}, "
                       "{size}."),
        "corner_top-left": _("top left"),
        "corner_top-right": _("top right"),
        "corner_bottom-right": _("bottom right"),
        "corner_bottom-left": _("bottom left"),
        "size_small": _("small"),
        "size_medium": _("medium"),
        "size_large": _("large"),
        "voice_listening": _("Listening. Say a command."),
        "voice_not_understood": _("Not understood. Say a command such as “{example}”, or say "
                                  "“{help}” for the list of commands."),
        "voice_no_speech": _("No speech was heard. Press “Speak a command”, then speak."),
        "voice_no_microphone": _("The microphone could not be used, so voice commands are off. "
                                 "Allow the microphone for this site and try again; every "
                                 "command is also a button and a keyboard shortcut."),
        "voice_error": _("Voice commands are not available: {error}"),
        "voice_help": _("Voice commands are listed in the dialog that has opened."),
        "voice_ask": _("{command}? Press Enter or say “{yes}”. Escape or “{no}” cancels."),
        "voice_cancelled": _("Cancelled: nothing was done."),
        "hands_free_on": _("Hands-free listening on: the microphone stays on. Say “{wake}”, "
                           "then a command."),
        "hands_free_off": _("Hands-free listening off: the microphone is off."),
        "voice_answer_unclear": _("Not understood. Press Enter to do it, or Escape to cancel."),
        "ask_play": _("Play"), "ask_pause": _("Pause"),
        "ask_back": _("Back {seconds} seconds"), "ask_forward": _("Forward {seconds} seconds"),
        "ask_faster": _("Faster"), "ask_slower": _("Slower"),
        "ask_normal_speed": _("Normal speed"),
        "ask_captions_on": _("Captions on"), "ask_captions_off": _("Captions off"),
        "ask_descriptions_on": _("Audio description on"),
        "ask_descriptions_off": _("Audio description off"),
        "ask_transcript": _("Show or hide the transcript"),
        "ask_next_lesson": _("Next lesson"), "ask_previous_lesson": _("Previous lesson"),
        "ask_repeat": _("Repeat the last caption"), "ask_where": _("Say where I am"),
        "ask_help": _("Open the list of commands"),
        "description_volume_saved": _("Description volume {value}%, saved."),
        "programme_volume_saved": _("Programme volume {value}%, saved."),
    }


@per_locale
def caption_style_fields() -> list:
    """The caption style lists of the player, with their labels translated. Made once per
    interface language: translating the fifteen lazy labels on every page took a quarter of a
    millisecond. The labels are marked safe as the lazy strings were (a lazy string's
    ``__html__`` is its text), so the page is the same."""
    from markupsafe import Markup

    from . import preferences

    fields = [
        ("caption_size", _l("Text size"), preferences.SIZE_CHOICES),
        ("caption_color", _l("Text colour"), preferences.COLOR_CHOICES),
        ("caption_background", _l("Background"), preferences.BACKGROUND_CHOICES),
        ("caption_opacity", _l("Background opacity"), preferences.OPACITY_CHOICES),
        ("caption_edge", _l("Text edge"), preferences.EDGE_CHOICES),
        ("caption_font", _l("Font"), preferences.FONT_CHOICES),
        ("caption_position", _l("Place on screen"), preferences.POSITION_CHOICES),
    ]
    return [
        (name, Markup(str(label)),  # noqa: S704 (our own catalogue, as before)
         [(value, Markup(str(text))) for value, text in choices])  # noqa: S704
        for name, label, choices in fields
    ]


def context(lesson_language: str) -> dict:
    """What the player template needs besides the lesson."""
    from . import preferences, voice_commands

    return {
        "shortcuts": SHORTCUTS,
        "shortcut_map": script_map(),
        "player_messages": messages(),
        "speed_choices": preferences.SPEED_CHOICES,
        "overflow_choices": preferences.OVERFLOW_CHOICES,
        "description_rate_choices": preferences.DESCRIPTION_RATE_CHOICES,
        "sign_layout_choices": preferences.SIGN_LAYOUT_CHOICES,
        "quality_choices": preferences.QUALITY_CHOICES,
        "caption_style_fields": caption_style_fields(),
        "caption_class_prefixes": preferences.CLASS_PREFIXES,
        "voice_examples": voice_commands.examples(lesson_language),
    }


def command_labels() -> dict[str, object]:
    """What each voice command does, for the help page."""
    return {
        "play": _l("Play"), "pause": _l("Pause"),
        "back": _l("Back (10 seconds, or the number said)"),
        "forward": _l("Forward (10 seconds, or the number said)"),
        "faster": _l("Faster"), "slower": _l("Slower"), "normal_speed": _l("Normal speed"),
        "captions_on": _l("Captions on"), "captions_off": _l("Captions off"),
        "descriptions_on": _l("Audio description on"),
        "descriptions_off": _l("Audio description off"),
        "transcript": _l("Show or hide the transcript"),
        "next_lesson": _l("Next lesson"), "previous_lesson": _l("Previous lesson"),
        "next_chapter": _l("Next chapter"),
        "previous_chapter": _l("Start of this chapter, or the previous one"),
        "repeat": _l("Repeat the last caption"),
        "where": _l("Where am I: the position and the lesson"),
        "help": _l("Help: the list of commands"),
    }
