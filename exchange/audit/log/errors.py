"""Errors of the audit spine: a damaged log refuses every state change (fail closed)."""

from __future__ import annotations

from exchange.errors import ServiceUnavailable


class AuditLogDamaged(ServiceUnavailable):
    """The log failed verification: nothing may be appended until an admin acknowledges."""

    status = 503
    slug = "audit-log-damaged"
    title = "The audit log is damaged: state changes are refused"
