"""Checking and storing file bytes: the type comes from the content, never from the name or the browser."""

import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageFile, UnidentifiedImageError

from inspect_app.core.exceptions import InvalidInput

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
PDF_TYPE = "application/pdf"
# Larger images are refused as likely decompression bombs (a phone photo is about 12-50 megapixels).
MAX_IMAGE_PIXELS = 80_000_000


@dataclass(frozen=True)
class CheckedFile:
    sha256: str
    content_type: str
    size: int


def check_content(data: bytes, field: str = "file") -> CheckedFile:
    """The file's hash and real type; InvalidInput naming `field` if it is empty, too big, not JPEG, PNG or PDF,
    or a PDF that does not parse or carries scripts or attached files."""
    limit = current_app.config["MAX_FILE_BYTES"]
    if not data:
        raise InvalidInput(_("The file is empty."), {field: [_("The file is empty.")]})
    if len(data) > limit:
        message = _("The file is larger than %(mb)d MB.", mb=limit // (1024 * 1024))
        raise InvalidInput(message, {field: [message]})
    if data.startswith(b"%PDF-"):
        # Imported here: pypdf takes ~0.1 s to import, which every process would pay at start-up for a rare upload.
        from inspect_app.evidence.pdfs import pdf_problem

        if problem := pdf_problem(data):
            raise InvalidInput(problem, {field: [problem]})
        content_type = PDF_TYPE
    elif (content_type := _image_type(data)) is None:
        message = _("Only JPEG or PNG photos and PDF documents are accepted.")
        raise InvalidInput(message, {field: [message]})
    return CheckedFile(hashlib.sha256(data).hexdigest(), content_type, len(data))


def _image_type(data: bytes) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in IMAGE_TYPES or image.width * image.height > MAX_IMAGE_PIXELS:
                    return None
                image.verify()
            # verify() misses truncated pixel data; decoding the image catches it, unless Pillow was told to pad
            # truncated images, which importing WeasyPrint (the printable documents) does for the whole process.
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                return IMAGE_TYPES[image.format]
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None


def stored_path(sha256: str) -> Path:
    """Where the bytes with this hash live: UPLOAD_DIR/ab/cd/<hash>."""
    return Path(current_app.config["UPLOAD_DIR"]) / sha256[:2] / sha256[2:4] / sha256


def write_once(data: bytes, sha256: str) -> Path:
    """Store the bytes under their hash (atomically; the same content is stored once)."""
    path = stored_path(sha256)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(handle.name, path)
    return path
