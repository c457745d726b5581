"""Deploying BPMN files as new process-definition versions, validated first."""

from flask_babel import gettext as _

from inspect_app import workflow_bridge
from inspect_app.core.exceptions import InvalidInput
from inspect_app.models import ProcessDefinition, User


def deploy_bpmn(xml: bytes, filename: str, *, actor: User | None) -> tuple[ProcessDefinition, bool]:
    """Validate and deploy; a rejected file stores nothing and the error lists every problem (file: element: what)."""
    problems = workflow_bridge.validate_definition(xml, filename)
    if problems:
        raise InvalidInput(_("%(file)s was not deployed.", file=filename), {"bpmn": problems})
    return workflow_bridge.deploy_definition(xml, filename, actor)
