from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..forms import NEEDS, ReportPeriodForm
from ..models import User
from ..security import role_required
from ..services import accounts, reports, studio

bp = Blueprint("admin", __name__, url_prefix="/admin")

FEATURE_LABELS = {
    "captions": _l("Captions"),
    "descriptions": _l("Audio description"),
    "voice": _l("Voice navigation"),
}


def _period_form() -> tuple[ReportPeriodForm, bool]:
    form = ReportPeriodForm(formdata=request.args)
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
    return render_template("admin/index.html", summary=studio.admin_summary(),
                           need_labels=dict(NEEDS))


@bp.get("/reports")
def reports_page():
    form, valid = _period_form()
    if not valid:
        return render_template("admin/reports.html", form=form, report=None), 400
    period = form.period()
    return render_template("admin/reports.html", form=form, report=reports.build(period),
                           feature_labels=FEATURE_LABELS)


@bp.get("/reports/completions.csv")
def completions_csv():
    form, valid = _period_form()
    if not valid:
        return render_template("admin/reports.html", form=form, report=None), 400
    period = form.period()
    headers = (_("Display name"), _("Real name"), _("Course"), _("Issued on"),
               _("Certificate code"))
    filename = f"completions-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(reports.completions_csv(period, headers), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/users/<int:user_id>/reset-link")
def reset_link(user_id):
    """A one-time link for a user who forgot their password, shown once to the administrator
    to hand over (this server sends no e-mail)."""
    user = db.get_or_404(User, user_id)
    hours = current_app.config["RESET_LINK_HOURS"]
    token, reset = accounts.make_reset_link(user, current_user, hours)
    link = url_for("auth.reset_password", token=token, _external=True)
    response = make_response(render_template("admin/reset_link.html", user=user, link=link,
                                             expires_at=reset.expires_at))
    response.headers["Cache-Control"] = "no-store"
    return response
