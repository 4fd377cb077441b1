"""The content team's captioning journey through the app, with a real worker and real Vosk."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import CaptionTrack, Job, Lesson, MediaAsset
from conftest import SHARED_DATA, csrf_from, login, post_form, wait_for_job

SYNTH = SHARED_DATA / "speech" / "ko-synth"


def _counts(app) -> tuple[int, int, int, list[str]]:
    with app.app_context():
        media_files = sorted(p.name for p in Path(app.config["MEDIA_ROOT"]).glob("[!.]*"))
        return (db.session.scalar(select(func.count()).select_from(MediaAsset)),
                db.session.scalar(select(func.count()).select_from(CaptionTrack)),
                db.session.scalar(select(func.count()).select_from(Job)), media_files)


def _upload(client, lesson_id: int, data: bytes, name: str, script: str = ""):
    token = csrf_from(client, f"/studio/lessons/{lesson_id}")
    return client.post(f"/studio/lessons/{lesson_id}/media", data={
        "csrf_token": token, "script": script, "media": (io.BytesIO(data), name),
    }, content_type="multipart/form-data")


def test_upload_caption_review_edit_and_publish(worker_app):
    app = worker_app
    client = app.test_client()
    login(client, "content")
    with app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).order_by(Lesson.id.desc()))
    script = (SYNTH / "food_safety.script.txt").read_text(encoding="utf-8")
    response = _upload(client, lesson_id, (SYNTH / "food_safety.wav").read_bytes(),
                       "lesson 1 (final).wav", script)
    assert response.status_code == 302
    page = client.get(f"/studio/lessons/{lesson_id}").get_data(as_text=True)
    # Polling while the job runs (unless the worker has already finished it).
    assert f'hx-get="/studio/lessons/{lesson_id}/job"' in page or "Done</p>" in page
    with app.app_context():
        job_id = db.session.scalar(select(func.max(Job.id)))
        lesson = db.session.get(Lesson, lesson_id)
        # The lesson's captions are published: the new media waits for its own (see
        # test_media_versions.py), and learners keep the old media meanwhile.
        asset, old_media_id = lesson.new_media, lesson.media_id
        assert asset.id != old_media_id
        assert asset.original_name == "lesson 1 (final).wav"
        new_media_id = asset.id
        assert (Path(app.config["MEDIA_ROOT"]) / f"{asset.sha256}.wav").exists()
    job = wait_for_job(app, job_id, timeout=120)
    assert job.state == "done", job.message
    assert "version" in job.message and job.result["missing_words"] == []
    assert job.result["unscripted"] == []  # the whole recording follows the script

    fragment = client.get(f"/studio/lessons/{lesson_id}/job", headers={"HX-Request": "true"})
    assert fragment.status_code == 286  # finished: htmx stops polling
    assert "Captioning: Done" in fragment.get_data(as_text=True)
    version = job.result["version"]
    with app.app_context():
        track = db.session.scalar(select(CaptionTrack).where(
            CaptionTrack.lesson_id == lesson_id, CaptionTrack.version == version))
        assert track.source == "aligned" and track.status == "draft"
        assert "손은 비누로" in track.vtt
        assert track.words and {"word", "start", "end", "conf"} <= set(track.words[0])

    # Asking again with the same media and script reuses the job's result: no duplicate track.
    with app.app_context():
        tracks_before = db.session.scalar(select(func.count()).select_from(CaptionTrack).where(
            CaptionTrack.lesson_id == lesson_id))
    response = post_form(client, f"/studio/lessons/{lesson_id}/caption", {},
                         token_page=f"/studio/lessons/{lesson_id}")
    assert response.status_code == 302
    page = client.get(f"/studio/lessons/{lesson_id}").get_data(as_text=True)
    assert f"already made from this media and script: version {version}" in page
    with app.app_context():
        assert db.session.get(Job, job_id).state == "done"
        assert db.session.scalar(select(func.count()).select_from(Job)
                                 .where(Job.kind == "caption")) == 1
        versions_before = db.session.scalar(select(func.count()).select_from(
            CaptionTrack).where(CaptionTrack.lesson_id == lesson_id))
        assert versions_before == tracks_before

    # The editor: change a cue's text; saving makes a new version and keeps the old one.
    editor_url = f"/studio/lessons/{lesson_id}/captions/{version}"
    html = client.get(editor_url).get_data(as_text=True)
    count = int(re.search(r'name="count" value="(\d+)"', html).group(1))
    fields = dict(re.findall(r'name="(cue-\d+-(?:start|end))"[^>]*value="([^"]*)"', html))
    texts = dict(re.findall(r'name="(cue-\d+-text)" rows="2">([^<]*)</textarea>', html))
    assert count >= 6 and len(fields) == 2 * count and len(texts) == count
    form = {**fields, **texts, "count": str(count)}
    form["cue-0-text"] = "식품 안전 교육을 시작합니다."
    response = post_form(client, editor_url, form)
    assert response.status_code == 302
    new_version = int(response.headers["Location"].rsplit("/", 1)[1])
    assert new_version == versions_before + 1

    # Wrong times are refused with a summary linking to the field; nothing is saved.
    bad = {**form, "cue-1-start": "soon", "cue-2-end": "0.1"}
    response = post_form(client, editor_url, bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#cue-1-start"' in html and 'href="#cue-2-end"' in html
    assert "is not a time" in html and "the end must be after the start" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CaptionTrack).where(
            CaptionTrack.lesson_id == lesson_id)) == versions_before + 1

    assert post_form(client, editor_url, {**form, "count": "lots"}).status_code == 400

    # Publish: learners get the edited captions.
    response = post_form(client, f"/studio/lessons/{lesson_id}/captions/{new_version}/publish",
                         {}, token_page=f"/studio/lessons/{lesson_id}")
    assert response.status_code == 302
    vtt = client.get(f"/lessons/{lesson_id}/captions.vtt").get_data(as_text=True)
    assert "식품 안전 교육을 시작합니다." in vtt
    with app.app_context():
        published = db.session.scalars(select(CaptionTrack.version).where(
            CaptionTrack.lesson_id == lesson_id, CaptionTrack.status == "published")).all()
        assert published == [new_version]
        lesson = db.session.get(Lesson, lesson_id)  # the new media came with its captions
        assert (lesson.media_id, lesson.new_media_id) == (new_media_id, None)


@pytest.mark.parametrize("name,data,message", [
    ("empty.mp4", b"", "empty"),
    ("notes.mp4", b"this is a text file, not a video\n" * 20, "not a video or audio file"),
    ("lesson.exe", b"MZ\x90\x00", "Upload a video or audio file"),
    ("lesson", b"\x1a\x45\xdf\xa3", "Upload a video or audio file"),
])
def test_bad_uploads_are_refused_and_nothing_is_stored(app, name, data, message):
    client = app.test_client()
    login(client, "content")
    before = _counts(app)
    response = _upload(client, 1, data, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and message in html
    assert _counts(app) == before
    assert not list(Path(app.config["MEDIA_ROOT"]).glob(".incoming/*"))


@pytest.mark.parametrize("content,line", [
    (b"00:00:01.000 --> 00:00:02.000\nhello\n", "Line 1"),
    (b"WEBVTT\n\n00:01 --> 00:02\nhello\n", "Line 3"),
    (b"WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nhello\n", "Line 3"),
    (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n", "Line 3"),
])
def test_malformed_caption_files_are_refused_with_the_line(app, content, line):
    client = app.test_client()
    login(client, "content")
    before = _counts(app)
    token = csrf_from(client, "/studio/lessons/1")
    response = client.post("/studio/lessons/1/captions/import", data={
        "csrf_token": token, "captions": (io.BytesIO(content), "captions.vtt")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert line in response.get_data(as_text=True)
    assert _counts(app) == before


def test_a_good_srt_file_is_imported_as_a_draft(app):
    client = app.test_client()
    login(client, "content")
    token = csrf_from(client, "/studio/lessons/1")
    srt = "1\n00:00:00,500 --> 00:00:03,000\n치수를 <i>잽니다</i>\n\n".encode()
    response = client.post("/studio/lessons/1/captions/import", data={
        "csrf_token": token, "captions": (io.BytesIO(srt), "captions.srt")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        track = db.session.scalar(select(CaptionTrack).where(CaptionTrack.lesson_id == 1)
                                  .order_by(CaptionTrack.version.desc()))
        assert track.status == "draft" and track.source == "edited"
        assert "치수를 잽니다" in track.vtt


def test_the_editor_flags_words_said_outside_the_script(app):
    """Words the pipeline recognised freely, where the speaker left the script, are listed as
    cues to check, with the words named."""
    from accessible_learning.services import captions
    from media_pipeline.captions import Cue

    with app.app_context():
        lesson = db.session.get(Lesson, 1)
        track = captions.add_track(
            lesson, [Cue(0.5, 2.0, "치수를 잽니다."), Cue(3.0, 4.5, "질문 있어요")],
            source="aligned", publish=False,
            words=[{"word": "치수를", "start": 0.5, "end": 1.2, "conf": 1.0},
                   {"word": "잽니다.", "start": 1.2, "end": 2.0, "conf": 1.0},
                   {"word": "질문", "start": 3.0, "end": 3.6, "conf": 0.9, "unscripted": True},
                   {"word": "있어요", "start": 3.6, "end": 4.5, "conf": 0.8, "unscripted": True}])
        db.session.commit()
        version = track.version
    client = app.test_client()
    login(client, "content")
    html = client.get(f"/studio/lessons/1/captions/{version}").get_data(as_text=True)
    check = html.split('id="check-heading"')[1].split("</section>")[0]
    assert 'href="#cue-1-text"' in check and 'href="#cue-0-text"' not in check
    assert re.search(r"Said outside the lesson script.*?<span lang=\"ko\">질문 있어요</span>",
                     html)
