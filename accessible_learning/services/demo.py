"""The bundled demo: one user per role and courses whose lesson videos are made on this machine.

Seed data only: the application's logic must not depend on it (the `demo` commands and the
benchmarks call it).
"""

from __future__ import annotations

import secrets
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from media_pipeline import narration
from media_pipeline.describe import Description, authored_vtt
from media_pipeline.errors import MediaError
from media_pipeline.pipeline import caption
from media_pipeline.speech_models import ModelNotFound

from ..extensions import db
from ..models import (
    Course,
    DescriptionTrack,
    Enrolment,
    Lesson,
    Organisation,
    Submission,
    Trade,
    User,
    utcnow,
)
from ..security import hash_password
from . import accounts, captions, chapters, descriptions, media, practical, quizzes

DEMO_USERS = [
    # role, e-mail, display name, password
    ("learner", "learner@example.org", "Demo learner", "learner-demo-pass"),
    ("content", "content@example.org", "Demo content team", "content-demo-pass"),
    ("examiner", "examiner@example.org", "Demo examiner", "examiner-demo-pass"),
    ("admin", "admin@example.org", "Demo administrator", "admin-demo-pass"),
    ("employer", "employer@example.org", "Demo employer contact", "employer-demo-pass"),
]
# The employer whose staff the demo learner is, and whose contact the demo employer is.
DEMO_ORGANISATION = "Fresh Market Retail"

TRADES = [
    ("tailoring", "Tailoring"),
    ("cooking", "Cooking"),
    ("food-safety", "Food safety"),
    ("e-commerce", "E-commerce"),
    ("software-testing", "Software testing"),
]

# Korean narration (the Korean model is the one the tests install). One line, one caption cue.
COURSES = [
    {
        "title": "Garment pattern-making basics",
        "trade": "tailoring",
        "summary": "Measure a client, draft a basic skirt block and cut a paper pattern. "
                   "Lessons are narrated in Korean with captions.",
        "lessons": [
            {
                "title": "Taking body measurements",
                "summary": "Where to place the tape measure for bust, waist and hip.",
                "script": [
                    "오늘은 치수 재는 법을 배우겠습니다.",
                    "줄자로 가슴 둘레를 잽니다.",
                    "허리는 가장 가는 곳에서 잽니다.",
                    "엉덩이는 가장 넓은 곳을 잽니다.",
                ],
                # Chapters: a title for each sentence's start (None: no new chapter there).
                "chapters": ["소개", "가슴 둘레", "허리 둘레", "엉덩이 둘레"],
                # Audio description: (seconds, what the picture shows)
                "descriptions": [
                    (1.0, "화면에 노란 네모와 수업 제목이 보입니다."),
                    (5.0, "줄자가 가슴의 가장 높은 곳을 한 바퀴 감쌉니다."),
                ],
            },
            {
                "title": "Drafting a skirt block",
                "summary": "Turn the measurements into a basic skirt pattern on paper.",
                "script": [
                    "이제 치마 원형을 그려 보겠습니다.",
                    "종이 위에 허리선을 먼저 그립니다.",
                    "엉덩이 선은 허리에서 이십 센티 아래입니다.",
                    "마지막으로 시접을 더해서 자릅니다.",
                ],
            },
        ],
    },
    {
        "title": "Food safety for kitchen staff",
        "trade": "food-safety",
        "summary": "Hand washing, cold storage and clean work surfaces, with a short test.",
        "lessons": [
            {
                "title": "Clean hands and cold storage",
                "summary": "Washing hands properly and keeping chilled food cold.",
                "script": [
                    "식품 안전 교육을 시작하겠습니다.",
                    "손은 비누로 삼십 초 이상 씻습니다.",
                    "냉장 식품은 오 도 이하에서 보관합니다.",
                ],
            },
        ],
        "quizzes": [
            {
                "title": "Food safety check",
                "intro": "Three questions on the lesson. You can try as often as you need.",
                "pass_mark": 100,
                "questions": [
                    {
                        "kind": "single",
                        "prompt": "How long should you wash your hands with soap?",
                        "choices": [
                            ("5 seconds", False, "Too short: soap needs time to work."),
                            ("At least 30 seconds", True, "Yes: 30 seconds or more."),
                            ("Only when they look dirty", False,
                             "Hands can carry germs even when they look clean."),
                        ],
                        "explanation": "The lesson says to wash with soap for at least 30 "
                                       "seconds.",
                    },
                    {
                        "kind": "multiple",
                        "prompt": "Which of these keep food safe? Choose every right answer.",
                        "choices": [
                            ("Keeping chilled food at 5 °C or below", True, ""),
                            ("Washing hands before work", True, ""),
                            ("Leaving cooked rice out overnight", False,
                             "Bacteria grow fast at room temperature."),
                        ],
                        "explanation": "Cold storage and clean hands both stop bacteria.",
                    },
                    {
                        "kind": "text",
                        "prompt": "At what temperature or below is chilled food kept? "
                                  "Type the number of degrees Celsius.",
                        "accepted": ["5", "5 °C", "5 degrees", "오"],
                        "explanation": "Chilled food is kept at 5 °C or below.",
                    },
                ],
            },
        ],
    },
    {
        "title": "Hand-pulled noodles",
        "trade": "cooking",
        "summary": "Make, rest and pull noodle dough by hand, ready for the practical exam.",
        "practical": {
            "brief": "Film yourself pulling one portion of noodles from rested dough, from the "
                     "first stretch to the finished strands. Say each step as you do it.",
            "rubric": [("Dough rested and smooth", 10), ("Even thickness of the strands", 10),
                       ("Clean, safe work surface", 5)],
        },
        "lessons": [
            {
                "title": "Making the dough",
                "summary": "Flour, water and salt, kneaded until smooth.",
                "script": [
                    "밀가루에 소금물을 조금씩 넣습니다.",
                    "반죽이 부드러워질 때까지 치댑니다.",
                    "반죽을 삼십 분 동안 쉬게 합니다.",
                ],
            },
        ],
    },
]


def _captions_for(video: Path, script: str, synthesis_cues, log):
    """Captions from the pipeline, aligned to the stored script. Without a Korean model the
    timings the synthesis itself measured are used instead (exact, but not from the pipeline)."""
    try:
        result = caption(video, "ko", script=script, jobs=1)
    except ModelNotFound as exc:
        log(f"  {exc} Using the narration's own timings for the demo captions.")
        return synthesis_cues, "script", None
    return result.cues, "aligned", result.words


def _describe(lesson: Lesson, items, words, log) -> None:
    """Publish the lesson's audio description, made by the pipeline like any other."""
    log(f"  adding audio description to “{lesson.title}”…")
    track = DescriptionTrack(lesson=lesson, version=1, language=lesson.language,
                             vtt=authored_vtt([Description(t, text) for t, text in items]))
    db.session.add(track)
    try:
        descriptions.make_described(track, words)
    except MediaError as exc:
        log(f"  The audio description could not be made ({exc}); it is left as a draft.")


def is_seeded() -> bool:
    return db.session.scalar(select(User.id).limit(1)) is not None


def seed(log=print) -> None:
    """Create the demo users and courses. Safe to run again: what exists is left alone."""
    for role, email, name, password in DEMO_USERS:
        if accounts.find_by_email(email) is None:
            accounts.register(email=email, display_name=name, password=password, role=role)
        log(f"  {role:<9} {email:<22} password: {password}")
    organisation = db.session.scalar(select(Organisation).where(
        Organisation.name == DEMO_ORGANISATION))
    if organisation is None:
        organisation = Organisation(name=DEMO_ORGANISATION)
        db.session.add(organisation)
        db.session.flush()
        for email in ("learner@example.org", "employer@example.org"):
            accounts.find_by_email(email).organisation_id = organisation.id
        db.session.commit()

    trades = {}
    for slug, name in TRADES:
        trade = db.session.scalar(select(Trade).where(Trade.slug == slug))
        if trade is None:
            trade = Trade(slug=slug, name=name)
            db.session.add(trade)
        trades[slug] = trade
    db.session.commit()

    for spec in COURSES:
        if db.session.scalar(select(Course).where(Course.title == spec["title"])) is not None:
            continue
        course = Course(title=spec["title"], summary=spec["summary"], language="ko",
                        trade=trades[spec["trade"]], published=True)
        db.session.add(course)
        for position, lesson_spec in enumerate(spec["lessons"], start=1):
            log(f"  making the video for “{lesson_spec['title']}”…")
            script = "\n".join(lesson_spec["script"])
            with tempfile.TemporaryDirectory(prefix="demo-lesson-") as tmp:
                wav = Path(tmp) / "narration.wav"
                cues = narration.speak_sentences(lesson_spec["script"], "ko", wav)
                sentence_starts = [cue.start for cue in cues]
                video = narration.render_slide_video(wav, lesson_spec["title"],
                                                     Path(tmp) / "lesson.webm")
                asset = media.store_file(video, "webm", original_name="lesson.webm")
                cues, source, words = _captions_for(video, script, cues, log)
            lesson = Lesson(course=course, position=position, title=lesson_spec["title"],
                            summary=lesson_spec["summary"], language="ko",
                            script=script, media=asset)
            db.session.add(lesson)
            db.session.flush()
            captions.add_track(lesson, cues, source=source, publish=True)
            if lesson_spec.get("chapters"):
                lesson.chapters_media_id = asset.id
                lesson.chapters = chapters.to_vtt(
                    [(round(start, 1), title) for start, title
                     in zip(sentence_starts, lesson_spec["chapters"], strict=True) if title],
                    asset.duration_s)
            if lesson_spec.get("descriptions"):
                _describe(lesson, lesson_spec["descriptions"], words, log)
        db.session.commit()
    for spec in COURSES:
        course = db.session.scalar(select(Course).where(Course.title == spec["title"]))
        if course is not None and not course.quizzes:
            for quiz_spec in spec.get("quizzes", []):
                _add_quiz(course, quiz_spec)
        if course is not None and spec.get("practical") and not course.practical_brief:
            examiner = accounts.find_by_email("examiner@example.org")
            practical.save_settings(
                course, spec["practical"]["brief"],
                "\n".join(f"{name}: {points}" for name, points in spec["practical"]["rubric"]),
                [examiner.id] if examiner and examiner.role == "examiner" else [])


def _add_quiz(course: Course, spec: dict) -> None:
    quiz = quizzes.create(course, spec["title"], spec["intro"], spec["pass_mark"], None)
    for question in spec["questions"]:
        quizzes.save_question(
            quiz, question["kind"], question["prompt"], question["explanation"],
            [quizzes.ChoiceInput(text, correct, feedback)
             for text, correct, feedback in question.get("choices", [])],
            question.get("accepted", []))


SCALE_DOMAIN = "scale.example.org"
_FAMILY_NAMES = ("김", "이", "박", "최", "정", "강", "조", "윤", "장", "임")
_GIVEN_NAMES = ("민준", "서연", "도윤", "하은", "지호", "수아", "예준", "지우", "시우", "서윤",
                "주원", "하린")
_NEEDS_CYCLE = ((), ("screen_reader",), (), ("deaf_hoh",), ("keyboard_only",), (),
                ("low_vision", "screen_reader"), ("voice",))


def add_learners(count: int, batch: int = 5000,
                 now: datetime | None = None) -> tuple[int, int]:
    """``count`` more learners (``learner00001@scale.example.org`` …), each enrolled in one or two
    of the published courses, registered over the year up to ``now`` (default: this moment), all
    inside the reports' default period that ends on ``now``'s date: a population the size of a large
    employer's, to try the server at scale. One in fifty has handed in the practical assignment
    of a course that has one (the demo lesson's video stands in for theirs), waiting for
    review. They share no password anyone knows (one random secret, hashed once); an
    administrator gives any of them a reset link. Returns the numbers of the first and last
    learner added."""
    first = (db.session.scalar(select(func.count()).select_from(User)
                               .where(User.email.like(f"%@{SCALE_DOMAIN}"))) or 0) + 1
    courses = list(db.session.scalars(select(Course.id).where(Course.published.is_(True))
                                      .order_by(Course.id)))
    practicals = list(db.session.scalars(select(Course.id).where(
        Course.published.is_(True), Course.practical_brief.is_not(None)).order_by(Course.id)))
    video = db.session.scalar(select(Lesson.media_id).where(Lesson.media_id.is_not(None))
                              .order_by(Lesson.id).limit(1))
    unusable = hash_password(secrets.token_urlsafe(32))
    now = now or utcnow()
    last = first + count - 1
    for start in range(first, last + 1, batch):
        numbers = range(start, min(last, start + batch - 1) + 1)
        rows = [{
            "email": f"learner{n:05d}@{SCALE_DOMAIN}",
            "display_name": f"Learner {n:05d}",
            "real_name": f"{_FAMILY_NAMES[n % 10]}{_GIVEN_NAMES[(n // 10) % 12]}",
            "accessibility_needs": list(_NEEDS_CYCLE[n % len(_NEEDS_CYCLE)]),
            "password_hash": unusable, "role": "learner",
            # Every day of the year, at most 363 days and 23:59 before now: never before the
            # first day of the reports' default period.
            "created_at": now - timedelta(days=(n * 11) % 364, minutes=n % 1440),
        } for n in numbers]
        db.session.execute(insert(User), rows)
        if courses:
            ids = db.session.execute(select(User.id, User.created_at).where(
                User.email.in_([row["email"] for row in rows]))).all()
            enrolments = []
            for user_id, created in ids:
                taken = {courses[user_id % len(courses)]}
                if user_id % 3 == 0:
                    taken.add(courses[(user_id + 1) % len(courses)])
                enrolments += [{"user_id": user_id, "course_id": course_id,
                                "created_at": created} for course_id in sorted(taken)]
            db.session.execute(insert(Enrolment), enrolments)
            handed_in = [{"user_id": user_id, "course_id": practicals[user_id % len(practicals)],
                          "media_id": video, "note": "", "status": "waiting",
                          "submitted_at": min(created + timedelta(days=3), now)}
                         for user_id, created in ids if user_id % 50 == 0]
            if practicals and video is not None and handed_in:
                db.session.execute(insert(Submission), handed_in)
        db.session.commit()
    return first, last
