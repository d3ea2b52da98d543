"""Domain errors rendered as RFC 9457 problem+json.

ExchangeError                       base: status, problem type slug, title
 ├── BadRequest              400    a request the market cannot parse or accept as given
 ├── Unauthenticated         401    missing, malformed, unknown or revoked API key
 ├── Forbidden               403    the caller's role may not do this
 ├── NotFound                404    no such object, or not visible to the caller
 ├── Conflict                409    the market's rules or the object's state forbid it
 ├── PayloadTooLarge         413    the body is over the configured cap
 ├── InvalidInput            422    well-formed JSON that breaks a field rule
 └── ServiceUnavailable      503    the service cannot take changes now (e.g. a damaged log)

Each domain subclasses these with its own slug (e.g. `insufficient-funds`), so clients can
switch on `type` without parsing `detail`.
"""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_BASE = "/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


class ExchangeError(Exception):
    """Base of every error the exchange reports to a client."""

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @classmethod
    def type_uri(cls) -> str:
        """The stable problem `type` of this error class."""
        return PROBLEM_BASE + cls.slug

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        """The RFC 9457 problem document for this error."""
        return problem(self.status, self.type_uri(), self.title, self.detail, instance, self.extra)


def problem(
    status: int,
    type_uri: str,
    title: str,
    detail: str,
    instance: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build a problem document; extension members never override the standard ones."""
    body: dict[str, Any] = dict(extra or {})
    body.update({"type": type_uri, "title": title, "status": status, "detail": detail})
    if instance is not None:
        body["instance"] = instance
    return body


class BadRequest(ExchangeError):
    status = 400
    slug = "bad-request"
    title = "Bad request"


class Unauthenticated(ExchangeError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication required"


class Forbidden(ExchangeError):
    status = 403
    slug = "forbidden"
    title = "Not allowed for this participant"


class NotFound(ExchangeError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(ExchangeError):
    status = 409
    slug = "conflict"
    title = "Conflicts with the market's state or rules"


class PayloadTooLarge(ExchangeError):
    status = 413
    slug = "payload-too-large"
    title = "Request body too large"


class InvalidInput(ExchangeError):
    status = 422
    slug = "invalid-input"
    title = "Invalid input"


class ServiceUnavailable(ExchangeError):
    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"


def responses(*errors: type[ExchangeError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the errors an operation may return."""
    out: dict[int | str, dict[str, Any]] = {}
    for error in errors:
        entry = out.setdefault(
            error.status,
            {"description": error.title, "content": {PROBLEM_CONTENT_TYPE: {"schema": _SCHEMA}}},
        )
        if entry["description"] != error.title:
            entry["description"] += f"; {error.title}"
    return out


_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
    "required": ["type", "title", "status", "detail"],
}
