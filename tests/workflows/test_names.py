"""Display names: Vietnamese in the name attribute, other languages as name:<language> properties, one table per file;
validation refuses a user task a Vietnamese reader could not read."""

from pathlib import Path

import pytest

from workflows import parse_bpmn, pick, read_names, validate_bpmn

SHIPPED = Path(__file__).resolve().parents[2] / "bpmn"

NAMED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="named_definitions" targetNamespace="http://example.org/inspect">
  <bpmn:process id="named" name="Kiểm tra thử" isExecutable="true">
    <bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="name:en" value="Trial inspection"/>
    </spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_lead" name="lead">
        <bpmn:extensionElements><spiffworkflow:properties>
          <spiffworkflow:property name="name:vi" value="Trưởng đoàn"/>
          <spiffworkflow:property name="name:en" value="Team lead"/>
        </spiffworkflow:properties></bpmn:extensionElements>
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>review</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="review" name="{task_name}">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="review"/>{extra}
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="done" name="Xong"/>
    <bpmn:sequenceFlow id="to_review" sourceRef="start" targetRef="review"/>
    <bpmn:sequenceFlow id="to_done" name="Đồng ý" sourceRef="review" targetRef="done">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="name:en" value="Agreed"/>
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""
EN_NAME = '\n        <spiffworkflow:property name="name:en" value="Review the   report"/>'


def named(task_name: str = "Xem xét\n        báo cáo", extra: str = EN_NAME) -> bytes:
    return NAMED.format(task_name=task_name, extra=extra).encode()


def test_each_element_has_its_vietnamese_name_and_its_other_languages():
    names = read_names(named())

    assert names["named"] == {"vi": "Kiểm tra thử", "en": "Trial inspection"}
    assert names["review"] == {"vi": "Xem xét báo cáo", "en": "Review the report"}, "one line, single spaces"
    assert names["to_done"] == {"vi": "Đồng ý", "en": "Agreed"}
    assert names["done"] == {"vi": "Xong"}
    assert names["lane:lead"] == {"vi": "Trưởng đoàn", "en": "Team lead"}, "a lane is named by its role, not its id"
    assert "to_review" not in names, "an unnamed element has no entry"


def test_a_name_falls_back_to_vietnamese_then_to_whatever_the_file_has():
    names = read_names(named())

    assert pick(names, "review", "en") == "Review the report"
    assert pick(names, "done", "en") == "Xong"
    assert pick({"x": {"fr": "Réviser"}}, "x", "en") == "Réviser"
    assert pick(names, "to_review", "en") is None


def test_the_parsed_bundle_carries_the_names():
    assert parse_bpmn(named()).names["review"]["en"] == "Review the report"


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.bpmn")), ids=lambda path: path.name)
def test_every_element_a_shipped_process_names_has_a_vietnamese_and_an_english_name(path):
    names = read_names(path.read_bytes())

    assert names
    for key, entry in names.items():
        assert set(entry) == {"vi", "en"}, key


@pytest.mark.parametrize(
    "task_name, extra",
    [("", ""), ("Review the report", ""), ("Review the report", EN_NAME), ("Xem xet bao cao", "")],
    ids=["no name", "English", "English twice", "Vietnamese without its diacritics"],
)
def test_a_user_task_without_a_vietnamese_name_is_refused_naming_it(known_lanes, known_forms, task_name, extra):
    problems = validate_bpmn(named(task_name, extra), "named.bpmn", known_lanes, known_forms)

    assert len(problems) == 1
    assert problems[0].startswith("named.bpmn: review")
    assert "user task has no Vietnamese name" in problems[0]


def test_a_vietnamese_name_in_a_property_is_accepted_too(known_lanes, known_forms):
    vietnamese = '\n        <spiffworkflow:property name="name:vi" value="Xem xét báo cáo"/>'
    assert validate_bpmn(named("Review the report", vietnamese), "named.bpmn", known_lanes, known_forms) == []


def test_a_user_task_with_a_vietnamese_name_passes(known_lanes, known_forms):
    assert validate_bpmn(named(), "named.bpmn", known_lanes, known_forms) == []
