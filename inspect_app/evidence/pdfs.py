"""Checking a PDF before it is stored: it must parse, and must carry no scripts, automatic actions or attached files.

pypdf reads it leniently (strict=False): scanners and office suites write slightly damaged cross-reference tables
that every viewer repairs, and refusing those makes no one safer. What does not parse even so is refused. Then every
object reachable from the trailer is visited once, looking at dictionaries' keys only: page contents, fonts and
images are never decoded. Only object streams (compressed bundles of objects) are unpacked, and pypdf parses what
they hold at 2 to 3 MB/s, so a small file that unpacks to gigabytes could hold a worker for minutes: their total
unpacked size is capped (MAX_UNPACKED_BYTES), and so is the number of objects visited (MAX_PDF_OBJECTS). With the
file itself capped (MAX_FILE_BYTES), a hostile PDF costs seconds, not minutes."""

import io

from flask_babel import gettext as _
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

# Reading one object costs pypdf 0.1 to 0.2 ms; a 300-page report has a few thousand.
MAX_PDF_OBJECTS = 20_000
# What all object streams together may unpack to, and any one stream (any filter) while pypdf decodes it.
MAX_UNPACKED_BYTES = 8 * 1024 * 1024
_DECODING_LIMITS = {
    name: MAX_UNPACKED_BYTES
    for name in (
        "zlib_maximum_output_length",
        "lzw_maximum_output_length",
        "run_length_maximum_output_length",
        "brotli_maximum_output_length",
        "jbig2_maximum_output_length",
        "array_based_stream_maximum_output_length",
        "stream_decoding_work_maximum_length",
    )
}
# Keys that run code: JavaScript (the document's names tree, actions), additional actions run on opening a page or
# touching a field (/AA), and XFA forms, which carry scripts of their own.
SCRIPT_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/XFA"})
# Action types that run something: a script, or a program on the reader's machine.
SCRIPT_ACTIONS = frozenset({"/JavaScript", "/Launch"})
# The document's attachments (names tree), a file specification's embedded files, and the types that hold them.
EMBEDDED_KEYS = frozenset({"/EmbeddedFiles", "/EF"})
EMBEDDED_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment"})


def pdf_problem(data: bytes) -> str | None:
    """Why this PDF is refused, in the user's language; None if it parses and is inert."""
    try:
        with apply_configuration(**_DECODING_LIMITS):
            reader = PdfReader(io.BytesIO(data), strict=False, xref_stream_maximum_entries=10 * MAX_PDF_OBJECTS)
            if reader.is_encrypted:
                return _("Password-protected PDFs cannot be checked: remove the protection, or print it to a new PDF.")
            if len(reader.pages) == 0:
                return _unreadable()
            return _unpacked_too_much(reader) or _active_content(reader)
    except LimitReachedError:
        return _too_complex()
    except Exception:  # whatever a hostile file makes the parser raise, it cannot be read
        return _unreadable()


def _unreadable() -> str:
    return _("This PDF cannot be read: it is damaged, or not a PDF.")


def _too_complex() -> str:
    return _("This PDF is too complex to be checked; print it to a new PDF and send that.")


def _unpacked_too_much(reader: PdfReader) -> str | None:
    """Unpack the object streams up front (pypdf keeps what it decoded), stopping at MAX_UNPACKED_BYTES in all."""
    numbers = {stream for stream, _index in reader.xref_objStm.values()}
    if len(numbers) > MAX_PDF_OBJECTS:
        return _too_complex()
    unpacked = 0
    for number in sorted(numbers):
        stream = reader.get_object(number)
        unpacked += len(stream.get_data()) if hasattr(stream, "get_data") else 0
        if unpacked > MAX_UNPACKED_BYTES:
            return _too_complex()
    return None


def _active_content(reader: PdfReader) -> str | None:
    """The first script, automatic action or attached file in the objects reachable from the trailer."""
    seen: set[tuple[int, int]] = set()
    pending: list = [reader.trailer]
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            if len(seen) == MAX_PDF_OBJECTS:
                return _too_complex()
            seen.add((node.idnum, node.generation))
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            if problem := _dictionary_problem(node):
                return problem
            pending.extend(dict.values(node))  # the raw values: references stay references, so each is visited once
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return None


def _dictionary_problem(node: DictionaryObject) -> str | None:
    if not SCRIPT_KEYS.isdisjoint(node) or _name(node, "/S") in SCRIPT_ACTIONS:
        return _("PDFs with scripts or automatic actions are not accepted; print it to a new PDF and send that.")
    if not EMBEDDED_KEYS.isdisjoint(node) or {_name(node, "/Type"), _name(node, "/Subtype")} & EMBEDDED_TYPES:
        return _("PDFs with attached files are not accepted; send each file on its own.")
    return None


def _name(node: DictionaryObject, key: str) -> str | None:
    """The value under `key` if it is a name (written in place or as a reference), else None."""
    value = dict.get(node, key)
    value = value.get_object() if value is not None else None
    return value if isinstance(value, NameObject) else None
