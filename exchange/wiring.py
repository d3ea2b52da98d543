"""Assemble the market: install each domain's hooks into the core (idempotent).

Every entry point calls `install()` before it serves or runs anything: the app factory, the
command line, the simulation and the tests.
"""

from __future__ import annotations

from exchange.hooks import HOOKS


def install() -> None:
    """Plug the audit log, key lookup, live-class routing and class funding into the core."""
    if HOOKS.record_audit is not None:
        return
    from exchange.audit.log import service as audit_service
    from exchange.classroom.funding import fund_class_participant
    from exchange.classroom.routing import resolve_runtime
    from exchange.participants import service as participants_service

    HOOKS.record_audit = audit_service.record
    HOOKS.find_key = participants_service.find_key
    HOOKS.resolve_runtime = resolve_runtime
    HOOKS.fund_class_participant = fund_class_participant
