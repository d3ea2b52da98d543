"""Reading under a consent (授权访问): the grantee reads the records (and a company's
certificates) a consent covers, for a purpose it declares, while the consent is in force.

A read holds a shared lock on the consent, checks it, reads and records itself in the log in
one unit of work: a revocation (which takes the row's exclusive lock) commits either after
the read, or before it, and then the read is refused. A refused read (revoked, expired, a
purpose outside the consent) changes nothing in the market; the attempt itself is recorded
against the consent, so its data subject sees it too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exchange.context import Context, Principal, Runtime
from exchange.dataspaces import rules
from exchange.dataspaces.consents import repository
from exchange.dataspaces.consents.errors import (
    ConsentExpired,
    ConsentNotFound,
    ConsentNotHeld,
    ConsentRevoked,
    PurposeNotConsented,
)
from exchange.dataspaces.consents.models import Consent
from exchange.dataspaces.consents.service import oversees
from exchange.dataspaces.records import service as records_service
from exchange.dataspaces.vocabulary import ConsentPurpose, RecordType
from exchange.errors import ExchangeError, Forbidden
from exchange.hooks import NotWired


@dataclass(frozen=True, slots=True)
class HeldCertificate:
    """A data-asset certificate its holder consented to show, as issued (verifiable offline)."""

    number: str
    asset_id: str
    status: str
    document: dict[str, Any]
    signature: str
    key_id: str
    expires_at: datetime


# The certificates a company holds. The assets domain (above this one) issues them, so the
# source is installed when the market is assembled (exchange.wiring), not imported here.
CertificateSource = Callable[[Context, str], Awaitable[Sequence[HeldCertificate]]]
_certificates: list[CertificateSource] = []


def install_certificates(source: CertificateSource) -> None:
    """Use `source` for the certificates a consent shows (done once, by the wiring)."""
    _certificates[:] = [source]


@dataclass(frozen=True, slots=True)
class DisclosedRecord:
    """A record as a consent discloses it: only the consented fields, and their digest."""

    id: str
    record_type: RecordType
    title: str
    period: str
    source_item_id: str
    source_department_id: str
    fields: dict[str, Any]
    fields_sha256: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What a read under a consent handed out."""

    consent: Consent
    purpose: ConsentPurpose
    read_at: datetime
    records: list[DisclosedRecord]
    certificates: list[HeldCertificate]


REFUSALS = (ConsentRevoked, ConsentExpired, PurposeNotConsented)


async def _held(ctx: Context, consent_id: str) -> Consent:
    """The consent, share-locked, if the caller is its grantee."""
    if ctx.actor is None:
        raise Forbidden("Reading under a consent needs an authenticated participant.")
    consent = await repository.get_consent(ctx.session, consent_id, lock="share")
    if consent is None or not (
        oversees(ctx) or ctx.actor.id in (consent.subject_id, consent.grantee_id)
    ):
        raise ConsentNotFound(f"No consent {consent_id!r}.")
    if ctx.actor.id != consent.grantee_id:
        raise ConsentNotHeld(
            f"Only the grantee reads under consent {consent_id}; a data subject sees its own "
            "records in its data space.",
            consent_id=consent_id,
        )
    return consent


async def read(ctx: Context, *, consent_id: str, purpose: ConsentPurpose) -> ReadResult:
    """The grantee reads what a consent covers, for a declared purpose (one unit of work)."""
    consent = await _held(ctx, consent_id)
    now = ctx.clock.now()
    rules.check_in_force(consent, now=now, purpose=purpose, what="reading the records")
    disclosed = []
    for record in await records_service.records_by_ids(ctx, consent.record_ids):
        fields = rules.disclosed_fields(record.fields, consent.fields)
        disclosed.append(
            DisclosedRecord(
                id=record.id,
                record_type=RecordType(record.record_type),
                title=record.title,
                period=record.period,
                source_item_id=record.source_item_id,
                source_department_id=record.source_department_id,
                fields=fields,
                fields_sha256=records_service.fields_sha256(fields),
                recorded_at=record.recorded_at,
            )
        )
    certificates: Sequence[HeldCertificate] = []
    if consent.certificates:
        if not _certificates:
            raise NotWired("certificates")
        certificates = await _certificates[0](ctx, consent.subject_id)
    ctx.audit(
        "consent.records_read",
        subject_type="consent",
        subject_id=consent.id,
        payload={
            "grantee_id": consent.grantee_id,
            "subject_id": consent.subject_id,
            "purpose": purpose,
            "records": [{"record_id": r.id, "fields_sha256": r.fields_sha256} for r in disclosed],
            "fields": consent.fields,
            "certificate_numbers": [c.number for c in certificates],
        },
    )
    return ReadResult(consent, purpose, now, disclosed, list(certificates))


async def read_under_consent(
    runtime: Runtime, principal: Principal, *, consent_id: str, purpose: ConsentPurpose
) -> ReadResult:
    """A read in a unit of work of its own; if the consent refuses it, the attempt is then
    recorded against the consent in another (nothing else changes), and the refusal raised."""
    try:
        async with runtime.unit_of_work() as session:
            return await read(
                runtime.context(session, principal), consent_id=consent_id, purpose=purpose
            )
    except REFUSALS as refused:
        async with runtime.unit_of_work() as session:
            await _record_refusal(runtime.context(session, principal), consent_id, purpose, refused)
        raise


async def _record_refusal(
    ctx: Context, consent_id: str, purpose: ConsentPurpose, refused: ExchangeError
) -> None:
    consent = await _held(ctx, consent_id)
    ctx.audit(
        "consent.read_refused",
        subject_type="consent",
        subject_id=consent.id,
        payload={
            "grantee_id": consent.grantee_id,
            "subject_id": consent.subject_id,
            "purpose": purpose,
            "refusal": refused.slug,
        },
    )
