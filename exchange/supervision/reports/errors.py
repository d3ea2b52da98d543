"""Errors of supervision reports."""

from __future__ import annotations

from exchange.errors import InvalidInput


class ReportPeriodInvalid(InvalidInput):
    slug = "report-period-invalid"
    title = "A report's period must end after it starts, and not after now"


class DivisionOutsideAgency(InvalidInput):
    slug = "division-outside-agency"
    title = "The division asked for lies outside the agency's own"
