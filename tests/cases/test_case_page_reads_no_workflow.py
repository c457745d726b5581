"""The case page draws the case's path from what the engine stored at its last step: it never rebuilds the workflow
(nor parses the process) to show it, however long the case's history. Counted with hooks, not timed."""

from unittest import mock

from inspect_app import workflow_bridge
from tests.cases.test_case_diagram import do
from workflows import serializer
from workflows.engine import Engine


def test_the_case_page_draws_the_path_without_rebuilding_the_workflow(client, sign_in, start_case, people):
    case = start_case(lead=people["lead"], members=[people["inspector"]], actor=people["director"])
    do(case, "visit", people["inspector"], note="Đã kiểm tra")
    for _round in range(3):
        do(case, "report", people["lead"], note="Báo cáo")
        do(case, "review", people["director"], decision="return", comment="Bổ sung số liệu")
    sign_in("director")
    # As a web worker that has not yet run this process would: nothing parsed or restored is kept from the steps.
    workflow_bridge._bundle.cache_clear()
    workflow_bridge._restored_spec.cache_clear()

    with (
        mock.patch.object(serializer._serializer, "from_dict", wraps=serializer._serializer.from_dict) as restored,
        mock.patch.object(Engine, "load", autospec=True, side_effect=Engine.load) as loaded,
        mock.patch.object(workflow_bridge, "parse_bpmn", wraps=workflow_bridge.parse_bpmn) as parsed,
    ):
        page = client.get(f"/cases/{case.id}")

    assert page.status_code == 200
    assert 'data-element-id="review"' in page.get_data(as_text=True), "the diagram is drawn"
    assert "bpmn-taken" in page.get_data(as_text=True), "with the flows taken"
    assert loaded.call_count == 0
    assert restored.call_count == 0
    assert parsed.call_count == 0
