"""Administration: the summary, users a page at a time with search, each user's page (role,
disable and enable, delete, password reset links), the audit log, and the training reports with
their CSV. Only administrators reach it (``role_required``); it
must not query the database itself (``services.studio``, ``reports`` and ``accounts`` do).
"""

import base64

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access
from ..forms import (
    NEEDS,
    DeleteAccountForm,
    ImportLearnersForm,
    OrganisationForm,
    ReportPeriodForm,
    RoleForm,
    UserOrganisationForm,
    UserSearchForm,
)
from ..i18n import ROLE_NAMES
from ..rendering import list_problems, page_number
from ..security import role_required
from ..services import accounts, bulk_import, organisations, people, reports, studio

bp = Blueprint("admin", __name__, url_prefix="/admin")

FEATURE_LABELS = {
    "captions": _l("Captions"),
    "descriptions": _l("Audio description"),
    "voice": _l("Voice navigation"),
}


def _period_form() -> tuple[ReportPeriodForm, bool]:
    form = ReportPeriodForm(formdata=request.args)
    form.organisation.choices = [(0, _("Every learner"))] + [
        (o.id, o.name) for o, _count in organisations.all_with_counts()]
    if not form.validate():
        return form, False
    period = form.period()
    if period.start > period.end:  # only a start date, after today
        form.start.errors.append(_("The start date must not be after today."))
    elif period.month_count() > reports.MAX_MONTHS:
        form.start.errors.append(_("Choose a period of at most 10 years."))
    return form, not form.errors


@bp.before_request
@role_required("admin")
def _admins_only():
    return None


@bp.get("/")
def index():
    return render_template("admin/index.html", summary=studio.admin_summary())


@bp.get("/users")
def users():
    """Find users by part of a name or e-mail address, or by role, a page at a time: with tens
    of thousands of learners, only one page of them is ever loaded."""
    form = UserSearchForm(formdata=request.args)
    page = page_number()
    problems, found = list_problems(page, None), None
    if form.validate() and not problems:
        found = accounts.find_users(form.q.data or "", form.role.data or "", page)
        problems = list_problems(page, found.pages)
    status = 400 if form.errors or page is None else 404 if problems else 200
    pager_args = {} if form.errors else {  # the search, kept by the page links
        k: v for k, v in (("q", form.q.data), ("role", form.role.data)) if v}
    return render_template("admin/users.html", form=form, found=None if problems else found,
                           problems=problems, pager_args=pager_args,
                           need_labels=dict(NEEDS)), status


@bp.get("/reports")
def reports_page():
    form, valid = _period_form()
    if not valid:
        return render_template("admin/reports.html", form=form, report=None), 400
    period = form.period()
    organisation = dict(form.organisation.choices).get(form.organisation.data)
    return render_template("admin/reports.html", form=form,
                           report=reports.build(period, form.organisation.data or None),
                           organisation=organisation if form.organisation.data else None,
                           feature_labels=FEATURE_LABELS)


@bp.get("/reports/completions.csv")
def completions_csv():
    form, valid = _period_form()
    if not valid:
        return render_template("admin/reports.html", form=form, report=None), 400
    period = form.period()
    headers = (_("Display name"), _("Real name"), _("Course"), _("Issued on"),
               _("Certificate code"), _("E-mail"), _("Organisation"), _("Trade"))
    suffix = f"-organisation-{form.organisation.data}" if form.organisation.data else ""
    filename = f"completions-{period.start.isoformat()}-{period.end.isoformat()}{suffix}.csv"
    return Response(reports.completions_csv(period, headers, form.organisation.data or None),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/users/<int:user_id>/reset-link")
def reset_link(user_id):
    """A one-time link for a user who forgot their password, shown once to the administrator
    to hand over (this server sends no e-mail)."""
    user = access.user_or_404(user_id)  # the blueprint lets administrators only
    hours = current_app.config["RESET_LINK_HOURS"]
    token, reset = accounts.make_reset_link(user, current_user, hours)
    link = url_for("auth.reset_password", token=token, _external=True)
    response = make_response(render_template("admin/reset_link.html", user=user, link=link,
                                             expires_at=reset.expires_at))
    response.headers["Cache-Control"] = "no-store"
    return response


def _organisation_form(user, bound: bool = False) -> UserOrganisationForm:
    form = UserOrganisationForm() if bound else UserOrganisationForm(
        formdata=None, organisation_id=user.organisation_id or 0)
    form.organisation_id.choices = [(0, _("None"))] + [
        (o.id, o.name) for o, _count in organisations.all_with_counts()]
    return form


def _user_page(user, role_form=None, delete_form=None, organisation_form=None, problem=None,
               status=200):
    return render_template(
        "admin/user.html", user=user, need_labels=dict(NEEDS), problem=problem,
        role_form=role_form or RoleForm(formdata=None, role=user.role),
        organisation_form=organisation_form or _organisation_form(user),
        delete_form=delete_form or DeleteAccountForm(formdata=None)), status


@bp.get("/users/<int:user_id>")
def user_page(user_id):
    return _user_page(access.user_or_404(user_id))


@bp.post("/users/<int:user_id>/role")
def change_role(user_id):
    user = access.user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _user_page(user, role_form=form, status=400)
    try:
        changed = people.set_role(current_user.record(), user, form.role.data)
    except people.PeopleError as error:
        return _user_page(user, role_form=form, problem=str(error), status=400)
    if changed:
        flash(_("%(name)s is now: %(role)s.", name=user.display_name,
                role=ROLE_NAMES[user.role]), "success")
    else:
        flash(_("%(name)s already has that role.", name=user.display_name), "info")
    return redirect(url_for("admin.user_page", user_id=user.id))


@bp.post("/users/<int:user_id>/state")
def account_state(user_id):
    user = access.user_or_404(user_id)
    action = request.form.get("action")
    if action not in ("disable", "enable"):
        abort(400)  # not sent by our form
    try:
        if action == "disable":
            people.disable(current_user.record(), user)
            flash(_("The account of %(name)s is disabled: they are logged out everywhere and "
                    "cannot log in.", name=user.display_name), "success")
        else:
            people.enable(current_user.record(), user)
            flash(_("The account of %(name)s is enabled: they can log in again.",
                    name=user.display_name), "success")
    except people.PeopleError as error:
        return _user_page(user, problem=str(error), status=400)
    return redirect(url_for("admin.user_page", user_id=user.id))


@bp.post("/users/<int:user_id>/delete")
def delete_account(user_id):
    user = access.user_or_404(user_id)
    form = DeleteAccountForm()
    valid = form.validate_on_submit()
    if valid and accounts.normalise_email(form.confirm_email.data) != user.email:
        form.confirm_email.errors.append(_(
            "That is not this account's e-mail address, so nothing was deleted. Type it "
            "exactly as shown above."))
        valid = False
    if not valid:
        return _user_page(user, delete_form=form, status=400)
    name = user.display_name
    try:
        people.delete_account(current_user.record(), user)
    except people.PeopleError as error:
        return _user_page(user, delete_form=form, problem=str(error), status=400)
    flash(_("The account of %(name)s and its personal data are deleted. Their certificates "
            "stay verifiable, without the name.", name=name), "success")
    return redirect(url_for("admin.users"))


@bp.get("/audit")
def audit():
    page = page_number()
    problems, found = list_problems(page, None), None
    if not problems:
        found = people.audit_page(page)
        problems = list_problems(page, found.pages)
    status = 400 if page is None else 404 if problems else 200
    return render_template("admin/audit.html", found=None if problems else found,
                           problems=problems), status


@bp.post("/users/<int:user_id>/organisation")
def change_organisation(user_id):
    user = access.user_or_404(user_id)
    form = _organisation_form(user, bound=True)
    if not form.validate_on_submit():
        return _user_page(user, organisation_form=form, status=400)
    chosen = access.organisation_or_404(form.organisation_id.data) if (
        form.organisation_id.data) else None
    if organisations.set_for_user(current_user.record(), user, chosen):
        flash(_("%(name)s is now in: %(organisation)s.", name=user.display_name,
                organisation=chosen.name) if chosen else
              _("%(name)s is now in no organisation.", name=user.display_name), "success")
    return redirect(url_for("admin.user_page", user_id=user.id))


@bp.route("/organisations", methods=["GET", "POST"])
def organisations_page():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            made = organisations.create(form.name.data)
        except organisations.OrganisationError as error:
            form.name.errors.append(str(error))
        else:
            flash(_("The organisation “%(name)s” is made. Put its staff in it from each user's "
                    "page, or import them from a CSV file.", name=made.name), "success")
            return redirect(url_for("admin.organisations_page"))
    return render_template("admin/organisations.html", form=form,
                           found=organisations.all_with_counts()), 400 if form.errors else 200


@bp.route("/import", methods=["GET", "POST"])
def import_learners():
    """A staff list from a CSV file: every row imported, or none and each wrong line named. The
    new accounts' set-password links are shown once, on the page that answers."""
    form = ImportLearnersForm()
    if not form.validate_on_submit():
        return render_template("admin/import.html", form=form, report=None), (
            400 if form.errors else 200)
    rows, problems = bulk_import.read(form.staff_list.data.read(bulk_import.MAX_BYTES + 1))
    report = bulk_import.run(rows, current_user.record()) if not problems else (
        bulk_import.Report(problems=problems))
    if not report.imported:
        return render_template("admin/import.html", form=form, report=report), 400
    links = bulk_import.links_csv(report, lambda token: url_for(
        "auth.reset_password", token=token, _external=True))
    response = make_response(render_template(
        "admin/import.html", form=ImportLearnersForm(formdata=None), report=report,
        links_data=base64.b64encode(links.encode("utf-8")).decode("ascii")))
    response.headers["Cache-Control"] = "no-store"  # the links are shown once
    return response
