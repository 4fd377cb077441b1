"""What an employer contact sees: their organisation's staff, a page at a time, with each one's
courses, progress, completions and certificates. Administrators see any organisation's. It asks
``access`` who may see which organisation and must not touch ``db.session`` itself.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from .. import access
from ..rendering import list_problems, page_number
from ..security import role_required
from ..services import organisations

bp = Blueprint("employer", __name__)


@bp.before_request
@role_required("employer")
def _employer_contacts_only():
    return None


@bp.get("/staff")
def own_staff():
    """An employer contact's own organisation; administrators choose one in Administration."""
    if current_user.role == "admin":
        return redirect(url_for("admin.organisations_page"))
    organisation_id = current_user.record().organisation_id
    if organisation_id is None:
        abort(404)
    return redirect(url_for("employer.staff", organisation_id=organisation_id))


@bp.get("/organisations/<int:organisation_id>")
def staff(organisation_id: int):
    organisation = access.organisation_or_404(organisation_id)
    page = page_number()
    problems, found, members = list_problems(page, None), None, []
    if not problems:
        found, members = organisations.staff_page(organisation, page)
        problems = list_problems(page, found.pages)
    status = 400 if page is None else 404 if problems else 200
    return render_template("employer/staff.html", organisation=organisation,
                           found=None if problems else found, members=members,
                           problems=problems), status
