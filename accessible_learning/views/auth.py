"""Logging in and out, registering and password reset links, with the rate limits' pauses
explained in the form. It must not say whether an e-mail address has an account.
"""

import math

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import address_key, limiter
from ..forms import LoginForm, NewPasswordForm, RegisterForm
from ..services import accounts, login_limits, needs, preferences
from .main import safe_next

bp = Blueprint("auth", __name__)


def _created(response) -> bool:
    return response.status_code == 302


def _unknown_link(response) -> bool:
    return response.status_code == 404


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATIONS_PER_ADDRESS"], key_func=address_key,
               methods=["POST"], deduct_when=_created)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(
                email=form.email.data,
                display_name=form.display_name.data,
                real_name=form.real_name.data,
                password=form.password.data,
                needs=form.needs.data,
                language=form.language.data,
                initial_preferences=preferences.session_preferences(),
            )
        except accounts.DuplicateEmail:
            form.email.errors.append(
                _("An account with this e-mail address already exists. Log in instead, or use "
                  "another address.")
            )
        else:
            session.clear()
            accounts.start_session(user)
            login_user(user)
            flash(_("Your account is ready. Welcome, %(name)s.", name=user.display_name),
                  "success")
            set_for_needs = needs.reasons(form.needs.data)
            if set_for_needs:
                flash(" ".join([*set_for_needs, needs.settings_notice()]), "info")
            return redirect(url_for("catalogue.courses"))
    return render_template("auth/register.html", form=form), (400 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    address = request.remote_addr or ""
    if request.method == "POST":
        wait_s = login_limits.pause_left(request.form.get("email", ""), address)
        if wait_s:
            return _login_paused(math.ceil(wait_s / 60))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            login_limits.failed(form.email.data, address)
            error = _("The e-mail address or the password is wrong. Check both and try again.")
            form.password.errors.append(error)
        elif user.disabled_at is not None:  # told only after the right password
            form.email.errors.append(_("This account is disabled. Ask an administrator of your "
                                       "training centre to enable it again."))
        else:
            next_url = safe_next(request.args.get("next"), url_for("main.dashboard"))
            login_limits.succeeded(form.email.data, address)
            session.clear()  # a new session at log in
            accounts.start_session(user)
            login_user(user)
            flash(_("You are logged in as %(name)s.", name=user.display_name), "success")
            return redirect(next_url)
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    if request.method == "POST":
        # CSRF is checked for every POST by CSRFProtect.
        accounts.end_session(current_user)
        logout_user()
        session.clear()
        flash(_("You are logged out."), "success")
        return redirect(url_for("main.home"))
    return render_template("auth/logout.html")


@bp.get("/forgot-password")
def forgot_password():
    """This server sends no e-mail: an administrator makes a reset link for the learner."""
    return render_template("auth/forgot.html")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_ATTEMPTS_PER_ADDRESS"], key_func=address_key,
               deduct_when=_unknown_link)
def reset_password(token):
    reset = accounts.find_reset(token)
    if reset is None:
        return _no_reset()
    form = NewPasswordForm()
    if form.validate_on_submit():
        if not accounts.reset_password(reset, form.password.data):
            return _no_reset()
        if current_user.is_authenticated:  # someone else's session on this browser
            accounts.end_session(current_user)
        logout_user()
        session.clear()
        flash(_("Your new password is saved, and you were logged out everywhere. Log in with "
                "your new password."), "success")
        return redirect(url_for("auth.login"))
    response = make_response(render_template("auth/reset.html", form=form, user=reset.user,
                                             expires_at=reset.expires_at),
                             400 if form.errors else 200)
    response.headers["Cache-Control"] = "no-store"
    return response


def _no_reset():
    response = make_response(render_template("auth/reset_unknown.html"), 404)
    response.headers["Cache-Control"] = "no-store"
    return response


def pause_minutes(error) -> int:
    """How long a rate limit's pause lasts, in whole minutes, to tell the person."""
    return max(1, round(error.limit.limit.get_expiry() / 60)) if error.limit else 15


def _login_paused(minutes: int):
    """The log-in form again, with the pause in its error summary (read out on arrival)."""
    form = LoginForm(formdata=None)
    form.email.data = request.form.get("email", "")[:254]
    form.form_errors.append(_(
        "Too many failed log-ins, so logging in is paused for up to %(minutes)d minutes "
        "for this account or this network. Wait, then try again.", minutes=minutes))
    return render_template("auth/login.html", form=form), 429


def too_many(error):
    """The log-in or registration form again, with the pause in its error summary (read out
    on arrival), instead of a bare error page."""
    minutes = pause_minutes(error)
    if request.endpoint == "auth.reset_password":
        return render_template("auth/reset_unknown.html", paused_minutes=minutes), 429
    form = RegisterForm(formdata=None)
    form.form_errors.append(_(
        "Too many accounts were created from this network in a short time. Wait %(minutes)d "
        "minutes, then try again. Nothing was saved.", minutes=minutes))
    return render_template("auth/register.html", form=form), 429
