from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..forms import PreferencesForm
from ..services import preferences

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
    return render_template("account/preferences.html", form=form), (400 if form.errors else 200)
