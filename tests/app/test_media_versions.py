"""Media versions: new media waits for its captions. Learners keep the media they have, with
its reviewed captions, until a caption version made for the new media is published; then both
change together, and the audio description and chapters made for the old media are no longer
served with the new one."""

from __future__ import annotations

import io

from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.models import CaptionTrack, Lesson
from conftest import csrf_from, login, make_work_video, post_form

NEW_VTT = b"WEBVTT\n\n00:00:00.500 --> 00:00:03.000\n\xec\x83\x88 \xec\x98\x81\xec\x83\x81\n"


def _upload(client, lesson_id: int, path):
    token = csrf_from(client, f"/studio/lessons/{lesson_id}")
    return client.post(f"/studio/lessons/{lesson_id}/media", data={
        "csrf_token": token, "script": "", "media": (io.BytesIO(path.read_bytes()), "new.webm"),
    }, content_type="multipart/form-data")


def _import(client, lesson_id: int):
    token = csrf_from(client, f"/studio/lessons/{lesson_id}")
    return client.post(f"/studio/lessons/{lesson_id}/captions/import", data={
        "csrf_token": token, "captions": (io.BytesIO(NEW_VTT), "new.vtt"),
    }, content_type="multipart/form-data")


def _state(app, lesson_id: int):
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        return (lesson.media.sha256, lesson.new_media.sha256 if lesson.new_media else None,
                lesson.published_captions.version)


def test_new_media_reaches_learners_only_with_its_reviewed_captions(app, tmp_path):
    content, learner = app.test_client(), app.test_client()
    login(content, "content")
    login(learner, "learner")
    post_form(learner, "/courses/1/enrol", {}, token_page="/courses/1")
    old_sha, _none, old_version = _state(app, 1)
    old_vtt = learner.get("/lessons/1/captions.vtt").get_data(as_text=True)
    assert learner.get("/lessons/1/descriptions.vtt").status_code == 200
    assert learner.get("/lessons/1/chapters.vtt").status_code == 200

    assert _upload(content, 1, make_work_video(tmp_path / "new.webm")).status_code == 302
    sha, new_sha, version = _state(app, 1)
    assert (sha, version) == (old_sha, old_version) and new_sha not in (None, old_sha)
    page = content.get("/studio/lessons/1").get_data(as_text=True)
    assert "New media waiting for its captions" in page
    # Learners: the same media and captions, and the new file is not theirs to fetch.
    lesson_page = learner.get("/lessons/1").get_data(as_text=True)
    assert old_sha in lesson_page and new_sha not in lesson_page
    assert learner.get("/lessons/1/captions.vtt").get_data(as_text=True) == old_vtt
    assert learner.get(f"/media/{new_sha}.webm").status_code == 404
    assert content.get(f"/media/{new_sha}.webm", headers={"Range": "bytes=0-9"}).status_code == 206

    # Captions for the new media (imported here), then published: both change together.
    imported = _import(content, 1)
    assert imported.status_code == 302
    new_version = int(imported.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        track = db.session.scalar(select(CaptionTrack).where(
            CaptionTrack.lesson_id == 1, CaptionTrack.version == new_version))
        lesson = db.session.get(Lesson, 1)
        assert track.media_id == lesson.new_media_id
    published = post_form(content, f"/studio/lessons/1/captions/{new_version}/publish", {},
                          token_page="/studio/lessons/1", follow_redirects=True)
    assert "learners now get the new media and these captions together" in published.get_data(
        as_text=True)
    assert _state(app, 1) == (new_sha, None, new_version)
    lesson_page = learner.get("/lessons/1").get_data(as_text=True)
    assert new_sha in lesson_page and old_sha not in lesson_page
    assert "새 영상" in learner.get("/lessons/1/captions.vtt").get_data(as_text=True)
    # The description and chapters were made for the old media: not served with the new one.
    assert learner.get("/lessons/1/descriptions.vtt").status_code == 404
    assert learner.get("/lessons/1/chapters.vtt").status_code == 404
    assert "The chapters were written for the previous media" in content.get(
        "/studio/lessons/1").get_data(as_text=True)

    # A version made for the old media can no longer be published.
    refused = post_form(content, f"/studio/lessons/1/captions/{old_version}/publish", {},
                        token_page="/studio/lessons/1", follow_redirects=True)
    assert "was made for media the lesson no longer has" in refused.get_data(as_text=True)
    assert _state(app, 1) == (new_sha, None, new_version)


def test_a_lesson_without_published_captions_takes_new_media_at_once(app, tmp_path):
    content = app.test_client()
    login(content, "content")
    response = post_form(content, "/studio/courses/1/lessons/new",
                         {"title": "Pressing seams", "language": "ko"})
    lesson_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert _upload(content, lesson_id, make_work_video(tmp_path / "a.webm")).status_code == 302
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        assert lesson.media is not None and lesson.new_media is None
