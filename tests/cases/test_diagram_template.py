"""The case page's BPMN diagram: what a user sees in the server-drawn SVG."""

import dataclasses
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from workflows.diagram import Diagram, read_diagram

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "bpmn" / "diagram_sample.bpmn"
SVG = "{http://www.w3.org/2000/svg}"
MACRO = '{% from "cases/_diagram.html" import diagram_svg %}{{ diagram_svg(d, c, i, cur, t, title) }}'


@pytest.fixture
def sample() -> Diagram:
    return read_diagram(SAMPLE.read_bytes())


@pytest.fixture
def render(app):
    """Render the macro and parse it: a parse error means the markup is not well-formed."""

    def do(diagram, completed=(), interrupted=(), current=(), taken=(), title="Quy trình"):
        with app.test_request_context():
            html = app.jinja_env.from_string(MACRO).render(
                d=diagram, c=set(completed), i=set(interrupted), cur=set(current), t=set(taken), title=title
            )
        return html, ET.fromstring(html)

    return do


def drawn(root, element_id):
    [found] = root.findall(f".//*[@data-element-id='{element_id}']")
    return found


def classes(element):
    return set(element.get("class").split())


def text_of(element):
    return "".join(element.itertext())


def renamed(diagram, **names):
    shapes = tuple(dataclasses.replace(s, name=names.get(s.element_id, s.name)) for s in diagram.shapes)
    return dataclasses.replace(diagram, shapes=shapes)


def test_the_diagram_is_an_svg_image_named_for_screen_readers(render, sample):
    _, root = render(sample)

    svg = root.find(f".//{SVG}svg")
    assert (svg.get("role"), svg.get("aria-label")) == ("img", "Quy trình")
    assert svg.get("viewBox") == sample.view_box
    assert svg.get("width") == "100%"
    assert "bpmn-diagram" in classes(root.find(".//div"))


def test_current_completed_and_unreached_tasks_look_different(render, sample):
    _, root = render(sample, completed={"start", "draft_report"}, current={"review_report"})

    assert "bpmn-current" in classes(drawn(root, "review_report"))
    assert "bpmn-completed" in classes(drawn(root, "draft_report"))
    assert "bpmn-completed" in classes(drawn(root, "start"))
    unreached = classes(drawn(root, "approved_end"))
    assert not unreached & {"bpmn-current", "bpmn-completed", "bpmn-interrupted"}


def test_a_task_done_before_and_open_again_shows_as_current(render, sample):
    _, root = render(sample, completed={"draft_report", "review_report"}, current={"draft_report"})

    assert "bpmn-current" in classes(drawn(root, "draft_report"))
    assert "bpmn-completed" not in classes(drawn(root, "draft_report"))


def test_a_task_cut_short_by_its_timer_shows_as_interrupted(render, sample):
    _, root = render(sample, completed={"review_report", "review_overdue"}, interrupted={"review_report"})

    assert "bpmn-interrupted" in classes(drawn(root, "review_report"))
    assert "bpmn-timer" in classes(drawn(root, "review_overdue"))


def test_the_path_taken_is_highlighted_with_its_own_arrowhead(render, sample):
    _, root = render(sample, taken={"flow_start", "flow_drafted"})

    taken, untaken = drawn(root, "flow_drafted"), drawn(root, "flow_rejected")
    assert "bpmn-taken" in classes(taken)
    assert "bpmn-taken" not in classes(untaken)
    points = [tuple(map(float, pair.split(","))) for pair in taken.find(f"{SVG}polyline").get("points").split()]
    assert points == [(380, 160), (490, 160), (490, 320)]
    assert taken.find(f"{SVG}polyline").get("marker-end") == "url(#bpmn-arrow-taken)"
    assert untaken.find(f"{SVG}polyline").get("marker-end") == "url(#bpmn-arrow)"
    assert text_of(untaken).strip() == "No"


def test_lanes_are_drawn_as_bands_with_their_names(render, sample):
    _, root = render(sample)

    for lane_id, name in [("lane_lead", "lead"), ("lane_director", "director")]:
        band = drawn(root, lane_id)
        assert "bpmn-lane" in classes(band)
        assert band.find(f"{SVG}text").text == name
        assert "rotate(-90)" in band.find(f"{SVG}text").get("transform")


def test_names_from_the_file_are_shown_as_text_never_run_as_markup(render, sample):
    hostile = "<script>alert(1)</script>"
    html, root = render(renamed(sample, draft_report=hostile), title='Quy trình "<b>"')

    assert root.find(f".//{SVG}script") is None and root.find(".//script") is None
    assert "&lt;script&gt;" in html
    task = drawn(root, "draft_report")
    assert task.find(f"{SVG}title").text == hostile
    assert "".join(task.find(f"{SVG}text").itertext()) == hostile
    assert root.find(f".//{SVG}svg").get("aria-label") == 'Quy trình "<b>"'


def test_a_long_task_name_is_split_into_lines_that_fit_the_box(render, sample):
    name = "Dự thảo báo cáo kết quả kiểm tra công vụ"
    _, root = render(renamed(sample, draft_report=name))

    lines = [tspan.text for tspan in drawn(root, "draft_report").iter(f"{SVG}tspan")]
    assert len(lines) > 1
    assert " ".join(lines) == name
    assert all(len(line) <= 14 for line in lines)


def test_text_stays_legible_when_the_screen_is_narrow(render, sample):
    # Task text is 13 units high; the SVG may not shrink below the width that keeps it at 12 px.
    _, root = render(sample)

    svg = root.find(f".//{SVG}svg")
    min_width = float(re.search(r"min-width:\s*([\d.]+)px", svg.get("style")).group(1))
    assert min_width / sample.width * 13 >= 12


def test_the_legend_explains_the_colours(render, sample):
    _, root = render(sample)

    swatches = [span.get("class") for span in root.iter("span")]
    assert swatches == ["bpmn-swatch bpmn-swatch-completed", "bpmn-swatch bpmn-swatch-current", "bpmn-swatch",
                        "bpmn-swatch bpmn-swatch-taken"]  # fmt: skip
    assert all(text_of(item).strip() for item in root.iter("li"))


def test_a_file_without_a_drawing_says_so(render):
    _, root = render(read_diagram(SAMPLE.with_name("inspection.bpmn").read_bytes()))

    assert root.find(f".//{SVG}svg") is None
    assert text_of(root.find("p[@class='empty']")).strip()
