"""Hostile input on the inspection pages (issue 9, smaller defects): coordinates out of range or not numbers are
refused naming the field and store nothing; so are PDFs that do not parse or carry scripts or attached files; a
`next` address off the site does not take the user there."""

import html
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from inspect_app.core.extensions import db
from inspect_app.models import EvidenceFile, Finding
from tests.helpers import error_flash, stored_files
from tests.inspections.test_paths import plan
from tests.pdf_files import REFUSED_PDFS, pdf


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def on_site(decide, do_task):
    case = decide()
    plan(do_task, case)
    return case


FINDING = {"title": "Thiếu niêm yết", "severity": "major", "area": "procedures", "remediation_required": "Niêm yết"}


@pytest.mark.parametrize(
    ("field", "value"), [("latitude", "nan"), ("latitude", "999"), ("longitude", "inf"), ("longitude", "-1e308")]
)
def test_a_photo_with_impossible_coordinates_is_refused_and_nothing_is_stored(act, on_site, field, value):
    data = {**FINDING, "photos": (io.BytesIO(jpeg()), "anh.jpg"), field: value}
    response = act("inspector", f"/inspections/{on_site.id}/findings", data, page=f"/inspections/{on_site.id}/onsite")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Finding.id))) == 0, "no half-written finding"
    assert db.session.scalar(select(func.count(EvidenceFile.id))) == 0


def test_a_photo_with_real_coordinates_keeps_them(act, on_site):
    data = {**FINDING, "photos": (io.BytesIO(jpeg()), "anh.jpg"), "latitude": "20.9373", "longitude": "106.3146"}
    response = act("inspector", f"/inspections/{on_site.id}/findings", data, page=f"/inspections/{on_site.id}/onsite")
    assert response.status_code == 302
    [photo] = db.session.scalars(select(EvidenceFile)).all()
    assert (photo.latitude, photo.longitude) == pytest.approx((20.9373, 106.3146))


@pytest.mark.parametrize("name", REFUSED_PDFS)
def test_a_pdf_that_is_not_inert_is_refused_with_its_finding_and_nothing_is_stored(app, act, on_site, name):
    make, message = REFUSED_PDFS[name]
    before = stored_files(app)
    data = {**FINDING, "photos": (io.BytesIO(make()), "bien-ban.pdf")}
    response = act("inspector", f"/inspections/{on_site.id}/findings", data, page=f"/inspections/{on_site.id}/onsite")
    assert response.status_code == 422 and message in html.unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(Finding.id))) == 0, "no half-written finding"
    assert db.session.scalar(select(func.count(EvidenceFile.id))) == 0 and stored_files(app) == before


def test_a_finding_takes_a_plain_pdf_and_refuses_one_with_a_script(app, act, client, on_site):
    page = f"/inspections/{on_site.id}/onsite"
    response = act(
        "inspector",
        f"/inspections/{on_site.id}/findings",
        {**FINDING, "photos": (io.BytesIO(pdf()), "a.pdf")},
        page=page,
    )
    assert response.status_code == 302
    [stored] = db.session.scalars(select(EvidenceFile)).all()
    assert stored.content_type == "application/pdf"
    before = stored_files(app)
    make, message = REFUSED_PDFS["action run on a page"]
    url = f"/inspections/findings/{stored.finding_id}/files"
    response = act("inspector", url, {"file": (io.BytesIO(make()), "b.pdf")}, page=page)
    assert response.status_code == 303
    assert html.unescape(error_flash(client.get(response.location))) == message
    assert db.session.scalar(select(func.count(EvidenceFile.id))) == 1 and stored_files(app) == before


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/phish", "/\\evil.example/phish"])
def test_the_next_address_never_leaves_the_site(act, on_site, target):
    data = {**FINDING, "next": target}
    response = act("inspector", f"/inspections/{on_site.id}/findings", data, page=f"/inspections/{on_site.id}/onsite")
    assert response.status_code == 302 and "evil.example" not in response.location
