"""segment: recognised words → caption cues that follow the caption rules (DESIGN.md §4).

Breaks come first at pauses and sentence punctuation, then where a cue would grow past two lines
or seven seconds. Every cue that still breaks a rule is reported with the reason.

Owns: grouping words into cues, their times and line breaks, and the rule report (``check``).
Must not: hold caption rules of its own — each language's ``Profile`` (characters per line,
lines, reading speed, durations) is its ``languages`` entry —, recognise, or write files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import languages
from .captions import Cue, wrap_tokens
from .languages import Profile
from .words import Word

SENTENCE_END = tuple(".?!。？！…")


def profile_for(language: str) -> Profile:
    """The caption rules of ``language`` (its ``languages`` entry; Latin for one without)."""
    return languages.get(language).caption


@dataclass(frozen=True)
class RuleBreak:
    cue_index: int  # 0-based
    rule: str
    detail: str


@dataclass
class Segmentation:
    cues: list[Cue]
    words_per_cue: list[list[Word]]
    report: list[RuleBreak] = field(default_factory=list)


def _fits(tokens: list[str], profile: Profile, language: str) -> bool:
    return len(wrap_tokens(tokens, profile.max_line_chars, language,
                           profile.max_lines)) <= profile.max_lines


def _chars(text: str) -> int:
    return len(text.replace("\n", "").replace(" ", "")) if text else 0


def _merge_short(groups: list[list[Word]], profile: Profile, language: str) -> list[list[Word]]:
    """A cue too short to read joins the cue before it when the result still fits the rules."""
    merged: list[list[Word]] = []
    for group in groups:
        short = group[-1].end + profile.max_hang - group[0].start < profile.min_duration
        if short and merged:
            candidate = merged[-1] + group
            if (_fits([w.text for w in candidate], profile, language)
                    and candidate[-1].end - candidate[0].start <= profile.max_duration):
                merged[-1] = candidate
                continue
        merged.append(group)
    return merged


def segment(words: list[Word], language: str, *, duration_s: float | None = None,
            profile: Profile | None = None) -> Segmentation:
    profile = profile or profile_for(language)
    groups: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        if current:
            previous = current[-1]
            tokens = [w.text for w in current] + [word.text]
            reasons = (
                word.start - previous.end >= profile.pause,
                previous.text.endswith(SENTENCE_END),
                not _fits(tokens, profile, language),
                word.end - current[0].start > profile.max_duration,
            )
            if any(reasons):
                groups.append(current)
                current = []
        current.append(word)
    if current:
        groups.append(current)
    groups = _merge_short(groups, profile, language)

    cues: list[Cue] = []
    for i, group in enumerate(groups):
        start, last_end = group[0].start, group[-1].end
        text = "\n".join(wrap_tokens([w.text for w in group], profile.max_line_chars, language,
                                     profile.max_lines))
        wanted = max(profile.min_duration, _chars(text) / profile.max_cps)
        end = max(last_end, min(start + wanted, last_end + profile.max_hang))
        end = max(end, start + profile.min_duration)  # readable beats the hang limit
        if i + 1 < len(groups):
            end = min(end, groups[i + 1][0].start)
            if groups[i + 1][0].start - end < profile.min_gap:
                end = groups[i + 1][0].start  # close a gap shorter than two frames
        if duration_s is not None:
            end = min(end, duration_s)
        cues.append(Cue(round(start, 3), round(max(end, last_end), 3), text))
    result = Segmentation(cues, groups)
    result.report = check(cues, language, profile, groups)
    return result


def check(cues: list[Cue], language: str, profile: Profile | None = None,
          groups: list[list[Word]] | None = None) -> list[RuleBreak]:
    """Every rule each cue breaks, with the reason."""
    profile = profile or profile_for(language)
    report: list[RuleBreak] = []
    for i, cue in enumerate(cues):
        lines = cue.text.split("\n")
        duration = cue.end - cue.start
        single_word = groups is not None and len(groups[i]) == 1
        if len(lines) > profile.max_lines:
            report.append(RuleBreak(i, "lines", f"{len(lines)} lines (limit {profile.max_lines})"))
        for line in lines:
            if len(line) > profile.max_line_chars:
                why = " (a single word longer than a line)" if single_word or (
                    not languages.get(language).no_spaces and " " not in line) else ""
                report.append(RuleBreak(i, "line-length",
                                        f"{len(line)} characters (limit "
                                        f"{profile.max_line_chars}){why}"))
        if duration < profile.min_duration - 1e-6:
            report.append(RuleBreak(i, "min-duration",
                                    f"{duration:.2f} s (at least {profile.min_duration} s; the "
                                    "next cue starts too soon to show it longer)"))
        if duration > profile.max_duration + 1e-6:
            report.append(RuleBreak(i, "max-duration",
                                    f"{duration:.2f} s (at most {profile.max_duration} s; one "
                                    "word is spoken that slowly)"))
        cps = _chars(cue.text) / duration if duration > 0 else float("inf")
        if cps > profile.max_cps + 1e-6:
            report.append(RuleBreak(i, "reading-speed",
                                    f"{cps:.1f} characters/s (limit {profile.max_cps:g}); the "
                                    "speech is faster than the reading-speed limit"))
        if i + 1 < len(cues):
            gap = cues[i + 1].start - cue.end
            if gap < -1e-6:
                report.append(RuleBreak(i, "overlap", f"overlaps the next cue by {-gap:.3f} s"))
            elif 1e-6 < gap < profile.min_gap - 1e-6:
                report.append(RuleBreak(i, "gap", f"{gap * 1000:.0f} ms before the next cue"))
    return report
