"""The language table (media_pipeline.languages): every stage takes its language facts from it.

A made-up language, added to the table for one test, must change what each stage does exactly as
its entry declares; and the old per-module tables must be gone.
"""

from __future__ import annotations

import dataclasses

import flask
import pytest

from media_pipeline import (
    align,
    captions,
    languages,
    model_download,
    narration,
    segment,
    speech_models,
    synthesise,
    voice,
    words,
)
from media_pipeline.captions import Cue
from media_pipeline.errors import MediaError
from media_pipeline.languages import Language, Phrase, Profile
from media_pipeline.words import Word

# Written without spaces, 10 characters a line, 3 lines, 5 characters a second, and a caption
# word of a script is a run of letters followed by "|".
MADE_UP = Language(
    "xx", "Madeupish", "Mejdapiš", caption=Profile(max_line_chars=10, max_cps=5, max_lines=3),
    no_spaces=True, alignment_unit=r"[a-z]+\|?",
    phrases=(Phrase("zub", "play"), Phrase("zub zub", "pause"),
             Phrase("fen", "back", {"seconds": 10})),
    fillers=("ka", "ku"), synthesis_voice="xx-voice", espeak_voice="en")


@pytest.fixture
def made_up(monkeypatch):
    monkeypatch.setitem(languages.LANGUAGES, "xx", MADE_UP)
    return MADE_UP


def test_design_caption_rules_are_in_the_table():
    """DESIGN.md §4: 16 characters a line for Chinese, Japanese and Korean, 42 for Latin
    scripts; reading speed 12 (Korean), 9 (Chinese), 20 (Latin)."""
    expected = {"ko": (16, 12), "zh": (16, 9), "ja": (16, 9), "en": (42, 20)}
    for code, (chars, cps) in expected.items():
        profile = languages.get(code).caption
        assert (profile.max_line_chars, profile.max_cps, profile.max_lines) == (chars, cps, 2)
        assert segment.profile_for(code) is profile
        assert captions.max_line_chars(code) == chars
    assert languages.PROFILES["latin-children"].max_line_chars == 32
    assert [code for code in languages.LANGUAGES if languages.get(code).no_spaces] == ["zh", "ja"]


def test_an_unknown_language_gets_the_clear_default():
    entry = languages.get("fr")
    assert (entry.code, entry.name, entry.native_name) == ("fr", "fr", "fr")
    assert entry.caption == languages.LATIN and not entry.no_spaces
    assert entry.phrases == () and entry.synthesis_voice is None and not entry.offered
    assert entry.alignment_unit is None and entry.rejoin_rules is None
    assert languages.get(None).caption == languages.LATIN
    # Text of no given language is wrapped by its script.
    assert captions.max_line_chars(text="안녕하세요") == 16
    assert captions.max_line_chars(text="hello") == 42


def test_the_old_duplicate_tables_are_gone():
    from accessible_learning.services import voice_commands

    gone = [(words, "NO_SPACE_LANGUAGES"), (segment, "PROFILES"), (captions, "_is_cjk"),
            (align, "_NO_SPACE_UNIT"), (voice, "PHRASES"), (voice, "FILLERS"),
            (synthesise, "VOICES"), (synthesise, "LANGUAGE_NAMES"),
            (speech_models, "KNOWN_LANGUAGES"), (narration, "ESPEAK_VOICES"),
            (voice_commands, "LANGUAGE_NAMES")]
    assert [f"{m.__name__}.{name}" for m, name in gone if hasattr(m, name)] == []


def test_words_join_and_rejoin_as_declared(made_up):
    assert words.join_text(["ab", "cd"], "xx") == "abcd"
    assert words.join_text(["ab", "cd"], "fr") == "ab cd"
    tokens = [Word("배우", 0, 0.3), Word("겠습", 0.3, 0.5), Word("니다", 0.5, 0.8)]
    assert [w.text for w in words.rejoin(tokens, "xx")] == ["배우", "겠습", "니다"]
    assert [w.text for w in words.rejoin(tokens, "ko")] == ["배우겠습니다"]
    # Giving the made-up language the Korean token rules makes it rejoin them.
    languages.LANGUAGES["xx"] = dataclasses.replace(made_up, rejoin_rules="ko")
    assert [w.text for w in words.rejoin(tokens, "xx")] == ["배우겠습니다"]


def test_segment_follows_the_declared_profile(made_up):
    texts = "abc de fgh ij klm no".split()
    speech = [Word(t, i * 0.4, i * 0.4 + 0.35) for i, t in enumerate(texts)]
    result = segment.segment(speech, "xx", duration_s=10)
    assert segment.profile_for("xx") is made_up.caption
    for cue in result.cues:
        lines = cue.text.split("\n")
        assert len(lines) <= 3 and all(len(line) <= 10 for line in lines)
        assert " " not in cue.text  # written without spaces
    assert "".join(c.text.replace("\n", "") for c in result.cues) == "abcdefghijklmno"
    # The same words in a Latin-script language with no entry fit one line of 42 characters.
    latin = segment.segment(speech, "fr", duration_s=10)
    assert [c.text for c in latin.cues] == ["abc de fgh ij klm no"]
    # The rule report measures against the declared profile: 5 characters a second.
    report = segment.check([Cue(0.0, 1.0, "abcdefgh")], "xx")
    assert [r.rule for r in report] == ["reading-speed"]
    assert "limit 5" in report[0].detail
    assert segment.check([Cue(0.0, 1.0, "abcdefgh")], "fr") == []


def test_captions_wrap_by_the_lesson_profile(made_up):
    text = "aaa bbb ccc ddd eee fff"
    assert captions.max_line_chars("xx") == 10
    lines = captions.wrap(text, "xx")
    assert all(len(line) <= 10 for line in lines) and 2 < len(lines) <= 3
    assert " ".join(lines) == text  # the text's own spaces are kept
    assert captions.wrap(text, "fr") == [text]
    vtt = captions.to_webvtt([Cue(0, 2, text)], "xx")
    parsed = captions.parse_webvtt(vtt)
    assert parsed[0].text.split("\n") == lines
    assert "aaa bbb" in captions.to_srt([Cue(0, 2, text)], "xx")
    # DESIGN.md §4 sets line lengths by script: a Korean lesson's English cue ("[music]", a
    # term) is wrapped by the Latin rules, its Korean cues by the Korean profile.
    english = "Wash your hands with soap for at least thirty seconds"
    assert captions.wrap(english, "ko") == captions.wrap(english, "en") == captions.wrap(english)
    assert max(len(line) for line in captions.wrap(english, "ko")) > 16
    korean = "비누로 삼십 초 이상 손을 씻으세요 그리고 잘 말리세요"
    assert all(len(line) <= 16 for line in captions.wrap(korean, "ko"))
    assert captions.max_line_chars("ko", text=english) == 42
    assert captions.max_line_chars("ko", text=korean) == 16


def test_align_splits_a_script_by_the_declared_unit(made_up):
    assert align._script_units("abc|de fg|h", "xx") == ["abc|", "de", "fg|", "h"]
    assert align._script_units("abc|de fg|h", "fr") == ["abc|de", "fg|h"]
    assert align._script_units("你好，世界。", "zh") == ["你好，", "世界。"]


def test_voice_commands_come_from_the_table(made_up):
    assert "xx" in voice.languages()
    assert [p.text for p in voice.phrases("xx")] == ["zub", "zub zub", "fen"]
    assert voice.phrases("fr") == []
    with pytest.raises(MediaError, match="no voice commands"):
        voice.CommandRecogniser("/nonexistent", "fr")


def test_voice_recogniser_uses_declared_phrases_and_fillers(made_up, monkeypatch):
    vocab = frozenset({"zub", "fen", "ka", "ku", "other"})
    monkeypatch.setattr(voice, "vocabulary", lambda path: vocab)
    monkeypatch.setattr(voice, "special_symbols", lambda path: frozenset())
    monkeypatch.setattr(voice, "decoding_model_dir", lambda path, cache: path)
    monkeypatch.setattr(voice.speech_models, "load", lambda path: None)
    recogniser = voice.CommandRecogniser("/model", "xx")
    assert recogniser.grammar == ["zub", "zub zub", "fen", "ka", "ku"]


def test_synthesis_voice_comes_from_the_table(made_up, monkeypatch):
    monkeypatch.setattr(synthesise, "installed_voices", lambda: frozenset({"xx-voice", "ko"}))
    assert synthesise.voice_for("xx") == "xx-voice"
    with pytest.raises(MediaError, match=r"Korean \(ko\), Madeupish \(xx\)"):
        synthesise.voice_for("fr")


def test_narration_speaks_with_the_declared_espeak_voice(made_up, tmp_path):
    cues = narration.speak_sentences(["Hello."], "xx", tmp_path / "out.wav")
    assert len(cues) == 1 and (tmp_path / "out.wav").stat().st_size > 1000


def test_model_registry_names_and_looks_for_table_languages(made_up, monkeypatch, tmp_path):
    with pytest.raises(speech_models.ModelNotFound, match=r"for Madeupish \(xx\)"):
        speech_models.find_model("xx", models_dir=tmp_path)
    korean = speech_models.find_model("ko").path
    monkeypatch.setenv("VOSK_MODEL_XX", str(korean))
    assert "xx" in {m.language for m in speech_models.installed(models_dir=tmp_path)}
    languages.LANGUAGES["xx"] = dataclasses.replace(made_up, offered=False)
    assert "xx" not in {m.language for m in speech_models.installed(models_dir=tmp_path)}
    assert "ko (Korean)" in model_download.known_languages()
    assert languages.offered() == ["ko", "zh", "en"]


def test_app_voice_help_names_each_language_in_its_own_script(made_up):
    from accessible_learning.services import voice_commands

    app = flask.Flask(__name__)
    with app.app_context():
        table = {row["language"]: row for row in voice_commands.phrase_table()}
    assert table["ko"]["name"] == "한국어" and table["zh"]["name"] == "中文"
    assert table["xx"]["name"] == "Mejdapiš" and not table["xx"]["installed"]
    assert table["xx"]["commands"] == {"play": ["zub"], "pause": ["zub zub"], "back": ["fen"]}
