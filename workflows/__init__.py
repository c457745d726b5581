"""The pure BPMN engine: parsing, validation, safe expressions, serialization and the Engine object."""

from .diagram import Diagram, Edge, Shape, read_diagram
from .engine import CompletedPath, Engine, ReadyTask, WaitingTimer, WorkflowStatus, stored_path
from .errors import BpmnError, Problem, StateError, WorkflowError, element_label
from .expressions import ScriptEngine, UnsafeExpression, check_expression
from .helpers import utc_now
from .names import LANE_KEY_PREFIX, PRIMARY_LANGUAGE, Names, lane_key, pick, read_names
from .parser import ElementInfo, Flow, ProcessBundle, ProcessInfo, list_processes, parse_bpmn
from .serializer import (
    SERIALIZER_VERSION,
    RestoredSpec,
    dump_state,
    load_state,
    restore_spec,
    serialize_spec,
    state_version,
)
from .timers import DEFAULT_MAX_TIMER, latest_due
from .validate import validate_bpmn
from .xmlsafe import MAX_BPMN_BYTES

__all__ = [
    "DEFAULT_MAX_TIMER",
    "LANE_KEY_PREFIX",
    "MAX_BPMN_BYTES",
    "PRIMARY_LANGUAGE",
    "SERIALIZER_VERSION",
    "BpmnError",
    "CompletedPath",
    "Diagram",
    "Edge",
    "Shape",
    "ElementInfo",
    "Engine",
    "Flow",
    "Names",
    "Problem",
    "ProcessBundle",
    "ProcessInfo",
    "ReadyTask",
    "RestoredSpec",
    "ScriptEngine",
    "StateError",
    "UnsafeExpression",
    "WaitingTimer",
    "WorkflowError",
    "WorkflowStatus",
    "check_expression",
    "dump_state",
    "element_label",
    "lane_key",
    "latest_due",
    "list_processes",
    "load_state",
    "parse_bpmn",
    "pick",
    "read_names",
    "read_diagram",
    "restore_spec",
    "serialize_spec",
    "state_version",
    "stored_path",
    "utc_now",
    "validate_bpmn",
]
