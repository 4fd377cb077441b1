"""What the pages keep between requests to be cheaper: the shortcut table and the caption style
lists once per interface language, parsed caption, description and chapter tracks by their text.
A content change shows at once, and nothing personal is ever shared between users."""

from __future__ import annotations

import re

from flask_babel import force_locale
from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.models import Lesson
from accessible_learning.services import captions, chapters
from accessible_learning.services.player_help import SHORTCUTS
from conftest import csrf_from, login, post_form, selects_during
from media_pipeline.captions import Cue


def _lesson_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Lesson.id).order_by(Lesson.id))


def _two_users(app):
    """The demo learner (enrolled) and the examiner (staff: sees every lesson), each with a
    client of their own."""
    learner, examiner = app.test_client(), app.test_client()
    login(learner, "learner")
    post_form(learner, "/courses/1/enrol", {}, token_page="/courses/1")
    login(examiner, "examiner")
    return learner, examiner


def _fresh_table(app, locale: str) -> str:
    """The shortcut table rendered now, without any cache."""
    with app.test_request_context("/"), force_locale(locale):
        return app.jinja_env.get_template("catalogue/_shortcuts.html").render(
            shortcuts=SHORTCUTS)


def test_shortcut_table_and_caption_style_follow_each_users_language(app):
    learner, examiner = _two_users(app)
    post_form(learner, "/language", {"language": "zh", "next": "/"}, token_page="/")
    lesson = f"/lessons/{_lesson_id(app)}"
    english, chinese = _fresh_table(app, "en"), _fresh_table(app, "zh")
    assert "Play or pause" in english and "播放或暂停" in chinese
    for _round in range(2):  # alternate, so that each reads what the other's request cached
        zh_page = learner.get(lesson).get_data(as_text=True)
        en_page = examiner.get(lesson).get_data(as_text=True)
        assert zh_page.count(chinese) == 2 and english not in zh_page  # page and help dialog
        assert en_page.count(english) == 2 and chinese not in en_page
        assert "文字大小" in zh_page and "特大" in zh_page and "Text size" not in zh_page
        assert "Text size" in en_page and "Extra large" in en_page and "文字大小" not in en_page
        assert chinese in learner.get("/help/player").get_data(as_text=True)
        assert english in examiner.get("/help/player").get_data(as_text=True)


def test_personal_parts_are_never_shared_between_users(app):
    learner, examiner = _two_users(app)
    lesson = f"/lessons/{_lesson_id(app)}"
    token = csrf_from(learner, lesson)
    changed = learner.post("/preferences/player", headers={"HX-Request": "true"}, data={
        "caption_size": "xlarge", "playback_speed": "1.25", "csrf_token": token})
    assert changed.status_code == 204
    for _round in range(2):
        mine = learner.get(lesson).get_data(as_text=True)
        theirs = examiner.get(lesson).get_data(as_text=True)
        assert "cue-size-xlarge" in mine and 'data-playback-speed="1.25"' in mine
        assert '<option value="xlarge" selected>' in mine
        assert "cue-size-medium" in theirs and 'data-playback-speed="1.0"' in theirs
        assert '<option value="xlarge" selected>' not in theirs
        assert "Demo learner" in mine and "Demo examiner" not in mine
        assert "Demo examiner" in theirs and "Demo learner" not in theirs
        tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
                  for page in (mine, theirs)]
        assert len(tokens[0]) == len(tokens[1]) == 1 and tokens[0] != tokens[1]


def test_a_new_caption_track_and_new_chapters_show_at_once(app):
    learner, _examiner = _two_users(app)
    lesson_id = _lesson_id(app)
    before = learner.get(f"/lessons/{lesson_id}/transcript").get_data(as_text=True)
    assert "A brand-new caption line" not in before
    learner.get(f"/lessons/{lesson_id}")  # the chapters as they are, parsed and kept
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        captions.add_track(lesson, [Cue(0.5, 2.5, "A brand-new caption line")],
                           source="edited", publish=True)
        assert chapters.save(lesson, "0:00 A brand-new chapter") == []
        db.session.commit()
    after = learner.get(f"/lessons/{lesson_id}/transcript").get_data(as_text=True)
    assert "A brand-new caption line" in after
    assert "A brand-new caption line" in learner.get(
        f"/lessons/{lesson_id}/captions.vtt").get_data(as_text=True)
    assert "A brand-new caption line" in learner.get(
        f"/lessons/{lesson_id}/transcript.txt").get_data(as_text=True)
    page = learner.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert "A brand-new chapter" in page and page.count('data-chapter="') == 1


def test_parsed_tracks_are_not_changed_by_their_users(app):
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nOne\n\n00:00:03.000 --> 00:00:04.000\nTwo\n"
    first = captions.cues_for_display(vtt)
    first.clear()  # a caller changing its list does not change what the next caller gets
    assert [c.text for c in captions.cues_for_display(vtt)] == ["One", "Two"]


def test_the_lesson_page_reads_no_caption_text_and_few_queries(app):
    """The lesson page needs which caption version is published, not its text (the player
    fetches captions.vtt): no version's text, word timings or rule report is read, and the page
    takes a handful of queries however many versions the lesson has. (Measured as rendered, not
    as kept: see test_page_cache.py for a kept page.)"""
    app.config["PAGE_CACHE_ENTRIES"] = 0
    learner, _examiner = _two_users(app)
    lesson = f"/lessons/{_lesson_id(app)}"
    learner.get(lesson)
    with selects_during(app) as selects:
        page = learner.get(lesson)
    assert page.status_code == 200 and '<track kind="captions"' in page.get_data(as_text=True)
    assert not [s for s in selects if re.search(r"caption_tracks(_\d+)?\.(vtt|words|report)\b", s)]
    # (9: the sign-language videos, one query for all; 10: the media's smaller versions)
    assert len(selects) <= 10, selects
