"""Teach the player your voice (issue 27): a learner records their own commands with consent,
the player recognises them from those recordings, and the learner deletes them. The learner
whispers (espeak-ng's ko+whisper), which the general recogniser refuses: only the learner's own
recordings can serve them."""

from __future__ import annotations

import io
import subprocess
import wave

import pytest
from sqlalchemy import func, select

from accessible_learning.extensions import db
from accessible_learning.models import Lesson, VoiceSample
from conftest import csrf_from, login, post_form

pytestmark = pytest.mark.media


def whispered(text: str, speed: int, tmp_path) -> bytes:
    raw = tmp_path / "take.wav"
    subprocess.run(["espeak-ng", "-v", "ko+whisper", "-s", str(speed), "-w", str(raw), text],
                   check=True, capture_output=True)
    return subprocess.run(["ffmpeg", "-v", "error", "-i", str(raw), "-ar", "16000", "-ac", "1",
                           "-f", "s16le", "-"], check=True, capture_output=True).stdout


def as_wav(pcm: bytes) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(pcm)
    return out.getvalue()


def test_a_learner_teaches_the_player_their_voice_and_deletes_it(app, client, tmp_path):
    login(client, "learner")
    page = client.get("/account/voice").get_data(as_text=True)
    assert "I agree that my recordings" in page and "data-teach" not in page
    token = csrf_from(client, "/account/voice")
    headers = {"X-CSRFToken": token, "Content-Type": "application/octet-stream"}
    pause_175 = whispered("정지", 175, tmp_path)

    # Nothing is kept before the learner agrees.
    refused = client.post("/account/voice/pause?language=ko", data=pause_175, headers=headers)
    assert refused.status_code == 400 and "Agree to keep" in refused.json["error"]
    not_ticked = post_form(client, "/account/voice/consent", {"language": "ko"},
                           token_page="/account/voice", follow_redirects=True)
    assert "Nothing is recorded until you agree" in not_ticked.get_data(as_text=True)
    agreed = post_form(client, "/account/voice/consent", {"language": "ko", "agree": "yes"},
                       token_page="/account/voice", follow_redirects=True)
    assert "Record each command two or three times" in agreed.get_data(as_text=True)

    # Two takes of pause from the page's microphone, two of play as files.
    first = client.post("/account/voice/pause?language=ko", data=pause_175, headers=headers)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.json["count"] == 1 and first.json["message"] == "“정지” recorded: 1 of 3."
    second = client.post("/account/voice/pause?language=ko",
                         data=whispered("정지", 130, tmp_path), headers=headers)
    assert second.json["counted"] == "2 of 3"
    for speed in (175, 130):
        sent = post_form(client, "/account/voice/upload", {
            "language": "ko", "key": "play",
            "recording": (io.BytesIO(as_wav(whispered("재생", speed, tmp_path))), "play.wav")},
            token_page="/account/voice", follow_redirects=True,
            content_type="multipart/form-data")
        assert "“재생” recorded" in sent.get_data(as_text=True)
    page = client.get("/account/voice?language=ko").get_data(as_text=True)
    assert 'id="count-pause">2 of 3<' in page and 'id="count-play">2 of 3<' in page

    # Recordings that are no command, and commands that do not exist, are refused and say why.
    silent = client.post("/account/voice/pause?language=ko", data=bytes(32000), headers=headers)
    assert silent.status_code == 400 and "Nothing was heard" in silent.json["error"]
    odd = client.post("/account/voice/pause?language=ko", data=bytes(3201), headers=headers)
    assert odd.status_code == 400 and "not a recording we can read" in odd.json["error"]
    unknown = client.post("/account/voice/dance?language=ko", data=pause_175, headers=headers)
    assert unknown.status_code == 400 and "no such command" in unknown.json["error"]
    not_audio = post_form(client, "/account/voice/upload", {
        "language": "ko", "key": "play", "recording": (io.BytesIO(b"not audio"), "a.wav")},
        token_page="/account/voice", follow_redirects=True, content_type="multipart/form-data")
    assert "not a recording we can read" in not_audio.get_data(as_text=True)

    # The player now understands the learner's whisper, said at another speed.
    with app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).order_by(Lesson.id))
    post_form(client, "/courses/1/enrol", {}, token_page="/courses/1")
    lesson_token = csrf_from(client, f"/lessons/{lesson_id}")
    lesson_headers = {"X-CSRFToken": lesson_token, "Content-Type": "application/octet-stream"}
    pause_220 = whispered("정지", 220, tmp_path)
    heard = client.post(f"/lessons/{lesson_id}/voice", data=pause_220, headers=lesson_headers)
    assert (heard.json["command"], heard.json["decision"]) == ("pause", "act"), heard.json

    # A fourth take replaces the oldest: three are kept.
    for speed in (150, 200):
        client.post("/account/voice/pause?language=ko", data=whispered("정지", speed, tmp_path),
                    headers=headers)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(VoiceSample)
                                 .where(VoiceSample.command == "pause")) == 3

    # Deleting pause's recordings: the whisper is not understood any more.
    post_form(client, "/account/voice/delete", {"language": "ko", "key": "pause"},
              token_page="/account/voice")
    after = client.post(f"/lessons/{lesson_id}/voice", data=pause_220, headers=lesson_headers)
    assert after.json["command"] != "pause" or after.json["decision"] != "act", after.json

    # Another account sees nothing of them.
    other = app.test_client()
    login(other, "content")
    assert "I agree that my recordings" in other.get("/account/voice").get_data(as_text=True)

    # Deleting everything withdraws the consent.
    gone = post_form(client, "/account/voice/delete", {"language": "ko"},
                     token_page="/account/voice", follow_redirects=True)
    html = gone.get_data(as_text=True)
    assert "All your recordings are deleted (2)" in html and "I agree that my recordings" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(VoiceSample)) == 0
    again = client.post("/account/voice/pause?language=ko", data=pause_175, headers=headers)
    assert again.status_code == 400 and "Agree to keep" in again.json["error"]
