"""Exception types raised by the engine package."""

from dataclasses import dataclass


def element_label(element_id: str | None, name: str | None = None) -> str:
    """How a problem names an element: its id ("-" when unknown), and its name in quotes when it has another."""
    return f'{element_id or "-"} ("{name}")' if name and name != element_id else element_id or "-"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a BPMN document, tied to an element (and its name, when given) when one is known."""

    element_id: str | None
    message: str
    element_name: str | None = None

    def __str__(self) -> str:
        return f"{element_label(self.element_id, self.element_name)}: {self.message}"


class BpmnError(Exception):
    """A BPMN document could not be accepted; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


class WorkflowError(Exception):
    """A running workflow could not go on; `element_id` names the BPMN element at fault, `message` the problem
    (without the element, which a message from deeper down may already start with)."""

    def __init__(self, message: str, element_id: str | None = None):
        self.element_id = element_id
        self.message = message.removeprefix(f"{element_id}: ") if element_id else message
        super().__init__(f"{element_id}: {self.message}" if element_id else message)


class StateError(Exception):
    """Stored workflow state cannot be loaded (unknown serializer version, mismatched spec)."""
