"""The caption editor splits, merges, deletes and adds cues, and undoes the last of these
changes, all before saving; saving keeps the review of the cues left unchanged."""

from __future__ import annotations

import html as html_lib
import re

from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import CaptionTrack, Lesson
from accessible_learning.services import captions
from conftest import login, post_form
from media_pipeline.captions import Cue

CUES = [Cue(0.5, 2.0, "치수를 잽니다."), Cue(2.5, 4.0, "줄자를 허리에 감습니다."),
        Cue(4.5, 6.0, "허리를 잽니다.")]
WORDS = [{"word": "허리를", "start": 4.5, "end": 5.0, "conf": 0.3},
         {"word": "잽니다.", "start": 5.2, "end": 5.8, "conf": 1.0}]


def _version(app) -> tuple[str, int]:
    with app.app_context():
        lesson = db.session.get(Lesson, 1)
        track = captions.add_track(lesson, CUES, source="auto", publish=False, words=WORDS,
                                   report=[])
        db.session.commit()
        return f"/studio/lessons/1/captions/{track.version}", track.version


def _form(html: str) -> dict:
    form = dict(re.findall(r'name="(cue-\d+-(?:start|end|origin))"[^>]*value="([^"]*)"', html))
    form.update((k, html_lib.unescape(v)) for k, v in
                re.findall(r'name="(cue-\d+-text)" rows="2">([^<]*)</textarea>', html))
    form.update(re.findall(r'name="(cue-\d+-confirmed)" value="(yes)"[^>]* checked', html))
    form["count"] = re.search(r'name="count" value="(\d+)"', html).group(1)
    undo = re.search(r'name="undo" value="([^"]*)"', html)
    if undo:
        form["undo"] = html_lib.unescape(undo.group(1))
    return form


def _texts(html: str) -> list[str]:
    return [html_lib.unescape(t) for t in
            re.findall(r'name="cue-\d+-text" rows="2">([^<]*)</textarea>', html)]


def _versions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CaptionTrack))


def test_split_merge_delete_add_and_undo_before_saving(app):
    client = app.test_client()
    login(client, "content")
    url, _version_ = _version(app)
    before = _versions(app)
    page = client.get(url).get_data(as_text=True)

    split = post_form(client, url, {**_form(page), "op": "split-1"}, token_page=url)
    html = split.get_data(as_text=True)
    assert split.status_code == 200
    assert _texts(html) == ["치수를 잽니다.", "줄자를", "허리에 감습니다.", "허리를 잽니다."]
    assert "Cue 2 is split in two: cues 2 and 3." in html
    assert re.search(r'role="status" tabindex="-1" data-focus-on-load>Cue 2 is split', html)
    origins = re.findall(r'name="cue-\d+-origin" value="([^"]*)"', html)
    assert origins == ["0", "1", "1", "2"]
    times = re.findall(r'name="cue-[12]-(?:start|end)"[^>]*value="([^"]*)"', html)
    assert float(times[0]) == 2.5 and float(times[1]) == float(times[2]) and float(times[3]) == 4.0

    undone = post_form(client, url, {**_form(html), "op": "undo"}, token_page=url)
    html = undone.get_data(as_text=True)
    assert _texts(html) == [c.text for c in CUES] and "The last change is undone." in html
    assert 'name="undo"' not in html  # one change can be undone, then there is nothing more

    merged = post_form(client, url, {**_form(html), "op": "merge-0"}, token_page=url)
    html = merged.get_data(as_text=True)
    assert _texts(html) == ["치수를 잽니다. 줄자를 허리에 감습니다.", "허리를 잽니다."]
    deleted = post_form(client, url, {**_form(html), "op": "delete-0"}, token_page=url)
    html = deleted.get_data(as_text=True)
    assert _texts(html) == ["허리를 잽니다."]
    # The cue left is unchanged: it keeps its flag (recognition was unsure of 허리를).
    assert "1 cue is still to check" in html
    added = post_form(client, url, {**_form(html), "op": "add-0"}, token_page=url)
    html = added.get_data(as_text=True)
    assert _texts(html) == ["허리를 잽니다.", ""]
    assert "A new, empty cue 2 is added" in html
    assert _versions(app) == before  # nothing saved by any of these

    form = {**_form(html), "cue-1-text": "[music]", "op": "save"}
    saved = post_form(client, url, form, token_page=url)
    assert saved.status_code == 302
    new_version = int(saved.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        track = db.session.scalar(select(CaptionTrack).where(
            CaptionTrack.lesson_id == 1, CaptionTrack.version == new_version))
        cues = captions.editable_cues(track)
        assert [c["text"] for c in cues] == ["허리를 잽니다.", "[music]"]
        assert (cues[1]["start"], cues[1]["end"]) == (6.0, 8.0)  # after the cue before it
        assert captions.open_cues(track) == [0]  # the flag survived every change before saving


def test_changes_our_editor_does_not_send_are_refused(app):
    client = app.test_client()
    login(client, "content")
    url, _v = _version(app)
    form = _form(client.get(url).get_data(as_text=True))
    for op in ("explode-1", "split-99", "merge-2", "split-x"):
        assert post_form(client, url, {**form, "op": op}, token_page=url).status_code == 400, op
    assert post_form(client, url, {**form, "op": "undo", "undo": "[{\"start\": \"soon\"}]"},
                     token_page=url).status_code == 400
    # A time that is not a time: the change is not made, the field is named.
    response = post_form(client, url, {**form, "cue-0-start": "soon", "op": "split-0"},
                         token_page=url)
    assert response.status_code == 400 and 'href="#cue-0-start"' in response.get_data(
        as_text=True)
