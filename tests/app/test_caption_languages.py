"""Captions in several languages (MAUR CC-26) and a transcript language of its own (CN-10): the
content team imports or writes a translation, reviewed and published like the lesson's own
captions; learners choose the language of captions and, apart from it, of the transcript; and
speaker labels (CC-21) are edited in the studio and read by learners."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.models import CaptionTrack, Lesson
from accessible_learning.services import captions
from conftest import csrf_from, editor_form, login, post_form

ENGLISH = (b"WEBVTT\n\n00:00:00.500 --> 00:00:02.000\n<v Teacher>We measure first.\n\n"
           b"00:00:02.500 --> 00:00:04.000\n<v Teacher>Then we cut.\n")


def _import(client, lesson_id: int, data: bytes, language: str):
    page = f"/studio/lessons/{lesson_id}"
    return client.post(f"{page}/captions/import", data={
        "csrf_token": csrf_from(client, page), "language": language,
        "captions": (io.BytesIO(data), "captions.vtt")})


def _version(response) -> int:
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _tracks(app, lesson_id: int) -> list[tuple]:
    with app.app_context():
        return [(t.version, t.language, t.translation, t.status) for t in db.session.scalars(
            select(CaptionTrack).where(CaptionTrack.lesson_id == lesson_id)
            .order_by(CaptionTrack.version))]


def test_an_imported_translation_is_published_beside_the_lessons_own(app):
    client = app.test_client()
    login(client, "content")
    before = _tracks(app, 1)
    own = [t for t in before if t[3] == "published"]
    assert len(own) == 1 and own[0][1] == "ko" and not own[0][2]

    response = _import(client, 1, ENGLISH, "en")
    assert response.status_code == 302
    version = _version(response)
    assert _tracks(app, 1)[-1] == (version, "en", True, "draft")
    studio_page = client.get("/studio/lessons/1").get_data(as_text=True)
    assert re.search(r'<span lang="en">English</span> <span class="muted">\(translation\)',
                     studio_page)

    published = post_form(client, f"/studio/lessons/1/captions/{version}/publish", {},
                          token_page="/studio/lessons/1", follow_redirects=True)
    assert f"Version {version} is published" in published.get_data(as_text=True)
    # The lesson's own captions stay published: one version a language.
    statuses = {t[0]: t[3] for t in _tracks(app, 1)}
    assert statuses[own[0][0]] == "published" and statuses[version] == "published"
    assert "Learners can choose captions in: English." in client.get(
        "/studio/lessons/1").get_data(as_text=True)

    # A second English version takes the first one's place, not the Korean one's.
    again = _version(_import(client, 1, ENGLISH.replace(b"first", b"twice"), "en"))
    post_form(client, f"/studio/lessons/1/captions/{again}/publish", {},
              token_page="/studio/lessons/1")
    statuses = {t[0]: t[3] for t in _tracks(app, 1)}
    assert (statuses[own[0][0]], statuses[version], statuses[again]) == (
        "published", "draft", "published")

    learner = app.test_client()
    _enrolled(learner)
    page = learner.get("/lessons/1").get_data(as_text=True)
    tracks = re.findall(r'<track kind="captions" src="([^"]+)" srclang="(\w+)" label="([^"]+)"',
                        page)
    assert [(src.replace("&amp;", "&"), lang, label) for src, lang, label in tracks] == [
        ("/lessons/1/captions.vtt", "ko", "한국어"),
        ("/lessons/1/captions.vtt?lang=en", "en", "English")]
    assert 'id="player-caption-language"' in page
    assert re.search(r'<option value="ko" lang="ko" selected>한국어</option>', page)
    english = learner.get("/lessons/1/captions.vtt?lang=en").get_data(as_text=True)
    # The speaker is named where it changes, once.
    assert "<v Teacher>Teacher: We measure twice." in english
    assert "<v Teacher>Then we cut." in english
    assert learner.get("/lessons/1/captions.vtt?lang=fr").status_code == 404
    assert "We measure" not in learner.get("/lessons/1/captions.vtt").get_data(as_text=True)


def _enrolled(client) -> None:
    login(client, "learner")
    post_form(client, "/courses/1/enrol", {}, token_page="/courses/1")


def _publish_english(app, client) -> int:
    version = _version(_import(client, 1, ENGLISH, "en"))
    post_form(client, f"/studio/lessons/1/captions/{version}/publish", {},
              token_page="/studio/lessons/1")
    return version


def test_learners_choose_caption_and_transcript_languages_apart(app):
    content = app.test_client()
    login(content, "content")
    _publish_english(app, content)
    learner = app.test_client()
    _enrolled(learner)

    # The transcript in the lesson's own language, then in English when asked.
    own = learner.get("/lessons/1/transcript", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert '<ol class="transcript-lines" lang="ko">' in own
    assert 'id="transcript-language"' in own and 'hx-trigger="change"' in own
    english = learner.get("/lessons/1/transcript?lang=en", headers={"HX-Request": "true"})
    html = english.get_data(as_text=True)
    assert '<ol class="transcript-lines" lang="en">' in html
    assert '<span class="speaker">Teacher:</span>' in html and "We measure first." in html
    assert html.count('class="speaker"') == 1  # named where the speaker changes
    # Searching keeps the language; the page and the text file follow it.
    assert 'name="lang" value="en"' in html
    assert "Then we <mark>cut</mark>." in learner.get(
        "/lessons/1/transcript?lang=en&q=cut").get_data(as_text=True)
    text = learner.get("/lessons/1/transcript.txt?lang=en").get_data(as_text=True)
    assert "Teacher: We measure first." in text
    # A language the lesson lacks gives its own.
    assert 'lang="ko"' in learner.get("/lessons/1/transcript?lang=fr").get_data(as_text=True)

    # Captions in English, the transcript in Korean: saved from the player, apart.
    token = csrf_from(learner, "/lessons/1")
    for name, value in (("caption_language", "en"), ("transcript_language", "ko"),
                        ("captions_on", "true")):
        saved = learner.post("/preferences/player", data={name: value, "csrf_token": token},
                             headers={"HX-Request": "true"})
        assert saved.status_code == 204
    page = learner.get("/lessons/1").get_data(as_text=True)
    assert re.search(r'srclang="en" label="English" default', page)
    assert not re.search(r'srclang="ko" label="[^"]+" default', page)
    assert re.search(r'<option value="en" lang="en" selected>English</option>', page)
    panel = learner.get("/lessons/1/transcript", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert '<ol class="transcript-lines" lang="ko">' in panel
    # A language that is not offered is refused, and nothing changes.
    refused = learner.post("/preferences/player", data={"caption_language": "xx",
                                                         "csrf_token": token},
                           headers={"HX-Request": "true"})
    assert refused.status_code == 400
    assert re.search(r'srclang="en" label="English" default',
                     learner.get("/lessons/1").get_data(as_text=True))
    # On the preferences page too.
    form = learner.get("/preferences").get_data(as_text=True)
    caption_list = re.search(r'<select[^>]*id="caption_language".*?</select>', form, re.S)
    assert re.search(r'<option[^>]*\bselected\b[^>]*>English</option>', caption_list.group(0))


def test_a_translation_starts_from_the_lessons_captions_and_is_reviewed(app):
    client = app.test_client()
    login(client, "content")
    response = post_form(client, "/studio/lessons/1/captions/translate", {"language": "zh"},
                         token_page="/studio/lessons/1")
    assert response.status_code == 302
    version = _version(response)
    editor = f"/studio/lessons/1/captions/{version}"
    with app.app_context():
        lesson = db.session.get(Lesson, 1)
        own = lesson.published_captions
        draft = captions.track(lesson, version)
        assert (draft.language, draft.translation, draft.status) == ("zh", True, "draft")
        assert [(c["start"], c["end"]) for c in captions.editable_cues(draft)] == [
            (c["start"], c["end"]) for c in captions.editable_cues(own)]
        count = len(captions.editable_cues(own))
        own_texts = [" ".join(c["text"].split()) for c in captions.editable_cues(own)]
        assert captions.open_cues(draft) == list(range(count))
    page = client.get(editor).get_data(as_text=True)
    assert "A translation into 中文." in page
    assert page.count("Not translated yet") == count
    # Beside each cue, the lesson's caption it translates, tied to the text box.
    assert f'<span lang="ko">{own_texts[0]}</span>' in page
    assert 'aria-describedby="cue-0-original"' in page

    refused = post_form(client, f"{editor}/publish", {}, token_page=editor,
                        follow_redirects=True)
    assert f"is not published: {count} cues are still to check" in refused.get_data(as_text=True)

    # Writing every cue in Chinese (and naming the first speaker) closes them.
    form = editor_form(client, editor)
    for i in range(count):
        form[f"cue-{i}-text"] = f"第{i + 1}句。"
    form["cue-0-speaker"] = "老师"
    saved = post_form(client, editor, form)
    second = _version(saved)
    with app.app_context():
        track = captions.track(db.session.get(Lesson, 1), second)
        assert (track.language, track.translation) == ("zh", True)
        assert captions.open_cues(track) == []
        assert "<v 老师>第1句。" in track.vtt
    published = post_form(client, f"/studio/lessons/1/captions/{second}/publish", {},
                          token_page=editor, follow_redirects=True)
    assert f"Version {second} is published" in published.get_data(as_text=True)
    with app.app_context():
        lesson = db.session.get(Lesson, 1)
        assert [t.language for t in lesson.published_translations] == ["zh"]
        assert lesson.published_captions.language == "ko"
    # The editor shows the speaker to change it.
    assert 'name="cue-0-speaker" maxlength="60" value="老师"' in client.get(
        f"/studio/lessons/1/captions/{second}").get_data(as_text=True)


def test_a_translation_made_for_earlier_media_is_not_offered(app):
    client = app.test_client()
    login(client, "content")
    _publish_english(app, client)
    with app.app_context():
        lesson = db.session.get(Lesson, 1)
        assert [t.language for t in lesson.published_translations] == ["en"]
        other = db.session.get(Lesson, 2)
        lesson.media_id = other.media_id  # the lesson's media replaced (as publishing does)
        db.session.commit()
        assert db.session.get(Lesson, 1).published_translations == []


def test_wrong_translation_requests_are_refused_and_nothing_is_made(app):
    client = app.test_client()
    login(client, "content")
    before = _tracks(app, 1)
    for language, message in (("", "Choose the language to translate into."),
                              ("ko", "Not a valid choice"), ("xx", "Not a valid choice")):
        response = post_form(client, "/studio/lessons/1/captions/translate",
                             {"language": language}, token_page="/studio/lessons/1")
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and message in html, language
        assert 'href="#translation-language"' in html
    bad_import = _import(client, 1, ENGLISH, "xx")
    assert bad_import.status_code == 400
    assert 'href="#import-language"' in bad_import.get_data(as_text=True)
    assert _tracks(app, 1) == before
    # A lesson without captions has nothing to translate.
    with app.app_context():
        lesson = db.session.get(Lesson, 1)
        for track in list(lesson.caption_tracks):
            db.session.delete(track)
        db.session.commit()
    response = post_form(client, "/studio/lessons/1/captions/translate", {"language": "en"},
                         token_page="/studio/lessons/1")
    assert response.status_code == 400
    assert "The lesson has no captions to translate yet." in response.get_data(as_text=True)
