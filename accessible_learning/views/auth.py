from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import address_key, limiter, login_account_key
from ..forms import LoginForm, RegisterForm
from ..services import accounts, preferences
from .main import safe_next

bp = Blueprint("auth", __name__)


def _failed(response) -> bool:
    return response.status_code == 400


def _created(response) -> bool:
    return response.status_code == 302


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
            login_user(user)
            flash(_("Your account is ready. Welcome, %(name)s.", name=user.display_name),
                  "success")
            return redirect(url_for("catalogue.courses"))
    return render_template("auth/register.html", form=form), (400 if form.errors else 200)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"],
               key_func=login_account_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"], key_func=address_key,
               methods=["POST"], deduct_when=_failed)
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            error = _("The e-mail address or the password is wrong. Check both and try again.")
            form.password.errors.append(error)
        else:
            next_url = safe_next(request.args.get("next"), url_for("main.dashboard"))
            session.clear()  # a new session at log in
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
        logout_user()
        session.clear()
        flash(_("You are logged out."), "success")
        return redirect(url_for("main.home"))
    return render_template("auth/logout.html")


def too_many(error):
    """The log-in or registration form again, with the pause in its error summary (read out
    on arrival), instead of a bare error page."""
    minutes = max(1, round(error.limit.limit.get_expiry() / 60)) if error.limit else 15
    if request.endpoint == "auth.login":
        form = LoginForm(formdata=None)
        form.email.data = request.form.get("email", "")[:254]
        form.form_errors.append(_(
            "Too many failed log-ins, so logging in is paused for up to %(minutes)d minutes "
            "for this account or this network. Wait, then try again.", minutes=minutes))
        return render_template("auth/login.html", form=form), 429
    form = RegisterForm(formdata=None)
    form.form_errors.append(_(
        "Too many accounts were created from this network in a short time. Wait %(minutes)d "
        "minutes, then try again. Nothing was saved.", minutes=minutes))
    return render_template("auth/register.html", form=form), 429
