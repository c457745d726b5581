"""Serialize workflow state without its spec, and specs once per definition version, recording the version."""

import copy

from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from .errors import StateError
from .parser import ProcessBundle
from .timers import CLOCK_TIMERS

SERIALIZER_VERSION = VERSION
VERSION_KEY = BpmnWorkflowSerializer.VERSION_KEY
SPEC_KEYS = ("spec", "subprocess_specs")
KNOWN_VERSIONS = frozenset({SERIALIZER_VERSION, *MIGRATIONS})


def _config() -> dict:
    config = dict(SPIFF_CONFIG)
    # Our clock-aware timers keep Spiff's class names, so stored specs use the standard typenames.
    for spiff_class, ours in CLOCK_TIMERS.items():
        config[ours] = config.pop(spiff_class)
    return config


_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config()))


def _check_version(data: dict, what: str) -> str:
    version = data.get(VERSION_KEY)
    if version not in KNOWN_VERSIONS:
        raise StateError(
            f"{what} was written by serializer version {version!r}; this engine reads "
            f"{', '.join(sorted(KNOWN_VERSIONS))} (current {SERIALIZER_VERSION})"
        )
    return version


def serialize_spec(bundle: ProcessBundle) -> dict:
    """Return a JSON-ready dict of the bundle's spec and called specs, to store once per definition version."""
    return {
        VERSION_KEY: SERIALIZER_VERSION,
        "process_id": bundle.process_id,
        "spec": _serializer.to_dict(bundle.spec),
        "subprocess_specs": {name: _serializer.to_dict(spec) for name, spec in bundle.subprocess_specs.items()},
    }


def dump_state(workflow: BpmnWorkflow) -> dict:
    """Return a JSON-ready dict of the workflow's state, without the spec it runs (store that separately)."""
    state = _serializer.to_dict(workflow)
    for key in SPEC_KEYS:
        state.pop(key)
    state[VERSION_KEY] = SERIALIZER_VERSION
    return state


def load_state(state: dict, spec: dict, script_engine=None) -> BpmnWorkflow:
    """Rebuild a workflow from `dump_state` output and its `serialize_spec` output, attaching `script_engine`."""
    state_version = _check_version(state, "workflow state")
    spec_version = _check_version(spec, "process spec")
    if state_version != spec_version:
        raise StateError(f"workflow state (version {state_version}) and spec (version {spec_version}) differ")
    combined = copy.deepcopy(state)
    combined.update({key: copy.deepcopy(spec[key]) for key in SPEC_KEYS})
    # migrate() pops the version key and upgrades older layouts in place.
    _serializer.migrate(combined)
    workflow = _serializer.from_dict(combined)
    if script_engine is not None:
        workflow.script_engine = script_engine
    return workflow


def state_version(state: dict) -> str | None:
    """Return the serializer version recorded in stored state or spec."""
    return state.get(VERSION_KEY)
