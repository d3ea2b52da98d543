"""Errors of consent requests (授权申请)."""

from __future__ import annotations

from exchange.errors import Conflict, InvalidInput, NotFound


class ConsentRequestNotFound(NotFound):
    slug = "consent-request-not-found"
    title = "No such consent request"


class ConsentRequestDecided(Conflict):
    slug = "consent-request-decided"
    title = "The consent request has already been decided"


class InvalidDataSubject(InvalidInput):
    slug = "invalid-data-subject"
    title = "Consent is asked of another person or company (a data subject)"
