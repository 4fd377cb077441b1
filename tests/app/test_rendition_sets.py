"""Smaller versions of lesson media (issue 29): the worker makes them after a probe, the web
app serves their files only to who may see the lesson, and the lesson page offers them."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from accessible_learning import jobs
from accessible_learning.extensions import db
from accessible_learning.models import Job, Lesson, RenditionSet
from accessible_learning.services import renditions
from conftest import login, post_form, wait_for_job


def _first_lesson(app) -> tuple[int, int, str]:
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        return lesson.id, lesson.course_id, lesson.media.sha256


def _make(app, lesson_id: int) -> RenditionSet:
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        made = renditions.make(lesson.media)
        db.session.commit()
        db.session.refresh(made)
        db.session.expunge(made)
        return made


def _enrolled_learner(app, course_id: int):
    client = app.test_client()
    login(client, "learner")
    post_form(client, f"/courses/{course_id}/enrol", {}, token_page=f"/courses/{course_id}")
    return client


def test_a_probe_queues_the_smaller_versions_and_the_worker_makes_them(worker_app):
    app = worker_app
    lesson_id, _course, sha = _first_lesson(app)
    client = app.test_client()
    login(client, "content")
    post_form(client, f"/studio/lessons/{lesson_id}/probe", {}, token_page="/studio/")
    with app.app_context():
        probe_id = db.session.scalar(select(Job.id).where(Job.kind == "probe"))
    assert wait_for_job(app, probe_id).state == "done"
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == "renditions"))
        assert job is not None and job.key == f"renditions:{sha}:v{jobs.records.RENDITIONS_VERSION}"
        job_id = job.id
    done = wait_for_job(app, job_id, timeout=120)
    assert done.state == "done", done.message
    assert done.message.startswith("Smaller versions ready: 360p, 240p and audio only")
    with app.app_context():
        row = db.session.scalar(select(RenditionSet))
        # The demo's videos are 360 lines high: nothing is scaled up to 480p.
        assert [v["name"] for v in row.variants] == ["360p", "240p"]
        assert [v["height"] for v in row.variants] == [360, 240]
        assert row.audio_bytes > 0 and all(v["bytes"] > 0 for v in row.variants)
        folder = Path(app.config["MEDIA_ROOT"]) / row.folder
    assert (folder / "master.m3u8").is_file() and (folder / "audio.webm").is_file()
    assert sorted(p.name for p in folder.iterdir()) == ["240p", "360p", "audio.webm",
                                                        "master.m3u8"]
    # A second probe finds them made and queues nothing more.
    post_form(client, f"/studio/lessons/{lesson_id}/probe", {}, token_page="/studio/")
    with app.app_context():
        probe_id = db.session.scalar(select(Job.id).where(Job.kind == "probe"))
    wait_for_job(app, probe_id)
    with app.app_context():
        assert db.session.scalar(select(Job.state).where(Job.id == job_id)) == "done"
        assert db.session.query(Job).filter(Job.kind == "renditions").count() == 1


def test_the_files_are_served_to_whoever_may_see_the_lesson_and_nothing_else(own_media_app):
    app = own_media_app
    lesson_id, course_id, sha = _first_lesson(app)
    made = _make(app, lesson_id)
    base = f"/media/{sha}/renditions"
    stranger = app.test_client()
    login(stranger, "learner")  # not enrolled yet
    assert stranger.get(f"{base}/master.m3u8").status_code == 404
    anonymous = app.test_client().get(f"{base}/master.m3u8")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    client = _enrolled_learner(app, course_id)
    master = client.get(f"{base}/master.m3u8")
    assert master.status_code == 200
    assert master.headers["Content-Type"].startswith("application/vnd.apple.mpegurl")
    cache = master.headers["Cache-Control"]
    assert "private" in cache and "public" not in cache
    text = master.get_data(as_text=True)
    assert "RESOLUTION=640x360" in text and "360p/index.m3u8" in text and "240p/index.m3u8" in text
    playlist = client.get(f"{base}/240p/index.m3u8").get_data(as_text=True)
    init_name = re.search(r'#EXT-X-MAP:URI="(init[^"]*\.mp4)"', playlist)[1]
    assert "#EXT-X-ENDLIST" in playlist
    first = next(line for line in playlist.splitlines() if line.endswith(".m4s"))
    segment = client.get(f"{base}/240p/{first}")
    assert segment.status_code == 200 and segment.headers["Content-Type"] == "video/iso.segment"
    assert segment.data[4:8] == b"styp" and b"moof" in segment.data[:1024]  # an MP4 fragment
    init = client.get(f"{base}/240p/{init_name}")
    assert init.status_code == 200 and init.data[4:8] == b"ftyp"
    audio = client.get(f"{base}/audio.webm", headers={"Range": "bytes=0-99"})
    assert audio.status_code == 206 and len(audio.data) == 100
    assert audio.data[:4] == b"\x1a\x45\xdf\xa3" and audio.headers["Content-Type"] == "audio/webm"
    assert made.audio_bytes == int(audio.headers["Content-Range"].rsplit("/", 1)[1])
    # Only the names the player asks for, and only renditions the set has.
    for name in ("480p/index.m3u8", "360p/../../" + sha + ".webm", "360p/index.m3u8.bak",
                 "../app.sqlite", "240p/segment-1.m4s", "renditions.json"):
        assert client.get(f"{base}/{name}").status_code == 404, name


def test_the_lesson_page_offers_the_qualities_and_audio_and_text_when_there_are_some(
        own_media_app):
    app = own_media_app
    lesson_id, course_id, sha = _first_lesson(app)
    client = _enrolled_learner(app, course_id)
    page = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert "data-src-hls" not in page and 'id="player-quality"' not in page
    _make(app, lesson_id)
    page = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert f'data-src-hls="/media/{sha}/renditions/master.m3u8"' in page
    assert f'data-src-audio="/media/{sha}/renditions/audio.webm"' in page
    assert 'data-hls-script="/static/vendor/hls' in page
    assert 'id="player-quality"' in page
    for value in ("auto", "360p", "240p", "original"):
        assert f'<option value="{value}"' in page
    assert '<option value="480p"' not in page  # the set has none
    assert 'data-action="audio_mode" aria-pressed="false"' in page


def _checked(page: str, name: str) -> list[str]:
    """The value attributes of the checked inputs of one name on the page."""
    inputs = re.findall(r"<input\b[^>]*>", page)
    return [re.search(r'value="[^"]*"', tag)[0] for tag in inputs
            if name in tag and re.search(r"\bchecked\b", tag)]


def test_the_player_saves_the_quality_and_audio_and_text_and_refuses_other_values(app, client):
    login(client, "learner")
    token_page = "/preferences"
    ok = post_form(client, "/preferences/player", {"video_quality": "240p"},
                   token_page=token_page, headers={"HX-Request": "true"})
    assert ok.status_code == 204
    ok = post_form(client, "/preferences/player", {"audio_mode": "true"},
                   token_page=token_page, headers={"HX-Request": "true"})
    assert ok.status_code == 204
    page = client.get("/preferences").get_data(as_text=True)
    assert _checked(page, 'name="video_quality"') == ['value="240p"']
    assert _checked(page, 'name="audio_mode"') == ['value="y"']
    for field, value in (("video_quality", "1080p"), ("audio_mode", "yes")):
        refused = post_form(client, "/preferences/player", {field: value},
                            token_page=token_page, headers={"HX-Request": "true"})
        assert refused.status_code == 400, field
    page = client.get("/preferences").get_data(as_text=True)
    assert _checked(page, 'name="video_quality"') == ['value="240p"']  # what was saved is kept
    assert _checked(page, 'name="audio_mode"') == ['value="y"']


def test_a_file_ffmpeg_cannot_read_fails_the_job_clearly_and_keeps_the_earlier_versions(
        own_media_app):
    app = own_media_app
    lesson_id, _course, _sha = _first_lesson(app)
    earlier = _make(app, lesson_id)
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        folder = Path(app.config["MEDIA_ROOT"]) / earlier.folder
        before = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
        media_file = Path(app.config["MEDIA_ROOT"]) / lesson.media.filename
        media_file.write_bytes(b"\x1a\x45\xdf\xa3 this is not a video any more" * 100)
        job = jobs.enqueue_renditions(lesson.media)
        jobs.run(job.id)
        job = db.session.get(Job, job.id)
        assert job.state == "failed"
        assert "not a video or audio file" in job.message and "upload it again" in job.message
        row = db.session.scalar(select(RenditionSet))
        assert row.id == earlier.id and row.variants == earlier.variants
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == before


def test_the_command_queues_the_smaller_versions_of_media_that_lacks_them(app):
    """``make run`` runs ``flask renditions --queue`` at every start: a job for each lesson
    media without smaller versions, none for those that have them or are queued already."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["renditions", "--queue"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        media_ids = {lesson.media_id for lesson in db.session.scalars(select(Lesson))}
        queued = db.session.scalars(select(Job).where(Job.kind == "renditions")).all()
        assert {job.payload["media_id"] for job in queued} == media_ids
    assert f"Smaller versions of {len(media_ids)} media file(s) queued for the worker." \
        in result.output
    again = runner.invoke(args=["renditions", "--queue"])
    assert again.exit_code == 0
    with app.app_context():
        assert db.session.query(Job).filter(Job.kind == "renditions").count() == len(media_ids)
