"""The floor under our signed-in pages: our application, served the same way, with one more
address that does only what every signed-in request does (the session cookie, the signed-in user
and their preferences, the security headers) and answers "ok". The real pages cannot be faster
than this; the benchmark prints it beside them. Not part of the application."""

from flask import Response
from flask_login import current_user, login_required

from accessible_learning import create_app

app = create_app()


@app.get("/bench/signed-in")
@login_required
def signed_in():
    return Response(f"ok {current_user.id}", mimetype="text/plain")
