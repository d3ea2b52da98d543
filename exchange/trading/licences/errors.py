"""Errors of licences (许可) and the delivery (交付) they grant."""

from __future__ import annotations

from exchange.errors import Conflict, NotFound


class LicenceNotFound(NotFound):
    slug = "licence-not-found"
    title = "No such licence"


class LicenceNotLive(Conflict):
    slug = "licence-not-live"
    title = "The licence has expired or was revoked"


class LicenceRevoked(Conflict):
    slug = "licence-already-revoked"
    title = "The licence was already revoked"


class TransferRequired(Conflict):
    slug = "usage-transfer-required"
    title = "The licence carries a usage policy: delivery goes through a transfer process"
