"""Database models. Schema changes go through Alembic migrations (``flask db``).

Models must not hold application rules beyond small properties of their own rows.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, UniqueConstraint, text
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true

from .extensions import db

ROLES = ("learner", "content", "examiner", "admin", "employer")
LEARNER = "learner"
STAFF_ONLY = f"role != '{LEARNER}'"  # users who are not learners (a partial index)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True, index=True)
    display_name = db.Column(db.String(60), nullable=False)
    real_name = db.Column(db.String(120))  # optional, visible only to the user and admins
    accessibility_needs = db.Column(JSON, nullable=False, default=list)  # optional, sensitive
    password_hash = db.Column(db.String(255), nullable=False)
    role = db.Column(db.String(20), nullable=False, default="learner")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # Set by an administrator: the account cannot log in and its sessions have ended.
    disabled_at = db.Column(db.DateTime)
    # The employer whose staff the learner is (an employer contact: whose staff they see).
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id", ondelete="SET NULL"),
                                index=True)

    preferences = db.relationship(
        "Preferences", back_populates="user", uselist=False, cascade="all, delete-orphan"
    )
    enrolments = db.relationship("Enrolment", back_populates="user", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(f"role IN {ROLES}", name="role_known"),
        # Administration › Users lists users by name, a page at a time.
        db.Index("ix_users_display_name_id", "display_name", "id"),
        # The reports count registrations a month over ranges of this index, not every user's
        # row. (Led by role, it would lead SQLite to join the few rows of progress and quiz
        # attempts from every learner's entry.)
        db.Index("ix_users_created_at_role", "created_at", "role"),
        # The administration's counts by role: the staff, a handful, are counted here; the
        # learners are all the others.
        db.Index("ix_users_staff_role", "role", sqlite_where=text(STAFF_ONLY),
                 postgresql_where=text(STAFF_ONLY)),
    )

    def has_role(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles

    # The login session this user object was loaded for (set at log-in and by the loader).
    login_session_id = None

    def get_id(self) -> str:
        """What the session cookie stores: the user id and the login session ("7:Qw3…")."""
        return f"{self.id}:{self.login_session_id}"

    def record(self) -> User:
        """This row (the same call on ``security.SignedInUser``, who a request is signed in as,
        loads the row)."""
        return self


class Organisation(db.Model):
    """An employer that trains its staff here (the seed's retailer, a restaurant chain …)."""

    __tablename__ = "organisations"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False, unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class LoginSession(db.Model):
    """One log-in, on one browser. The signed session cookie names it; logging out, a new
    password or its age ends it, so a copy of the cookie stops working too."""

    __tablename__ = "login_sessions"

    id = db.Column(db.String(64), primary_key=True)  # random, 256 bits
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    ended_at = db.Column(db.DateTime)


class PasswordReset(db.Model):
    """A one-time link an administrator makes for a user who forgot their password (this server
    sends no e-mail). Only a hash of the link's secret is stored."""

    __tablename__ = "password_resets"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime, nullable=False)
    used_at = db.Column(db.DateTime)  # also set when a newer link replaces this one

    user = db.relationship("User", foreign_keys=[user_id])


class Preferences(db.Model):
    """A learner's accessibility and display preferences."""

    __tablename__ = "preferences"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    caption_size = db.Column(db.String(10), nullable=False, default="medium")
    caption_color = db.Column(db.String(10), nullable=False, default="white")
    caption_background = db.Column(db.String(12), nullable=False, default="black")
    # How captions look and where they are (see ``services/preferences.py``).
    caption_font = db.Column(db.String(10), nullable=False, default="default",
                             server_default="default")
    caption_edge = db.Column(db.String(10), nullable=False, default="none", server_default="none")
    caption_opacity = db.Column(db.String(3), nullable=False, default="100", server_default="100")
    caption_position = db.Column(db.String(10), nullable=False, default="bottom",
                                 server_default="bottom")
    high_contrast = db.Column(db.Boolean, nullable=False, default=False)
    reduced_motion = db.Column(db.Boolean, nullable=False, default=False)
    audio_description = db.Column(db.Boolean, nullable=False, default=False)
    # How audio description is given when it is on (see ``services/preferences.py``).
    description_mode = db.Column(db.String(15), nullable=False, default="described",
                                 server_default="described")
    # Text descriptions: what happens when one is longer than its pause, and the rate the
    # browser speaks them at.
    description_overflow = db.Column(db.String(10), nullable=False, default="pause",
                                     server_default="pause")
    description_rate = db.Column(db.Float, nullable=False, default=1.0, server_default="1.0")
    # The languages of captions and of the transcript ("": the lesson's own language); a lesson
    # without that language shows its own.
    caption_language = db.Column(db.String(10), nullable=False, default="", server_default="")
    transcript_language = db.Column(db.String(10), nullable=False, default="", server_default="")
    # The learner's two volumes (0–100 %, steps of 5) when the player mixes the description
    # stem with the programme (MAUR DV-6, CA-3); the ducking stays the author's, relative.
    description_volume = db.Column(db.Integer, nullable=False, default=100, server_default="100")
    programme_volume = db.Column(db.Integer, nullable=False, default=100, server_default="100")
    # A sign-language video beside or over the lesson's (see ``services/sign_videos.py``): on or
    # off, the sign language wanted ("" for the lesson's first), the layout, and where and how
    # large it is over the video.
    sign_on = db.Column(db.Boolean, nullable=False, default=False, server_default=sa_false())
    sign_language = db.Column(db.String(3), nullable=False, default="", server_default="")
    sign_layout = db.Column(db.String(6), nullable=False, default="over", server_default="over")
    sign_corner = db.Column(db.String(12), nullable=False, default="bottom-right",
                            server_default="bottom-right")
    sign_size = db.Column(db.String(6), nullable=False, default="medium", server_default="medium")
    # Slow links (issue 29): the picture quality ("auto" adapts to the connection, a height fixes
    # it, "original" plays the uploaded file) and lessons as audio and text by default.
    video_quality = db.Column(db.String(8), nullable=False, default="auto", server_default="auto")
    audio_mode = db.Column(db.Boolean, nullable=False, default=False, server_default=sa_false())
    # Voice commands (issue 27): how sure the recogniser must be before the player acts on a
    # command or asks first (``services/voice_commands.SENSITIVITY``).
    voice_sensitivity = db.Column(db.String(10), nullable=False, default="balanced",
                                  server_default="balanced")
    # Hands-free listening: the player keeps the microphone open for its wake word (off by
    # default; the player shows it whenever the microphone is on).
    voice_hands_free = db.Column(db.Boolean, nullable=False, default=False,
                                 server_default=sa_false())
    captions_on = db.Column(db.Boolean, nullable=False, default=False)
    playback_speed = db.Column(db.Float, nullable=False, default=1.0)
    language = db.Column(db.String(5), nullable=False, default="en")

    user = db.relationship("User", back_populates="preferences")


class ContentVersion(db.Model):
    """One row: a token that changes in the same transaction as any change to the catalogue's
    content (courses, lessons, their media, captions, descriptions and quizzes). Pages shared by
    many learners are kept rendered under it (see ``page_cache``); see
    ``services/content_version.py`` for what changes it."""

    __tablename__ = "content_version"

    id = db.Column(db.Integer, primary_key=True)
    token = db.Column(db.String(32), nullable=False)


class Trade(db.Model):
    __tablename__ = "trades"

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String(60), nullable=False, unique=True)
    name = db.Column(db.String(120), nullable=False)

    courses = db.relationship("Course", back_populates="trade")


class Course(db.Model):
    __tablename__ = "courses"

    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200), nullable=False)
    summary = db.Column(db.Text, nullable=False, default="")
    language = db.Column(db.String(10), nullable=False, default="en")
    trade_id = db.Column(db.Integer, db.ForeignKey("trades.id"), nullable=False)
    published = db.Column(db.Boolean, nullable=False, default=False)
    # Archived: kept with its learners' records and certificates, never shown to learners
    # (archiving unpublishes); the studio lists it apart and can bring it back as a draft.
    archived_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # A practical assignment, when the course requires one: what to film, and the rubric an
    # examiner scores it against ([{"criterion": text, "max": points}]).
    practical_brief = db.Column(db.Text)
    rubric = db.Column(JSON)

    trade = db.relationship("Trade", back_populates="courses")
    examiners = db.relationship("User", secondary="course_examiners", order_by="User.id")
    # What learners see of the course: its published lessons, in order. The studio works on
    # ``all_lessons`` (drafts and archived lessons too).
    lessons = db.relationship(
        "Lesson", primaryjoin="and_(Course.id == Lesson.course_id, Lesson.published)",
        order_by="Lesson.position", viewonly=True,
    )
    all_lessons = db.relationship(
        "Lesson", back_populates="course", order_by="Lesson.position", cascade="all, delete-orphan"
    )
    quizzes = db.relationship(
        "Quiz", back_populates="course", order_by="Quiz.id", cascade="all, delete-orphan"
    )


class MediaAsset(db.Model):
    """A media file stored under its content hash, never under the uploaded name."""

    __tablename__ = "media_assets"

    id = db.Column(db.Integer, primary_key=True)
    sha256 = db.Column(db.String(64), nullable=False, unique=True)
    extension = db.Column(db.String(10), nullable=False)
    mime_type = db.Column(db.String(60), nullable=False)
    size_bytes = db.Column(db.BigInteger, nullable=False)
    duration_s = db.Column(db.Float)
    probe = db.Column(JSON)
    original_name = db.Column(db.String(255))  # shown to the content team only
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    @property
    def filename(self) -> str:
        return f"{self.sha256}.{self.extension}"


class Lesson(db.Model):
    __tablename__ = "lessons"

    id = db.Column(db.Integer, primary_key=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False)
    title = db.Column(db.String(200), nullable=False)
    summary = db.Column(db.Text, nullable=False, default="")
    language = db.Column(db.String(10), nullable=False)
    script = db.Column(db.Text)  # the narration script, when the content team gave one
    chapters = db.Column(db.Text)  # a WebVTT chapters track, when the content team gave one
    media_id = db.Column(db.Integer, db.ForeignKey("media_assets.id"))
    # New media uploaded while learners are served ``media`` with its reviewed captions: it
    # becomes the lesson's media when a caption version made for it is published.
    new_media_id = db.Column(db.Integer, db.ForeignKey("media_assets.id"))
    # The media the chapters were written for: learners get them only with that media.
    chapters_media_id = db.Column(db.Integer, db.ForeignKey("media_assets.id"))
    # Learners see a lesson only when it is published (and its course is); the studio makes new
    # lessons as drafts. Archived lessons are unpublished and listed apart in the studio.
    published = db.Column(db.Boolean, nullable=False, default=True, server_default=sa_true())
    archived_at = db.Column(db.DateTime)

    course = db.relationship("Course", back_populates="all_lessons")
    media = db.relationship("MediaAsset", foreign_keys=[media_id])
    new_media = db.relationship("MediaAsset", foreign_keys=[new_media_id])
    caption_tracks = db.relationship(
        "CaptionTrack", back_populates="lesson", order_by="CaptionTrack.version",
        cascade="all, delete-orphan",
    )
    description_tracks = db.relationship(
        "DescriptionTrack", back_populates="lesson", order_by="DescriptionTrack.version",
        cascade="all, delete-orphan",
    )
    sign_videos = db.relationship(
        "SignVideo", back_populates="lesson", order_by="SignVideo.id",
        cascade="all, delete-orphan",
    )

    __table_args__ = (UniqueConstraint("course_id", "position", name="uq_lessons_course_position"),)

    @property
    def published_captions(self) -> CaptionTrack | None:
        """The published captions in the language spoken (not a translation)."""
        published = [t for t in self.caption_tracks
                     if t.status == "published" and not t.translation]
        return published[-1] if published else None

    @property
    def published_translations(self) -> list[CaptionTrack]:
        """The published translated captions made for the lesson's media, one a language, in
        the order of their language codes."""
        found: dict[str, CaptionTrack] = {}
        for t in self.caption_tracks:
            if t.status == "published" and t.translation and t.media_id == self.media_id:
                found[t.language] = t
        return [found[code] for code in sorted(found)]

    def captions_in(self, language: str | None) -> CaptionTrack | None:
        """The published captions in ``language`` (a translation, or the lesson's own), or the
        lesson's own when there are none in it."""
        for t in self.published_translations:
            if t.language == language:
                return t
        return self.published_captions

    @property
    def published_descriptions(self) -> DescriptionTrack | None:
        """The published description version made for the lesson's media (one made for
        earlier media no longer fits it)."""
        published = [t for t in self.description_tracks
                     if t.status == "published" and t.placed_vtt
                     and t.media_id == self.media_id]
        return published[-1] if published else None

    @property
    def offered_sign_videos(self) -> list[SignVideo]:
        """The sign-language videos made for the lesson's media (one made for earlier media no
        longer fits it), in the order they were added."""
        return [s for s in self.sign_videos if s.media_id == self.media_id]

    @property
    def chapters_fit(self) -> bool:
        """Whether the chapters were written for the lesson's media."""
        return self.chapters_media_id == self.media_id


TRACK_STATUSES = ("draft", "published")
CAPTION_SOURCES = ("auto", "aligned", "edited", "script")


class CaptionTrack(db.Model):
    """One version of a lesson's captions, as WebVTT text."""

    __tablename__ = "caption_tracks"

    id = db.Column(db.Integer, primary_key=True)
    lesson_id = db.Column(db.Integer, db.ForeignKey("lessons.id"), nullable=False, index=True)
    version = db.Column(db.Integer, nullable=False)
    # The media these captions were made for.
    media_id = db.Column(db.Integer, db.ForeignKey("media_assets.id"))
    language = db.Column(db.String(10), nullable=False)
    # A translation of the captions into ``language``; the others are in the language spoken.
    # One version of each is published: the lesson's own captions and one a translation language.
    translation = db.Column(db.Boolean, nullable=False, default=False, server_default=sa_false())
    status = db.Column(db.String(10), nullable=False, default="draft")
    source = db.Column(db.String(10), nullable=False)
    vtt = db.Column(db.Text, nullable=False)
    words = db.Column(JSON)  # recognised words with times and confidences, when recognised
    report = db.Column(JSON)  # cues that break a caption rule: [{cue, rule, detail}]
    # The review, a dict a cue ({"low": [...], "unscripted": [...], "confirmed": bool}), once a
    # person has saved the version; None for a version as recognition made it (its flags then
    # come from ``words``). See ``services/captions.py``.
    checks = db.Column(JSON)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # Who published it and when; ``unreviewed_cues`` counts the cues still to check when it was
    # published without review (0 when every flagged cue had been checked).
    published_by_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"))
    published_at = db.Column(db.DateTime)
    unreviewed_cues = db.Column(db.Integer)

    lesson = db.relationship("Lesson", back_populates="caption_tracks")
    media = db.relationship("MediaAsset")
    published_by = db.relationship("User")

    __table_args__ = (
        UniqueConstraint("lesson_id", "version", name="uq_caption_tracks_lesson_version"),
        CheckConstraint(f"status IN {TRACK_STATUSES}", name="status_known"),
        CheckConstraint(f"source IN {CAPTION_SOURCES}", name="source_known"),
    )


class DescriptionTrack(db.Model):
    """One version of a lesson's audio-description cues, as WebVTT (kind descriptions)."""

    __tablename__ = "description_tracks"

    id = db.Column(db.Integer, primary_key=True)
    lesson_id = db.Column(db.Integer, db.ForeignKey("lessons.id"), nullable=False, index=True)
    version = db.Column(db.Integer, nullable=False)
    # The media the descriptions were placed in and mixed with (set by the describe job).
    media_id = db.Column(db.Integer, db.ForeignKey("media_assets.id"))
    language = db.Column(db.String(10), nullable=False)
    status = db.Column(db.String(10), nullable=False, default="draft")
    vtt = db.Column(db.Text, nullable=False)  # the authored cues: anchor times and text
    # After the describe job: the final times (WebVTT), the placement report (one dict a cue)
    # and the two renditions.
    placed_vtt = db.Column(db.Text)
    report = db.Column(db.JSON)
    mixed_media_id = db.Column(db.Integer, db.ForeignKey("media_assets.id"))
    extended_media_id = db.Column(db.Integer, db.ForeignKey("media_assets.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # The descriptions alone (Ogg Opus, the lesson's length), mixed with the original in the
    # player; tracks made before it have none and play the mixed file (issue 26).
    stem_media_id = db.Column(db.Integer, db.ForeignKey("media_assets.id"))

    lesson = db.relationship("Lesson", back_populates="description_tracks")
    mixed_media = db.relationship("MediaAsset", foreign_keys=[mixed_media_id])
    extended_media = db.relationship("MediaAsset", foreign_keys=[extended_media_id])
    stem_media = db.relationship("MediaAsset", foreign_keys=[stem_media_id])

    __table_args__ = (
        UniqueConstraint("lesson_id", "version", name="uq_description_tracks_lesson_version"),
        CheckConstraint(f"status IN {TRACK_STATUSES}", name="status_known"),
    )


class RenditionSet(db.Model):
    """The smaller versions of one media file (``media_pipeline.renditions``): HLS renditions and
    an audio-only file, in ``folder`` under the media folder. Made by the renditions job; the
    player plays them with the media's captions, chapters and descriptions, which share its
    timeline."""

    __tablename__ = "rendition_sets"

    id = db.Column(db.Integer, primary_key=True)
    media_id = db.Column(db.Integer, db.ForeignKey("media_assets.id"), nullable=False,
                         unique=True)
    folder = db.Column(db.String(200), nullable=False)  # relative to MEDIA_ROOT
    # One dict per video rendition, tallest first: name, width, height, bytes, peak_kbps.
    variants = db.Column(JSON, nullable=False, default=list)
    audio_bytes = db.Column(db.BigInteger)  # the audio-only file; None when the media is silent
    seconds = db.Column(db.Float)  # how long making them took
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    media = db.relationship("MediaAsset")

    @property
    def has_video(self) -> bool:
        return bool(self.variants)

    @property
    def total_bytes(self) -> int:
        return sum(v["bytes"] for v in self.variants) + (self.audio_bytes or 0)


LIVE_STATES = ("scheduled", "live", "ended")


class LiveClass(db.Model):
    """A live class of a course (issue 28): streamed by its teacher to the RTMP ingest with its
    own stream key, watched live with live captions, and kept as a replay lesson when it ends.
    Times are UTC."""

    __tablename__ = "live_classes"

    id = db.Column(db.Integer, primary_key=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False, index=True)
    title = db.Column(db.String(200), nullable=False)
    starts_at = db.Column(db.DateTime, nullable=False, index=True)
    minutes = db.Column(db.Integer, nullable=False, default=60)
    language = db.Column(db.String(10), nullable=False)
    # The secret the teacher's encoder sends as the stream name: never shown to learners.
    stream_key = db.Column(db.String(64), nullable=False, unique=True)
    state = db.Column(db.String(10), nullable=False, default="scheduled")
    started_at = db.Column(db.DateTime)
    ended_at = db.Column(db.DateTime)
    # When the stream now coming began (each reconnection begins another), and when it dropped
    # (set while the class waits for its teacher to come back, None while the stream comes).
    published_at = db.Column(db.DateTime)
    interrupted_at = db.Column(db.DateTime)
    # The teacher said the class ends when its stream stops (not a dropped connection).
    end_requested_at = db.Column(db.DateTime)
    # The ingest's recordings of the class, one a line in the order made (a class that lost its
    # connection and went on has several), until the replay is made of them.
    recording = db.Column(db.Text)
    replay_lesson_id = db.Column(db.Integer, db.ForeignKey("lessons.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    course = db.relationship("Course")
    replay_lesson = db.relationship("Lesson")
    captions = db.relationship("LiveCaption", back_populates="live_class",
                               order_by="LiveCaption.number", cascade="all, delete-orphan")

    __table_args__ = (CheckConstraint(f"state IN {LIVE_STATES}", name="state_known"),)

    @property
    def recordings(self) -> list[str]:
        return [line for line in (self.recording or "").splitlines() if line]

    @property
    def streaming(self) -> bool:
        """Live, and its stream is coming in (not waiting for the teacher to reconnect)."""
        return self.state == "live" and self.interrupted_at is None


class LiveCaption(db.Model):
    """A closed live caption cue of a class, in stream time (seconds from the start)."""

    __tablename__ = "live_captions"

    id = db.Column(db.Integer, primary_key=True)
    live_class_id = db.Column(db.Integer, db.ForeignKey("live_classes.id"), nullable=False)
    number = db.Column(db.Integer, nullable=False)
    start = db.Column(db.Float, nullable=False)
    end = db.Column(db.Float, nullable=False)
    text = db.Column(db.Text, nullable=False)
    corrected = db.Column(db.Boolean, nullable=False, default=False, server_default=sa_false())

    live_class = db.relationship("LiveClass", back_populates="captions")

    __table_args__ = (UniqueConstraint("live_class_id", "number",
                                       name="uq_live_captions_class_number"),)


class LiveQuestion(db.Model):
    """A learner's question during a live class, for its teacher (the studio's class page)."""

    __tablename__ = "live_questions"

    id = db.Column(db.Integer, primary_key=True)
    live_class_id = db.Column(db.Integer, db.ForeignKey("live_classes.id"), nullable=False,
                              index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    text = db.Column(db.Text, nullable=False)
    at_s = db.Column(db.Float)  # the class's stream time when it was asked
    asked_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    answered_at = db.Column(db.DateTime)

    user = db.relationship("User")


class VoiceSample(db.Model):
    """A learner's recording of one voice command in one language ("teach the player your
    voice", issue 27), kept only because the learner agreed to it (``consented_at``) and
    deleted when they ask (``services/voice_samples``). 16 kHz mono 16-bit PCM, at most 4 s."""

    __tablename__ = "voice_samples"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    language = db.Column(db.String(10), nullable=False)
    command = db.Column(db.String(30), nullable=False)
    args = db.Column(JSON, nullable=False, default=dict)
    phrase = db.Column(db.String(60), nullable=False)  # what the learner was asked to say
    pcm = db.Column(db.LargeBinary, nullable=False)
    consented_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class LiveAttendance(db.Model):
    """How long a learner watched a live class while it was live (its replay is a lesson, with
    lesson progress): counted in the learning hours of the reports."""

    __tablename__ = "live_attendance"

    id = db.Column(db.Integer, primary_key=True)
    live_class_id = db.Column(db.Integer, db.ForeignKey("live_classes.id"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    watched_s = db.Column(db.Float, nullable=False, default=0.0)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("live_class_id", "user_id",
                                       name="uq_live_attendance_class_user"),)


class SignVideo(db.Model):
    """A sign-language interpreter's video of a lesson, made for one media of the lesson (as
    captions are): learners get it only while the lesson has that media. At most one per sign
    language for each media (MAUR SL-1, SL-4)."""

    __tablename__ = "sign_videos"

    id = db.Column(db.Integer, primary_key=True)
    lesson_id = db.Column(db.Integer, db.ForeignKey("lessons.id"), nullable=False, index=True)
    # The lesson media it was made for, and the sign video itself (a file of its own).
    media_id = db.Column(db.Integer, db.ForeignKey("media_assets.id"), nullable=False)
    asset_id = db.Column(db.Integer, db.ForeignKey("media_assets.id"), nullable=False)
    language = db.Column(db.String(3), nullable=False)  # ISO 639-3: kvk, csl, ase, bfi …
    label = db.Column(db.String(100), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    lesson = db.relationship("Lesson", back_populates="sign_videos")
    media = db.relationship("MediaAsset", foreign_keys=[media_id])
    asset = db.relationship("MediaAsset", foreign_keys=[asset_id])

    __table_args__ = (
        UniqueConstraint("lesson_id", "media_id", "language",
                         name="uq_sign_videos_lesson_media_language"),
    )


class Enrolment(db.Model):
    __tablename__ = "enrolments"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User", back_populates="enrolments")
    course = db.relationship("Course")

    __table_args__ = (UniqueConstraint("user_id", "course_id", name="uq_enrolments_user_course"),)


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    lesson_id = db.Column(db.Integer, db.ForeignKey("lessons.id"), nullable=False)
    position_s = db.Column(db.Float, nullable=False, default=0.0)
    # The parts of the lesson played, as merged [start, end] ranges in seconds (seeking past
    # something does not count it, playing it twice counts it once), and their total length.
    watched = db.Column(JSON)
    watched_s = db.Column(db.Float, nullable=False, default=0.0, server_default="0")
    completed = db.Column(db.Boolean, nullable=False, default=False)
    completed_by = db.Column(db.String(12))  # "watching" or "transcript"
    completed_at = db.Column(db.DateTime)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    lesson = db.relationship("Lesson")

    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id", name="uq_lesson_progress_user_lesson"),
    )


JOB_STATES = ("queued", "running", "done", "failed")


class Job(db.Model):
    """A background job. This table, not the queue, is the source of truth (DESIGN.md §8)."""

    __tablename__ = "jobs"

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(40), nullable=False)
    key = db.Column(db.String(200), nullable=False, unique=True)  # idempotency key
    state = db.Column(db.String(10), nullable=False, default="queued")
    progress = db.Column(db.Float, nullable=False, default=0.0)
    message = db.Column(db.String(500))  # clear, human-readable status or error
    # The message's catalogue words and values ({"id": …, "args": {…}}), to show it in the
    # reader's language; None for a message with no catalogue words (a media error's own text).
    message_i18n = db.Column(JSON)
    payload = db.Column(JSON, nullable=False, default=dict)
    result = db.Column(JSON)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    started_at = db.Column(db.DateTime)
    heartbeat_at = db.Column(db.DateTime)
    finished_at = db.Column(db.DateTime)

    __table_args__ = (CheckConstraint(f"state IN {JOB_STATES}", name="state_known"),)


QUESTION_KINDS = ("single", "multiple", "text")


class Quiz(db.Model):
    """A quiz of a course, optionally placed after one of its lessons."""

    __tablename__ = "quizzes"

    id = db.Column(db.Integer, primary_key=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False, index=True)
    lesson_id = db.Column(db.Integer, db.ForeignKey("lessons.id"))
    title = db.Column(db.String(200), nullable=False)
    intro = db.Column(db.Text, nullable=False, default="")
    pass_mark = db.Column(db.Integer, nullable=False, default=70)  # percent of the questions
    # No time limit unless the course sets one (WCAG 2.2.1); the learner can always extend it.
    time_limit_min = db.Column(db.Integer)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    course = db.relationship("Course", back_populates="quizzes")
    lesson = db.relationship("Lesson")
    questions = db.relationship(
        "Question", back_populates="quiz", order_by="Question.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark_percent"),
        CheckConstraint("time_limit_min IS NULL OR time_limit_min > 0", name="time_limit_positive"),
    )


class Question(db.Model):
    __tablename__ = "quiz_questions"

    id = db.Column(db.Integer, primary_key=True)
    quiz_id = db.Column(db.Integer, db.ForeignKey("quizzes.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False)
    kind = db.Column(db.String(10), nullable=False)
    prompt = db.Column(db.Text, nullable=False)
    # Short-text questions: the accepted answers (compared without case, spaces or punctuation).
    accepted = db.Column(JSON)
    # Shown on review: why the right answer is right.
    explanation = db.Column(db.Text, nullable=False, default="")

    quiz = db.relationship("Quiz", back_populates="questions")
    choices = db.relationship(
        "Choice", back_populates="question", order_by="Choice.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        UniqueConstraint("quiz_id", "position", name="uq_quiz_questions_quiz_position"),
        CheckConstraint(f"kind IN {QUESTION_KINDS}", name="kind_known"),
    )


class Choice(db.Model):
    __tablename__ = "quiz_choices"

    id = db.Column(db.Integer, primary_key=True)
    question_id = db.Column(db.Integer, db.ForeignKey("quiz_questions.id", ondelete="CASCADE"),
                            nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False)
    text = db.Column(db.Text, nullable=False)
    correct = db.Column(db.Boolean, nullable=False, default=False)
    feedback = db.Column(db.Text, nullable=False, default="")  # shown when this answer is chosen

    question = db.relationship("Question", back_populates="choices")


class QuizAttempt(db.Model):
    """One attempt at a quiz. Answers are saved as the learner goes, so a reload loses nothing."""

    __tablename__ = "quiz_attempts"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    quiz_id = db.Column(db.Integer, db.ForeignKey("quizzes.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    number = db.Column(db.Integer, nullable=False)  # 1 for the learner's first attempt
    # {question id (text): [choice ids] or "typed answer"}
    answers = db.Column(JSON, nullable=False, default=dict)
    started_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    deadline_at = db.Column(db.DateTime)  # only when the quiz has a time limit
    extensions = db.Column(db.Integer, nullable=False, default=0)
    submitted_at = db.Column(db.DateTime)
    correct = db.Column(db.Integer)  # questions answered right, once submitted
    score = db.Column(db.Integer)  # percent, once submitted
    passed = db.Column(db.Boolean)
    # Answers given on a device without a connection and sent later (issue 29): the device's id
    # for them (the same answers sent twice make one attempt) and when they were given.
    offline_id = db.Column(db.String(36), unique=True)
    answered_offline_at = db.Column(db.DateTime)

    quiz = db.relationship("Quiz")
    user = db.relationship("User")

    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "number", name="uq_quiz_attempts_user_quiz_number"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score_percent"),
    )


class Certificate(db.Model):
    """Issued once per learner and course when the course is completed."""

    __tablename__ = "certificates"

    id = db.Column(db.Integer, primary_key=True)
    # None once the holder's account was deleted: the code stays verifiable, without the name.
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"))
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False, index=True)
    code = db.Column(db.String(20), nullable=False, unique=True)
    # As printed: the learner's real name when they gave one, else their display name.
    holder_name = db.Column(db.String(120), nullable=False)
    course_title = db.Column(db.String(200), nullable=False)
    issued_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User")
    course = db.relationship("Course")

    __table_args__ = (UniqueConstraint("user_id", "course_id", name="uq_certificates_user_course"),)


FEATURES = ("captions", "descriptions", "voice")


class FeatureUse(db.Model):
    """That a learner used an accessibility feature, for counts in reports (never who)."""

    __tablename__ = "feature_uses"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"),
                        primary_key=True)
    feature = db.Column(db.String(20), primary_key=True)
    first_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    uses = db.Column(db.Integer, nullable=False, default=1)

    __table_args__ = (CheckConstraint(f"feature IN {FEATURES}", name="feature_known"),)


course_examiners = db.Table(
    "course_examiners",
    db.Column("course_id", db.Integer, db.ForeignKey("courses.id", ondelete="CASCADE"),
              primary_key=True),
    db.Column("user_id", db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"),
              primary_key=True),
)

SUBMISSION_STATUSES = ("waiting", "reviewed")


class Submission(db.Model):
    """A learner's video of a practical assignment, auto-captioned for deaf examiners."""

    __tablename__ = "submissions"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    course_id = db.Column(db.Integer, db.ForeignKey("courses.id"), nullable=False, index=True)
    media_id = db.Column(db.Integer, db.ForeignKey("media_assets.id"), nullable=False)
    note = db.Column(db.Text, nullable=False, default="")  # the learner's words to the examiner
    submitted_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    captions_vtt = db.Column(db.Text)  # made by the captioning pipeline
    status = db.Column(db.String(10), nullable=False, default="waiting")
    examiner_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"))
    scores = db.Column(JSON)  # [points per rubric criterion], in the rubric's order
    total = db.Column(db.Integer)
    passed = db.Column(db.Boolean)
    feedback = db.Column(db.Text)
    reviewed_at = db.Column(db.DateTime)
    learner_seen_at = db.Column(db.DateTime)  # the review was shown to the learner

    user = db.relationship("User", foreign_keys=[user_id])
    examiner = db.relationship("User", foreign_keys=[examiner_id])
    course = db.relationship("Course")
    media = db.relationship("MediaAsset")

    __table_args__ = (
        CheckConstraint(f"status IN {SUBMISSION_STATUSES}", name="status_known"),
        CheckConstraint("total IS NULL OR total >= 0", name="total_not_negative"),
        # The examiner's queue: waiting submissions oldest first, a page at a time.
        db.Index("ix_submissions_status_submitted_at", "status", "submitted_at"),
    )


AUDIT_ACTIONS = ("role", "disable", "enable", "delete", "organisation")


class AuditEntry(db.Model):
    """One change an administrator made to an account. The target is None once the account is
    deleted (``detail`` then keeps its number and role, nothing personal)."""

    __tablename__ = "audit_log"

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"))
    target_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"))
    action = db.Column(db.String(20), nullable=False)
    detail = db.Column(JSON, nullable=False, default=dict)

    actor = db.relationship("User", foreign_keys=[actor_id])
    target = db.relationship("User", foreign_keys=[target_id])

    __table_args__ = (CheckConstraint(f"action IN {AUDIT_ACTIONS}", name="action_known"),)


class LoginFailure(db.Model):
    """One failed log-in (a wrong password for an address typed), kept for the longest pause
    window: the pauses are counted here, in the database every web process and machine shares
    (``services.login_limits``), not in each process's memory."""

    __tablename__ = "login_failures"

    id = db.Column(db.Integer, primary_key=True)
    account = db.Column(db.String(254), nullable=False)  # the e-mail address typed
    address = db.Column(db.String(64), nullable=False)  # where from (the client's address)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.Index("ix_login_failures_account_address_at", "account", "address", "at"),
        db.Index("ix_login_failures_address_at", "address", "at"),
        db.Index("ix_login_failures_at", "at"),
    )
