"""The caption review gate: flagged cues must be checked or corrected before a version is
published, or it is published "without review", which is recorded and shown; the flags survive
saving an edit."""

from __future__ import annotations

import re

from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.models import CaptionTrack, Lesson, User
from accessible_learning.services import captions
from conftest import DEMO_EMAILS, editor_form, login, post_form
from media_pipeline.captions import Cue

# Four cues; recognition was unsure of a word in cues 1, 2 and 4 (indexes 0, 1, 3).
CUES = [Cue(0.5, 2.0, "치수를 잽니다."), Cue(2.5, 4.0, "줄자를 감습니다."),
        Cue(4.5, 6.0, "허리를 잽니다."), Cue(6.5, 8.0, "엉덩이를 잽니다.")]
WORDS = [{"word": w, "start": s, "end": s + 0.6, "conf": c} for w, s, c in [
    ("치수를", 0.5, 0.3), ("잽니다.", 1.2, 1.0), ("줄자를", 2.5, 0.4), ("감습니다.", 3.2, 1.0),
    ("허리를", 4.5, 1.0), ("잽니다.", 5.2, 1.0), ("엉덩이를", 6.5, 0.5), ("잽니다.", 7.2, 1.0)]]


def _recognised_version(app) -> tuple[int, int]:
    with app.app_context():
        lesson = db.session.get(Lesson, 1)
        track = captions.add_track(lesson, CUES, source="auto", publish=False, words=WORDS,
                                   report=[])
        db.session.commit()
        assert captions.open_cues(track) == [0, 1, 3]
        return lesson.id, track.version


def _track(app, lesson_id: int, version: int) -> CaptionTrack:
    with app.app_context():
        track = db.session.scalar(select(CaptionTrack).where(
            CaptionTrack.lesson_id == lesson_id, CaptionTrack.version == version))
        db.session.expunge(track)
        return track


def _open(app, lesson_id: int, version: int) -> list[int]:
    with app.app_context():
        return captions.open_cues(db.session.scalar(select(CaptionTrack).where(
            CaptionTrack.lesson_id == lesson_id, CaptionTrack.version == version)))


def test_flags_survive_an_edit_and_block_publishing_until_checked(app):
    client = app.test_client()
    login(client, "content")
    lesson_id, version = _recognised_version(app)
    editor = f"/studio/lessons/{lesson_id}/captions/{version}"
    page = client.get(editor).get_data(as_text=True)
    assert "3 cues are still to check" in page
    assert page.count('type="checkbox"') == 3  # one "I checked" box a flagged cue

    # Publishing with open cues is refused; the editor says why, and nothing is published.
    refused = post_form(client, f"{editor}/publish", {}, token_page=editor,
                        follow_redirects=True)
    assert "is not published: 3 cues are still to check" in refused.get_data(as_text=True)
    assert _track(app, lesson_id, version).status == "draft"

    # Correcting cue 1's words clears its flag; the other two flags are carried over.
    form = editor_form(client, editor)
    form["cue-0-text"] = "치수를 잽니다!"
    saved = post_form(client, editor, form)
    second = int(saved.headers["Location"].rsplit("/", 1)[1])
    assert _open(app, lesson_id, second) == [1, 3]
    # Changing only a time keeps the flags; ticking "I checked" clears them.
    form = editor_form(client, f"/studio/lessons/{lesson_id}/captions/{second}")
    form["cue-2-end"] = "6.200"
    form["cue-1-confirmed"] = "yes"
    saved = post_form(client, f"/studio/lessons/{lesson_id}/captions/{second}", form)
    third = int(saved.headers["Location"].rsplit("/", 1)[1])
    assert _open(app, lesson_id, third) == [3]
    form = editor_form(client, f"/studio/lessons/{lesson_id}/captions/{third}")
    assert form.get("cue-1-confirmed") == "yes"  # shown checked, and kept
    form["cue-3-confirmed"] = "yes"
    saved = post_form(client, f"/studio/lessons/{lesson_id}/captions/{third}", form)
    fourth = int(saved.headers["Location"].rsplit("/", 1)[1])
    assert _open(app, lesson_id, fourth) == []
    assert "Every flagged cue has been checked or corrected." in client.get(
        f"/studio/lessons/{lesson_id}/captions/{fourth}").get_data(as_text=True)

    published = post_form(client, f"/studio/lessons/{lesson_id}/captions/{fourth}/publish", {},
                          token_page=editor, follow_redirects=True)
    assert f"Version {fourth} is published: learners now see" in published.get_data(as_text=True)
    track = _track(app, lesson_id, fourth)
    with app.app_context():
        content = db.session.scalar(select(User).where(User.email == DEMO_EMAILS["content"]))
        assert (track.status, track.published_by_id, track.unreviewed_cues) == (
            "published", content.id, 0)
        assert track.published_at is not None
    learner_vtt = client.get(f"/lessons/{lesson_id}/captions.vtt").get_data(as_text=True)
    assert "치수를 잽니다!" in learner_vtt


def test_publishing_without_review_is_recorded_and_shown(app):
    client = app.test_client()
    login(client, "content")
    lesson_id, version = _recognised_version(app)
    studio_page = f"/studio/lessons/{lesson_id}"
    page = client.get(studio_page).get_data(as_text=True)
    assert f"Review version {version}" in page
    assert f"Publish version {version} without review" in page
    response = post_form(client, f"/studio/lessons/{lesson_id}/captions/{version}/publish",
                         {"without_review": "yes"}, token_page=studio_page,
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"Version {version} is published without review, with 3 cues not checked" in html
    assert re.search(r"Published without review by Demo content team on \d{4}-\d\d-\d\d "
                     r"\d\d:\d\d, with 3 cues not checked\.", html)
    assert "without review: 3 cues not checked" in client.get("/studio/").get_data(as_text=True)
    track = _track(app, lesson_id, version)
    assert track.status == "published" and track.unreviewed_cues == 3


def test_a_failed_save_links_to_the_fields_and_keeps_the_ticks(app):
    client = app.test_client()
    login(client, "content")
    lesson_id, version = _recognised_version(app)
    editor = f"/studio/lessons/{lesson_id}/captions/{version}"
    form = editor_form(client, editor)
    form.update({"cue-1-confirmed": "yes", "cue-2-start": "soon"})
    response = post_form(client, editor, form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#cue-2-start"' in html
    # The form is sent to the editor's own address, never to a cue's fragment, so the error
    # summary takes the focus on the page that comes back.
    assert f'action="{editor}"' in html
    assert re.search(r'name="cue-1-confirmed" value="yes"[^>]* checked', html)
    assert not re.search(r'name="cue-0-confirmed" value="yes"[^>]* checked', html)
