"""Errors of data-space records."""

from __future__ import annotations

from exchange.errors import NotFound


class RecordNotFound(NotFound):
    slug = "data-record-not-found"
    title = "No such record in your data space"
