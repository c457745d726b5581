"""Headers every answer carries: what a browser may load and run for a page, and who may frame it.

Scripts come only from the app's own files (no inline script, no handler attributes); styles may be inline (the
diagram and charts size themselves with style attributes). Nothing may frame a page. Answers that set their own
policy (evidence files: a sandbox) keep it."""

from flask import Flask, g

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"


def register(app: Flask) -> None:
    """Add the headers to every answer of the app."""

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["ENV"] == "production":
            headers.setdefault("Strict-Transport-Security", HSTS)
        # A signed-in page must not be kept by the browser or a proxy, for the next person at a shared tablet.
        if "Cache-Control" not in headers and _signed_in():
            headers["Cache-Control"] = "no-store"
        return response


def _signed_in() -> bool:
    """Whether the request was made by a signed-in user (session or token), asking nothing of the database: the unit
    of work has committed by now, and a connection lost since must not turn saved work into an error page."""
    user = g.get("_login_user")
    return user is not None and not user.is_anonymous
