"""languages: every fact about a lesson language that a stage needs, in one table.

Owns: ``LANGUAGES`` (one frozen ``Language`` entry per language code: its names, whether it is
written without spaces and what a caption word of a script is then, its caption profile —
characters per line, lines, reading speed, durations, DESIGN.md §4 —, its voice-command phrases
and fillers, and its espeak-ng voices) and ``get``, the lookup with the default for a language
that has no entry. Every stage (words, segment, captions, align, voice, synthesise, narration,
speech_models, model_download) and the web app read these facts here; adding a language is
adding one entry (README: "Adding a language").

Must not: do any work itself (no I/O, no Vosk, no espeak-ng), import another media_pipeline
module, or import Flask or the database. Interface translations are not here (the app's
``translations/``), nor are model archives (``model_download.CATALOGUE``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Profile:
    """Caption rules of a language (DESIGN.md §4), used by ``segment`` and ``captions``."""

    max_line_chars: int
    max_cps: float
    max_lines: int = 2
    min_duration: float = 0.833
    max_duration: float = 7.0
    min_gap: float = 0.083  # two frames at 24 fps; a smaller gap is closed to none
    max_hang: float = 0.5  # a cue may stay up this long after its last word
    pause: float = 0.6  # a silence this long between words ends a cue


# Named profiles: a language's entry takes one; LATIN_CHILDREN (the DCMP's 32-character line) is
# offered for children's and lower-level material (``segment(..., profile=LATIN_CHILDREN)``).
LATIN = Profile(max_line_chars=42, max_cps=20)
LATIN_CHILDREN = Profile(max_line_chars=32, max_cps=17)
PROFILES = {"latin": LATIN, "latin-children": LATIN_CHILDREN}

# A caption word of a script written without spaces: the chunk between spaces and punctuation,
# with the punctuation after it (the tokenizer splits it further for recognition).
NO_SPACE_UNIT = r"[^\s，。！？、；：,.!?;:]+[，。！？、；：,.!?;:]*"


@dataclass(frozen=True)
class Phrase:
    """A spoken form of a command; ``args`` (e.g. ``{"seconds": 10}``) must not be changed."""

    text: str
    command: str
    args: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"text": self.text, "command": self.command, "args": dict(self.args)}


@dataclass(frozen=True)
class Language:
    code: str  # as lessons store it, e.g. "ko"
    name: str  # in English, for messages: "Korean"
    native_name: str  # in its own script, for learners: "한국어"
    caption: Profile = LATIN
    no_spaces: bool = False  # written without spaces between words (tokens are joined with "")
    # A regular expression for one caption word of a script (alignment); None: split at spaces.
    alignment_unit: str | None = None
    # Which of words.py's rules join the recogniser's tokens back into written words: "ko" (the
    # Korean model's morpheme-like tokens, 배우 겠습 니다 → 배우겠습니다), or None (they are words).
    rejoin_rules: str | None = None
    phrases: tuple[Phrase, ...] = ()  # voice commands, as written; none: no voice commands
    # Short common words not in any phrase, for ordinary speech to decode into (voice.py).
    fillers: tuple[str, ...] = ()
    # A file in media_pipeline/data of the language's most common words, most common first: a
    # second decoding of each command with them as ordinary speech checks it (voice.py).
    common_words: str | None = None
    # Spoken answers to the player's "Pause? Press Enter or say yes" (commands "yes" and "no");
    # the first of each is the one the player names.
    answers: tuple[Phrase, ...] = ()
    # The word that wakes the player in hands-free listening (command "wake"), then a command.
    wake: tuple[Phrase, ...] = ()
    synthesis_voice: str | None = None  # espeak-ng voice id through pyttsx3 (descriptions)
    espeak_voice: str | None = None  # espeak-ng's -v name (demo narration); None: the code
    # A lesson language the app offers: the model registry looks for its model and
    # ``models download`` has a pinned archive for it (model_download.CATALOGUE).
    offered: bool = True


def _korean_phrases() -> tuple[Phrase, ...]:
    plain = [
        ("재생", "play"), ("재생 시작", "play"), ("계속", "play"),
        ("정지", "pause"), ("일시정지", "pause"), ("멈춰", "pause"), ("멈춤", "pause"),
        ("빠르게", "faster"), ("더 빠르게", "faster"),
        ("느리게", "slower"), ("더 느리게", "slower"), ("천천히", "slower"),
        ("보통 속도", "normal_speed"), ("원래 속도", "normal_speed"),
        ("정상 속도", "normal_speed"),
        ("자막 켜", "captions_on"), ("자막 켜기", "captions_on"), ("자막 켜 줘", "captions_on"),
        ("자막 꺼", "captions_off"), ("자막 끄기", "captions_off"),
        ("자막 꺼 줘", "captions_off"),
        ("해설 켜", "descriptions_on"), ("해설 켜기", "descriptions_on"),
        ("화면 해설 켜", "descriptions_on"),
        ("해설 꺼", "descriptions_off"), ("해설 끄기", "descriptions_off"),
        ("화면 해설 꺼", "descriptions_off"),
        ("대본", "transcript"), ("대본 보기", "transcript"), ("자막 목록", "transcript"),
        ("스크립트", "transcript"),
        ("다음", "next_lesson"), ("다음 강의", "next_lesson"), ("다음 수업", "next_lesson"),
        ("이전", "previous_lesson"), ("이전 강의", "previous_lesson"),
        ("이전 수업", "previous_lesson"),
        ("다시", "repeat"), ("다시 듣기", "repeat"), ("한 번 더", "repeat"), ("반복", "repeat"),
        ("위치", "where"), ("현재 위치", "where"), ("지금 어디", "where"),
        ("도움말", "help"), ("도와줘", "help"),
    ]
    found = [Phrase(text, command) for text, command in plain]
    found += [Phrase("뒤로", "back", {"seconds": 10}), Phrase("되감기", "back", {"seconds": 10}),
              Phrase("앞으로", "forward", {"seconds": 10})]
    for amount, seconds in [("오 초", 5), ("십 초", 10), ("십오 초", 15), ("이십 초", 20),
                            ("삼십 초", 30), ("일 분", 60)]:
        found.append(Phrase(f"뒤로 {amount}", "back", {"seconds": seconds}))
        found.append(Phrase(f"앞으로 {amount}", "forward", {"seconds": seconds}))
    return tuple(found)


def _chinese_phrases() -> tuple[Phrase, ...]:
    plain = [
        ("播放", "play"), ("继续播放", "play"), ("暂停", "pause"), ("停止", "pause"),
        ("快一点", "faster"), ("加快速度", "faster"), ("慢一点", "slower"),
        ("放慢速度", "slower"), ("正常速度", "normal_speed"),
        ("打开字幕", "captions_on"), ("关闭字幕", "captions_off"),
        ("打开口述影像", "descriptions_on"), ("打开音频描述", "descriptions_on"),
        ("关闭口述影像", "descriptions_off"), ("关闭音频描述", "descriptions_off"),
        ("文字稿", "transcript"), ("显示文字稿", "transcript"),
        ("下一课", "next_lesson"), ("下一节", "next_lesson"),
        ("上一课", "previous_lesson"), ("上一节", "previous_lesson"),
        ("重复", "repeat"), ("再听一遍", "repeat"),
        ("当前位置", "where"), ("我在哪里", "where"), ("帮助", "help"),
    ]
    found = [Phrase(text, command) for text, command in plain]
    found += [Phrase("后退", "back", {"seconds": 10}), Phrase("快进", "forward", {"seconds": 10})]
    for amount, seconds in [("五秒", 5), ("十秒", 10), ("十五秒", 15), ("二十秒", 20),
                            ("三十秒", 30), ("一分钟", 60)]:
        found.append(Phrase(f"后退{amount}", "back", {"seconds": seconds}))
        found.append(Phrase(f"快进{amount}", "forward", {"seconds": seconds}))
    return tuple(found)


def _english_phrases() -> tuple[Phrase, ...]:
    plain = [
        ("play", "play"), ("resume", "play"), ("pause", "pause"), ("stop", "pause"),
        ("faster", "faster"), ("speed up", "faster"), ("slower", "slower"),
        ("slow down", "slower"), ("normal speed", "normal_speed"),
        ("captions on", "captions_on"), ("subtitles on", "captions_on"),
        ("captions off", "captions_off"), ("subtitles off", "captions_off"),
        ("descriptions on", "descriptions_on"), ("audio description on", "descriptions_on"),
        ("descriptions off", "descriptions_off"),
        ("audio description off", "descriptions_off"),
        ("transcript", "transcript"), ("show transcript", "transcript"),
        ("next lesson", "next_lesson"), ("previous lesson", "previous_lesson"),
        ("repeat", "repeat"), ("say that again", "repeat"),
        ("where am i", "where"), ("help", "help"),
    ]
    found = [Phrase(text, command) for text, command in plain]
    found += [Phrase("back", "back", {"seconds": 10}), Phrase("go back", "back", {"seconds": 10}),
              Phrase("forward", "forward", {"seconds": 10}),
              Phrase("skip ahead", "forward", {"seconds": 10})]
    for amount, seconds in [("five seconds", 5), ("ten seconds", 10), ("fifteen seconds", 15),
                            ("twenty seconds", 20), ("thirty seconds", 30),
                            ("one minute", 60)]:
        found.append(Phrase(f"back {amount}", "back", {"seconds": seconds}))
        found.append(Phrase(f"forward {amount}", "forward", {"seconds": seconds}))
    return tuple(found)


def _answers(yes: list[str], no: list[str]) -> tuple[Phrase, ...]:
    return tuple([Phrase(text, "yes") for text in yes] + [Phrase(text, "no") for text in no])


# Korean is tested with the installed model; Chinese and English are ready for their models.
# Japanese declares its writing rules only: captions from a Japanese model configured by hand
# follow them, but the app does not offer it (no pinned model, phrases or voice yet).
# Reading speeds: Korean is our default from common practice; Chinese is Netflix's Simplified
# Chinese guide (DESIGN.md §4).
LANGUAGES: dict[str, Language] = {entry.code: entry for entry in (
    Language(
        "ko", "Korean", "한국어", caption=Profile(max_line_chars=16, max_cps=12),
        rejoin_rules="ko", phrases=_korean_phrases(),
        answers=_answers(["네", "예", "응", "맞아", "좋아"], ["아니요", "아니", "아니오", "취소"]),
        wake=(Phrase("비서", "wake"),),  # "assistant": of the words tried, the one heard
        fillers=tuple("이 가 는 을 를 에 의 고 다 요 서 도 지 하 한 그 저 것 수 아 어 오늘 우리 "
                      "있 없 네 면 게 나".split()),
        common_words="ko_common_words.txt",
        synthesis_voice="ko", espeak_voice="ko"),
    Language(
        "zh", "Chinese", "中文", caption=Profile(max_line_chars=16, max_cps=9),
        no_spaces=True, alignment_unit=NO_SPACE_UNIT, phrases=_chinese_phrases(),
        answers=_answers(["是", "是的", "对", "好"], ["不", "不是", "取消"]),
        wake=(Phrase("播放器", "wake"),),
        fillers=tuple("的 了 是 我 你 他 这 那 个 在 有 就 不 也 和 啊 吧 呢 嗯 说".split()),
        synthesis_voice="sit/cmn", espeak_voice="cmn"),
    Language(
        "ja", "Japanese", "日本語", caption=Profile(max_line_chars=16, max_cps=9),
        no_spaces=True, alignment_unit=NO_SPACE_UNIT, offered=False),
    Language(
        "en", "English", "English", caption=LATIN, phrases=_english_phrases(),
        answers=_answers(["yes", "yeah", "okay"], ["no", "cancel"]),
        wake=(Phrase("player", "wake"),),
        fillers=tuple("the a of and to in is it that you i uh um so what this".split()),
        synthesis_voice="gmw/en", espeak_voice="en"),
)}

# Text whose language is not given is wrapped by the script it is written in (``for_text``).
_WIDE_SCRIPT = Language("", "", "", caption=Profile(max_line_chars=16, max_cps=9))
_DEFAULT = Language("", "", "", caption=LATIN, offered=False)


def get(code: str | None) -> Language:
    """The entry for ``code``. A language without an entry gets the default: its code as its
    names, Latin caption rules (42 characters a line, 20 a second), spaces between words,
    recognition tokens taken as words, no voice commands, no synthesis voice, and espeak-ng
    asked for a voice by its code."""
    entry = LANGUAGES.get(code or "")
    if entry is not None:
        return entry
    return replace(_DEFAULT, code=code or "", name=code or "", native_name=code or "")


def is_wide(text: str) -> bool:
    """Whether ``text`` has wide characters (Chinese, Japanese, Korean)."""
    return any(unicodedata.east_asian_width(ch) in {"W", "F"} for ch in text)


def for_text(text: str, code: str | None = None) -> Language:
    """The rules for a line of ``text`` in a lesson of ``code``. DESIGN.md §4 sets them by
    script: the language's own entry when the text is written in the language's script, else
    (a Latin line such as "[music]" in a Korean lesson, or no language given) the default for
    the text's script: 16 characters a line for Chinese, Japanese and Korean, 42 otherwise.
    Without text, the language's own entry."""
    wide = is_wide(text)
    if code:
        entry = get(code)
        if not text or is_wide(entry.native_name) == wide:
            return entry
    return _WIDE_SCRIPT if wide else _DEFAULT


def offered() -> list[str]:
    """The lesson languages the app offers, in table order."""
    return [code for code, entry in LANGUAGES.items() if entry.offered]


def with_phrases() -> list[str]:
    """The languages that have voice commands, in table order."""
    return [code for code, entry in LANGUAGES.items() if entry.phrases]


def with_synthesis_voice() -> list[str]:
    """The languages that have an espeak-ng voice for descriptions, in table order."""
    return [code for code, entry in LANGUAGES.items() if entry.synthesis_voice]
