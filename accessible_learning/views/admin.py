from flask import Blueprint, render_template

from ..forms import NEEDS
from ..security import role_required
from ..services import studio

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required("admin")
def _admins_only():
    return None


@bp.get("/")
def index():
    return render_template("admin/index.html", summary=studio.admin_summary(),
                           need_labels=dict(NEEDS))
