"""The bad-input catalogue (issue 7, DESIGN.md §9): media, caption files, forms, JSON and URLs.

Every case asserts a clear error (its status and the words the person reads) and that the
database (every row of every table) and the media folder (every file, with its size) are the
same before and after. One app with its own copy of the media serves all the cases."""

from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from accessible_learning import create_app
from accessible_learning.extensions import db
from accessible_learning.models import Course, Enrolment, Submission, User
from accessible_learning.services import quizzes
from conftest import (
    DEMO_PASSWORDS,
    assert_valid_markup,
    clone_instance,
    csrf_from,
    is_document,
    login,
)

NOT_A_VIDEO = b"this is a text file, not a video\n" * 20
VIDEO_HEADER_ONLY = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01"  # WebM magic, then nothing
PLAYLIST = b"#EXTM3U\n#EXTINF:10,\nhttp://203.0.113.1/segment.ts\n#EXT-X-ENDLIST\n"
CONCAT = b"ffconcat version 1.0\nfile '/etc/passwd'\n"


@dataclass
class Case:
    name: str
    role: str | None  # None: anonymous
    method: str
    url: str  # may contain {lesson}, {food}, {noodles}, {quiz}, {attempt}, {submission}
    status: int
    says: str  # words the person is told
    form: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)  # name -> (bytes, filename)
    body: bytes | str | None = None  # a raw or JSON body
    content_type: str | None = None
    token_page: str | None = None  # where to take the CSRF token from (default: url)
    csrf: bool = True
    htmx: bool = False


def _upload(name, data):
    return {"media": (data, name)}


CASES = [
    # --- Media uploads (studio) ----------------------------------------------------------
    Case("lesson media: a text file", "content", "POST", "/studio/lessons/{lesson}/media", 400,
         "Upload a video or audio file", files=_upload("notes.txt", b"hello")),
    Case("lesson media: an empty file", "content", "POST", "/studio/lessons/{lesson}/media", 400,
         "empty", files=_upload("lesson.mp4", b"")),
    Case("lesson media: text named .mp4", "content", "POST", "/studio/lessons/{lesson}/media",
         400, "not a video or audio file", files=_upload("lesson.mp4", NOT_A_VIDEO)),
    Case("lesson media: a truncated WebM", "content", "POST", "/studio/lessons/{lesson}/media",
         400, "not a video or audio file", files=_upload("lesson.webm", VIDEO_HEADER_ONLY)),
    Case("lesson media: a playlist pointing to another host", "content", "POST",
         "/studio/lessons/{lesson}/media", 400, "not a video or audio file",
         files=_upload("lesson.mp4", PLAYLIST)),
    Case("lesson media: a concat file pointing at /etc/passwd", "content", "POST",
         "/studio/lessons/{lesson}/media", 400, "not a video or audio file",
         files=_upload("lesson.mp4", CONCAT)),
    Case("lesson media: no file chosen", "content", "POST", "/studio/lessons/{lesson}/media", 400,
         "Choose the lesson's video or audio file."),
    Case("lesson media: an .exe", "content", "POST", "/studio/lessons/{lesson}/media", 400,
         "Upload a video or audio file", files=_upload("lesson.exe", b"MZ\x90\x00")),
    # --- Sign-language videos (studio) ---------------------------------------------------
    Case("sign video: text named .webm", "content", "POST", "/studio/lessons/{lesson}/sign", 400,
         "not a video or audio file", form={"sign_language": "kvk"},
         files={"sign_video": (NOT_A_VIDEO, "interpreter.webm")},
         token_page="/studio/lessons/{lesson}"),
    Case("sign video: a truncated WebM", "content", "POST", "/studio/lessons/{lesson}/sign", 400,
         "not a video or audio file", form={"sign_language": "kvk"},
         files={"sign_video": (VIDEO_HEADER_ONLY, "interpreter.webm")},
         token_page="/studio/lessons/{lesson}"),
    Case("sign video: an audio file", "content", "POST", "/studio/lessons/{lesson}/sign", 400,
         "Upload the sign-language video as a WebM or MP4 video file.",
         form={"sign_language": "kvk"}, files={"sign_video": (b"ID3\x03", "interpreter.mp3")},
         token_page="/studio/lessons/{lesson}"),
    Case("sign video: no file chosen", "content", "POST", "/studio/lessons/{lesson}/sign", 400,
         "Choose the sign-language video file.", form={"sign_language": "kvk"},
         token_page="/studio/lessons/{lesson}"),
    Case("sign video: a sign language not offered", "content", "POST",
         "/studio/lessons/{lesson}/sign", 400, "Choose the sign language from the list.",
         form={"sign_language": "tlh"},
         files={"sign_video": (VIDEO_HEADER_ONLY, "interpreter.webm")},
         token_page="/studio/lessons/{lesson}"),
    Case("player preferences: a sign-video corner not offered", "learner", "POST",
         "/preferences/player", 400, "not one of the choices", form={"sign_corner": "middle"},
         htmx=True, token_page="/preferences"),
    # --- Caption and description files ---------------------------------------------------
    Case("captions: no WEBVTT header", "content", "POST",
         "/studio/lessons/{lesson}/captions/import", 400, "Line 1",
         files={"captions": (b"00:00:01.000 --> 00:00:02.000\nhello\n", "c.vtt")}),
    Case("captions: a timestamp that is not one", "content", "POST",
         "/studio/lessons/{lesson}/captions/import", 400, "Line 3",
         files={"captions": (b"WEBVTT\n\n00:01 --> 00:02\nhello\n", "c.vtt")}),
    Case("captions: end before start", "content", "POST",
         "/studio/lessons/{lesson}/captions/import", 400, "Line 3",
         files={"captions": (b"WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nhello\n", "c.vtt")}),
    Case("captions: a cue without text", "content", "POST",
         "/studio/lessons/{lesson}/captions/import", 400, "Line 3",
         files={"captions": (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n", "c.vtt")}),
    Case("captions: an SRT with a broken arrow", "content", "POST",
         "/studio/lessons/{lesson}/captions/import", 400, "The file has no cues",
         files={"captions": (b"1\n00:00:01,000 -> 00:00:02,000\nhello\n", "c.srt")}),
    Case("captions: binary garbage", "content", "POST", "/studio/lessons/{lesson}/captions/import",
         400, "There is a problem", files={"captions": (bytes(range(256)) * 8, "c.vtt")}),
    Case("caption editor: a cue text with an empty line, as a textarea sends it", "content",
         "POST", "/studio/lessons/{lesson}/captions/1", 400, "Cue 1: the text has an empty line",
         form={"count": "1", "cue-0-start": "0.5", "cue-0-end": "2.5",
               "cue-0-text": "a\r\n\r\nb"},
         token_page="/studio/lessons/{lesson}/captions/1"),
    Case("descriptions: a file with a bad time", "content", "POST",
         "/studio/lessons/{lesson}/descriptions/import", 400, "Line 3",
         files={"descriptions": (b"WEBVTT\n\nsoon --> later\nA tape measure.\n", "d.vtt")},
         token_page="/studio/lessons/{lesson}/descriptions"),
    Case("descriptions: a time that is not a time", "content", "POST",
         "/studio/lessons/{lesson}/descriptions", 400, "There is a problem",
         form={"time": "abc", "text": "A tape measure."}),
    Case("descriptions: no text", "content", "POST", "/studio/lessons/{lesson}/descriptions", 400,
         "There is a problem", form={"time": "1.0", "text": "   "}),
    Case("chapters: a line without a time", "content", "POST",
         "/studio/lessons/{lesson}/chapters", 400, "is not a time",
         form={"chapters": "0:00 Start\nlater Measuring"}, token_page="/studio/lessons/{lesson}"),
    # --- Forms ---------------------------------------------------------------------------
    Case("register: not an e-mail address", None, "POST", "/register", 400,
         "Enter an e-mail address in the form name@example.com.",
         form={"email": "nobody", "display_name": "A", "password": "a long enough phrase",
               "confirm": "a long enough phrase", "language": "en"}),
    Case("register: a short password", None, "POST", "/register", 400,
         "The password must be between 10 and 128 characters long.",
         form={"email": "a@example.org", "display_name": "A", "password": "short",
               "confirm": "short", "language": "en"}),
    Case("register: passwords differ", None, "POST", "/register", 400,
         "The two passwords are not the same.",
         form={"email": "a@example.org", "display_name": "A", "password": "a long enough phrase",
               "confirm": "another long phrase", "language": "en"}),
    Case("register: markup in the name", None, "POST", "/register", 400, "There is a problem",
         form={"email": "a@example.org", "display_name": "<script>alert(1)</script>",
               "password": "a long enough phrase", "confirm": "a long enough phrase",
               "language": "en"}),
    Case("log in: nothing typed", None, "POST", "/login", 400, "Enter your e-mail address.",
         form={"email": "", "password": ""}),
    Case("preferences: invisible captions", "learner", "POST", "/preferences", 400,
         "captions would be invisible",
         form={"caption_size": "medium", "caption_color": "white",
               "caption_background": "white", "playback_speed": "1.0", "language": "en"}),
    Case("preferences: a speed not offered", "learner", "POST", "/preferences", 400,
         "There is a problem",
         form={"caption_size": "medium", "caption_color": "white",
               "caption_background": "black", "playback_speed": "16", "language": "en"}),
    Case("player preferences: a colour not offered", "learner", "POST", "/preferences/player",
         400, "not one of the choices", form={"caption_color": "url(evil)"}, htmx=True,
         token_page="/preferences"),
    Case("preferences: a description volume of 82", "learner", "POST", "/preferences", 400,
         "The description volume is a whole number from 0 to 100, in steps of 5",
         form={"caption_size": "medium", "caption_color": "white",
               "caption_background": "black", "playback_speed": "1.0", "language": "en",
               "description_volume": "82"}),
    Case("preferences: a programme volume in words", "learner", "POST", "/preferences", 400,
         "The programme volume is a whole number from 0 to 100, in steps of 5",
         form={"caption_size": "medium", "caption_color": "white",
               "caption_background": "black", "playback_speed": "1.0", "language": "en",
               "programme_volume": "loud"}),
    Case("player preferences: a volume over 100", "learner", "POST", "/preferences/player",
         400, "A volume is a whole number from 0 to 100", form={"description_volume": "150"},
         htmx=True, token_page="/preferences"),
    Case("account: no name", "learner", "POST", "/account", 400,
         "Enter the name to show to others.", form={"display_name": "", "real_name": ""}),
    Case("quiz settings: pass mark 150", "content", "POST", "/studio/courses/{food}/quizzes", 400,
         "The pass mark is a whole number from 1 to 100.",
         form={"title": "Q", "pass_mark": "150", "lesson_id": "0"}),
    Case("quiz settings: a negative time limit", "content", "POST",
         "/studio/courses/{food}/quizzes", 400, "The time limit is a whole number of minutes",
         form={"title": "Q", "pass_mark": "50", "time_limit_min": "-3", "lesson_id": "0"}),
    Case("quiz question: two right answers to a single choice", "content", "POST",
         "/studio/quizzes/{quiz}/questions", 400, "exactly one right answer",
         form={"prompt": "?", "kind": "single", "choices-0-text": "a", "choices-0-correct": "y",
               "choices-1-text": "b", "choices-1-correct": "y"},
         token_page="/studio/quizzes/{quiz}"),
    Case("quiz question: a text question without accepted answers", "content", "POST",
         "/studio/quizzes/{quiz}/questions", 400, "at least one accepted answer",
         form={"prompt": "?", "kind": "text", "accepted": "  \n"},
         token_page="/studio/quizzes/{quiz}"),
    Case("practical settings: a rubric line without points", "content", "POST",
         "/studio/courses/{noodles}/practical", 400, "Rubric, line 1:",
         form={"brief": "Film it.", "rubric": "Even thickness"}),
    Case("quiz answers: a choice of another question", "learner", "POST", "/attempts/{attempt}",
         400, "does not belong to its question", form={"q-{q1}": "{foreign_choice}",
                                                       "action": "submit"}),
    Case("quiz answers: an answer to another quiz", "learner", "POST", "/attempts/{attempt}",
         400, "not in this quiz", form={"q-{foreign_question}": "{foreign_choice}",
                                        "action": "save"}),
    Case("quiz answers: all unanswered", "learner", "POST", "/attempts/{attempt}", 400,
         "Some questions are not answered.", form={"action": "submit"}),
    Case("review: a negative score", "examiner", "POST", "/examiner/submissions/{submission}", 400,
         "with a whole number from 0 to 10",
         form={"score": ["-1", "5", "5"], "outcome": "passed", "feedback": "ok"}),
    Case("review: a huge score", "examiner", "POST", "/examiner/submissions/{submission}", 400,
         "with a whole number from 0 to 10",
         form={"score": ["1e9", "5", "5"], "outcome": "passed", "feedback": "ok"}),
    Case("practical: a text file handed in", "learner", "POST", "/courses/{noodles}/practical",
         400, "Upload a video or audio file", files={"video": (b"hello", "work.txt")}),
    # --- JSON and raw bodies -------------------------------------------------------------
    Case("progress: NaN", "learner", "POST", "/lessons/{food_lesson}/progress", 400,
         "impossible times", body=json.dumps({"position": math.nan}),
         content_type="application/json", token_page="/lessons/{food_lesson}"),
    Case("progress: a reversed range", "learner", "POST", "/lessons/{food_lesson}/progress", 400,
         "impossible times", body=json.dumps({"position": 2, "played": [[5, 1]]}),
         content_type="application/json", token_page="/lessons/{food_lesson}"),
    Case("progress: not JSON", "learner", "POST", "/lessons/{food_lesson}/progress", 400,
         "was not understood", body="position=3", content_type="application/json",
         token_page="/lessons/{food_lesson}"),
    Case("progress: too many ranges", "learner", "POST", "/lessons/{food_lesson}/progress", 400,
         "impossible times",
         body=json.dumps({"position": 1, "played": [[i, i + 0.5] for i in range(300)]}),
         content_type="application/json", token_page="/lessons/{food_lesson}"),
    Case("voice: an odd number of bytes", "learner", "POST", "/lessons/{food_lesson}/voice", 400,
         "not understood as audio", body=b"\x00" * 3201, content_type="application/octet-stream",
         token_page="/lessons/{food_lesson}"),
    Case("voice: more than ten seconds", "learner", "POST", "/lessons/{food_lesson}/voice", 413,
         "at most 10 seconds", body=b"\x00" * (16000 * 2 * 11),
         content_type="application/octet-stream", token_page="/lessons/{food_lesson}"),
    # --- Passwords (issue 7) -----------------------------------------------------------------
    Case("new password: the two differ", "learner", "POST", "/account/password", 400,
         "The two passwords are not the same",
         form={"current": DEMO_PASSWORDS["learner"], "password": "a long pass phrase one",
               "confirm": "a long pass phrase two"}),
    Case("new password: 200 characters", "learner", "POST", "/account/password", 400,
         "between 10 and 128 characters",
         form={"current": DEMO_PASSWORDS["learner"], "password": "x" * 200, "confirm": "x" * 200}),
    Case("new password: the current one is wrong", "learner", "POST", "/account/password", 400,
         "The current password is wrong",
         form={"current": "not the password", "password": "a long pass phrase one",
               "confirm": "a long pass phrase one"}),
    Case("reset link: made up", None, "GET", "/reset-password/made-up-secret", 404,
         "The link is unknown, was already used"),
    Case("reset link: 500 characters", None, "GET", "/reset-password/" + "A" * 500, 404,
         "The link is unknown, was already used"),
    Case("reset link: a new password sent to a made-up link", None, "POST",
         "/reset-password/made-up-secret", 404, "Your password was not changed",
         form={"password": "a long pass phrase one", "confirm": "a long pass phrase one"},
         token_page="/login"),
    # --- URLs ------------------------------------------------------------------------------
    Case("a lesson that does not exist", "learner", "GET", "/lessons/999999", 404,
         "There is no page at this address"),
    Case("a course id that is not a number", None, "GET", "/courses/abc", 404,
         "There is no page at this address"),
    # Beyond any table's integer range (2⁶³ overflowed SQLite; 2³¹ overflows PostgreSQL's).
    Case("a course id beyond the integer range", None, "GET", "/courses/9223372036854775808",
         404, "There is no page at this address"),
    Case("a lesson id beyond the integer range", "learner", "GET", "/lessons/2147483648", 404,
         "There is no page at this address"),
    Case("a certificate id beyond the integer range", None, "GET",
         "/certificates/9223372036854775808", 404, "There is no page at this address"),
    Case("an attempt id beyond the integer range, autosaved", "learner", "POST",
         "/attempts/9223372036854775808/autosave", 404, "There is no page at this address",
         form={"q1": "1"}),
    Case("media with a made-up hash", "content", "GET", "/media/" + "0" * 64 + ".webm", 404,
         "There is no page at this address"),
    Case("media path traversal", "content", "GET", "/media/..%2f..%2fsecret_key", 404,
         "There is no page at this address"),
    Case("another attempt id", "learner", "GET", "/attempts/999999", 404,
         "There is no page at this address"),
    Case("a verification code with markup", None, "GET", "/verify?code=%3Cscript%3Ex", 200,
         "No certificate has this code"),
    Case("a form without its CSRF token", "learner", "POST", "/courses/{food}/enrol", 400,
         "security token", csrf=False),
    # --- Long lists, a page at a time ------------------------------------------------------
    Case("users list: a page number in words", "admin", "GET", "/admin/users?page=two", 400,
         "The page number must be a whole number of 1 or more."),
    Case("users list: a negative page", "admin", "GET", "/admin/users?page=-3", 400,
         "The page number must be a whole number of 1 or more."),
    Case("users list: a page after the last", "admin", "GET", "/admin/users?page=7", 404,
         "There is no page 7: the list has 1 page."),
    Case("users list: an unknown role", "admin", "GET", "/admin/users?role=superuser", 400,
         "Role: Choose a role from the list."),
    Case("users list: a 101-character search", "admin", "GET", "/admin/users?q=" + "x" * 101,
         400, "Search with 100 characters or fewer."),
    Case("examiner queue: page zero", "examiner", "GET", "/examiner/?page=0", 400,
         "The page number must be a whole number of 1 or more."),
    Case("examiner queue: a page after the last", "examiner", "GET", "/examiner/?page=2", 404,
         "There is no page 2: the list has 1 page."),
    # --- Authoring (studio) -------------------------------------------------------------
    Case("new course: no title", "content", "POST", "/studio/courses/new", 400,
         "Course title: Give the course a title.",
         form={"title": "", "trade_id": "1", "language": "ko"}),
    Case("new course: a title that reads backwards", "content", "POST", "/studio/courses/new",
         400, "The title cannot contain control or text-direction characters.",
         form={"title": "Sewing \u202egniwes", "trade_id": "1", "language": "ko"}),
    Case("new course: a trade that does not exist", "content", "POST", "/studio/courses/new",
         400, "Trade: Choose the trade the course teaches.",
         form={"title": "Knitting", "trade_id": "4242", "language": "ko"}),
    Case("new course: a language not offered", "content", "POST", "/studio/courses/new", 400,
         "Choose the language spoken in the media.",
         form={"title": "Knitting", "trade_id": "1", "language": "tlh"}),
    Case("course details: the title emptied", "content", "POST", "/studio/courses/{food}", 400,
         "Give the course a title.", form={"title": " ", "trade_id": "1", "language": "ko"}),
    Case("new lesson: a 201-character title", "content", "POST",
         "/studio/courses/{food}/lessons/new", 400,
         "The title must be 200 characters or fewer.",
         form={"title": "x" * 201, "language": "ko"}),
    Case("lesson details: a 5,001-character description", "content", "POST",
         "/studio/lessons/{lesson}/details", 400,
         "The description must be 5,000 characters or fewer.",
         form={"title": "Measuring", "summary": "y" * 5001, "language": "ko"}),
    Case("course state: an action that does not exist", "content", "POST",
         "/studio/courses/{food}/state", 400, "The request could not be understood.",
         form={"action": "delete"}),
    Case("lesson order: a direction that does not exist", "content", "POST",
         "/studio/lessons/{lesson}/move", 400, "The request could not be understood.",
         form={"direction": "sideways"}),
    # --- People (administration) --------------------------------------------------------
    Case("user role: a role that does not exist", "admin", "POST", "/admin/users/1/role", 400,
         "Choose a role from the list.", form={"role": "superuser"}),
    Case("user account: an action that does not exist", "admin", "POST",
         "/admin/users/1/state", 400, "The request could not be understood.",
         form={"action": "ban"}),
    Case("delete account: the wrong e-mail address", "admin", "POST", "/admin/users/1/delete",
         400, "That is not this account&#39;s e-mail address, so nothing was deleted.",
         form={"confirm_email": "someone.else@example.org"}),
    Case("delete account: nothing typed", "admin", "POST", "/admin/users/1/delete", 400,
         "Type the e-mail address shown above: nothing is deleted without it.",
         form={"confirm_email": ""}),
    Case("audit log: page zero", "admin", "GET", "/admin/audit?page=0", 400,
         "The page number must be a whole number of 1 or more."),
    # --- Bringing in a staff list (administration) ----------------------------------------
    Case("staff list: no file", "admin", "POST", "/admin/import", 400,
         "Choose the CSV file of the staff list."),
    Case("staff list: a spreadsheet saved as UTF-16", "admin", "POST", "/admin/import", 400,
         "The file is not UTF-8 text.",
         files={"staff_list": ("name,email\nKim,kim@example.org\n".encode("utf-16"),
                               "staff.csv")}),
    Case("staff list: columns not named", "admin", "POST", "/admin/import", 400,
         "Missing: name, email.",
         files={"staff_list": (b"Kim,kim@example.org\nLee,lee@example.org\n", "staff.csv")}),
    Case("staff list: one wrong row among good ones", "admin", "POST", "/admin/import", 400,
         "Line 3: “lee-at-example.org” is not an e-mail address.",
         files={"staff_list": (b"name,email\nKim,kim@example.org\nLee,lee-at-example.org\n"
                               b"Park,park@example.org\n", "staff.csv")}),
    Case("staff list: a course that does not exist", "admin", "POST", "/admin/import", 400,
         "there is no published course “Basket weaving”",
         files={"staff_list": (b"name,email,courses\nKim,kim@example.org,Basket weaving\n",
                               "staff.csv")}),
    Case("organisation: no name", "admin", "POST", "/admin/organisations", 400,
         "Give the organisation a name.", form={"name": ""}),
    Case("report: an organisation that does not exist", "admin", "GET",
         "/admin/reports?organisation=424242", 400, "Choose an organisation from the list."),
]


def _fill(template, ids: dict):
    if isinstance(template, str):
        return template.format(**ids)
    if isinstance(template, list):
        return [_fill(t, ids) for t in template]
    return template


def _db_fingerprint(app) -> str:
    digest = hashlib.sha256()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name == "login_failures":
                continue  # a wrong password is recorded on purpose: the pauses count them
            rows = db.session.execute(select(table)).all()
            digest.update(table.name.encode())
            for row in sorted(repr(tuple(r)) for r in rows):
                digest.update(row.encode())
    return digest.hexdigest()


def _media_fingerprint(app) -> list[tuple[str, int]]:
    root = Path(app.config["MEDIA_ROOT"])
    return sorted((str(p.relative_to(root)), p.stat().st_size)
                  for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def catalogue_app(demo_template, tmp_path_factory):
    config = clone_instance(demo_template, tmp_path_factory.mktemp("bad-input"), copy_media=True)
    app = create_app(config)
    clients = {}
    for role in ("learner", "content", "examiner", "admin"):
        clients[role] = app.test_client()
        login(clients[role], role)
    clients[None] = app.test_client()
    with app.app_context():
        learner = db.session.scalar(select(User).where(User.role == "learner"))
        food = db.session.scalar(select(Course).where(Course.title.like("Food safety%")))
        noodles = db.session.scalar(select(Course).where(Course.practical_brief.is_not(None)))
        for course in (food, noodles):
            db.session.add(Enrolment(user_id=learner.id, course_id=course.id))
        quiz = food.quizzes[0]
        other = quizzes.create(noodles, "Other quiz", "", 50, None)
        foreign = quizzes.save_question(other, "single", "?", "", [
            quizzes.ChoiceInput("a", True), quizzes.ChoiceInput("b")], [])
        attempt = quizzes.start(learner, quiz)
        submission = Submission(user_id=learner.id, course_id=noodles.id,
                                media_id=food.lessons[0].media_id, note="", status="waiting")
        db.session.add(submission)
        db.session.commit()
        ids = {"lesson": 1, "food": food.id, "noodles": noodles.id, "quiz": quiz.id,
               "food_lesson": food.lessons[0].id, "attempt": attempt.id,
               "submission": submission.id, "q1": quiz.questions[0].id,
               "foreign_question": foreign.id, "foreign_choice": foreign.choices[0].id}
    yield app, clients, ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_catalogue_has_at_least_40_cases():
    assert len(CASES) >= 40
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_refused_clearly_and_changes_nothing(catalogue_app, case):
    app, clients, ids = catalogue_app
    client = clients[case.role]
    url = _fill(case.url, ids)
    headers = {"HX-Request": "true"} if case.htmx else {}
    # The CSRF token is the session's: any page with a form carries it.
    token = csrf_from(client, _fill(case.token_page or "/", ids)) if (
        case.csrf and case.method == "POST") else None
    before = (_db_fingerprint(app), _media_fingerprint(app))
    if case.method == "GET":
        response = client.get(url)
    elif case.body is not None:
        headers["X-CSRFToken"] = token or ""
        response = client.post(url, data=case.body, content_type=case.content_type,
                               headers=headers)
    else:
        data = {k.format(**ids): _fill(v, ids) for k, v in case.form.items()}
        for name, (payload, filename) in case.files.items():
            data[name] = (io.BytesIO(payload), filename)
        if token:
            data["csrf_token"] = token
        response = client.post(url, data=data, headers=headers,
                               content_type="multipart/form-data" if case.files else None)
    page = response.get_data(as_text=True)
    assert response.status_code == case.status, (case.name, response.status_code, page[:500])
    assert case.says in page, (case.name, page[page.find("<main"):][:1500])
    assert (_db_fingerprint(app), _media_fingerprint(app)) == before, case.name
    if is_document(response):  # the page that says what went wrong is valid HTML too
        assert_valid_markup(page, case.name)
