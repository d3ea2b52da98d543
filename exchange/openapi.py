"""The OpenAPI document tells the truth: every status an operation can answer, as problem+json.

FastAPI documents what the routes declare; the core adds what every route shares. An
operation behind an API key may answer 401 (no or bad key) and 403 (role, or a suspended
participant); any may answer 404 (an object it names is unknown or not visible to the caller);
one with a body 400 and 413; a write 409 (a concurrent change won) and 503 (database busy, or
the audit log failed verification); every operation 422 and 500. All of them are
`application/problem+json` with the `Problem` schema (RFC 9457).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from exchange.errors import PROBLEM_CONTENT_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem: `type` is stable per error class, `detail` human.",
    "type": "object",
    "properties": {
        "type": {"type": "string", "description": "e.g. /problems/insufficient-funds"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "For 422: each field that broke a rule.",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": "string"}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
        "request_id": {"type": ["string", "null"], "description": "For 500: quote it."},
    },
    "required": ["type", "title", "status", "detail"],
    "additionalProperties": True,
}
_WRITES = frozenset({"post", "put", "patch", "delete"})
_STANDARD: dict[str, str] = {
    "400": "Bad request",
    "401": "Authentication required: Authorization: Bearer <API key>",
    "403": "Not allowed for this participant",
    "404": "Not found, or not visible to this participant",
    "409": "Conflicts with the market's state or rules",
    "413": "Request body too large",
    "422": "Invalid request",
    "500": "Internal error",
    "503": "Database busy, or the audit log failed verification (writes refused)",
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_REF}}}


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the shared problem responses to every operation of a generated document."""
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components["schemas"].pop("HTTPValidationError", None)
    components["schemas"].pop("ValidationError", None)
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            for status, response in responses.items():
                if status[0] in "45" and PROBLEM_CONTENT_TYPE in response.get("content", {}):
                    response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_REF}}
            wanted = ["404", "422", "500"]
            if operation.get("security"):
                wanted += ["401", "403"]
            if "requestBody" in operation:
                wanted += ["400", "413"]
            if method in _WRITES:
                wanted += ["409", "503"]
            for status in wanted:
                current = responses.get(status)
                if current is None or PROBLEM_CONTENT_TYPE not in current.get("content", {}):
                    responses[status] = _problem(
                        current["description"]
                        if current and current.get("description") != "Validation Error"
                        else _STANDARD[status]
                    )
            operation["responses"] = dict(sorted(responses.items()))
    return document


def install(app: FastAPI) -> None:
    """Make `app.openapi()` return the completed document (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    openapi_version=app.openapi_version,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                )
            )
        return app.openapi_schema

    setattr(app, "openapi", openapi)  # noqa: B010 (FastAPI's documented override point)
