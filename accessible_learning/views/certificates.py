"""Certificates: the learner's page and PDF, and the public verification of a code.

It must not decide access itself: it asks ``access``.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_login import login_required

from .. import access
from ..services import certificates

bp = Blueprint("certificates", __name__)


def _verify_url(certificate) -> str:
    return url_for("certificates.verify", code=certificate.code, _external=True)


@bp.get("/certificates/<int:certificate_id>")
@login_required
def certificate_page(certificate_id: int):
    found = access.certificate_or_404(certificate_id)
    return render_template("certificates/certificate.html", certificate=found,
                           verify_url=_verify_url(found))


@bp.get("/certificates/<int:certificate_id>.pdf")
@login_required
def certificate_pdf(certificate_id: int):
    found = access.certificate_or_404(certificate_id)
    document = certificates.pdf(found, _verify_url(found))
    return Response(document, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{found.code}.pdf"'})


@bp.get("/verify")
def verify():
    """Anyone can check a code: the reply names the course and the date, nothing about the
    person."""
    code = (request.args.get("code") or "").strip()[:40]
    found = certificates.by_code(code) if code else None
    well_formed = certificates.normalise_code(code) is not None
    # A code that matches nothing is an answer, not a missing page: 200 either way.
    return render_template("certificates/verify.html", code=code, found=found,
                           well_formed=well_formed)
