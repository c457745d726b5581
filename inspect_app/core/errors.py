"""Error pages: HTML for people, JSON for the API, never a stack trace."""

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from inspect_app.core.exceptions import ServiceError
from inspect_app.core.extensions import db
from inspect_app.core.refusals import answer_refusal


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register(app: Flask) -> None:
    """Install the error handlers on the app."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _("This form has expired or was not sent from this site. Reload the page and try again.")
        if _wants_json():
            return jsonify(error="csrf", message=message), 400
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Werkzeug's own descriptions are English: every status a page can meet is worded here.
        messages = {
            400: _("The request could not be understood. Reload the page and try again."),
            401: _("Sign in to go on."),
            403: _("You may not do this."),
            404: _("This page does not exist, or you may not see it."),
            405: _("This page cannot be used this way."),
            409: _("Someone else changed this at the same time. Reload and try again."),
            413: _("What was sent is too large."),
            429: _("Too many attempts. Wait a moment and try again."),
        }
        message = messages.get(error.code, _("The request could not be handled. Reload the page and try again."))
        # Keep what the exception says in its headers (405's Allow, 401's challenge); the body is ours.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        if _wants_json():
            return jsonify(error=error.name, message=message), error.code, headers
        return render_template("error.html", code=error.code, message=message), error.code, headers

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        # The request that failed, so that an operator can tell which page or API call to look at.
        app.logger.exception("unhandled error", extra={"method": request.method, "path": request.path})
        message = _("Something went wrong on our side. Nothing was saved; try again.")
        if _wants_json():
            return jsonify(error="Internal Server Error", message=message), 500
        return render_template("error.html", code=500, message=message), 500

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        db.session.rollback()
        app.logger.info("refused (%s): %s", error.status_code, error.message)
        if not _wants_json():
            return answer_refusal(error)
        status = error.status_code
        body = {"error": HTTP_STATUS_CODES.get(status, "Error"), "message": error.message}
        body["errors"] = getattr(error, "errors", None) or {}
        if (existing := getattr(error, "existing", None)) is not None:
            body["existing"] = existing.model_dump(mode="json")
        return jsonify(body), status
