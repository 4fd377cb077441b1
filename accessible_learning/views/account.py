"""The learner's own account: display name, real name and accessibility needs, preferences
(also for visitors) and changing the password. It must not show or change anyone else's
account.
"""

import math

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import ChangePasswordForm, PreferencesForm, ProfileForm
from ..services import accounts, login_limits, needs, preferences

bp = Blueprint("account", __name__)


@bp.route("/preferences", methods=["GET", "POST"])
def edit_preferences():
    current = preferences.current(current_user)
    form = PreferencesForm(data=current.__dict__)
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in preferences.FIELD_NAMES}
        saved = preferences.save(current_user, data)
        session["language"] = saved.language
        flash(_("Your preferences are saved and applied."), "success")
        return redirect(url_for("account.edit_preferences"))
    from_needs = (needs.still_set(current_user.record().accessibility_needs, current)
                  if current_user.is_authenticated else [])
    return render_template("account/preferences.html", form=form, from_needs=from_needs), (
        400 if form.errors else 200)


@bp.post("/preferences/player")
def player_preferences():
    """The lesson player saves caption style, captions on/off and speed as they are changed."""
    from ..rendering import is_htmx
    from .main import safe_next

    changes = preferences.player_changes(request.form)
    if changes is None:
        message = _("That caption style or speed is not one of the choices, so nothing was "
                    "changed. Choose again from the lists.")
        if any(name in request.form for name in preferences.VOLUME_FIELDS):
            message = _("A volume is a whole number from 0 to 100, in steps of 5, so nothing "
                        "was changed.")
        if is_htmx():
            return message, 400
        flash(message, "error")
    else:
        preferences.update(current_user, changes)
        if is_htmx():
            return "", 204
        flash(_("Your preferences are saved and applied."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("account.edit_preferences")))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    """The learner's name, optional real name (for certificates) and optional needs."""
    user = current_user.record()
    form = ProfileForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.needs.data = list(user.accessibility_needs or [])
    if form.validate_on_submit():
        declared = list(user.accessibility_needs or [])
        accounts.update_profile(user, form.display_name.data, form.real_name.data,
                                form.needs.data)
        flash(_("Your account details are saved."), "success")
        set_for_needs = needs.apply_added(user, declared, form.needs.data)
        if set_for_needs:
            flash(" ".join([*set_for_needs, needs.settings_notice()]), "info")
        return redirect(url_for("account.profile"))
    return render_template("account/profile.html", form=form), (400 if form.errors else 200)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A new password, given the current one; every other session of the learner ends. A wrong
    current password is a guess at the account's password, so it counts as a failed log-in
    (``login_limits``, shared by every process) and the same pauses apply."""
    form = ChangePasswordForm()
    address = request.remote_addr or ""
    if request.method == "POST":
        wait_s = login_limits.pause_left(current_user.email, address)
        if wait_s:
            return _password_paused(math.ceil(wait_s / 60))
    if form.validate_on_submit():
        user = current_user.record()
        if accounts.change_password(user, form.current.data, form.password.data):
            flash(_("Your new password is saved. You stay logged in here and were logged out "
                    "everywhere else."), "success")
            return redirect(url_for("account.profile"))
        login_limits.failed(user.email, address)
        form.current.errors.append(_("The current password is wrong. Type it again."))
    return render_template("account/password.html", form=form), (400 if form.errors else 200)


def _password_paused(minutes: int):
    form = ChangePasswordForm(formdata=None)
    form.form_errors.append(_(
        "Too many wrong tries, so changing the password is paused for up to %(minutes)d "
        "minutes. Nothing was changed. Wait, then try again.", minutes=minutes))
    return render_template("account/password.html", form=form), 429
