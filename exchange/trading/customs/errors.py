"""Errors of data customs (数据海关): cross-border orders held for a regulator's decision."""

from __future__ import annotations

from exchange.errors import Conflict, InvalidInput, NotFound

CUSTOMS_RULE = "数据出境须经数据海关: data leaving mainland China passes data customs"


class CustomsCaseNotFound(NotFound):
    slug = "customs-case-not-found"
    title = "No such customs case"


class LegalBasisRequired(InvalidInput):
    slug = "legal-basis-required"
    title = "Export of important data or personal information needs a declared legal basis"


class CustomsCaseDecided(Conflict):
    slug = "customs-case-decided"
    title = "The customs case has already been decided"
