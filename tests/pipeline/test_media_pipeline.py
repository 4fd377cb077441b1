"""media_pipeline with real ffmpeg, ffprobe and espeak-ng; no Flask here."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SHARED_DATA
from media_pipeline import captions, narration
from media_pipeline.captions import Cue
from media_pipeline.errors import MediaError
from media_pipeline.probe import probe
from media_pipeline.words import Word

SYNTH = SHARED_DATA / "speech" / "ko-synth"
HUMAN = SHARED_DATA / "speech" / "ko"


def test_pipeline_never_imports_flask():
    """Every module of media_pipeline, imported in a fresh interpreter, leaves Flask, SQLAlchemy
    and the web app unimported."""
    code = ("import importlib, json, pkgutil, sys, media_pipeline\n"
            "names = [m.name for m in pkgutil.iter_modules(media_pipeline.__path__, "
            "'media_pipeline.')]\n"
            "for name in names: importlib.import_module(name)\n"
            "print(json.dumps({'modules': names, 'flask': 'flask' in sys.modules, 'app': sorted("
            "m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'sqlalchemy', 'accessible_learning'))}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["flask"] is False
    assert result["app"] == []
    package = Path(captions.__file__).parent
    every = {f"media_pipeline.{p.stem}" for p in package.glob("*.py")} - {"media_pipeline.__init__"}
    assert set(result["modules"]) == every and len(every) >= 23  # every module, not a few


def test_probe_reads_real_speech_recordings():
    info = probe(SYNTH / "food_safety.wav")
    assert info.has_audio and not info.has_video
    assert info.duration_s == pytest.approx(28.52, abs=0.05)
    human = probe(HUMAN / "zeroth_104_003_0019.wav")
    assert human.duration_s == pytest.approx(10.929, abs=0.01)


def test_probe_refuses_what_is_not_media(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        probe(empty)
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 50)
    with pytest.raises(MediaError, match="not a video or audio file"):
        probe(text)
    with pytest.raises(MediaError, match="does not exist"):
        probe(tmp_path / "missing.webm")


def test_probe_refuses_a_truncated_file(tmp_path):
    source = (SYNTH / "noodles.wav").read_bytes()
    truncated = tmp_path / "truncated.webm"
    wav = tmp_path / "n.wav"
    wav.write_bytes(source)
    narration.render_slide_video(wav, "Truncated", tmp_path / "full.webm")
    truncated.write_bytes((tmp_path / "full.webm").read_bytes()[:300])
    with pytest.raises(MediaError):
        probe(truncated)


def test_probe_refuses_video_without_sound(tmp_path):
    silent = tmp_path / "silent.webm"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=160x90:d=1",
                    "-c:v", "libvpx", str(silent)], check=True)
    with pytest.raises(MediaError, match="no sound track"):
        probe(silent)


def test_probe_refuses_playlists_that_point_outside_local_files(tmp_path):
    playlist = tmp_path / "lesson.m3u8"
    playlist.write_text("#EXTM3U\n#EXTINF:10,\nhttp://127.0.0.1:9/segment.ts\n#EXT-X-ENDLIST\n")
    with pytest.raises(MediaError):
        probe(playlist)


def test_probe_refuses_media_over_the_duration_limit():
    with pytest.raises(MediaError, match="the limit is"):
        probe(SYNTH / "food_safety.wav", max_duration_s=10)


def test_narration_cues_match_the_synthesised_audio(tmp_path):
    sentences = ["줄자로 가슴 둘레를 잽니다.", "허리는 가장 가는 곳에서 잽니다."]
    wav = tmp_path / "n.wav"
    cues = narration.speak_sentences(sentences, "ko", wav)
    assert [c.text for c in cues] == sentences
    with wave.open(str(wav)) as w:
        total = w.getnframes() / w.getframerate()
    assert cues[0].start == pytest.approx(narration.LEAD_IN_S)
    assert cues[1].start - cues[0].end == pytest.approx(narration.PAUSE_S, abs=0.002)
    assert total == pytest.approx(cues[-1].end + narration.TAIL_S, abs=0.01)
    # Each cue covers speech and the pauses are silent: measure it on the samples.
    with wave.open(str(wav)) as w:
        rate, frames = w.getframerate(), w.readframes(w.getnframes())
    import array

    samples = array.array("h", frames)

    def peak(start, end):
        return max(abs(s) for s in samples[int(start * rate):int(end * rate)])

    assert peak(cues[0].start, cues[0].end) > 1000
    assert peak(cues[0].end + 0.05, cues[1].start - 0.05) == 0
    video = narration.render_slide_video(wav, "Measurements", tmp_path / "lesson.webm")
    info = probe(video)
    assert info.has_video and info.has_audio and info.width == 640
    assert info.duration_s == pytest.approx(total, abs=0.15)


def test_webvtt_round_trip_with_line_rules():
    cues = [Cue(0.6, 3.843, "식품 안전 교육을 시작하겠습니다."),
            Cue(4.643, 9.27, "Wash your hands with soap for at least thirty seconds, then dry.")]
    vtt = captions.to_webvtt(cues)
    assert vtt.startswith("WEBVTT")
    assert "00:00:00.600 --> 00:00:03.843" in vtt
    parsed = captions.parse_webvtt(vtt)
    assert [(c.start, c.end) for c in parsed] == [(0.6, 3.843), (4.643, 9.27)]
    korean, english = (c.text.split("\n") for c in parsed)
    assert len(korean) <= 2 and all(len(line) <= 16 for line in korean)
    assert len(english) == 2 and all(len(line) <= 42 for line in english)
    assert " ".join(english) == cues[1].text


def test_malformed_webvtt_is_refused_with_a_reason():
    with pytest.raises(MediaError, match="not valid WebVTT"):
        captions.parse_webvtt("this is not a caption file")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cc", "Zl",
                                                                      "Zp")),
                        min_size=1, max_size=12), min_size=1, max_size=12))
def test_wrap_never_breaks_inside_a_word_and_keeps_every_word(words):
    text = " ".join(words)
    lines = captions.wrap(text)
    assert " ".join(lines).split() == text.split()
    width = captions.max_line_chars(text=text)
    for line in lines:
        assert len(line) <= width or len(line.split()) == 1  # only an over-long word overflows


def test_synthetic_lecture_sentences_fit_the_korean_caption_rules():
    """The shared scripts, cut at their known sentence times, make valid Korean cues."""
    sentences = json.loads((SYNTH / "food_safety.sentences.json").read_text())
    cues = [Cue(s["start"], s["end"], s["sentence"]) for s in sentences]
    parsed = captions.parse_webvtt(captions.to_webvtt(cues))
    for cue in parsed:
        assert 0.833 <= cue.end - cue.start <= 7
        assert all(len(line) <= 16 for line in cue.text.split("\n"))


def test_shared_data_is_present():
    assert Path(SYNTH / "manifest.tsv").exists(), "../shared/data must sit beside the project"


@st.composite
def word_sequences(draw):
    language = draw(st.sampled_from(["ko", "en", "zh"]))
    alphabet = {"ko": "가나다라마바사아자차카타파하는을", "en": "abcdefghijklmnop",
                "zh": "的一是在不了有和人这中大为上个"}[language]
    count = draw(st.integers(min_value=1, max_value=60))
    t = draw(st.floats(min_value=0, max_value=2))
    words = []
    for _ in range(count):
        text = draw(st.text(alphabet=alphabet, min_size=1, max_size=8))
        t += draw(st.sampled_from([0.0, 0.0, 0.05, 0.2, 0.8, 2.5]))
        length = draw(st.floats(min_value=0.08, max_value=1.5))
        words.append(Word(text, round(t, 3), round(t + length, 3),
                          draw(st.floats(min_value=0, max_value=1))))
        t += length
    return language, words


@settings(max_examples=300, deadline=None)
@given(word_sequences())
def test_segmentation_properties(sequence):
    from media_pipeline.segment import profile_for, segment

    language, words = sequence
    duration = words[-1].end + 1.0
    result = segment(words, language, duration_s=duration)
    profile = profile_for(language)
    # Every word exactly once, in order.
    assert [w for group in result.words_per_cue for w in group] == words
    flagged = {item.cue_index for item in result.report}
    for i, (cue, group) in enumerate(zip(result.cues, result.words_per_cue, strict=True)):
        # A cue follows its speech: starts with its first word, ends after its last word and no
        # later than the longer of the hang limit and the minimum duration (plus, at most, the
        # gap of less than two frames that is closed to none).
        assert cue.start == pytest.approx(group[0].start, abs=0.001)
        assert cue.end >= group[-1].end - 0.001
        assert cue.end <= max(group[-1].end + profile.max_hang,
                              cue.start + profile.min_duration) + profile.min_gap + 0.001
        assert cue.end <= duration + 0.001
        if i + 1 < len(result.cues):
            assert cue.end <= result.cues[i + 1].start + 0.001  # monotonic, no overlap
        lines = cue.text.split("\n")
        chars = len(cue.text.replace("\n", "").replace(" ", ""))
        ok = (len(lines) <= 2 and all(len(line) <= profile.max_line_chars for line in lines)
              and profile.min_duration - 0.001 <= cue.end - cue.start <= profile.max_duration
              + 0.001 and chars / (cue.end - cue.start) <= profile.max_cps + 0.001)
        assert ok or i in flagged, (cue, result.report)


def test_probe_refuses_a_playlist_even_when_it_points_at_a_local_file(tmp_path):
    segment_file = tmp_path / "segment.wav"
    segment_file.write_bytes((SYNTH / "noodles.wav").read_bytes())
    playlist = tmp_path / "lesson.m3u8"
    playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:40\n#EXTINF:31.1,\n{segment_file}\n"
                        "#EXT-X-ENDLIST\n")
    with pytest.raises(MediaError, match="playlist|not a video or audio file"):
        probe(playlist)
    concat = tmp_path / "list.txt"
    concat.write_text(f"ffconcat version 1.0\nfile '{segment_file}'\n")
    with pytest.raises(MediaError, match="playlist|not a video or audio file"):
        probe(concat)


def test_a_playlist_gets_the_same_words_whether_what_it_names_exists_and_nothing_is_opened(
        tmp_path):
    """A learner's upload must not tell them which files exist on the server: a playlist and a
    concat script are refused before anything they name is opened. What they name here is a
    named pipe: whoever opens it to read wakes the thread waiting to write to it."""
    import os
    import threading

    pipe = tmp_path / "segment.ts"
    os.mkfifo(pipe)
    opened = threading.Event()

    def writer():
        with open(pipe, "wb"):  # blocks until a reader opens the pipe
            opened.set()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    messages = []
    for name in (pipe, tmp_path / "missing.ts"):
        for text in (f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{name}\n#EXT-X-ENDLIST\n",
                     f"ffconcat version 1.0\nfile '{name}'\n"):
            upload = tmp_path / "upload.mp4"
            upload.write_text(text)
            with pytest.raises(MediaError) as refused:
                probe(upload)
            messages.append(str(refused.value))
    assert not opened.is_set(), "ffprobe opened the file a playlist names"
    assert len(set(messages)) == 1 and "not a video or audio file" in messages[0]
    with open(pipe, "rb"):  # let the writer go
        pass
    thread.join(timeout=5)
    assert opened.is_set()  # the pipe did tell when it was opened


def test_audio_only_media_is_accepted():
    info = probe(SYNTH / "noodles.wav")
    assert info.has_audio and not info.has_video


def test_a_ten_hour_silent_file_is_refused_by_the_default_limit(tmp_path):
    ten_hours = tmp_path / "silence.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=1000:cl=mono",
                    "-t", "36000", "-c:a", "pcm_u8", str(ten_hours)], check=True)
    with pytest.raises(MediaError, match="10.0 hours long; the limit is 4.0 hours"):
        probe(ten_hours)
