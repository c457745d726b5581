"""Hostile input on the inspection pages (issue 9, smaller defects): coordinates out of range or not numbers are
refused naming the field and store nothing; a `next` address off the site does not take the user there."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from inspect_app.core.extensions import db
from inspect_app.models import EvidenceFile, Finding
from tests.inspections.test_paths import plan


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


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/phish"])
def test_the_next_address_never_leaves_the_site(act, on_site, target):
    data = {**FINDING, "next": target}
    response = act("inspector", f"/inspections/{on_site.id}/findings", data, page=f"/inspections/{on_site.id}/onsite")
    assert response.status_code == 302 and "evil.example" not in response.location
