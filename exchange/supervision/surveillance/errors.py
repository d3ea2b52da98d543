"""Errors of market surveillance."""

from __future__ import annotations

from exchange.errors import Conflict, InvalidInput, NotFound


class AlertNotFound(NotFound):
    slug = "alert-not-found"
    title = "No such surveillance alert"


class AlertHandled(Conflict):
    slug = "alert-handled"
    title = "The alert was dismissed or a case was opened on it already"


class DismissalReasonRequired(InvalidInput):
    slug = "dismissal-reason-required"
    title = "An alert is dismissed only with a reason (排除须说明理由)"


class ScanWindowInvalid(InvalidInput):
    slug = "scan-window-invalid"
    title = "A scan's window must end after it starts, and not after now"
