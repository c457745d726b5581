"""The versions deployed before names were kept (English names, translated by a table in the code) keep reading in
Vietnamese: the migration gives their shipped English names the Vietnamese the app showed for them."""

import importlib.util
import re
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy import text

from inspect_app import create_app
from inspect_app.core.extensions import db
from inspect_app.core.migrations import upgrade
from inspect_app.core.names import display_name
from inspect_app.models import ProcessDefinition
from tests.conftest import make_config

ROOT = Path(__file__).resolve().parents[2]
MIGRATION = next((ROOT / "inspect_app" / "migrations" / "versions").glob("*_process_definition_names.py"))


def migration():
    spec = importlib.util.spec_from_file_location("process_definition_names", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shipped_before(path: str) -> str:
    """A shipped file as it was before its elements had Vietnamese names: named in English, no name properties."""
    xml = (ROOT / path).read_text(encoding="utf-8")
    xml = re.sub(
        r'name="[^"]*"([^>]*>\s*<bpmn:extensionElements><spiffworkflow:properties>)'
        r'<spiffworkflow:property name="name:en" value="([^"]*)"/>',
        r'name="\2"\1',
        xml,
    )
    xml = re.sub(r'<spiffworkflow:property name="name:(vi|en)" value="[^"]*"/>', "", xml)
    assert "name:en" not in xml and "Approve the index" in xml
    return xml


def test_an_old_shipped_version_gets_its_vietnamese_names_beside_its_english_ones():
    names = migration().names_of(shipped_before("bpmn/par_appraisal.bpmn"))

    assert names["approval"] == {"vi": "Phê duyệt Chỉ số CCHC", "en": "Approve the index"}
    assert names["par_appraisal"] == {"vi": "Thẩm định Chỉ số CCHC", "en": "PAR index appraisal"}
    assert names["gw_approved"] == {"vi": "Được phê duyệt?", "en": "Approved?"}
    assert names["flow_explain"] == {"vi": "Có", "en": "Yes"}
    assert all(set(entry) == {"vi", "en"} for entry in names.values()), "every name of a shipped file is known"


def test_other_names_are_kept_as_the_file_gives_them():
    xml = shipped_before("bpmn/par_appraisal.bpmn").replace('name="Approve the index"', 'name="Duyệt kết quả"')

    assert migration().names_of(xml)["approval"] == {"vi": "Duyệt kết quả"}


def test_the_migration_names_the_versions_already_deployed(tmp_path):
    app = create_app(make_config(f"sqlite:///{tmp_path / 'old.sqlite3'}", str(tmp_path / "uploads")))
    old = shipped_before("bpmn/par_appraisal.bpmn")
    with app.app_context():
        upgrade(revision=migration().down_revision)
        db.session.execute(
            text(
                "INSERT INTO process_definitions (process_id, version, name, filename, sha256, bpmn_xml, spec, "
                "serializer_version, deployed_at) VALUES ('par_appraisal', 1, 'PAR index appraisal', "
                "'par_appraisal.bpmn', :sha, :xml, '{}', '1.5', '2026-01-01 00:00:00')"
            ),
            {"sha": "0" * 64, "xml": old},
        )
        db.session.commit()
        upgrade()
        definition = db.session.scalars(db.select(ProcessDefinition)).one()
        with force_locale("vi"):
            assert definition.label == "Thẩm định Chỉ số CCHC v1"
            assert display_name(definition, "approval") == "Phê duyệt Chỉ số CCHC"
        with force_locale("en"):
            assert display_name(definition, "approval") == "Approve the index"
        db.session.remove()
        db.engine.dispose()
