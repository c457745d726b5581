"""Serving evidence files to users who may see their case (everyone else gets 404)."""

from flask import abort, send_file
from flask_login import login_required

from inspect_app.access.loaders import evidence_file_or_404
from inspect_app.evidence import bp
from inspect_app.evidence.storage import stored_path


@bp.route("/<int:file_id>")
@login_required
def download(file_id: int):
    evidence = evidence_file_or_404(file_id)
    path = stored_path(evidence.sha256)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=evidence.content_type,
        as_attachment=not evidence.is_image,
        download_name=evidence.filename,
        etag=evidence.sha256,
        max_age=3600,
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
