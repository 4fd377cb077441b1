"""The catalogue, course and lesson pages (kept by ``page_cache``), enrolling, and a lesson's
captions, descriptions and chapters as WebVTT. It must not decide access itself: it asks
``access``.
"""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import access
from ..forms import CatalogueSearchForm
from ..page_cache import shared_page
from ..rendering import render_page
from ..services import (
    captions,
    catalogue,
    chapters,
    completion,
    descriptions,
    live,
    offline,
    player_help,
    preferences,
    progress,
    renditions,
    sign_videos,
)
from ..services.captions import clock
from .player import completion_context

bp = Blueprint("catalogue", __name__)


@bp.get("/courses")
def courses():
    return shared_page(_courses)


def _courses() -> str:
    trades = catalogue.trades()
    form = CatalogueSearchForm(request.args)
    form.trade.choices = [("", _("All trades"))] + [(t.slug, t.name) for t in trades]
    query = (form.q.data or "")[:100]
    trade = form.trade.data if form.trade.data in {t.slug for t in trades} else ""
    results = catalogue.search(query, trade, catalogue.CATALOGUE_PAGE)
    count_text = ngettext("%(num)d course found", "%(num)d courses found", len(results))
    return render_page(
        "catalogue/courses.html", "catalogue/_results.html",
        form=form, results=results, count_text=count_text, query=query, trade=trade,
    )


@bp.get("/courses/<int:course_id>")
def course(course_id: int):
    seen = completion.fingerprint(current_user, course_id)
    if seen.published is None or not access.can_see_course(current_user, seen.published):
        abort(404)
    return shared_page(lambda: _course(course_id, seen.enrolled), (seen.enrolled, seen.learner))


def _course(course_id: int, enrolled: bool) -> str:
    found = access.course_or_404(course_id, catalogue.COURSE_PAGE)
    state = completion.status(current_user, found) if enrolled else None
    if state is not None and state.complete and state.certificate is None:
        completion.update(current_user, found)  # completed before certificates existed
        state = completion.status(current_user, found)
    return render_template("catalogue/course.html", course=found, enrolled=enrolled, state=state,
                           live_classes=live.for_course(found))


@bp.post("/courses/<int:course_id>/enrol")
@login_required
def enrol(course_id: int):
    found = access.course_or_404(course_id)
    if not found.published:
        abort(404)
    if catalogue.enrol(current_user, found):
        flash(_("You are enrolled in %(title)s. Its lessons are listed below.", title=found.title),
              "success")
    else:
        flash(_("You were already enrolled in this course."), "info")
    return redirect(url_for("catalogue.course", course_id=found.id))


@bp.get("/lessons/<int:lesson_id>")
@login_required
def lesson(lesson_id: int):
    allowed = access.lesson_access(current_user, lesson_id)
    if allowed is None:
        abort(404)
    if not allowed.allowed:
        if allowed.published:
            flash(_("Enrol in this course to open its lessons."), "info")
            return redirect(url_for("catalogue.course", course_id=allowed.course_id))
        abort(404)
    return shared_page(lambda: _lesson(lesson_id), allowed.progress)


def _lesson(lesson_id: int) -> str:
    found = access.lesson_or_404(lesson_id, catalogue.LESSON_PAGE)
    described = found.published_descriptions
    previous, following = catalogue.neighbours(found)
    completion = completion_context(found)
    resume_at = progress.resume_at(completion["progress_row"], found)
    own = found.published_captions
    caption_tracks = ([own] if own else []) + found.published_translations
    chosen = found.captions_in(preferences.current(current_user).caption_language)
    rendition_set = renditions.for_media(found.media)
    return render_template(
        "catalogue/lesson.html", track=chosen or (caption_tracks[0] if caption_tracks else None),
        caption_tracks=caption_tracks, language_name=captions.language_name,
        described=described, pauses=descriptions.pauses(described) if described else [],
        offer=_offer(described),
        duck_windows=descriptions.duck_windows(described) if described else [],
        previous=previous, following=following, resume_at=resume_at,
        chapter_list=chapters.for_display(found),
        resume_label=clock(resume_at) if resume_at else "",
        sign_list=sign_videos.for_player(found),
        rendition_set=rendition_set, quality_for=renditions.quality_for,
        offline_choices=offline.choices(found, rendition_set),
        **player_help.context(found.language), **completion,
    )


def _offer(described) -> descriptions.Offer | None:
    if described is None:
        return None
    prefs = preferences.current(current_user)
    return descriptions.offer(described, prefs.audio_description, prefs.description_mode)


@bp.get("/lessons/<int:lesson_id>/captions.vtt")
@login_required
def lesson_captions(lesson_id: int):
    found = access.lesson_or_404(lesson_id, catalogue.LESSON_CAPTIONS)
    language = request.args.get("lang")
    track = found.captions_in(language) if language else found.published_captions
    if track is None or (language and track.language != language):
        abort(404)
    return Response(captions.learner_vtt(track.vtt, track.language),
                    content_type="text/vtt; charset=utf-8")


@bp.get("/lessons/<int:lesson_id>/descriptions.vtt")
@login_required
def lesson_descriptions(lesson_id: int):
    found = access.lesson_or_404(lesson_id)
    described = found.published_descriptions
    if described is None:
        abort(404)
    return Response(described.placed_vtt, content_type="text/vtt; charset=utf-8")


@bp.get("/lessons/<int:lesson_id>/chapters.vtt")
@login_required
def lesson_chapters(lesson_id: int):
    found = access.lesson_or_404(lesson_id)
    track = chapters.shown(found)
    if track is None:
        abort(404)
    return Response(track, content_type="text/vtt; charset=utf-8")
