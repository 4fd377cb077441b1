"""Speaker labels (MAUR CC-21): a cue's speaker travels as a WebVTT <v> span, through reading,
writing and uploaded files, and learners read the name where the speaker changes."""

from __future__ import annotations

import pytest

from media_pipeline.captions import (
    Cue,
    parse_webvtt,
    read_caption_file,
    split_voice,
    to_webvtt,
    with_speaker_names,
)


def test_a_speaker_is_written_as_a_voice_span_and_read_back():
    cues = [Cue(1.0, 3.0, "치수를 잽니다.", "김 선생님"), Cue(3.5, 5.0, "네, 알겠습니다.", ""),
            Cue(5.5, 7.0, "A & B <fit>", "Lee <guest>")]
    vtt = to_webvtt(cues, "ko")
    assert "<v 김 선생님>치수를 잽니다." in vtt
    assert "<v Lee &lt;guest&gt;>A &amp; B &lt;fit&gt;" in vtt
    back = parse_webvtt(vtt)
    assert [(c.speaker, c.start) for c in back] == [("김 선생님", 1.0), ("", 3.5),
                                                    ("Lee <guest>", 5.5)]


@pytest.mark.parametrize(("text", "expected"), [
    ("<v Min-jun>Hello</v>", ("Min-jun", "Hello")),
    ("<v.loud Min-jun>Hello", ("Min-jun", "Hello")),
    ("<v Ana>Hi</v>\n<v Bo>Hello</v>", ("Ana", "Hi\nBo: Hello")),
    ("No voice here", ("", "No voice here")),
    ("<i>Music</i>", ("", "<i>Music</i>")),
])
def test_split_voice(text, expected):
    assert split_voice(text) == expected


def test_an_uploaded_file_keeps_its_speakers():
    data = (b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Teacher>Cut along the line.</v>\n\n"
            b"00:00:03.500 --> 00:00:05.000\n<v Learner>Like this?\n")
    cues = read_caption_file(data, "lesson.vtt")
    assert [(c.speaker, c.text) for c in cues] == [("Teacher", "Cut along the line."),
                                                   ("Learner", "Like this?")]


def test_learners_read_the_name_only_where_the_speaker_changes():
    cues = [Cue(0, 1, "One.", "Ana"), Cue(1, 2, "Two.", "Ana"), Cue(2, 3, "Three.", "Bo"),
            Cue(3, 4, "Four.", ""), Cue(4, 5, "Five.", "Bo")]
    assert [c.text for c in with_speaker_names(cues)] == [
        "Ana: One.", "Two.", "Bo: Three.", "Four.", "Bo: Five."]
