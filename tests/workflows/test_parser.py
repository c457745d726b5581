"""Parsing BPMN into bundles."""

import pytest

from workflows import BpmnError, list_processes, parse_bpmn


def test_bundle_describes_the_executable_process(bundle):
    parsed = bundle("inspection.bpmn")

    assert parsed.process_id == "inspection"
    assert parsed.name == "Site inspection"
    assert parsed.lanes == {"lead", "inspector", "director"}
    assert parsed.elements["inspect_site"].name == "Kiểm tra tại chỗ"
    assert parsed.elements["inspect_site"].lane == "inspector"
    assert parsed.elements["is_compliant"].kind == "ExclusiveGateway"
    flow = next(flow for flow in parsed.flows if flow.flow_id == "flow_reinspect")
    assert (flow.source, flow.target) == ("review_decision", "inspect_site")


def test_call_activity_file_picks_the_top_level_process_and_bundles_the_called_one(bundle):
    parsed = bundle("follow_up_call.bpmn")

    assert parsed.process_id == "case_with_follow_up"
    assert set(parsed.subprocess_specs) == {"follow_up_visit"}
    assert parsed.elements["revisit_site"].process_id == "follow_up_visit"


def test_a_named_process_can_be_chosen(bundle):
    assert bundle("follow_up_call.bpmn", "follow_up_visit").process_id == "follow_up_visit"


def test_an_unknown_process_id_is_refused(bpmn_bytes):
    with pytest.raises(BpmnError, match="no process with id 'nope'"):
        parse_bpmn(bpmn_bytes("inspection.bpmn"), "nope")


def test_no_executable_process_is_refused(make_bpmn):
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(make_bpmn(executable=False))

    assert "no executable process" in caught.value.problems[0].message


def test_parsing_twice_uses_a_fresh_parser_each_time(bpmn_bytes):
    first = parse_bpmn(bpmn_bytes("inspection.bpmn"))
    second = parse_bpmn(bpmn_bytes("inspection.bpmn"))

    assert first.spec is not second.spec


def test_list_processes_names_every_process(bpmn_bytes):
    processes = list_processes(bpmn_bytes("follow_up_call.bpmn"))

    assert [(p.process_id, p.name, p.is_executable) for p in processes] == [
        ("case_with_follow_up", "Case with a follow-up visit", True),
        ("follow_up_visit", "Follow-up visit", True),
    ]


def test_schema_errors_become_problems(make_bpmn):
    broken = make_bpmn().replace(b"<bpmn:incoming>flow_start</bpmn:incoming>", b"<bpmn:bogus/>")

    with pytest.raises(BpmnError) as caught:
        parse_bpmn(broken)

    assert "bogus" in str(caught.value)


def test_hostile_xml_is_refused_before_parsing():
    hostile = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><d>&e;</d>'

    with pytest.raises(BpmnError, match="DOCTYPE"):
        parse_bpmn(hostile)


def test_size_limit_is_a_parameter(bpmn_bytes):
    with pytest.raises(BpmnError, match="larger than the limit of 100 bytes"):
        parse_bpmn(bpmn_bytes("inspection.bpmn"), max_bytes=100)
