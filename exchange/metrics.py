"""Prometheus metrics (运行指标): requests by route and status, latency, refusals, the audit log.

Each worker process keeps its own counters; `/metrics` reports the process that answers.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "exchange_requests",
    "HTTP requests answered, by method, route template and status.",
    ("method", "route", "status"),
    registry=REGISTRY,
)
LATENCY = Histogram(
    "exchange_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ("route",),
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
    registry=REGISTRY,
)
REFUSALS = Counter(
    "exchange_refusals",
    "Requests the market refused, by problem type (insufficient-funds, not-asset-holder, ...).",
    ("type",),
    registry=REGISTRY,
)
SETTLEMENTS = Counter(
    "exchange_settlements",
    "Trades settled, by trade mode (posted, negotiated, auction).",
    ("mode",),
    registry=REGISTRY,
)
AUDIT_APPENDED = Counter(
    "exchange_audit_entries_appended",
    "Audit entries this process appended (and committed).",
    registry=REGISTRY,
)
AUDIT_SIZE = Gauge(
    "exchange_audit_log_size", "Entries in the audit log (read at scrape time).", registry=REGISTRY
)
AUDIT_VERIFIED = Gauge(
    "exchange_audit_last_verification_ok",
    "1 if the last full verification of the log in this process passed, 0 if it failed; "
    "absent until one has run.",
    registry=REGISTRY,
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request."""
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(route).observe(seconds)


def observe_refusal(problem_type: str) -> None:
    """Count one refusal by its problem type."""
    REFUSALS.labels(problem_type).inc()
