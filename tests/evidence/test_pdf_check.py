"""The PDF check on its own: what it refuses that the uploads do not show (names written in escapes, protected files),
and that a hostile file is refused by its bounds rather than read to the end."""

import io
import zlib

import pytest
import weasyprint
from flask_babel import force_locale

from inspect_app.evidence import pdfs
from inspect_app.evidence.pdfs import pdf_problem
from tests.pdf_files import REFUSED_PDFS, SCRIPT, html_in_pdf_markers, pdf

TOO_COMPLEX = "This PDF is too complex to be checked; print it to a new PDF and send that."


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context(), force_locale("en"):
        yield


def test_the_reason_is_given_in_vietnamese_first():
    with force_locale("vi"):
        assert pdf_problem(html_in_pdf_markers()) == "Không đọc được văn bản PDF này: tệp bị hỏng, hoặc không phải PDF."


def test_a_plain_pdf_passes():
    assert pdf_problem(pdf()) is None


def test_a_pdf_the_app_prints_passes_with_its_links():
    printed = weasyprint.HTML(string='<h1>Biên bản kiểm tra</h1><p><a href="https://example.org/">Nguồn</a></p>')
    assert pdf_problem(printed.write_pdf()) is None


@pytest.mark.parametrize("name", REFUSED_PDFS)
def test_each_refused_pdf_says_why(name):
    make, message = REFUSED_PDFS[name]
    assert pdf_problem(make()) == message


def test_names_written_with_escapes_are_read_as_the_names_they_spell():
    make, _message = REFUSED_PDFS["script run on opening"]
    escaped = make().replace(b"/JS ", b"/J#53 ").replace(b"/JavaScript", b"/Java#53cript")
    assert b"/JS " not in escaped and b"/JavaScript" not in escaped
    assert pdf_problem(escaped) == SCRIPT


def test_a_password_protected_pdf_is_refused_as_it_cannot_be_checked():
    protected = pdf(lambda writer, page: writer.encrypt("", "owner", algorithm="RC4-128"))
    assert pdf_problem(protected).startswith("Password-protected PDFs cannot be checked")


def test_more_objects_than_the_bound_are_refused(monkeypatch):
    monkeypatch.setattr(pdfs, "MAX_PDF_OBJECTS", 2)
    assert pdf_problem(pdf()) == TOO_COMPLEX


def with_object_stream(unpacked: int) -> bytes:
    """A PDF 1.5 whose catalog points into an object stream that unpacks to `unpacked` bytes (mostly spaces)."""
    out, offsets = io.BytesIO(), {}

    def add(number: int, body: bytes) -> None:
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    out.write(b"%PDF-1.7\n")
    add(1, b"<< /Type /Catalog /Pages 2 0 R /Extra 5 0 R >>")
    add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>")
    header = b"5 0 "
    packed = zlib.compress(header + b"<< /A 1 >>" + b" " * unpacked, 1)
    add(
        4,
        b"<< /Type /ObjStm /N 1 /First %d /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
        % (len(header), len(packed), packed),
    )
    start = out.tell()
    rows = [b"\x00\x00\x00\x00\x00\xff"] + [b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00" for n in (1, 2, 3, 4)]
    rows += [b"\x02" + (4).to_bytes(4, "big") + b"\x00", b"\x01" + start.to_bytes(4, "big") + b"\x00"]
    table = b"".join(rows)
    out.write(
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 1] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n"
        % (len(table), table)
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % start)
    return out.getvalue()


def test_object_streams_are_read():
    assert pdf_problem(with_object_stream(100)) is None


def test_a_small_file_that_unpacks_to_more_than_the_bound_is_refused_unread():
    bomb = with_object_stream(pdfs.MAX_UNPACKED_BYTES + 1)
    assert len(bomb) < 100_000
    assert pdf_problem(bomb) == TOO_COMPLEX
