"""Sign-language videos (MAUR SL-1 … SL-5, issue 26): the studio uploads one per sign language
for the lesson's media (a real video made with ffmpeg, probed and stored by its content), lists
and removes them; the player offers them only while the lesson has the media they were made
for; the learner's sign-language choices are checked and kept."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accessible_learning import create_app
from accessible_learning.extensions import db
from accessible_learning.models import Lesson, MediaAsset, Preferences, SignVideo, User
from conftest import clone_instance, csrf_from, login, make_sign_video, post_form


def make_sound_only(path: Path) -> Path:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=2", "-c:a", "libopus", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("sign-videos")
    return {
        "kvk": make_sign_video(folder / "kvk.webm").read_bytes(),
        "csl": make_sign_video(folder / "csl.webm", colour="navy").read_bytes(),
        "with_sound": make_sign_video(folder / "sound.webm", audio=True).read_bytes(),
        "sound_only": make_sound_only(folder / "sound-only.webm").read_bytes(),
    }


@pytest.fixture
def sign_app(demo_template, tmp_path):
    app = create_app(clone_instance(demo_template, tmp_path / "instance", copy_media=True))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _lesson_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Lesson.id).order_by(Lesson.id))


def upload_sign(client, lesson_id: int, data: bytes, name: str = "interpreter.webm",
                language: str = "kvk", label: str = "", made_for: str | None = None):
    token = csrf_from(client, f"/studio/lessons/{lesson_id}")
    form = {"csrf_token": token, "sign_language": language, "sign_label": label,
            "sign_video": (io.BytesIO(data), name)}
    if made_for:
        form["sign_for"] = made_for
    return client.post(f"/studio/lessons/{lesson_id}/sign", data=form,
                       content_type="multipart/form-data")


def _signs(app) -> list[tuple[str, int, str]]:
    with app.app_context():
        return [(s.language, s.media_id, s.label) for s in
                db.session.scalars(select(SignVideo).order_by(SignVideo.id))]


def _learner_page(app, lesson_id: int) -> tuple[object, str]:
    client = app.test_client()
    login(client, "learner")
    with app.app_context():
        course_id = db.session.get(Lesson, lesson_id).course_id
    post_form(client, f"/courses/{course_id}/enrol", {}, token_page=f"/courses/{course_id}")
    page = client.get(f"/lessons/{lesson_id}")
    assert page.status_code == 200
    return client, page.get_data(as_text=True)


def test_upload_list_offer_and_remove(sign_app, videos):
    app = sign_app
    lesson_id = _lesson_id(app)
    studio = app.test_client()
    login(studio, "content")
    # The studio page has the form, and no sign video yet.
    page = studio.get(f"/studio/lessons/{lesson_id}").get_data(as_text=True)
    assert "No sign-language videos yet." in page and 'name="sign_video"' in page
    _client, player = _learner_page(app, lesson_id)
    assert "data-sign-controls" not in player and "data-sign-window" not in player

    response = upload_sign(studio, lesson_id, videos["kvk"], label="Kim Minji")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#sign-heading")
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        sign = lesson.sign_videos[0]
        assert (sign.language, sign.label, sign.media_id) == ("kvk", "Kim Minji", lesson.media_id)
        asset = sign.asset
        assert asset.mime_type == "video/webm" and asset.probe["has_video"]
        assert 4.5 < asset.duration_s < 5.5
        stored = Path(app.config["MEDIA_ROOT"]) / asset.filename
        assert stored.read_bytes() == videos["kvk"]  # kept under its content hash
        sign_url = f"/media/{asset.sha256}.webm"
    page = studio.get(f"/studio/lessons/{lesson_id}").get_data(as_text=True)
    assert "The video in Korean Sign Language is stored" in page
    assert "Korean Sign Language" in page and "Kim Minji" in page
    assert "the current media: learners get it" in page

    # A video with sound is a sign video too (its sound is never played).
    assert upload_sign(studio, lesson_id, videos["with_sound"], language="ase").status_code == 302
    assert [s[0] for s in _signs(app)] == ["kvk", "ase"]

    # The learner's player offers both, muted and beside the lesson's video; the file is theirs
    # to fetch, and a link to it is there without script.
    learner, player = _learner_page(app, lesson_id)
    assert "data-sign-controls" in player and "data-sign-window" in player
    options = re.findall(r'<option value="(\w*)"(?: data-src="([^"]+)")?', player.split(
        'id="player-sign"')[1].split("</select>")[0])
    assert [value for value, _src in options] == ["", "kvk", "ase"]
    assert options[1][1] == sign_url
    assert re.search(r"<video class=\"sign-video\" muted playsinline", player)
    assert f'<a href="{sign_url}">Watch the sign-language video: Korean Sign Language (Kim Minji)' \
        in player
    assert learner.get(sign_url).status_code == 200
    # The sign-language shortcuts are in the player's table and on the help page.
    assert "Sign-language video on or off" in player
    assert "Swap the sign-language video and the lesson video" in \
        learner.get("/help/player").get_data(as_text=True)

    # Removing one leaves the other; removing both takes the control away.
    with app.app_context():
        ids = list(db.session.scalars(select(SignVideo.id).order_by(SignVideo.id)))
    response = post_form(studio, f"/studio/lessons/{lesson_id}/sign/{ids[0]}/remove", {},
                         token_page=f"/studio/lessons/{lesson_id}")
    assert response.status_code == 302
    assert [s[0] for s in _signs(app)] == ["ase"]
    assert "The video in Korean Sign Language is removed" in studio.get(
        f"/studio/lessons/{lesson_id}").get_data(as_text=True)
    post_form(studio, f"/studio/lessons/{lesson_id}/sign/{ids[1]}/remove", {},
              token_page=f"/studio/lessons/{lesson_id}")
    assert _signs(app) == []
    _client, player = _learner_page(app, lesson_id)
    assert "data-sign-controls" not in player
    assert learner.get(sign_url).status_code == 404  # no longer a lesson's
    # A sign video that is not this lesson's: 404, nothing removed.
    response = post_form(studio, f"/studio/lessons/{lesson_id}/sign/999999/remove", {},
                         token_page=f"/studio/lessons/{lesson_id}")
    assert response.status_code == 404


def test_one_video_per_sign_language_for_a_media(sign_app, videos):
    app = sign_app
    lesson_id = _lesson_id(app)
    studio = app.test_client()
    login(studio, "content")
    assert upload_sign(studio, lesson_id, videos["kvk"]).status_code == 302
    with app.app_context():
        assets = db.session.scalar(select(func.count()).select_from(MediaAsset))
    media_files = sorted(p.name for p in Path(app.config["MEDIA_ROOT"]).iterdir())
    again = upload_sign(studio, lesson_id, videos["csl"], language="kvk")
    assert again.status_code == 400
    text = again.get_data(as_text=True)
    assert "This media already has a video in Korean Sign Language. Remove it below first" in text
    assert "<title>Error:" in text
    # Nothing was kept of the refused upload.
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MediaAsset)) == assets
    assert sorted(p.name for p in Path(app.config["MEDIA_ROOT"]).iterdir()) == media_files
    # Another sign language of the same lesson is welcome (SL-4).
    assert upload_sign(studio, lesson_id, videos["csl"], language="csl").status_code == 302
    assert [s[0] for s in _signs(app)] == ["kvk", "csl"]


def test_a_sign_video_made_for_earlier_media_is_not_offered(sign_app, videos):
    app = sign_app
    lesson_id = _lesson_id(app)
    studio = app.test_client()
    login(studio, "content")
    assert upload_sign(studio, lesson_id, videos["kvk"]).status_code == 302
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        old_media_id = lesson.media_id
        sign_asset = lesson.sign_videos[0].asset
        sign_url = f"/media/{sign_asset.sha256}.webm"
        # The lesson gets other media (as when captions made for new media are published).
        other = db.session.scalar(select(MediaAsset).where(
            MediaAsset.id != old_media_id, MediaAsset.id != sign_asset.id,
            MediaAsset.probe["has_video"].as_boolean().is_(True)).order_by(MediaAsset.id))
        lesson.media = other
        db.session.commit()
        assert lesson.offered_sign_videos == []
    learner, player = _learner_page(app, lesson_id)
    assert "data-sign-controls" not in player
    assert learner.get(sign_url).status_code == 404  # learners do not get it
    page = studio.get(f"/studio/lessons/{lesson_id}").get_data(as_text=True)
    assert "earlier media: learners do not get it" in page
    assert "learners no longer get a video made for the earlier media" in page
    assert studio.get(sign_url).status_code == 200  # the content team still does
    # A new video in the same sign language, made for the new media, is offered.
    assert upload_sign(studio, lesson_id, videos["csl"], language="kvk").status_code == 302
    _learner, player = _learner_page(app, lesson_id)
    assert "data-sign-controls" in player


def test_a_sign_video_for_new_media_waits_for_it(sign_app, videos):
    """While new media waits for its captions, a sign video can be made for it: learners get
    it with the new media, not before."""
    app = sign_app
    lesson_id = _lesson_id(app)
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        lesson.new_media = db.session.scalar(select(MediaAsset).where(
            MediaAsset.id != lesson.media_id).order_by(MediaAsset.id))
        db.session.commit()
        new_media_id = lesson.new_media_id
    studio = app.test_client()
    login(studio, "content")
    assert 'name="sign_for"' in studio.get(f"/studio/lessons/{lesson_id}").get_data(as_text=True)
    response = upload_sign(studio, lesson_id, videos["kvk"], made_for="new")
    assert response.status_code == 302
    assert _signs(app) == [("kvk", new_media_id, "")]
    page = studio.get(f"/studio/lessons/{lesson_id}").get_data(as_text=True)
    assert "stored for the new media" in page
    assert "the new media: learners get it when the new media is published" in page
    _learner, player = _learner_page(app, lesson_id)
    assert "data-sign-controls" not in player


def test_bad_sign_videos_are_refused_clearly(sign_app, videos, tmp_path):
    app = sign_app
    lesson_id = _lesson_id(app)
    studio = app.test_client()
    login(studio, "content")
    cases = [
        (videos["sound_only"], "sound.webm", "kvk", "", "has sound but no picture"),
        (b"MZ\x90\x00", "interpreter.exe", "kvk", "", "as a WebM or MP4 video file"),
        (b"a text file, not a video\n" * 20, "interpreter.webm", "kvk", "",
         "not a video or audio file that can be read"),
        (videos["kvk"], "interpreter.webm", "tlh", "", "Choose the sign language from the list."),
        (videos["kvk"], "interpreter.webm", "kvk", "x" * 101,
         "The label must be 100 characters or fewer."),
        (videos["kvk"], "interpreter.webm", "kvk", "Kim\u202eniM",
         "The label cannot contain control or text-direction characters."),
    ]
    for data, name, language, label, says in cases:
        response = upload_sign(studio, lesson_id, data, name, language, label)
        text = response.get_data(as_text=True)
        assert response.status_code == 400, (name, says)
        assert says in text, (name, says)
        assert "There is a problem" in text
    assert _signs(app) == []


def test_sign_language_preferences_are_checked_and_kept(sign_app, videos):
    app = sign_app
    lesson_id = _lesson_id(app)
    studio = app.test_client()
    login(studio, "content")
    upload_sign(studio, lesson_id, videos["kvk"])
    upload_sign(studio, lesson_id, videos["csl"], language="csl")
    learner, player = _learner_page(app, lesson_id)
    assert re.search(r'<option value="">Off</option>', player)
    assert ' selected>' not in player.split('id="player-sign"')[1].split("</select>")[0]

    # From the player: each choice on its own, and refused when it is not one of them.
    for name, value in [("sign_on", "true"), ("sign_language", "csl"), ("sign_layout", "swap"),
                        ("sign_corner", "top-left"), ("sign_size", "large")]:
        response = post_form(learner, "/preferences/player", {name: value},
                             token_page="/preferences", headers={"HX-Request": "true"})
        assert response.status_code == 204, (name, value)
    for name, value in [("sign_on", "yes"), ("sign_language", "xyz"), ("sign_layout", "side"),
                        ("sign_corner", "middle"), ("sign_size", "huge")]:
        response = post_form(learner, "/preferences/player", {name: value},
                             token_page="/preferences", headers={"HX-Request": "true"})
        assert response.status_code == 400, (name, value)
        assert "not one of the choices" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.role == "learner"))
        row = db.session.get(Preferences, user.id)
        assert (row.sign_on, row.sign_language, row.sign_layout, row.sign_corner,
                row.sign_size) == (True, "csl", "swap", "top-left", "large")
    player = learner.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    sign_list = player.split('id="player-sign"')[1].split("</select>")[0]
    assert re.search(r'<option value="csl"[^>]* selected>', sign_list)
    assert 'data-sign-corner="top-left" data-sign-size="large"' in player
    assert re.search(r'<option value="swap" selected>', player)

    # The preferences page offers them too, and saves them.
    page = learner.get("/preferences").get_data(as_text=True)
    assert 'id="sign_on"' in page and 'id="sign_layout-0"' in page
    response = post_form(learner, "/preferences", {
        "caption_size": "medium", "caption_color": "white", "caption_background": "black",
        "playback_speed": "1.0", "language": "en", "sign_on": "y", "sign_language": "kvk",
        "sign_layout": "beside", "sign_corner": "bottom-left", "sign_size": "small"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Preferences, user.id)
        assert (row.sign_on, row.sign_language, row.sign_layout, row.sign_corner,
                row.sign_size) == (True, "kvk", "beside", "bottom-left", "small")
    response = post_form(learner, "/preferences", {
        "caption_size": "medium", "caption_color": "white", "caption_background": "black",
        "playback_speed": "1.0", "language": "en", "sign_language": "xyz"})
    assert response.status_code == 400
    # A preferred sign language the lesson lacks: off, with the lesson's languages to choose.
    with app.app_context():
        row = db.session.get(Preferences, user.id)
        row.sign_language = "bfi"
        db.session.commit()
    player = learner.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert " selected>" not in player.split('id="player-sign"')[1].split("</select>")[0]
