"""Serialize workflow state without its spec, and specs once per definition version, recording the version."""

import copy
from dataclasses import dataclass

from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
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
_WORKFLOW_TYPENAME = _serializer.registry.typenames[BpmnWorkflow]
# The converter of whole workflows, to write a workflow's state without converting the spec it runs.
_workflow_converter = _serializer.registry.convert_from_dict[_WORKFLOW_TYPENAME].args[0].__self__


@dataclass(frozen=True)
class RestoredSpec:
    """A stored spec (serialize_spec output) made back into spec objects, once per definition version: workflows
    only read their specs, so one restored spec serves every case of the version (see load_state)."""

    version: str
    spec: object
    subprocess_specs: dict
    has_timers: bool


def restore_spec(spec: dict) -> RestoredSpec:
    """Rebuild the spec objects of a stored spec (without changing `spec`)."""
    version = _check_version(spec, "process spec")
    if version != SERIALIZER_VERSION:  # an older layout: migrated along with each state (load_state)
        return RestoredSpec(version, None, {}, has_timers=True)
    restored = _serializer.registry.restore(copy.deepcopy(spec["spec"]))
    called = {
        name: _serializer.registry.restore(copy.deepcopy(each)) for name, each in spec["subprocess_specs"].items()
    }
    return RestoredSpec(version, restored, called, _has_timers(restored, *called.values()))


def _has_timers(*specs) -> bool:
    """Whether any task of the specs waits on a timer (a process without one never has a timer to project)."""
    return any(
        isinstance(getattr(task_spec, "event_definition", None), TimerEventDefinition)
        for spec in specs
        for task_spec in spec.task_specs.values()
    )


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
    """Return a JSON-ready dict of the workflow's state, without the spec it runs (store that separately).

    The same dict as Spiff's BpmnWorkflowConverter.to_dict less its spec keys, without converting the spec first."""
    converter, registry = _workflow_converter, _serializer.registry
    state = WorkflowConverter.to_dict(converter, workflow)
    state["subprocesses"] = converter.mapping_to_dict(workflow.subprocesses)
    state["bpmn_events"] = registry.convert(workflow.bpmn_events)
    state["typename"] = _WORKFLOW_TYPENAME
    state[VERSION_KEY] = SERIALIZER_VERSION
    return state


def load_state(state: dict, spec: dict | RestoredSpec, script_engine=None) -> BpmnWorkflow:
    """Rebuild a workflow from `dump_state` output and its spec (`serialize_spec` output, or that restored once by
    `restore_spec`), attaching `script_engine`. Neither argument is changed."""
    state_version = _check_version(state, "workflow state")
    spec_version = spec.version if isinstance(spec, RestoredSpec) else _check_version(spec, "process spec")
    if state_version != spec_version:
        raise StateError(f"workflow state (version {state_version}) and spec (version {spec_version}) differ")
    if isinstance(spec, RestoredSpec) and spec.spec is not None:
        workflow = _from_restored_spec(state, spec)
    else:
        combined = copy.deepcopy(state)
        stored = spec if isinstance(spec, dict) else None
        if stored is None:
            raise StateError("a spec of an older serializer version must be given as stored, to be migrated")
        combined.update({key: copy.deepcopy(stored[key]) for key in SPEC_KEYS})
        # migrate() pops the version key and upgrades older layouts in place.
        _serializer.migrate(combined)
        workflow = _serializer.from_dict(combined)
    if script_engine is not None:
        workflow.script_engine = script_engine
    return workflow


def _from_restored_spec(state: dict, spec: RestoredSpec) -> BpmnWorkflow:
    # Spiff's restore copies every dict it turns into an object and builds task data afresh; of the state's own
    # containers it changes only the top level and the subprocess mapping (it pops from them), and keeps the
    # correlations: copies of those three keep the stored state as it was. Spec objects pass through restore as
    # they are (it returns what it does not recognise).
    combined = dict(state)
    del combined[VERSION_KEY]
    combined["subprocesses"] = dict(state.get("subprocesses", {}))
    combined["correlations"] = copy.deepcopy(state.get("correlations", {}))
    combined["spec"] = spec.spec
    combined["subprocess_specs"] = dict(spec.subprocess_specs)
    return _serializer.from_dict(combined)


def state_version(state: dict) -> str | None:
    """Return the serializer version recorded in stored state or spec."""
    return state.get(VERSION_KEY)
