"""Renditions (issue 29): one ffmpeg run makes HLS video renditions no taller than the source,
switchable at the same segment boundaries, and an Opus audio-only version; bad input is refused
and leaves nothing behind."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from media_pipeline.errors import MediaError
from media_pipeline.renditions import AUDIO_ONLY, LADDER, ladder_for, make_renditions


def _ffprobe(path: Path) -> dict:
    return json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True, capture_output=True).stdout)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("renditions") / "lesson.webm"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=s=854x480:r=25:d=13", "-f", "lavfi", "-i",
                    "sine=f=300:d=13:sample_rate=48000", "-c:v", "libvpx", "-b:v", "800k",
                    "-c:a", "libopus", "-shortest", str(path)], check=True)
    return path


def test_the_ladder_never_scales_up_and_keeps_the_smallest():
    assert [r.name for r in ladder_for(1080)] == ["480p", "360p", "240p"]
    assert [r.name for r in ladder_for(400)] == ["360p", "240p"]
    assert [r.name for r in ladder_for(144)] == ["240p"]  # a tiny source still gets one
    assert [r.height for r in LADDER] == sorted((r.height for r in LADDER), reverse=True)


def test_renditions_of_a_video(source, tmp_path):
    result = make_renditions(source, tmp_path / "out")
    folder = tmp_path / "out"
    assert result.folder == folder and [p.name for p in tmp_path.iterdir()] == ["out"]
    assert [(r.name, r.width, r.height) for r in result.video] == [
        ("480p", 854, 480), ("360p", 640, 360), ("240p", 428, 240)]
    master = (folder / "master.m3u8").read_text()
    assert master.count("#EXT-X-STREAM-INF") == 3
    peaks = [r.peak_kbps for r in result.video]
    assert peaks == sorted(peaks, reverse=True) and peaks[-1] > 0
    segment_times = []
    for rendition in result.video:
        playlist = (folder / rendition.playlist).read_text()
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in playlist and "#EXT-X-ENDLIST" in playlist
        durations = [float(line.split(":")[1].rstrip(","))
                     for line in playlist.splitlines() if line.startswith("#EXTINF")]
        assert abs(sum(durations) - 13) < 0.2
        # Three short segments first (a quick start on a slow link), then 6 s ones.
        assert [round(d, 1) for d in durations[:4]] == [2.0, 2.0, 2.0, 6.0], durations
        segment_times.append(durations)
        first = next((folder / rendition.name).glob("segment-000.m4s"))
        init = next((folder / rendition.name).glob("init*.mp4"))
        streams = _ffprobe(Path(f"{init}"))["streams"]
        video = next(s for s in streams if s["codec_type"] == "video")
        audio = next(s for s in streams if s["codec_type"] == "audio")
        assert (video["codec_name"], video["height"], audio["codec_name"]) == (
            "h264", rendition.height, "aac")
        assert first.stat().st_size > 0
    # The same segment boundaries in every rendition, so a player switches at any of them.
    assert segment_times[0] == segment_times[1] == segment_times[2]
    assert result.video[0].bytes > result.video[-1].bytes

    audio = _ffprobe(folder / AUDIO_ONLY)
    assert [s["codec_name"] for s in audio["streams"]] == ["opus"]
    assert audio["streams"][0]["channels"] == 1
    assert abs(float(audio["format"]["duration"]) - 13) < 0.2
    assert result.audio.bytes == (folder / AUDIO_ONLY).stat().st_size


def test_sound_only_gets_the_audio_version_only(tmp_path):
    sound = tmp_path / "talk.wav"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=3",
                    str(sound)], check=True)
    result = make_renditions(sound, tmp_path / "out")
    assert result.video == [] and result.master is None
    assert result.audio is not None and (tmp_path / "out" / AUDIO_ONLY).is_file()


def test_a_corrupt_file_is_refused_and_what_was_there_is_kept(source, tmp_path):
    out = tmp_path / "out"
    make_renditions(source, out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    broken = tmp_path / "broken.webm"
    broken.write_bytes(source.read_bytes()[:300])
    with pytest.raises(MediaError):
        make_renditions(broken, out)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
