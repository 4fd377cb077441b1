"""Page weight (issue 29: every page under 50 KB on the wire before media, for learners on
2G-like links): each page a learner opens, with the CSS and JS it loads, as sent to a browser
that accepts what Chromium accepts. offline.js counts where the page loads it (a lesson that
can be taken away, the saved list, an offline answer sheet). Not counted: media, and hls.js,
the engine that plays a lesson's smaller versions, loaded once for a lesson that has them
(its size is printed by make bench). Media is never compressed, and ranges of a video still
work."""

from __future__ import annotations

import gzip
import re
import zlib

import brotli
from sqlalchemy import select

from accessible_learning import static_files
from accessible_learning.extensions import db
from accessible_learning.models import Lesson, Quiz
from accessible_learning.services import renditions
from conftest import login, post_form

BUDGET = 50 * 1000
ACCEPT = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # as Chromium sends it
OFFLINE_MARKS = ("data-offline-save", "data-offline-saved", "data-offline-quiz")


def _decode(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    assert encoding in {"gzip", "br", "deflate", "zstd"}, (response.request.path, encoding)
    if encoding == "br":
        return brotli.decompress(response.data)
    if encoding == "deflate":
        return zlib.decompress(response.data)
    if encoding == "zstd":
        from backports import zstd

        return zstd.decompress(response.data)
    return gzip.decompress(response.data)


def _weight(client, path: str) -> tuple[int, int, list[str]]:
    """Bytes sent for the page and what it loads, the same uncompressed, and the assets."""
    page = client.get(path, headers=ACCEPT)
    assert page.status_code == 200, path
    html = _decode(page).decode()
    assets = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', html)))
    if any(mark in html for mark in OFFLINE_MARKS):
        assets.append(re.search(r'data-offline-script="([^"]+)"', html)[1])
    sent, raw = len(page.data), len(html.encode())
    for asset in assets:
        response = client.get(asset, headers=ACCEPT)
        response.make_sequence()  # static files may be streamed
        assert response.status_code == 200, asset
        sent += len(response.data)
        raw += len(_decode(response))
    return sent, raw, assets


def test_every_page_a_learner_opens_weighs_under_50_kb_on_the_wire(own_media_app):
    app = own_media_app
    client = app.test_client()
    login(client, "learner")
    with app.app_context():
        lessons = db.session.scalars(select(Lesson).order_by(Lesson.id)).all()
        for course_id in sorted({lesson.course_id for lesson in lessons}):
            post_form(client, f"/courses/{course_id}/enrol", {},
                      token_page=f"/courses/{course_id}")
        renditions.make(lessons[0].media)  # a lesson that can be taken away
        db.session.commit()
        lesson_ids = [lesson.id for lesson in lessons]
        quiz_id = db.session.scalar(select(Quiz.id))
    pages = ["/", "/courses", "/courses/1", "/dashboard", "/preferences", "/account",
             f"/quizzes/{quiz_id}", f"/quizzes/{quiz_id}/offline", "/offline", "/offline/kept",
             f"/lessons/{lesson_ids[0]}/transcript", "/help/player",
             *(f"/lessons/{n}" for n in lesson_ids)]
    weights = {path: _weight(client, path) for path in pages}
    heavy = {path: (sent, raw) for path, (sent, raw, _assets) in weights.items()
             if sent >= BUDGET}
    assert not heavy, heavy
    sent, raw, assets = weights[f"/lessons/{lesson_ids[0]}"]
    assert any("player" in a for a in assets) and "/static/js/offline.js" in assets
    assert sent < raw / 3  # compression is really doing the work


def test_scripts_and_styles_are_minified_and_compressed_at_the_strongest_level(client):
    first = client.get("/static/js/player/player.js", headers={"Accept-Encoding": "br"})
    assert first.headers["Content-Encoding"] == "br"
    with open("static/js/player/player.js", "rb") as handle:
        source = handle.read()
    small = static_files.minified("js/player/player.js", source)
    assert len(small) < 0.8 * len(source) and small.startswith(b"import{setUpChapters}")
    assert brotli.decompress(first.data) == small
    assert len(first.data) == len(brotli.compress(small, quality=11))
    vendored = client.get("/static/vendor/htmx-2.0.11.min.js", headers={"Accept-Encoding": "br"})
    with open("static/vendor/htmx-2.0.11.min.js", "rb") as handle:
        assert brotli.decompress(vendored.data) == handle.read()  # already minified: as it is
    again = client.get("/static/js/player/player.js",
                       headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    plain = client.get("/static/js/player/player.js", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    plain.make_sequence()
    assert plain.data == source


def _lesson(app) -> tuple[int, int, str]:
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        return lesson.id, lesson.course_id, f"/media/{lesson.media.sha256}.{lesson.media.extension}"


def test_media_is_not_compressed_and_ranges_still_work(app, client):
    lesson_id, course_id, media = _lesson(app)
    login(client, "content")
    response = client.get(media, headers={"Accept-Encoding": "gzip, br",
                                          "Range": "bytes=0-99"})
    assert response.status_code == 206 and len(response.data) == 100
    assert "Content-Encoding" not in response.headers
