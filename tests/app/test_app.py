"""Pages, htmx fragments, security headers, sessions and configuration."""

from __future__ import annotations

import re

from sqlalchemy import select, text

from accessible_learning.extensions import db
from accessible_learning.models import CaptionTrack, Course, Lesson
from conftest import login, post_form


def test_catalogue_full_page_and_htmx_fragment_share_the_results(client):
    page = client.get("/courses?q=noodle")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert 'aria-live="polite"' in html and 'id="results-heading"' in html
    fragment = client.get("/courses?q=noodle", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "<header" not in body
    assert 'data-announce="1 course found"' in body
    assert "Hand-pulled noodles" in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_catalogue_search_by_trade_and_text(client):
    def titles(url):
        return re.findall(r'<h3><a href="/courses/\d+">([^<]+)</a>',
                          client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True))

    assert titles("/courses?trade=tailoring") == ["Garment pattern-making basics"]
    assert titles("/courses?q=Food+safety") == ["Food safety for kitchen staff"]
    assert titles("/courses?q=%25") == []  # a LIKE wildcard is searched as a character
    assert titles("/courses?q=zzz") == []
    assert len(titles("/courses")) == 3
    assert len(titles("/courses?trade=not-a-trade")) == 3  # an unknown trade means all trades
    assert "No course matches" in client.get("/courses?q=zzz").get_data(as_text=True)


def test_every_page_has_one_h1_a_skip_link_first_and_landmarks(client):
    login(client, "admin")
    for url in ["/", "/courses", "/courses/1", "/lessons/1", "/preferences", "/dashboard",
                "/studio/", "/examiner/", "/admin/", "/logout", "/does-not-exist"]:
        html = client.get(url).get_data(as_text=True)
        assert html.count("<h1") == 1, url
        body = html[html.index("<body"):]
        first_link = re.search(r"<a [^>]*>", body).group(0)
        assert 'class="skip-link"' in first_link and 'href="#main"' in first_link, url
        for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
            assert landmark in html, (url, landmark)
        assert "style=" not in html and "onclick" not in html, url  # nothing a CSP blocks
        assert re.search(r"<script>(?!</script>)", html) is None, url  # no inline script


def test_security_headers_and_cookie_flags(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    login_response = login(client, "learner")
    cookie = login_response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_does_not_redirect_to_another_site(client):
    response = post_form(client, "/login?next=https://evil.example/",
                         {"email": "learner@example.org", "password": "learner-demo-pass"})
    assert response.headers["Location"] == "/dashboard"
    client2 = client.application.test_client()
    response = post_form(client2, "/login?next=//evil.example/x",
                         {"email": "learner@example.org", "password": "learner-demo-pass"})
    assert response.headers["Location"] == "/dashboard"


def test_logout_needs_a_post_with_csrf_and_ends_the_session(client):
    login(client, "learner")
    assert client.post("/logout").status_code == 400  # no token
    assert client.get("/dashboard").status_code == 200
    response = post_form(client, "/logout", {}, token_page="/logout")
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_caption_text_is_escaped_in_the_transcript(app, client):
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        from accessible_learning.services.captions import add_track
        from media_pipeline.captions import Cue

        add_track(lesson, [Cue(1.0, 3.0, '<script>alert("x")</script> & <img onerror=1>')],
                  source="edited", publish=True)
        db.session.commit()
        lesson_id = lesson.id
    login(client, "content")
    for html in (client.get(f"/lessons/{lesson_id}/transcript").get_data(as_text=True),
                 client.get(f"/lessons/{lesson_id}/transcript?q=script",
                            headers={"HX-Request": "true"}).get_data(as_text=True)):
        assert '<script>alert("x")</script>' not in html and "<img onerror" not in html
        assert "alert(&#34;x&#34;)&lt;/" in html and "&amp; &lt;img onerror=1&gt;" in html
    vtt = client.get(f"/lessons/{lesson_id}/captions.vtt").get_data(as_text=True)
    assert "&lt;script&gt;" in vtt and "<script>" not in vtt


def test_lesson_page_shows_captions_track_transcript_and_player_preferences(app, client):
    login(client, "learner")
    post_form(client, "/courses/1/enrol", {}, token_page="/courses/1")
    post_form(client, "/preferences", {"caption_size": "large", "caption_color": "white",
                                       "caption_background": "black", "captions_on": "y",
                                       "playback_speed": "1.5", "language": "en"})
    html = client.get("/lessons/1").get_data(as_text=True)
    assert '<track kind="captions" src="/lessons/1/captions.vtt" srclang="ko"' in html
    assert " default>" in html  # captions on by default, as the learner chose
    assert 'data-playback-speed="1.5"' in html
    assert 'aria-pressed="true"' in html
    assert 'hx-get="/lessons/1/transcript"' in html  # the transcript panel, loaded beside it
    transcript = client.get("/lessons/1/transcript").get_data(as_text=True)
    with app.app_context():
        lesson = db.session.get(Lesson, 1)
        for line in lesson.script.splitlines():
            assert line in transcript  # the transcript carries the narration
    assert 'lang="ko"' in transcript


def test_captions_are_versioned_and_only_published_ones_are_served(app, client):
    with app.app_context():
        lesson = db.session.get(Lesson, 1)
        from accessible_learning.services.captions import add_track
        from media_pipeline.captions import Cue

        draft = add_track(lesson, [Cue(0.5, 2.0, "초안 자막")], source="edited", publish=False)
        db.session.commit()
        assert draft.version == 2
        versions = db.session.scalars(select(CaptionTrack.version).where(
            CaptionTrack.lesson_id == 1)).all()
        assert sorted(versions) == [1, 2]
    login(client, "content")
    vtt = client.get("/lessons/1/captions.vtt").get_data(as_text=True)
    assert "초안 자막" not in vtt


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_demo_course_has_lessons_with_media_script_and_published_captions(app):
    with app.app_context():
        course = db.session.scalar(select(Course).where(
            Course.title == "Garment pattern-making basics"))
        assert course.trade.name == "Tailoring" and course.published
        assert len(course.lessons) >= 2
        for lesson in course.lessons:
            assert lesson.language == "ko"
            assert lesson.script and lesson.media.duration_s > 5
            assert lesson.media.probe["has_video"] is True
            assert lesson.published_captions.source == "aligned"  # by the captioning pipeline
            vtt = lesson.published_captions.vtt
            for line in lesson.script.splitlines():  # the script's own text, timed
                assert line.split()[0] in vtt


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    from accessible_learning.config import load_config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path)["SECRET_KEY"]
    assert len(first) == 64 and (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_config(tmp_path)["SECRET_KEY"] == first
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6399/0")
    config = load_config(tmp_path)
    assert config["SECRET_KEY"] == "from-the-environment"
    assert config["REDIS_URL"] == "redis://127.0.0.1:6399/0"
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'accessible_learning.db'}"
    assert config["MEDIA_ROOT"] == str(tmp_path / "media")


def test_interface_in_simplified_chinese(client):
    response = post_form(client, "/language", {"language": "zh", "next": "/courses"},
                         token_page="/")
    assert response.headers["Location"] == "/courses"
    html = client.get("/courses").get_data(as_text=True)
    assert '<html lang="zh-Hans"' in html
    assert "跳到主要内容" in html and "课程" in html
    assert "Skip to main content" not in html
    assert post_form(client, "/language", {"language": "xx"}, token_page="/").status_code == 400


def test_demo_lessons_captions_carry_their_scripts_and_nothing_else(app):
    """The demo captions come from the pipeline aligned to each lesson's script: their text is
    the script's, with no word recognised outside it (the espeak-ng voice is recognised poorly,
    so a stretch the alignment lost would show as nonsense words)."""
    from media_pipeline.captions import parse_webvtt, plain_text

    with app.app_context():
        lessons = db.session.scalars(select(Lesson).where(Lesson.script.is_not(None))).all()
        assert len(lessons) >= 4
        for lesson in lessons:
            track = lesson.published_captions
            text = " ".join(plain_text(c.text).replace("\n", " ") for c in parse_webvtt(track.vtt))
            assert text == " ".join(lesson.script.split()), lesson.title
            assert not any(w.get("unscripted") for w in track.words or []), lesson.title


def test_the_first_demo_lesson_has_a_published_audio_description(app):
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        described = lesson.published_descriptions
        assert described is not None and described.mixed_media is not None
        assert described.placed_vtt.count("-->") == 2 and len(described.report) == 2


def test_the_voice_phrase_check_runs_for_servers_not_for_commands():
    """``flask media caption`` and other commands skip the start-up check of the voice phrases
    (a second of CPU taken from the command); gunicorn and ``flask run`` do it."""
    import click

    from accessible_learning.factory import _cli_command

    assert not _cli_command()  # gunicorn, the worker: no click context
    with click.Context(click.Command("run"), info_name="run"):
        assert not _cli_command()
    with click.Context(click.Command("media"), info_name="media"):
        assert _cli_command()
