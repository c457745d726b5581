"""Real PDFs for upload tests, written with pypdf: a blank page, and the same with a script, an automatic action or
an attached file; and HTML dressed in PDF markers. Each is new bytes (a hash of its own)."""

import io
import os

from pypdf import PdfWriter
from pypdf.actions import JavaScript, PageTrigger
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

SCRIPT = "PDFs with scripts or automatic actions are not accepted; print it to a new PDF and send that."
ATTACHED = "PDFs with attached files are not accepted; send each file on its own."
UNREADABLE = "This PDF cannot be read: it is damaged, or not a PDF."


def pdf(change=None) -> bytes:
    """A one-page PDF; `change(writer, page)` adds to it."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": os.urandom(8).hex()})
    if change is not None:
        change(writer, page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _file_annotation(writer: PdfWriter, page) -> None:
    spec = DictionaryObject({NameObject("/Type"): NameObject("/Filespec"), NameObject("/F"): TextStringObject("x.exe")})
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): ArrayObject([FloatObject(10), FloatObject(10), FloatObject(30), FloatObject(30)]),
            NameObject("/FS"): spec,
        }
    )
    writer.add_annotation(page, annotation)


def html_in_pdf_markers() -> bytes:
    return b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"


# name: (the file, the message that refuses it)
REFUSED_PDFS = {
    "HTML between PDF markers": (html_in_pdf_markers, UNREADABLE),
    "script run on opening": (lambda: pdf(lambda w, p: w.add_open_action(JavaScript("app.alert(1)"))), SCRIPT),
    "action run on a page": (
        lambda: pdf(lambda w, p: p.add_action(PageTrigger.OPEN, JavaScript("app.alert(1)"))),
        SCRIPT,
    ),
    "attached file": (lambda: pdf(lambda w, p: w.add_attachment("x.exe", b"MZ")), ATTACHED),
    "file attachment annotation": (lambda: pdf(_file_annotation), ATTACHED),
}
