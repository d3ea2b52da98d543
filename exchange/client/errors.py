"""Problems (RFC 9457) the service answered, raised as exceptions carrying the problem `type`."""

from __future__ import annotations

from typing import Any

import httpx


class ExchangeProblem(Exception):
    """The service refused a request; `type` is stable per refusal (e.g. /problems/...)."""

    status: int
    type: str
    title: str
    detail: str
    body: dict[str, Any]

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.body = body
        self.type = str(body.get("type", "about:blank"))
        self.title = str(body.get("title", ""))
        self.detail = str(body.get("detail", ""))
        super().__init__(f"{status} {self.type}: {self.detail}")

    @property
    def slug(self) -> str:
        """The last part of the problem type, e.g. `insufficient-funds`."""
        return self.type.rsplit("/", 1)[-1]


class BadRequest(ExchangeProblem):
    """400."""


class Unauthenticated(ExchangeProblem):
    """401: no key, or a key the service does not know."""


class Forbidden(ExchangeProblem):
    """403: this participant's role may not do it."""


class NotFound(ExchangeProblem):
    """404: no such object, or not visible to this participant."""


class Conflict(ExchangeProblem):
    """409: the market's rules or the object's state refuse it."""


class PayloadTooLarge(ExchangeProblem):
    """413."""


class InvalidRequest(ExchangeProblem):
    """422: a field breaks its rule; `body["errors"]` says which."""


class ServerError(ExchangeProblem):
    """500: the service failed; quote `body["request_id"]`."""


class ServiceUnavailable(ExchangeProblem):
    """503: database busy, or writes refused because the audit log failed verification."""


_BY_STATUS: dict[int, type[ExchangeProblem]] = {
    400: BadRequest,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: InvalidRequest,
    500: ServerError,
    503: ServiceUnavailable,
}


def raise_for_problem(response: httpx.Response) -> None:
    """Raise the problem a 4xx/5xx response carries."""
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        body = {"detail": response.text[:500]}
    if not isinstance(body, dict):
        body = {"detail": str(body)}
    error = _BY_STATUS.get(response.status_code, ExchangeProblem)
    raise error(response.status_code, body)
