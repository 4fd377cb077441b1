"""Live classes (issue 28), the web app's part: scheduling with clear errors, the ingest's
questions (only a scheduled class's key, in its time, from this machine), who may watch, the
calendar file, the captions kept and served, the events a viewer follows (Server-Sent Events,
resumed after a dropped connection), and the upcoming classes on the course page and in My
learning."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.live.bus import FileBus
from accessible_learning.live.nginx import config_text
from accessible_learning.models import Course, LiveAttendance, LiveClass, utcnow
from accessible_learning.services import live
from conftest import login, post_form


def _schedule(app, starts_in=timedelta(minutes=5), minutes=60, title="Knife skills, live"):
    with app.app_context():
        course = db.session.get(Course, 1)
        made = live.schedule(course, live.ClassDetails(title, utcnow() + starts_in, minutes,
                                                       course.language))
        return made.id, made.stream_key


def _ingest(client, action: str, key: str, **form):
    return client.post(f"/live/ingest/{action}", data={"name": key, "app": "live", **form},
                       environ_base={"REMOTE_ADDR": "127.0.0.1"})


def _enrolled_learner(app):
    client = app.test_client()
    login(client, "learner")
    post_form(client, "/courses/1/enrol", {}, token_page="/courses/1")
    return client


def test_the_studio_schedules_a_class_and_says_what_is_wrong_in_words(app):
    client = app.test_client()
    login(client, "content")
    bad = post_form(client, "/studio/courses/1/live/new",
                    {"title": "", "day": "31-12-2026", "start": "25:99", "minutes": "five",
                     "language": "ko"})
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    for message in ("Give the class a title.", "Enter the class&#39;s date as year-month-day",
                    "Enter the start time as hours and minutes",
                    "Enter how many minutes the class lasts, from 10 to 480."):
        assert page.count(message) == 2, message  # in the summary and by its field, once each
    with app.app_context():
        assert db.session.scalar(select(LiveClass)) is None  # nothing was saved

    made = post_form(client, "/studio/courses/1/live/new",
                     {"title": "Knife skills, live", "day": "2026-12-31", "start": "14:30",
                      "minutes": "45", "language": "ko"})
    assert made.status_code == 302
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        found = db.session.scalar(select(LiveClass))
        assert (found.starts_at.isoformat(), found.minutes) == ("2026-12-31T14:30:00", 45)
        key = found.stream_key
    assert f"<code class=\"secret\">{key}</code>" in page
    assert "rtmp://localhost:1935/live" in page  # the server OBS is given

    post_form(client, f"/studio/live/{found.id}/key", {}, token_page=f"/studio/live/{found.id}")
    with app.app_context():
        assert db.session.get(LiveClass, found.id).stream_key != key
    assert "Live classes" in client.get("/studio/courses/1").get_data(as_text=True)


def test_the_time_zone_of_the_training_centre_is_the_form_s(app):
    app.config["CLASS_TIME_ZONE"] = "Asia/Seoul"
    client = app.test_client()
    login(client, "content")
    post_form(client, "/studio/courses/1/live/new",
              {"title": "Evening class", "day": "2026-12-31", "start": "19:00", "minutes": "60",
               "language": "ko"})
    with app.app_context():
        found = db.session.scalar(select(LiveClass))
        assert found.starts_at.isoformat() == "2026-12-31T10:00:00"  # 19:00 in Seoul is 10 UTC
    page = client.get(f"/studio/live/{found.id}").get_data(as_text=True)
    assert 'value="19:00"' in page and "2026-12-31 at 19:00 (Asia/Seoul)" in page


def test_only_a_scheduled_class_s_key_in_its_time_publishes_and_only_from_this_machine(
        app, tmp_path):
    app.config["LIVE_ROOT"] = str(tmp_path / "live")
    client = app.test_client()
    soon, soon_key = _schedule(app, starts_in=timedelta(minutes=20))
    _later, later_key = _schedule(app, starts_in=timedelta(hours=3), title="Tomorrow")
    assert _ingest(client, "publish", "no-such-key").status_code == 403
    assert _ingest(client, "publish", later_key).status_code == 403  # not its time yet
    from_elsewhere = client.post("/live/ingest/publish", data={"name": soon_key},
                                 environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert from_elsewhere.status_code == 403
    assert _ingest(client, "publish", soon_key).status_code == 200
    with app.app_context():
        found = db.session.get(LiveClass, soon)
        assert found.state == "live" and found.started_at is not None
    teacher = app.test_client()
    login(teacher, "content")
    refused = post_form(teacher, f"/studio/live/{soon}/key", {},
                        token_page=f"/studio/live/{soon}", follow_redirects=True)
    assert "The class is live: its stream key can be changed" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(LiveClass, soon).stream_key == soon_key  # viewers keep watching

    # A dropped connection does not end the class: it waits for the teacher, who streams again.
    assert _ingest(client, "publish-done", soon_key).status_code == 200
    with app.app_context():
        found = db.session.get(LiveClass, soon)
        assert found.state == "live" and found.interrupted_at is not None
        first_publish = found.published_at
    page = teacher.get(f"/studio/live/{soon}").get_data(as_text=True)
    assert 'data-live-now="interrupted"' in page and "stream again with the same key" in page
    assert _ingest(client, "publish", soon_key).status_code == 200
    with app.app_context():
        found = db.session.get(LiveClass, soon)
        assert found.state == "live" and found.interrupted_at is None
        assert found.published_at >= first_publish and found.started_at <= first_publish
    # The teacher ends the class while streaming: it ends when the stream stops.
    ending = post_form(teacher, f"/studio/live/{soon}/end", {},
                       token_page=f"/studio/live/{soon}", follow_redirects=True)
    assert "ends as soon as its stream stops" in ending.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(LiveClass, soon).state == "live"
    assert _ingest(client, "publish-done", soon_key).status_code == 200
    with app.app_context():
        assert db.session.get(LiveClass, soon).state == "ended"
    assert _ingest(client, "publish", soon_key).status_code == 403  # an ended class stays so


def _end(app, class_id):
    with app.app_context():
        live.request_end(db.session.get(LiveClass, class_id))


def test_a_class_whose_stream_does_not_come_back_ends_after_the_grace(app, tmp_path):
    app.config["LIVE_ROOT"] = str(tmp_path / "live")
    client = app.test_client()
    class_id, key = _schedule(app, starts_in=timedelta(0))
    _ingest(client, "publish", key)
    _ingest(client, "publish-done", key)
    with app.app_context():
        dropped = db.session.get(LiveClass, class_id).interrupted_at
        grace = live.reconnect_grace()
        assert live.end_abandoned(dropped + grace - timedelta(seconds=1)) == []
        assert live.end_abandoned(dropped + grace) == [class_id]
        found = db.session.get(LiveClass, class_id)
        assert found.state == "ended" and found.ended_at == dropped
    learner = _enrolled_learner(app)
    body = learner.get(f"/live/{class_id}/events", query_string={"after": 0}).get_data(
        as_text=True)
    states = [json.loads(d)["state"] for d in re.findall(r"^data: (.*)$", body, re.M)]
    assert states[:2] == ["interrupted", "ended"]  # told as it happened, in order


def test_a_recording_outside_the_live_folder_is_not_taken(app, tmp_path):
    app.config["LIVE_ROOT"] = str(tmp_path / "live")
    client = app.test_client()
    class_id, key = _schedule(app, starts_in=timedelta(0))
    _ingest(client, "publish", key)
    outside = tmp_path / "elsewhere.flv"
    outside.write_bytes(b"FLV")
    assert _ingest(client, "recorded", key, path=str(outside)).status_code == 200
    with app.app_context():
        assert db.session.get(LiveClass, class_id).recording is None


def test_who_may_watch_and_what_the_course_page_and_my_learning_list(app):
    class_id, _key = _schedule(app)
    stranger = app.test_client()
    login(stranger, "learner")
    assert stranger.get(f"/live/{class_id}").status_code == 404  # not enrolled
    assert stranger.get(f"/live/{class_id}/calendar.ics").status_code == 404
    learner = _enrolled_learner(app)
    page = learner.get(f"/live/{class_id}").get_data(as_text=True)
    assert "The class has not started yet" in page and "Knife skills, live" in page
    with app.app_context():
        key = db.session.get(LiveClass, class_id).stream_key
    assert key not in page  # the key is the teacher's secret
    assert f'href="/live/{class_id}"' in learner.get("/courses/1").get_data(as_text=True)
    dashboard = learner.get("/dashboard").get_data(as_text=True)
    assert f'href="/live/{class_id}"' in dashboard and "Add to calendar" in dashboard


def test_the_calendar_file_is_valid_icalendar(app):
    class_id, _key = _schedule(app, title="Knife skills; live, with questions")
    learner = _enrolled_learner(app)
    response = learner.get(f"/live/{class_id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Knife skills\\; live\\, with questions" in unfolded
    with app.app_context():
        found = db.session.get(LiveClass, class_id)
        start = found.starts_at.strftime("%Y%m%dT%H%M%SZ")
        end = live.ends_at(found).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in unfolded and f"DTEND:{end}" in unfolded
    assert f"URL:http://localhost/live/{class_id}" in unfolded


def test_events_reach_a_viewer_and_a_reconnecting_viewer_gets_what_it_missed(app, tmp_path):
    app.config["LIVE_ROOT"] = str(tmp_path / "live")
    class_id, key = _schedule(app, starts_in=timedelta(0))
    client = app.test_client()
    _ingest(client, "publish", key)
    bus = FileBus(app.config["LIVE_ROOT"])
    events = [{"type": "partial", "text": "안녕", "seq": 1},
              {"type": "final", "cue": 1, "start": 0.5, "end": 1.2, "text": "안녕하세요",
               "closed": True, "words": 1, "seq": 2},
              {"type": "partial", "text": "오늘은", "seq": 3}]
    for event in events:
        bus.publish(class_id, event)
    with app.app_context():
        live.add_caption(class_id, 1, 0.5, 1.2, "안녕하세요")
    _ingest(client, "publish-done", key)
    _end(app, class_id)  # ended: the stream of events stops after them

    learner = _enrolled_learner(app)
    response = learner.get(f"/live/{class_id}/events", headers={"Last-Event-ID": "1"})
    assert response.mimetype == "text/event-stream"
    body = response.get_data(as_text=True)
    ids = [int(i) for i in re.findall(r"^id: (\d+)$", body, re.M)]
    assert ids == [2, 3]  # what came after the last one it had
    data = [json.loads(d) for d in re.findall(r"^data: (.*)$", body, re.M)]
    assert data[-1] == {"state": "ended"}
    # The dropped stream was said too (the web app's own events come first when catching up).
    assert [d.get("state") for d in data if d.get("type") == "state"] == ["interrupted"]
    assert [d["text"] for d in data if "text" in d] == ["안녕하세요", "오늘은"]
    assert "event: final" in body and "event: partial" in body

    vtt = learner.get(f"/live/{class_id}/captions.vtt").get_data(as_text=True)
    assert vtt.startswith("WEBVTT") and "00:00:00.500 --> 00:00:01.200" in vtt
    assert "안녕하세요" in learner.get(f"/live/{class_id}").get_data(as_text=True)


def test_hls_files_are_served_by_name_only_from_the_class_s_folder(app, tmp_path):
    app.config["LIVE_ROOT"] = str(tmp_path / "live")
    class_id, _key = _schedule(app, starts_in=timedelta(0))
    with app.app_context():
        folder = live.hls_folder(db.session.get(LiveClass, class_id))
    folder.mkdir(parents=True)
    (folder / "index.m3u8").write_text("#EXTM3U\n#EXT-X-TARGETDURATION:1\n0.ts\n")
    (folder / "0.ts").write_bytes(b"G" * 188)
    (tmp_path / "live" / "secret.txt").write_text("not for viewers")
    learner = _enrolled_learner(app)
    playlist = learner.get(f"/live/{class_id}/hls/index.m3u8")
    assert playlist.status_code == 200 and playlist.headers["Cache-Control"] == "no-cache"
    assert learner.get(f"/live/{class_id}/hls/0.ts").data == b"G" * 188
    for name in ("..%2Fsecret.txt", "secret.txt", ".hidden.ts", "index.m3u8.bak"):
        assert learner.get(f"/live/{class_id}/hls/{name}").status_code == 404, name


def test_nginx_is_told_to_ask_the_app_and_to_keep_keys_out_of_segment_names(tmp_path):
    text = config_text(tmp_path, 19350, "http://127.0.0.1:5000", as_root=False)
    assert "listen 19350;" in text
    assert "on_publish http://127.0.0.1:5000/live/ingest/publish;" in text
    assert "hls_nested on;" in text and "deny play all;" in text and "record all;" in text
    assert "user root" not in text


def test_questions_reach_the_teacher_only_and_a_corrected_line_reaches_every_viewer(
        app, tmp_path):
    app.config["LIVE_ROOT"] = str(tmp_path / "live")
    class_id, key = _schedule(app, starts_in=timedelta(0))
    ingest = app.test_client()
    _ingest(ingest, "publish", key)
    with app.app_context():
        live.add_caption(class_id, 1, 0.5, 1.2, "안녕하새요")
    learner = _enrolled_learner(app)
    empty = post_form(learner, f"/live/{class_id}/questions", {"question": "  "},
                      token_page=f"/live/{class_id}", headers={"Accept": "application/json"})
    assert empty.status_code == 400 and empty.get_json()["error"] == "Write your question first."
    sent = post_form(learner, f"/live/{class_id}/questions",
                     {"question": "칼은 어떻게 갈아요?"}, token_page=f"/live/{class_id}",
                     headers={"Accept": "application/json"})
    assert sent.get_json()["message"] == "Your question is sent to the teacher."

    teacher = app.test_client()
    login(teacher, "content")
    page = teacher.get(f"/studio/live/{class_id}").get_data(as_text=True)
    assert "칼은 어떻게 갈아요?" in page and "Mark as answered" in page
    correction = post_form(teacher, f"/studio/live/{class_id}/captions/1",
                           {"text": "안녕하세요"})
    assert correction.status_code == 302
    with app.app_context():
        question_id = live.questions(db.session.get(LiveClass, class_id))[0].id
    post_form(teacher, f"/studio/live/{class_id}/questions/{question_id}/answered", {},
              token_page=f"/studio/live/{class_id}")
    assert "Mark as answered" not in teacher.get(f"/studio/live/{class_id}").get_data(
        as_text=True)
    assert post_form(teacher, f"/studio/live/{class_id}/captions/1", {"text": " "}
                     ).status_code == 400
    assert learner.get(f"/studio/live/{class_id}/captions/1").status_code == 403

    _ingest(ingest, "publish-done", key)
    _end(app, class_id)
    for client, sees_question in ((learner, False), (teacher, True)):
        body = client.get(f"/live/{class_id}/events", query_string={"after": 0}).get_data(
            as_text=True)
        assert ("event: question" in body) is sees_question
        assert "event: correction" in body and "안녕하세요" in body
    assert "안녕하세요" in learner.get(f"/live/{class_id}/captions.vtt").get_data(as_text=True)
    refused = post_form(learner, f"/live/{class_id}/questions", {"question": "늦었어요"},
                        token_page="/dashboard",
                        headers={"Accept": "application/json"})
    assert refused.status_code == 400  # the class has ended


def test_watching_live_counts_in_the_learning_hours(app):
    from accessible_learning.services import reports

    class_id, key = _schedule(app, starts_in=timedelta(0))
    learner = _enrolled_learner(app)
    token_page = "/dashboard"
    assert post_form(learner, f"/live/{class_id}/attendance", {"seconds": "30"},
                     token_page=token_page).get_json()["watched_s"] == 0  # not live yet
    _ingest(app.test_client(), "publish", key)
    with app.app_context():
        before = reports.build().totals.hours
    for seconds in ["3000"] + ["60"] * 11 + ["not a number"]:
        response = post_form(learner, f"/live/{class_id}/attendance", {"seconds": seconds},
                             token_page=token_page)
    assert response.status_code == 400
    with app.app_context():
        # 60 s a report at most: twelve reports are 12 minutes (0.2 h), not 61.
        assert db.session.scalar(select(LiveAttendance)).watched_s == 720
        assert reports.build().totals.hours - before == pytest.approx(0.2, abs=0.051)


def test_a_browser_s_recording_is_kept_in_order_and_refused_in_words(app, tmp_path):
    app.config["LIVE_ROOT"] = str(tmp_path / "live")
    class_id, _key = _schedule(app, starts_in=timedelta(0))
    later_id, _later_key = _schedule(app, starts_in=timedelta(hours=5), title="Later")
    teacher = app.test_client()
    login(teacher, "content")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      teacher.get(f"/studio/live/{class_id}").get_data(as_text=True)).group(1)

    def send(live_id, part, data):
        return teacher.post(f"/studio/live/{live_id}/browser-stream?part={part}", data=data,
                            headers={"X-CSRFToken": token,
                                     "Content-Type": "application/octet-stream"})

    assert send(class_id, 0, b"webm-head").status_code == 200
    assert send(class_id, 1, b"-cluster-1").status_code == 200
    skipped = send(class_id, 3, b"-cluster-3")
    assert skipped.status_code == 409
    assert skipped.get_json()["error"].startswith("A part of the stream was lost")
    assert send(class_id, 2, b"").status_code == 409  # empty
    with app.app_context():
        path = live.browser_stream_path(class_id)
    assert path.read_bytes() == b"webm-head-cluster-1"
    not_yet = send(later_id, 0, b"webm-head")
    assert not_yet.status_code == 409 and "its time is not near" in not_yet.get_json()["error"]
    ended = teacher.post(f"/studio/live/{class_id}/browser-stream/end",
                         headers={"X-CSRFToken": token})
    assert ended.status_code == 200 and path.with_suffix(".end").is_file()
    learner = _enrolled_learner(app)
    own = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                    learner.get("/dashboard").get_data(as_text=True)).group(1)
    assert learner.post(f"/studio/live/{class_id}/browser-stream?part=0", data=b"x",
                        headers={"X-CSRFToken": own}).status_code == 403


def test_captions_ride_in_the_hls_stream_as_a_subtitle_playlist(tmp_path):
    from accessible_learning.live.hls_subtitles import SEGMENT_S, WINDOW, SubtitleTrack

    track = SubtitleTrack(tmp_path, "ko", "한국어")
    assert 'LANGUAGE="ko"' in (tmp_path / "master.m3u8").read_text()
    track.advance(SEGMENT_S * 0.5)
    assert not (tmp_path / "subs.m3u8").exists()  # no segment has ended yet
    track.add(4.0, 8.0, "칼 & 도마 <안전>")  # across the first two segments
    track.advance(SEGMENT_S * 2 + 0.1)
    playlist = (tmp_path / "subs.m3u8").read_text()
    assert "subs-0.vtt" in playlist and "subs-1.vtt" in playlist and "subs-2.vtt" not in playlist
    for name in ("subs-0.vtt", "subs-1.vtt"):
        text = (tmp_path / name).read_text()
        assert "00:00:04.000 --> 00:00:08.000\n칼 &amp; 도마 &lt;안전&gt;" in text, name
    track.advance(SEGMENT_S * (WINDOW + 5))
    playlist = (tmp_path / "subs.m3u8").read_text()
    assert playlist.count(".vtt") == WINDOW and "#EXT-X-MEDIA-SEQUENCE:5" in playlist
    assert not (tmp_path / "subs-0.vtt").exists()  # out of the window, removed


def test_a_follower_that_starts_before_the_first_event_misses_none(tmp_path):
    bus = FileBus(tmp_path)
    followed = bus.follow(7, None)
    assert next(followed) is None  # nothing yet: the class's file does not exist
    bus.publish(7, {"type": "partial", "text": "첫", "seq": 1})
    bus.publish(7, {"type": "partial", "text": "첫 말", "seq": 2})
    got = [e for e in (next(followed) for _ in range(4)) if e is not None]
    assert [e["seq"] for e in got] == [1, 2]


def _recording(path, seconds: float) -> None:
    """A recording as nginx writes it: FLV with H.264 and AAC."""
    import subprocess

    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size=160x90:rate=10:duration={seconds}", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={seconds}", "-c:v", "libx264", "-preset",
                    "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-f", "flv",
                    str(path)], check=True)


def test_a_class_streamed_twice_is_one_replay_that_its_live_audience_has_completed(
        own_media_app, tmp_path):
    from accessible_learning.models import Job, LessonProgress
    from accessible_learning.services import live_replay

    app = own_media_app
    app.config["LIVE_ROOT"] = str(tmp_path / "live")
    class_id, key = _schedule(app, starts_in=timedelta(0))
    folder = tmp_path / "live" / "recordings"
    folder.mkdir(parents=True)
    ingest = app.test_client()
    stayed, left = _enrolled_learner(app), app.test_client()
    login(left, "content")  # the content team watches too
    for part, seconds in ((1, 3), (2, 2)):  # the connection dropped after the first part
        _ingest(ingest, "publish", key)
        post_form(stayed, f"/live/{class_id}/attendance", {"seconds": str(seconds)},
                  token_page="/dashboard")
        if part == 1:
            post_form(left, f"/live/{class_id}/attendance", {"seconds": "2"},
                      token_page="/dashboard")
        _ingest(ingest, "publish-done", key)
        path = folder / f"{key}-{int(time.time()) + part}.flv"  # as nginx names it
        _recording(path, seconds)
        _ingest(ingest, "recorded", key, path=str(path))
    with app.app_context():
        found = db.session.get(LiveClass, class_id)
        assert found.state == "live" and len(found.recordings) == 2
        assert not db.session.scalars(select(Job).where(Job.kind == "live-replay")).all()
    _end(app, class_id)
    with app.app_context():
        found = db.session.get(LiveClass, class_id)
        assert db.session.scalars(select(Job).where(Job.kind == "live-replay")).all()
        live_replay.make_replay(found)
        lesson = found.replay_lesson
        assert lesson.media.duration_s == pytest.approx(5, abs=0.3)  # both parts, joined
        done = db.session.scalars(select(LessonProgress).where(
            LessonProgress.lesson_id == lesson.id)).all()
        # 5 of 5 s watched live: completed; 2 of 5 s: not (the lesson rule's 80 %).
        assert [(p.completed, p.completed_by, p.watched_s) for p in done] == [(True, "live", 0)]
        assert done[0].user_id != db.session.scalar(select(LiveAttendance.user_id).where(
            LiveAttendance.watched_s == 2))


def test_a_spoken_question_is_written_out_and_a_spoken_command_recognised(app):
    from conftest import SHARED_DATA
    from media_pipeline.voice import read_wav_pcm

    class_id, key = _schedule(app, starts_in=timedelta(0))
    learner = _enrolled_learner(app)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      learner.get(f"/live/{class_id}").get_data(as_text=True)).group(1)
    sentence = read_wav_pcm(SHARED_DATA / "speech" / "ko" / "zeroth_104_003_0294.wav")

    def post(path, body):
        return learner.post(f"/live/{class_id}/{path}", data=body,
                            headers={"X-CSRFToken": token,
                                     "Content-Type": "application/octet-stream"})

    heard = post("questions/voice", sentence)
    assert heard.status_code == 200
    assert "전해지기" in heard.json["text"] and "공정" in heard.json["text"]
    assert heard.json["message"].startswith("Heard: “")
    with app.app_context():  # written out, not sent: the learner sends it
        assert live.questions(db.session.get(LiveClass, class_id)) == []
    odd = post("questions/voice", sentence[:-1])
    assert odd.status_code == 400 and "not understood as audio" in odd.json["error"]
    too_long = post("questions/voice", b"\0\0" * 16000 * 31)
    assert too_long.status_code == 413 and "at most 30 seconds" in too_long.json["error"]
    quiet = post("questions/voice", b"\0\0" * 16000)
    assert quiet.status_code == 200 and quiet.json["text"] == ""
    assert "Nothing was heard" in quiet.json["message"]
    # A sentence is not a command: the command route refuses it, as the lesson player's does.
    command = post("voice", sentence)
    assert command.status_code == 200 and command.json["decision"] == "none"
    _ingest(app.test_client(), "publish", key)
    _ingest(app.test_client(), "publish-done", key)
    _end(app, class_id)
    ended = post("questions/voice", sentence)
    assert ended.status_code == 400 and "questions are no longer taken" in ended.json["error"]
