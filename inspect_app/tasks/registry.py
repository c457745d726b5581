"""The app's registries of process hooks, built once in `create_app` from the features' own tables:

- steps: a BPMN user task's `form` property names its step handler (input model and what completing it does);
- forms: the WTForms class that shows the same step as an HTML form;
- contexts: what the step's task page shows beside its form (the material its decision needs; see tasks/context.py);
- timer handlers: what a case does when one of its BPMN timers fires (by timer id);
- start samples: a sample value of each piece of data a case's workflow starts with (by name), for the trial start
  that deploying a process makes (see workflow_bridge.trial_start_problems)."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from inspect_app.models import Case
    from inspect_app.tasks.context import ContextProvider
    from inspect_app.tasks.forms import TaskForm
    from inspect_app.tasks.steps import StepHandler

EXTENSION_KEY = "inspect.registry"


class RegistryError(RuntimeError):
    """The features' tables do not fit together (a name given twice, a step without its form)."""


@dataclass(frozen=True)
class Registry:
    steps: dict[str, "StepHandler"]
    forms: dict[str, type["TaskForm"]]
    contexts: dict[str, "ContextProvider"]
    timer_handlers: dict[str, Callable[["Case"], None]]
    start_samples: dict[str, Callable[[], object]]


def install(
    app: Flask,
    *,
    steps: Iterable[Mapping[str, "StepHandler"]],
    forms: Iterable[Mapping[str, type["TaskForm"]]],
    timer_handlers: Iterable[Mapping[str, Callable[["Case"], None]]],
    start_samples: Iterable[Mapping[str, Callable[[], object]]] = (),
    contexts: Iterable[Mapping[str, "ContextProvider"]] = (),
) -> Registry:
    """Merge the features' tables into the app's registry; refuse a name given twice, a step and form not paired, or
    a page context for no step."""
    registry = Registry(
        _merge("step", steps),
        _merge("form", forms),
        _merge("task page context", contexts),
        _merge("timer handler", timer_handlers),
        _merge("start sample", start_samples),
    )
    unpaired = sorted(set(registry.steps) ^ set(registry.forms))
    if unpaired:
        raise RegistryError(f"every step needs its form and every form its step; unpaired: {', '.join(unpaired)}")
    stray = sorted(set(registry.contexts) - set(registry.steps))
    if stray:
        raise RegistryError(f"a task page context needs its step; no step is named: {', '.join(stray)}")
    app.extensions[EXTENSION_KEY] = registry
    return registry


def current() -> Registry:
    """The registry of the running app."""
    return current_app.extensions[EXTENSION_KEY]


def _merge(kind: str, tables: Iterable[Mapping]) -> dict:
    merged: dict = {}
    for table in tables:
        twice = sorted(set(merged) & set(table))
        if twice:
            raise RegistryError(f"{kind} registered twice: {', '.join(twice)}")
        merged.update(table)
    return merged
