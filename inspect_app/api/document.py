"""Building the OpenAPI document from a table of operations (api/openapi.py) and the models they name: pydantic
describes each model; its $defs become the document's components."""

from typing import NamedTuple

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from inspect_app.api.schemas import Error
from inspect_app.core.converters import MAX_ID
from inspect_app.core.schemas import without_null
from inspect_app.evidence.schemas import PhotoForm

ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


class Operation(NamedTuple):
    method: str
    path: str
    operation_id: str
    summary: str
    response: type[BaseModel] | None  # the body of every 2xx answer
    errors: dict[int, str]  # what each refusal means here (401 is everywhere but the document)
    request: type[BaseModel] | str | None = None  # a model, or "answers" (the task's form), or None
    query: type[BaseModel] | None = None
    created: str | None = None  # 201's description, for calls that create


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class DocumentBuilder:
    """Turns the table into paths, with the components pydantic made from the models."""

    def __init__(self, operations: list[Operation], answers: list[type[BaseModel]]):
        self.answers = answers
        uses = {(Error, "serialization")} | {(op.response, "serialization") for op in operations if op.response}
        uses |= {(op.query, "validation") for op in operations if op.query}
        uses |= {(op.request, "validation") for op in operations if isinstance(op.request, type)}
        uses |= {(model, "validation") for model in self.answers}
        self.refs, top = models_json_schema(
            sorted(uses, key=lambda use: use[0].__name__), ref_template="#/components/schemas/{model}"
        )
        self.schemas = top.get("$defs", {})

    def ref(self, model: type[BaseModel], mode: str = "serialization") -> dict:
        return self.refs[(model, mode)]

    def parameters(self, operation: Operation) -> list[dict]:
        names = [part[1:-1] for part in operation.path.split("/") if part.startswith("{")]
        # An id is what the routes' <int:...> converter matches (core/converters.py); anything else is a 404.
        kinds = {name: ID if name.endswith("_id") else {"type": "string"} for name in names}
        parameters = [{"name": n, "in": "path", "required": True, "schema": dict(s)} for n, s in kinds.items()]
        if operation.query is not None:
            name = self.ref(operation.query, "validation")["$ref"].rsplit("/", 1)[1]
            # A query string cannot say null: a parameter left out is the null of an optional field.
            parameters += [
                {"name": field, "in": "query", "schema": without_null(schema)}
                for field, schema in self.schemas[name]["properties"].items()
            ]
        return parameters

    def request_body(self, operation: Operation) -> dict:
        if operation.request == "answers":
            schema = {
                "anyOf": [self.ref(model, "validation") for model in self.answers],
                "description": "The answers of the task's form (Task.form names it, Task.fields lists its fields); "
                "a list gives a field several values",
            }
        else:
            schema = self.ref(operation.request, "validation")
        media = "multipart/form-data" if operation.request is PhotoForm else "application/json"
        return {"required": True, "content": {media: {"schema": schema}}}

    def operation(self, operation: Operation) -> dict:
        ok = self.ref(operation.response) if operation.response else {"type": "object"}
        responses = {"200": _json(ok, operation.summary)}
        if operation.created:
            responses["201"] = _json(ok, operation.created)
        public = operation.operation_id == "getOpenApi"
        errors = operation.errors if public else {401: "No signed-in session and no valid token", **operation.errors}
        for status, description in sorted(errors.items()):
            responses[str(status)] = _json(ok if status < 300 else self.ref(Error), description)
        entry = {"operationId": operation.operation_id, "summary": operation.summary, "responses": responses}
        if public:
            entry["security"] = []
        if parameters := self.parameters(operation):
            entry["parameters"] = parameters
        if operation.request is not None:
            entry["requestBody"] = self.request_body(operation)
        return entry

    def paths(self, operations: list[Operation], prefix: str) -> dict:
        """Every operation, by path and method."""
        paths: dict[str, dict] = {}
        for operation in operations:
            paths.setdefault(prefix + operation.path, {})[operation.method] = self.operation(operation)
        return paths
