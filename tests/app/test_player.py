"""The lesson player's server side: transcript page, panel and search, progress and the
completion rule, the player's preference changes and the help page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select, text

from accessible_learning.extensions import db
from accessible_learning.models import Lesson, LessonProgress, Preferences, User
from accessible_learning.services import preferences, progress
from conftest import DEMO_EMAILS, SHARED_DATA, csrf_from, login, post_form


def _enrolled(client, role="learner") -> None:
    login(client, role)
    post_form(client, "/courses/1/enrol", {}, token_page="/courses/1")


def _first_lesson(app) -> tuple[int, float]:
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        return lesson.id, lesson.media.duration_s


def _progress_row(app, lesson_id: int) -> LessonProgress | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == DEMO_EMAILS["learner"]))
        row = db.session.scalar(select(LessonProgress).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_id == lesson_id))
        if row is not None:
            db.session.expunge(row)
        return row


def _report(client, lesson_id: int, body, token: str):
    return client.post(f"/lessons/{lesson_id}/progress", json=body,
                       headers={"X-CSRFToken": token})


def test_lesson_page_has_player_controls_shortcuts_and_the_completion_rule(app, client):
    _enrolled(client)
    lesson_id, _ = _first_lesson(app)
    html = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert "<video controls" in html  # all there is without script
    for action in ("play", "back", "forward", "captions", "transcript", "fullscreen", "help",
                   "voice", "mute"):
        assert f'data-action="{action}"' in html, action
    assert 'id="player-seek"' in html and 'id="player-speed"' in html
    assert "<kbd>Alt</kbd> + <kbd>Shift</kbd> + <kbd>P</kbd>" in html
    assert "at least 80% of its video" in html
    assert "Not completed yet." in html and "I have read the transcript" in html
    assert "&#34;KeyP&#34;: &#34;play&#34;" in html  # the same shortcuts for the script


def test_transcript_page_panel_search_and_download(app, client):
    _enrolled(client)
    lesson_id, _ = _first_lesson(app)
    page = client.get(f"/lessons/{lesson_id}/transcript").get_data(as_text=True)
    assert "<h1>Transcript: Taking body measurements</h1>" in page
    assert "data-seek" not in page  # a page to read and print: no video to seek
    assert page.count('class="transcript-description"') == 2  # described inline, marked
    panel = client.get(f"/lessons/{lesson_id}/transcript", headers={"HX-Request": "true"})
    panel_html = panel.get_data(as_text=True)
    assert "<html" not in panel_html and panel_html.count("data-seek=") > 5
    # Search: only the lines with the words, the words marked, the count announced.
    found = client.get(f"/lessons/{lesson_id}/transcript?q=치수",
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    lines = found.count('class="transcript-line"')
    assert 0 < lines < panel_html.count('class="transcript-line"')
    assert found.count("<mark>치수</mark>") >= lines
    assert re.search(rf'data-announce="{lines} lines? contains? “치수”\."', found)
    nothing = client.get(f"/lessons/{lesson_id}/transcript?q=zzzz").get_data(as_text=True)
    assert "0 lines contain “zzzz”." in nothing
    hostile = client.get(f"/lessons/{lesson_id}/transcript?q=<b>x").get_data(as_text=True)
    assert "<b>x" not in hostile and "&lt;b&gt;x" in hostile
    text = client.get(f"/lessons/{lesson_id}/transcript.txt")
    assert text.headers["Content-Disposition"].startswith("attachment;")
    body = text.get_data(as_text=True)
    assert body.startswith("Taking body measurements\n") and "Description:" in body
    assert "[0:0" in body


def test_progress_counts_each_part_once_and_completes_at_the_stated_share(app, client):
    _enrolled(client)
    lesson_id, duration = _first_lesson(app)
    token = csrf_from(client, f"/lessons/{lesson_id}")
    half = duration / 2
    first = _report(client, lesson_id, {"position": half, "played": [[0, half]]}, token)
    assert first.status_code == 200 and first.json["completed"] is False
    # Playing the same half again counts nothing more.
    again = _report(client, lesson_id, {"position": half, "played": [[0, half]]}, token)
    assert abs(again.json["watched"] - round(half, 2)) < 0.05 and not again.json["completed"]
    row = _progress_row(app, lesson_id)
    assert row.watched == [[0, round(half, 2)]] and row.position_s == round(half, 2)
    # Skipping to the end and playing the last 10 % is not 80 %.
    tail = _report(client, lesson_id, {"position": duration,
                                       "played": [[duration * 0.9, duration]]}, token)
    assert not tail.json["completed"]
    # The part in between (touching ranges merge) brings it past 80 %.
    middle = _report(client, lesson_id, {"position": duration * 0.8,
                                         "played": [[half, duration * 0.75]]}, token)
    assert middle.json["completed"] and middle.json["newly_completed"]
    assert middle.json["message"] == "Lesson completed."
    row = _progress_row(app, lesson_id)
    assert row.completed_by == "watching" and row.completed_at is not None
    assert len(row.watched) == 2
    page = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert "You completed this lesson by watching it." in page


def test_bad_progress_reports_are_refused_and_change_nothing(app, client):
    _enrolled(client)
    lesson_id, duration = _first_lesson(app)
    token = csrf_from(client, f"/lessons/{lesson_id}")
    first = _report(client, lesson_id, {"position": 12, "played": [[0, 12]]}, token)
    assert first.status_code == 200
    before = _progress_row(app, lesson_id)
    for body in ({"position": -1}, {"position": "nan"}, {"position": "x"},
                 {"position": 1, "played": [[5, 2]]}, {"position": 1, "played": [[1]]},
                 {"position": 1, "played": "0-100"}, {"position": 1, "played": [[0, "inf"]]},
                 {"position": 1, "played": [[0, 1]] * (progress.MAX_RANGES + 1)}, [1, 2]):
        response = _report(client, lesson_id, body, token)
        assert response.status_code == 400, body
        assert "Nothing was changed" in response.json["error"] or \
            "not saved" in response.json["error"]
    after = _progress_row(app, lesson_id)
    assert (after.position_s, after.watched, after.completed) == \
        (before.position_s, before.watched, before.completed)
    # Times past the end are cut to the lesson's length: nobody completes by claiming hours.
    long = _report(client, lesson_id, {"position": 1e9, "played": [[0, 1e9]]}, token)
    assert long.json["watched"] <= duration + 0.01
    # Without the CSRF token nothing is saved.
    assert client.post(f"/lessons/{lesson_id}/progress", json={"position": 1}).status_code == 400


def test_another_learner_cannot_report_progress_or_read_a_lesson_not_enrolled(app, client):
    login(client, "learner")  # not enrolled
    lesson_id, _ = _first_lesson(app)
    token = csrf_from(client, "/")
    assert _report(client, lesson_id, {"position": 1}, token).status_code == 404
    assert client.get(f"/lessons/{lesson_id}/transcript").status_code == 404
    response = client.post(f"/lessons/{lesson_id}/transcript-read",
                           data={"csrf_token": token})
    assert response.status_code == 404
    assert _progress_row(app, lesson_id) is None


def test_reading_the_transcript_to_the_end_completes_the_lesson(app, client):
    _enrolled(client)
    lesson_id, _ = _first_lesson(app)
    response = post_form(client, f"/lessons/{lesson_id}/transcript-read", {},
                         token_page=f"/lessons/{lesson_id}/transcript",
                         headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'data-announce="Lesson completed: you have read the transcript."' in html
    assert "You completed this lesson by reading its transcript." in html
    row = _progress_row(app, lesson_id)
    assert row.completed and row.completed_by == "transcript"
    again = post_form(client, f"/lessons/{lesson_id}/transcript-read", {},
                      token_page=f"/lessons/{lesson_id}/transcript")
    assert again.status_code == 302 and again.headers["Location"].endswith("#completion")


def test_resume_is_offered_where_the_learner_stopped(app, client):
    _enrolled(client)
    lesson_id, duration = _first_lesson(app)
    token = csrf_from(client, f"/lessons/{lesson_id}")
    assert 'data-resume-at' not in client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    at = round(duration / 2, 1)
    _report(client, lesson_id, {"position": at, "played": [[at - 5, at]]}, token)
    html = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    label = f"{int(at) // 60}:{int(at) % 60:02d}"
    assert f'data-resume-at="{at}"' in html and f"Go on from {label}" in html
    _report(client, lesson_id, {"position": duration}, token)  # at the end: start again
    assert 'data-resume-at' not in client.get(f"/lessons/{lesson_id}").get_data(as_text=True)


def test_the_player_saves_caption_style_and_speed_and_refuses_other_values(app, client):
    _enrolled(client)
    lesson_id, _ = _first_lesson(app)
    token = csrf_from(client, f"/lessons/{lesson_id}")
    ok = client.post("/preferences/player", data={"caption_size": "xlarge", "csrf_token": token,
                                                  "playback_speed": "1.25",
                                                  "captions_on": "true"},
                     headers={"HX-Request": "true"})
    assert ok.status_code == 204
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == DEMO_EMAILS["learner"]))
        prefs = db.session.get(Preferences, user.id)
        assert (prefs.caption_size, prefs.playback_speed, prefs.captions_on) == \
            ("xlarge", 1.25, True)
        colour = prefs.caption_color
    html = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert "cue-size-xlarge" in html and 'data-playback-speed="1.25"' in html
    for bad in ({"caption_size": "huge"}, {"playback_speed": "9"}, {"captions_on": "maybe"},
                {"caption_color": "<script>"}, {"caption_position": "side"},
                {"playback_speed": "2.75"}, {"description_overflow": "later"},
                {"description_rate": "3"}):
        response = client.post("/preferences/player", data={**bad, "csrf_token": token},
                               headers={"HX-Request": "true"})
        assert response.status_code == 400
        assert "nothing was changed" in response.get_data(as_text=True)
    with app.app_context():
        prefs = db.session.get(Preferences, user.id)
        assert (prefs.caption_size, prefs.caption_color) == ("xlarge", colour)
    # Without script the form posts and comes back to the lesson.
    back = client.post("/preferences/player", data={"caption_color": "yellow",
                                                    "csrf_token": token,
                                                    "next": f"/lessons/{lesson_id}"})
    assert back.status_code == 302 and back.headers["Location"] == f"/lessons/{lesson_id}"
    offsite = client.post("/preferences/player", data={"caption_color": "yellow",
                                                       "csrf_token": token,
                                                       "next": "https://evil.example/"})
    assert offsite.headers["Location"] == "/preferences"


def test_help_page_lists_shortcuts_and_voice_phrases(client):
    html = client.get("/help/player").get_data(as_text=True)
    assert "<h1>Using the lesson player</h1>" in html
    assert "<kbd>V</kbd>" in html and "Speak a voice command" in html
    assert "재생" in html and "(installed on this server)" in html


def test_chapters_are_written_by_the_content_team_and_shown_in_the_player(app, client):
    lesson_id, duration = _first_lesson(app)
    with app.app_context():
        seeded = db.session.get(Lesson, lesson_id).chapters
    assert seeded.count("-->") == 4  # the demo lesson's four chapters
    login(client, "content")
    page = f"/studio/lessons/{lesson_id}"
    assert "0:00 소개" in client.get(page).get_data(as_text=True)
    # Errors name the line and the reason; nothing is saved.
    bad = post_form(client, f"{page}/chapters",
                    {"chapters": "0:00 소개\nabc 가슴\n0:05\n0:03 허리\n9:00 끝"}, token_page=page)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="error-summary"' in html
    assert "Chapters, line 2:" in html and "“abc” is not a time" in html
    assert "Chapters, line 3:" in html and "has no title" in html
    assert "Chapters, line 5:" in html and "after the end of the video" in html
    with app.app_context():
        assert db.session.get(Lesson, lesson_id).chapters == seeded
    good = post_form(client, f"{page}/chapters",
                     {"chapters": "0:00 시작 <b>\n\n0:06.5 가슴 둘레"}, token_page=page)
    assert good.status_code == 302
    vtt = client.get(f"/lessons/{lesson_id}/chapters.vtt").get_data(as_text=True)
    assert "00:00:06.500 -->" in vtt and "시작 &lt;b&gt;" in vtt
    lesson_html = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert '<track kind="chapters"' in lesson_html
    assert 'data-chapter="6.5"' in lesson_html and "시작 &lt;b&gt;" in lesson_html
    assert post_form(client, f"{page}/chapters", {"chapters": ""},
                     token_page=page).status_code == 302
    assert client.get(f"/lessons/{lesson_id}/chapters.vtt").status_code == 404


def _spoken(text: str, tmp_path) -> bytes:
    """``text`` spoken by espeak-ng in Korean, as 16 kHz mono 16-bit PCM (what the page sends)."""
    import subprocess

    wav = tmp_path / "utterance.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "220", "-p", "50", "-w", str(wav), text],
                   check=True)
    return subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-ar", "16000", "-ac", "1",
                           "-f", "s16le", "-"], check=True, capture_output=True).stdout


def _real_word(path: Path, start: float, end: float) -> bytes:
    """A word cut out of a real recording, between 0.4 s of silence, as 16 kHz PCM."""
    import subprocess

    return subprocess.run(["ffmpeg", "-v", "error", "-ss", str(start), "-t", f"{end - start:.3f}",
                           "-i", str(path), "-af", "adelay=400:all=1,apad=pad_dur=0.4", "-ar",
                           "16000", "-ac", "1", "-f", "s16le", "-"],
                          check=True, capture_output=True).stdout


@pytest.mark.media
def test_voice_command_over_http_is_recognised_and_never_stored(app, client, tmp_path):
    _enrolled(client)
    lesson_id, _ = _first_lesson(app)
    token = csrf_from(client, f"/lessons/{lesson_id}")
    media_before = sorted(p.name for p in Path(app.config["MEDIA_ROOT"]).rglob("*"))
    headers = {"X-CSRFToken": token, "Content-Type": "application/octet-stream"}
    pause = client.post(f"/lessons/{lesson_id}/voice", data=_spoken("정지", tmp_path),
                        headers=headers)
    assert pause.status_code == 200, pause.get_data(as_text=True)
    assert pause.json["command"] == "pause" and set(pause.json) == {"command", "args", "text",
                                                                    "confidence", "decision"}
    assert pause.json["decision"] == "act"
    # Speech that is not a command is not an action.
    other = client.post(f"/lessons/{lesson_id}/voice",
                        data=_spoken("오늘 점심은 김치찌개를 먹었습니다", tmp_path),
                        headers=headers)
    assert other.status_code == 200 and other.json["command"] == "none"
    # Silence, and too much audio.
    silence = client.post(f"/lessons/{lesson_id}/voice", data=bytes(32000), headers=headers)
    assert silence.json["command"] == "none"
    too_long = client.post(f"/lessons/{lesson_id}/voice", data=bytes(16000 * 2 * 11),
                           headers=headers)
    assert too_long.status_code == 413 and "at most 10 seconds" in too_long.json["error"]
    odd = client.post(f"/lessons/{lesson_id}/voice", data=bytes(3201), headers=headers)
    assert odd.status_code == 400 and "not understood as audio" in odd.json["error"]
    # No CSRF token: refused.
    assert client.post(f"/lessons/{lesson_id}/voice", data=bytes(3200)).status_code == 400

    # How sure the player must be is the learner's: "재생 시작" is heard at 0.95, enough to act
    # for the balanced default, not for a careful learner, who is asked first.
    start = _spoken("재생 시작", tmp_path)
    acted = client.post(f"/lessons/{lesson_id}/voice", data=start, headers=headers).json
    assert (acted["command"], acted["decision"]) == ("play", "act"), acted
    # A real word that is no command, said alone: 치열한 ("fierce", Zeroth speaker 104) sounds
    # like 천천히 ("slower") at 0.955, but the check with common words does not confirm it, so
    # the player asks instead of acting; a careful learner is not even asked.
    fierce = _real_word(SHARED_DATA / "speech/ko/zeroth_104_003_0193.wav", 4.41, 4.86)
    unsure = client.post(f"/lessons/{lesson_id}/voice", data=fierce, headers=headers).json
    assert (unsure["command"], unsure["decision"]) == ("slower", "ask"), unsure
    with app.app_context():
        learner = db.session.scalar(select(User).where(User.email == DEMO_EMAILS["learner"]))
        preferences.update(learner, {"voice_sensitivity": "careful"})
    asked = client.post(f"/lessons/{lesson_id}/voice", data=start, headers=headers).json
    assert (asked["command"], asked["decision"]) == ("play", "ask"), asked
    refused = client.post(f"/lessons/{lesson_id}/voice", data=fierce, headers=headers).json
    assert refused["command"] == "none", refused
    # The answer to the question: yes or no, with the language's own words.
    yes = client.post(f"/lessons/{lesson_id}/voice?expect=answer", data=_spoken("네", tmp_path),
                      headers=headers).json
    assert (yes["command"], yes["decision"]) == ("yes", "act"), yes
    no = client.post(f"/lessons/{lesson_id}/voice?expect=answer",
                     data=_spoken("아니요", tmp_path), headers=headers).json
    assert (no["command"], no["decision"]) == ("no", "act"), no
    not_an_answer = client.post(f"/lessons/{lesson_id}/voice?expect=answer",
                                data=_spoken("정지", tmp_path), headers=headers).json
    assert not_an_answer["command"] == "none", not_an_answer
    # Hands-free listening: the wake word wakes the player; a command alone does not.
    woken = client.post(f"/lessons/{lesson_id}/voice/wake", data=_spoken("비서", tmp_path),
                        headers=headers).json
    assert (woken["command"], woken["decision"]) == ("wake", "act"), woken
    not_woken = client.post(f"/lessons/{lesson_id}/voice/wake", data=_spoken("정지", tmp_path),
                            headers=headers).json
    assert not_woken["command"] == "none", not_woken
    # Nothing of the audio is kept.
    assert sorted(p.name for p in Path(app.config["MEDIA_ROOT"]).rglob("*")) == media_before


def test_voice_commands_are_rate_limited_per_learner(demo_template, tmp_path):
    from accessible_learning import create_app
    from accessible_learning.extensions import limiter
    from conftest import clone_instance

    app = create_app({**clone_instance(demo_template, tmp_path / "instance"),
                      "VOICE_RATE_LIMIT": "3 per minute"})
    limiter.reset()
    client = app.test_client()
    _enrolled(client)
    token = csrf_from(client, "/lessons/1")
    headers = {"X-CSRFToken": token, "Content-Type": "application/octet-stream"}
    codes = [client.post("/lessons/1/voice", data=bytes(3200), headers=headers).status_code
             for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.post("/lessons/1/voice", data=bytes(3200), headers=headers)
    assert "Too many voice commands" in refused.json["error"]
    limiter.reset()


def test_the_player_offers_the_description_stem_and_saves_the_two_volumes(app, client):
    """Issue 26: a version made with a stem plays the original video with the stem (Ogg Opus)
    and the learner's two volumes, which the player saves; anything but 0–100 in steps of 5 is
    refused in words, and the volumes kept are unchanged. The mixed file stays the download."""
    _enrolled(client)
    lesson_id, _ = _first_lesson(app)
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        described = lesson.published_descriptions
        assert described.stem_media is not None and described.stem_media.extension == "ogg"
        stem_url = f"/media/{described.stem_media.sha256}.ogg"
        mixed_url = f"/media/{described.mixed_media.sha256}.{described.mixed_media.extension}"
    html = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert f'data-src-stem="{stem_url}"' in html and "data-duck=" in html
    assert f'<a href="{mixed_url}">Watch the version with audio description</a>' in html
    for name, label in (("description", "Description volume"), ("programme", "Programme volume")):
        assert re.search(rf'<label for="{name}-volume">{label}</label>\s*<input type="range" '
                         rf'id="{name}-volume" name="{name}_volume" data-stem-volume="{name}" '
                         r'min="0" max="100" step="5" value="100" aria-valuetext="100%">', html)
    assert client.get(stem_url).status_code == 200
    token = csrf_from(client, f"/lessons/{lesson_id}")
    ok = client.post("/preferences/player", data={"description_volume": "80",
                                                  "programme_volume": "35", "csrf_token": token},
                     headers={"HX-Request": "true"})
    assert ok.status_code == 204
    html = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert 'value="80" aria-valuetext="80%"' in html and 'value="35" aria-valuetext="35%"' in html
    for bad in ({"description_volume": "101"}, {"description_volume": "82"},
                {"programme_volume": "-5"}, {"programme_volume": "loud"},
                {"programme_volume": ""}, {"description_volume": "5.0"}):
        response = client.post("/preferences/player", data={**bad, "csrf_token": token},
                               headers={"HX-Request": "true"})
        assert response.status_code == 400, bad
        assert "A volume is a whole number from 0 to 100, in steps of 5, so nothing was " \
               "changed." in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == DEMO_EMAILS["learner"]))
        prefs = db.session.get(Preferences, user.id)
        assert (prefs.description_volume, prefs.programme_volume) == (80, 35)


def test_a_version_made_before_the_stem_plays_the_mixed_file_as_before(app, client):
    """Old tracks have no stem: no stem, no volume sliders, the mixed file is the described
    source the player switches to."""
    _enrolled(client)
    lesson_id, _ = _first_lesson(app)
    with app.app_context():
        described = db.session.get(Lesson, lesson_id).published_descriptions
        described.stem_media = None
        mixed_url = f"/media/{described.mixed_media.sha256}.{described.mixed_media.extension}"
        db.session.commit()
    html = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert "data-src-stem" not in html and "data-stem-volumes" not in html
    assert f'data-src-described="{mixed_url}"' in html


def test_two_preference_changes_sent_at_once_do_not_undo_each_other(app):
    """The player saves each change as it is made; a save writes only what it changes, so one
    that read the preferences before another was stored does not put the old value back."""
    with app.app_context():
        learner = db.session.scalar(select(User).where(User.email == DEMO_EMAILS["learner"]))
        preferences.update(learner, {"caption_opacity": "100", "caption_edge": "none"})
        assert learner.preferences.caption_opacity == "100"  # read by this request
        with db.engine.begin() as other:  # another request stores its change meanwhile
            other.execute(text("UPDATE preferences SET caption_opacity = '50' "
                               "WHERE user_id = :id"), {"id": learner.id})
        saved = preferences.update(learner, {"caption_edge": "outline"})
        assert (saved.caption_edge, saved.caption_opacity) == ("outline", "50")
        learner_id = learner.id
    with app.app_context():
        row = db.session.get(Preferences, learner_id)
        assert (row.caption_edge, row.caption_opacity) == ("outline", "50")
