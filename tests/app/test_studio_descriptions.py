"""The content team's audio-description journey through the app, with a real worker, real
espeak-ng and real ffmpeg; then what a learner gets."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import DescriptionTrack, Job, Lesson, User
from conftest import DEMO_EMAILS, csrf_from, login, post_form, wait_for_job


def _tracks(app, lesson_id: int) -> list[tuple[int, str, str]]:
    with app.app_context():
        return [(t.version, t.status, t.vtt) for t in db.session.scalars(
            select(DescriptionTrack).where(DescriptionTrack.lesson_id == lesson_id)
            .order_by(DescriptionTrack.id))]


def test_author_preview_publish_and_learn_with_descriptions(worker_app):
    app = worker_app
    client = app.test_client()
    login(client, "content")
    with app.app_context():
        # The first demo lesson already has its audio description; this one has none yet.
        lesson = db.session.scalar(select(Lesson).where(Lesson.title == "Drafting a skirt block"))
        lesson_id, course_id, duration = lesson.id, lesson.course_id, lesson.media.duration_s
    page_url = f"/studio/lessons/{lesson_id}/descriptions"
    assert "No descriptions yet." in client.get(page_url).get_data(as_text=True)

    # Wrong values: each refused with the reason, in the error summary; nothing stored.
    for form, message in [
        ({"time": "abc", "text": "분필 선."}, "is not a time"),
        ({"time": f"{duration + 5:.1f}", "text": "분필 선."}, "after the end of the lesson"),
        ({"time": "1", "text": "   "}, "Write the description"),
    ]:
        response = post_form(client, page_url, form)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert 'id="error-summary"' in html and message in html, message
    assert _tracks(app, lesson_id) == []

    assert post_form(client, page_url, {"time": "1.0", "text": "재단사가 분필을 듭니다."}
                     ).status_code == 302
    long_text = "탁자 위에 천이 반으로 접혀 있고, 그 위에 자와 가위와 줄자가 나란히 놓여 있습니다."
    assert post_form(client, page_url, {"time": "0:02.5", "text": long_text}).status_code == 302
    response = post_form(client, page_url, {"time": "2.5", "text": "겹침"})
    assert response.status_code == 400 and "already a description" in response.get_data(
        as_text=True)
    (version, status, vtt), = _tracks(app, lesson_id)
    assert (version, status) == (1, "draft") and "재단사가" in vtt and "00:00:02.500" in vtt

    preview = client.get(f"{page_url}/preview", query_string={"text": "재단사가 분필을 듭니다."})
    assert preview.status_code == 200 and preview.mimetype == "audio/wav"
    assert preview.data[:4] == b"RIFF" and len(preview.data) > 20_000

    token = csrf_from(client, page_url)
    bad = client.post(f"{page_url}/import", data={
        "csrf_token": token, "descriptions": (io.BytesIO(
            b"WEBVTT\n\n00:00:01.000 --> 2 seconds\nbroken\n"), "d.vtt")},
        content_type="multipart/form-data")
    assert bad.status_code == 400 and "Line 3" in bad.get_data(as_text=True)
    assert _tracks(app, lesson_id)[0][2] == vtt  # unchanged

    response = post_form(client, f"{page_url}/1/publish", {}, token_page=page_url)
    assert response.status_code == 302
    with app.app_context():
        job_id = db.session.scalar(select(func.max(Job.id)))
    job = wait_for_job(app, job_id, timeout=180)
    assert job.state == "done", job.message
    assert "Version 1 is published" in job.message
    with app.app_context():
        track = db.session.scalar(select(DescriptionTrack).where(
            DescriptionTrack.lesson_id == lesson_id))
        assert track.status == "published" and track.placed_vtt.startswith("WEBVTT")
        assert [p["kind"] for p in track.report][1] == "extended"  # too long for any pause
        assert track.mixed_media is not None and track.extended_media is not None
        described_url = f"/media/{track.mixed_media.sha256}.{track.mixed_media.extension}"
        lacking = sum(1 for p in track.report if p["kind"] == "extended")
    studio_page = client.get(page_url).get_data(as_text=True)
    assert "Published: version 1" in studio_page and "the video waits" in studio_page

    # A change after publishing starts version 2; learners keep version 1 meanwhile.
    assert post_form(client, f"{page_url}/0/remove", {}, token_page=page_url).status_code == 302
    assert [(v, s) for v, s, _ in _tracks(app, lesson_id)] == [(1, "published"), (2, "draft")]

    learner = app.test_client()
    login(learner, "learner")
    assert learner.get(described_url).status_code == 404  # not enrolled
    post_form(learner, f"/courses/{course_id}/enrol", {}, token_page=f"/courses/{course_id}")
    html = learner.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert 'kind="descriptions"' in html and "data-described-player" in html
    transcript = learner.get(f"/lessons/{lesson_id}/transcript").get_data(as_text=True)
    assert re.search(r'<li class="transcript-description">\s*<span class="timestamp">[\d:]+</span>'
                     r'\s*<strong lang="en">Description:</strong>\s*재단사가 분필을 듭니다.',
                     transcript)  # inline in the transcript, marked
    placed = learner.get(f"/lessons/{lesson_id}/descriptions.vtt")
    assert placed.status_code == 200 and "description-2-extended" in placed.get_data(
        as_text=True)
    ranged = learner.get(described_url, headers={"Range": "bytes=0-3"})
    assert ranged.status_code == 206
    # Off by default; the learner's "audio description on by default" preference is honoured.
    assert 'value="off" checked' in html and 'value="described" checked' not in html
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == DEMO_EMAILS["learner"]))
        user.preferences.audio_description = True
        db.session.commit()
    html = learner.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    # The described audio lacks the extended ones: the extended version is chosen.
    assert 'value="extended" checked' in html and 'value="off" checked' not in html
    assert f"Described audio (lacks {lacking} of the 2 descriptions" in html


def test_moments_to_describe_are_picture_changes_in_pauses(app, tmp_path):
    """A lesson video whose picture changes at 2.0 s (while the first sentence is spoken) and at
    5.5 s (in a 3 s pause after it): only the second is suggested."""
    import subprocess

    from accessible_learning import jobs
    from accessible_learning.services import media
    from conftest import SHARED_DATA

    video = tmp_path / "slides.webm"
    speech = SHARED_DATA / "speech" / "ko-synth" / "food_safety.wav"
    graph = ("[0][1][2]concat=n=3:v=1:a=0[v];"
             "[3]atrim=0:4.24[s0];anullsrc=r=16000:cl=mono:d=3[p];"
             "[3]atrim=4.24,asetpts=N/SR/TB[s1];[s0][p][s1]concat=n=3:v=0:a=1[a]")
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                    "color=red:s=160x90:d=2:r=10", "-f", "lavfi", "-i",
                    "color=blue:s=160x90:d=3.5:r=10", "-f", "lavfi", "-i",
                    "color=green:s=160x90:d=26:r=10", "-i", str(speech), "-filter_complex",
                    graph, "-map", "[v]", "-map", "[a]", "-shortest", "-c:v", "libvpx",
                    "-deadline", "realtime", "-c:a", "libopus", str(video)], check=True)
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id.desc()))
        lesson.media = media.store_file(video, "webm", original_name="slides.webm")
        db.session.commit()
        lesson_id = lesson.id
    client = app.test_client()
    login(client, "content")
    page_url = f"/studio/lessons/{lesson_id}/descriptions"
    assert "Not looked for yet." in client.get(page_url).get_data(as_text=True)
    response = post_form(client, f"{page_url}/suggest", {}, token_page=page_url)
    assert response.status_code == 302
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == "suggest"))
        jobs.run(job.id)  # in this process: the worker's code, without the worker
        db.session.refresh(job)
        assert job.state == "done", job.message
        (moment,) = job.result["suggestions"]
        assert job.result["changes"] == 2 and abs(moment - 5.5) <= 0.1
    fragment = client.get(f"{page_url}/suggestions", headers={"HX-Request": "true"})
    assert fragment.status_code == 286  # finished: htmx stops polling
    html = fragment.get_data(as_text=True)
    assert "At 0:05.5" in html and 'data-use-time="5.5"' in html and "1 moment found." in html


def test_described_audio_that_lacks_every_description_is_not_offered_as_complete(app):
    """Two descriptions far too long for any pause in the lesson's speech: both become extended
    descriptions, so the described audio holds none of them. The studio says so when
    publishing; a learner whose default is described audio gets the extended version, told
    why, and hears the descriptions in it while the programme waits."""
    import subprocess

    from accessible_learning import jobs
    from accessible_learning.services import media

    long_texts = [
        "재단사가 줄자를 천 위에 펼치고 허리선에서 밑단까지 길이를 잰 다음, 분필로 작은 "
        "표시를 세 군데 하고, 자를 대고 그 표시들을 곧은 선으로 천천히 이어 그립니다.",
        "탁자 위에 천이 반으로 접혀 있고, 그 위에 자와 가위와 줄자가 나란히 놓여 있으며, "
        "재단사는 접힌 쪽을 몸 쪽으로 두고 시침핀 여섯 개로 두 겹을 단단히 고정합니다.",
    ]
    client = app.test_client()
    login(client, "content")
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.title == "Drafting a skirt block"))
        lesson_id, course_id = lesson.id, lesson.course_id
    page_url = f"/studio/lessons/{lesson_id}/descriptions"
    for at, text in zip(("1.0", "3.0"), long_texts, strict=True):
        assert post_form(client, page_url, {"time": at, "text": text}).status_code == 302
    assert post_form(client, f"{page_url}/1/publish", {}, token_page=page_url).status_code == 302
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == "describe"))
        jobs.run(job.id)  # in this process: the worker's code, without the worker
        db.session.refresh(job)
        assert job.state == "done", job.message
        track = db.session.scalar(select(DescriptionTrack).where(
            DescriptionTrack.lesson_id == lesson_id))
        assert [p["kind"] for p in track.report] == ["extended", "extended"]
        extended_file = media.media_root() / track.extended_media.filename
        pauses = [(p["start"], p["duration"]) for p in track.report]
    assert "The described audio lacks those 2 of the 2 descriptions" in job.message
    studio_page = client.get(page_url).get_data(as_text=True)
    assert "The described audio lacks 2 of the 2 descriptions" in studio_page

    learner = app.test_client()
    login(learner, "learner")
    post_form(learner, f"/courses/{course_id}/enrol", {}, token_page=f"/courses/{course_id}")

    def offered(on: bool, mode: str) -> str:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == DEMO_EMAILS["learner"]))
            user.preferences.audio_description = on
            user.preferences.description_mode = mode
            db.session.commit()
        return learner.get(f"/lessons/{lesson_id}").get_data(as_text=True)

    html = offered(True, "described")
    assert 'value="extended" checked' in html and 'value="described" checked' not in html
    assert "Described audio (lacks 2 of the 2 descriptions" in html
    assert "so the extended version is chosen for you" in html
    assert 'aria-describedby="description-lacking"' in html
    assert 'data-description-on="extended"' in html  # what turning it on by key chooses
    html = offered(False, "described")
    assert 'value="off" checked' in html and 'data-description-on="extended"' in html
    assert "is chosen for you" not in html  # nothing was chosen for them
    html = offered(True, "screen-reader")  # their own choice has every description
    assert 'value="screen-reader" checked' in html and "is chosen for you" not in html

    # What they hear: while the programme waits in the extended version, a description is
    # spoken (the loudness of each pause, measured by ffmpeg).
    shift = 0.0
    for start, length in pauses:
        found = subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "info", "-ss", f"{start + shift + 0.2:.3f}", "-t",
             f"{length - 0.4:.3f}", "-i", str(extended_file), "-vn", "-af", "volumedetect",
             "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
        mean = float(re.search(r"mean_volume: (-?[\d.]+) dB", found).group(1))
        assert mean > -35, (start, mean)
        shift += length
