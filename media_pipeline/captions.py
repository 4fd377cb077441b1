"""captions: caption cues, their line breaks, and caption files: WebVTT and SRT, written and read.

Owns: ``Cue``, balanced line breaking (``wrap``, ``wrap_tokens``) at the lesson language's
characters per line, writing WebVTT (through webvtt-py, cue text escaped) and SRT, and reading
WebVTT and uploaded WebVTT/SRT files with a reason for what is malformed.
Must not: hold caption rules or language facts of its own (they are the lesson language's
``languages`` entry), decide where cues start and end (``segment``), or write files to disk.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import webvtt
from webvtt.errors import MalformedFileError

from . import languages
from .errors import MediaError
from .words import join_text


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str
    speaker: str = ""  # who speaks (a WebVTT <v Speaker> span around the text); "": not given


def max_line_chars(language: str | None = None, *, text: str = "") -> int:
    """The characters a line of the lesson language's caption profile (DESIGN.md §4: 16 for
    Chinese, Japanese and Korean, 42 for Latin scripts). Without a language, the default for the
    script ``text`` is written in."""
    return languages.for_text(text, language).caption.max_line_chars


def wrap(text: str, language: str | None = None, *, width: int | None = None,
         max_lines: int | None = None) -> list[str]:
    """Break written text into balanced lines at its spaces (see wrap_tokens), as wide and as
    many as the lesson language's caption profile allows (without a language: the default for
    the script the text is written in). The text's own spaces are kept."""
    profile = languages.for_text(text, language).caption
    return _balanced(text.split(), width or profile.max_line_chars,
                     max_lines or profile.max_lines, " ".join)


def wrap_tokens(tokens: list[str], width: int, language: str, max_lines: int = 2) -> list[str]:
    """Balanced lines at token boundaries, never inside a word: the two-line split whose
    longer line is shortest. A text too long for ``max_lines`` lines comes back in more lines,
    so that the segmenter can see it must split the cue. Tokens are joined as ``language`` is
    written (with or without spaces)."""
    return _balanced(tokens, width, max_lines, lambda part: join_text(part, language))


def _balanced(tokens: list[str], width: int, max_lines: int,
              join: Callable[[list[str]], str]) -> list[str]:
    text = join(tokens)
    if len(text) <= width or len(tokens) < 2:
        return [text] if tokens else []
    if max_lines == 2:
        best = None
        for i in range(1, len(tokens)):
            first, second = join(tokens[:i]), join(tokens[i:])
            longest = max(len(first), len(second))
            if longest <= width and (best is None or longest < best[0]):
                best = (longest, [first, second])
        if best:
            return best[1]
    lines, current = [], []
    for token in tokens:
        if current and len(join([*current, token])) > width:
            lines.append(join(current))
            current = [token]
        else:
            current.append(token)
    if current:
        lines.append(join(current))
    return lines


def timestamp(seconds: float) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def to_webvtt(cues: list[Cue], language: str | None = None) -> str:
    """WebVTT of ``cues``, text escaped. A cue without line breaks is wrapped by the caption
    profile of ``language`` (without one: by the script each cue is written in)."""
    vtt = webvtt.WebVTT()
    for cue in cues:
        given = cue.text.split("\n") if "\n" in cue.text else wrap(cue.text, language)
        lines = [html.escape(line, quote=False) for line in given]
        if cue.speaker:  # the span runs to the end of the cue
            name = " ".join(html.escape(cue.speaker, quote=False).split())
            lines[0] = f"<v {name}>{lines[0]}"
        vtt.captions.append(webvtt.Caption(timestamp(cue.start), timestamp(cue.end), lines))
    return vtt.content


def to_srt(cues: list[Cue], language: str | None = None) -> str:
    """SRT of ``cues``, wrapped as ``to_webvtt`` wraps them."""
    vtt = webvtt.from_string(to_webvtt(cues, language))
    buffer = io.StringIO()
    vtt.write(buffer, format="srt")
    return buffer.getvalue()


def parse_webvtt(text: str) -> list[Cue]:
    """Read WebVTT text into cues; a malformed file raises MediaError saying why."""
    try:
        vtt = webvtt.from_buffer(io.StringIO(text))
    except (MalformedFileError, ValueError) as exc:
        raise MediaError(f"The caption file is not valid WebVTT: {exc}") from exc
    cues = []
    for c in vtt.captions:
        speaker, text = split_voice("\n".join(c.lines))
        cues.append(Cue(_seconds(c.start), _seconds(c.end), text, speaker))
    return cues


# A voice span: <v Name>, <v.loud Name>; its name is everything up to ">".
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")


def split_voice(cue_text: str) -> tuple[str, str]:
    """The speaker of a cue (the name of a <v> span it starts with, "" for none) and its text
    without that span. A later voice in the same cue stays in the text as "Name: "."""
    speaker = ""
    first = _VOICE.match(cue_text.lstrip())
    if first:
        speaker = " ".join(html.unescape(first.group(1)).split())
        cue_text = cue_text.lstrip()[first.end():]
    cue_text = _VOICE.sub(lambda m: m.group(1).strip() + ": ", cue_text)
    return speaker, cue_text.replace("</v>", "")


def with_speaker_names(cues: list[Cue]) -> list[Cue]:
    """The cues (plain text, as ``to_webvtt`` takes them) as learners read them: when the
    speaker changes, the cue starts with the name ("Min-jun: ..."), since browsers do not show
    a <v> span's name."""
    shown, previous = [], ""
    for cue in cues:
        if cue.speaker and cue.speaker != previous:
            cue = Cue(cue.start, cue.end, f"{cue.speaker}: {cue.text}", cue.speaker)
        previous = cue.speaker
        shown.append(cue)
    return shown


def _seconds(stamp: str) -> float:
    hms, _, millis = stamp.partition(".")
    parts = [int(p) for p in hms.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    hours, minutes, secs = parts
    return hours * 3600 + minutes * 60 + secs + int(millis or 0) / 1000


_TAG = re.compile(r"<[^>]*>")


def plain_text(cue_text: str) -> str:
    """Cue text without WebVTT markup and with entities decoded, for transcripts."""
    return html.unescape(_TAG.sub("", cue_text))


_VTT_TIME = r"(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}"
_SRT_TIME = r"\d{2,}:[0-5]\d:[0-5]\d,\d{3}"
_TIMING = {
    "vtt": re.compile(rf"^({_VTT_TIME})\s+-->\s+({_VTT_TIME})(\s+.*)?$"),
    "srt": re.compile(rf"^({_SRT_TIME})\s+-->\s+({_SRT_TIME})\s*$"),
}


def read_caption_file(data: bytes, filename: str) -> list[Cue]:
    """Cues from an uploaded WebVTT or SRT file. A malformed file raises MediaError naming the
    line and what is wrong with it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MediaError("The caption file is not UTF-8 text. Save it as UTF-8 and upload it "
                         "again.") from exc
    fmt = "srt" if filename.lower().endswith(".srt") else "vtt"
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if fmt == "vtt" and not (lines and re.match(r"^WEBVTT(\s|$)", lines[0])):
        raise MediaError("Line 1: a WebVTT file must start with the word WEBVTT.")
    cues: list[Cue] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if "-->" in line:
            match = _TIMING[fmt].match(line)
            example = ("00:00:01.000 --> 00:00:04.000" if fmt == "vtt"
                       else "00:00:01,000 --> 00:00:04,000")
            if not match:
                raise MediaError(f"Line {i + 1}: the time line “{line[:60]}” is not in the form "
                                 f"{example}.")
            start = _seconds(match.group(1).replace(",", "."))
            end = _seconds(match.group(2).replace(",", "."))
            if end <= start:
                raise MediaError(f"Line {i + 1}: the cue ends before it starts.")
            body = []
            timing_line = i + 1
            i += 1
            while i < len(lines) and lines[i].strip():
                body.append(lines[i].strip())
                i += 1
            if not body:
                raise MediaError(f"Line {timing_line}: the cue that starts at "
                                 f"{timestamp(start)} has no text.")
            speaker, body_text = split_voice("\n".join(body))
            cues.append(Cue(start, end, plain_text(body_text), speaker))
            continue
        i += 1
    if not cues:
        raise MediaError("The file has no cues (no line with a time such as "
                         "00:00:01.000 --> 00:00:04.000).")
    return cues
