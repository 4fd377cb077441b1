from flask import Blueprint, render_template

from ..security import role_required
from ..services import studio

bp = Blueprint("examiner", __name__, url_prefix="/examiner")


@bp.before_request
@role_required("examiner")
def _examiners_only():
    return None


@bp.get("/")
def index():
    return render_template("examiner/index.html", courses=studio.all_courses())
