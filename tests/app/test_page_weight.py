"""Page weight of the lesson page: HTML, CSS and JS as sent to a browser that accepts
compression (issue 7: under 100 KB, excluding media). Media is never compressed, and ranges of
a video still work."""

from __future__ import annotations

import gzip
import re
import zlib

import brotli
from sqlalchemy import select

from accessible_learning.extensions import db
from accessible_learning.models import Lesson
from conftest import login, post_form

BUDGET = 100 * 1024
ACCEPT = {"Accept-Encoding": "gzip, deflate, br"}  # as Chromium sends it


def _decode(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    assert encoding in {"gzip", "br", "deflate"}, (response.request.path, encoding)
    if encoding == "br":
        return brotli.decompress(response.data)
    if encoding == "deflate":
        return zlib.decompress(response.data)
    return gzip.decompress(response.data)


def _lesson(app) -> tuple[int, int, str]:
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
        return lesson.id, lesson.course_id, f"/media/{lesson.media.sha256}.{lesson.media.extension}"


def test_lesson_page_with_its_css_and_js_weighs_under_100_kb_compressed(app, client):
    lesson_id, course_id, _media = _lesson(app)
    login(client, "learner")
    post_form(client, f"/courses/{course_id}/enrol", {}, token_page=f"/courses/{course_id}")
    page = client.get(f"/lessons/{lesson_id}", headers=ACCEPT)
    assert page.status_code == 200
    html = _decode(page).decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', html)
    assert any(a.endswith(".css") for a in assets) and any("player" in a for a in assets)
    sent, raw = len(page.data), len(html.encode())
    for asset in assets:
        response = client.get(asset, headers=ACCEPT)
        response.make_sequence()  # static files are streamed
        assert response.status_code == 200
        sent += len(response.data)
        raw += len(_decode(response))
    assert sent < BUDGET, f"{sent} bytes sent ({raw} uncompressed)"
    assert sent < raw / 2  # compression is really doing the work


def test_media_is_not_compressed_and_ranges_still_work(app, client):
    lesson_id, course_id, media = _lesson(app)
    login(client, "content")
    response = client.get(media, headers={"Accept-Encoding": "gzip, br",
                                          "Range": "bytes=0-99"})
    assert response.status_code == 206 and len(response.data) == 100
    assert "Content-Encoding" not in response.headers
