"""Consents (授权): a data subject grants a participant access to some of its records (and,
for a company, its certificates) for named purposes until a time, and may revoke it at any
moment. Each consent carries a receipt the platform signs (授权凭证), checkable offline.

Revocation takes the consent's row lock; every use of a consent (a read, a delivery, a
sale, an export) holds a shared lock on it while it checks and acts, so a use either
commits before the revocation or sees it (`lawful.py`, `reading.py`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from exchange.clock import rfc3339
from exchange.context import Context
from exchange.dataspaces import rules
from exchange.dataspaces.consents import receipts, repository
from exchange.dataspaces.consents.errors import (
    ConsentExpired,
    ConsentNotFound,
    ConsentRevoked,
    ConsentScopeInvalid,
    ConsentTermInvalid,
    InvalidGrantee,
)
from exchange.dataspaces.consents.keys import consent_key
from exchange.dataspaces.consents.models import Consent
from exchange.dataspaces.records import service as records_service
from exchange.dataspaces.vocabulary import (
    DATA_SUBJECT_LABELS,
    GRANTEE_ROLES,
    ConsentPurpose,
    ConsentStatus,
    RecordType,
)
from exchange.errors import Forbidden
from exchange.kit.signed import canonical_json, sign_document
from exchange.participants import service as participants_service
from exchange.participants.errors import ParticipantNotFound
from exchange.vocabulary import ParticipantStatus, Role

OVERSEER_ROLES = frozenset({Role.ADMIN, Role.REGULATOR, Role.COMPLIANCE_REVIEWER})
"""Who sees every consent (not the records): admins, regulators, the registry's reviewers."""
MAX_CONSENT_TERM = timedelta(days=365 * rules.MAX_CONSENT_YEARS + 2)

Party = Literal["subject", "grantee"]


def actor_id(ctx: Context) -> str:
    """The acting participant (403 for anonymous callers)."""
    if ctx.actor is None:
        raise Forbidden("This action needs an authenticated participant.")
    return ctx.actor.id


def oversees(ctx: Context) -> bool:
    """Whether the caller sees every consent."""
    return ctx.actor is not None and ctx.actor.role in OVERSEER_ROLES


def status_of(ctx: Context, consent: Consent) -> ConsentStatus:
    """active, revoked, or expired by the market clock."""
    return rules.consent_status(consent, ctx.clock.now())


def parties(consent: Consent) -> dict[str, Any]:
    """The receipt's subject and grantee (their names as at the grant)."""
    document: dict[str, Any] = json.loads(consent.receipt)
    return {"subject": document["subject"], "grantee": document["grantee"]}


async def _grantee(ctx: Context, subject_id: str, grantee_id: str) -> tuple[str, str]:
    """The grantee's (id, name), if it may be granted a consent."""
    if grantee_id == subject_id:
        raise InvalidGrantee("A consent is granted to another participant, not to oneself.")
    try:
        grantee = await participants_service.get(ctx, grantee_id)
    except ParticipantNotFound:
        raise InvalidGrantee(f"No participant {grantee_id!r} to grant a consent to.") from None
    if Role(grantee.role) not in GRANTEE_ROLES or grantee.status != ParticipantStatus.ACTIVE:
        allowed = ", ".join(sorted(r.value for r in GRANTEE_ROLES))
        raise InvalidGrantee(
            f"Participant {grantee_id} ({grantee.role}, {grantee.status}) cannot be granted a "
            f"consent: grantees are active participants that process data ({allowed})."
        )
    return grantee.id, grantee.name


def _check_term(now: datetime, expires_at: datetime) -> None:
    if expires_at <= now:
        raise ConsentTermInvalid(f"expires_at {rfc3339(expires_at)} is not after now.")
    if expires_at > now + MAX_CONSENT_TERM:
        raise ConsentTermInvalid(
            f"A consent runs at most {rules.MAX_CONSENT_YEARS} years; "
            f"expires_at {rfc3339(expires_at)} is later."
        )


async def grant(
    ctx: Context,
    *,
    grantee_id: str,
    record_ids: Sequence[str],
    record_types: Sequence[RecordType],
    fields: Sequence[str],
    purposes: Sequence[ConsentPurpose],
    certificates: bool,
    expires_at: datetime,
    request_id: str | None = None,
) -> Consent:
    """The caller (a person or company) grants a consent over its own records and signs
    nothing: the platform signs the receipt. Refused whole if any part is not the caller's."""
    me = records_service.data_subject(ctx)
    now = ctx.clock.now()
    _check_term(now, expires_at)
    grantee, grantee_name = await _grantee(ctx, me.id, grantee_id)
    records = await records_service.records_to_cover(
        ctx,
        subject_id=me.id,
        record_ids=record_ids,
        record_types=[t.value for t in record_types],
    )
    if certificates and me.role is not Role.ENTERPRISE:
        raise ConsentScopeInvalid("Only a company holds data-asset certificates to consent to.")
    if not records and not certificates:
        raise ConsentScopeInvalid(
            "The consent covers nothing: your data space holds no records of the types named, "
            "and no record ids or certificates are named."
        )
    wanted_fields = list(dict.fromkeys(fields))
    known = {name for record in records for name in record.fields}
    unknown = [name for name in wanted_fields if name not in known]
    if unknown:
        raise ConsentScopeInvalid(
            f"Fields {', '.join(unknown)} are in none of the records the consent covers.",
            unknown_fields=unknown,
        )
    subject = await participants_service.get(ctx, me.id)
    ordered_purposes = list(dict.fromkeys(purposes))
    key = consent_key(ctx.runtime)
    consent_id = ctx.ids.new()
    facts = receipts.ReceiptFacts(
        consent_id=consent_id,
        subject_id=me.id,
        subject_name=subject.name,
        subject_kind=DATA_SUBJECT_LABELS[me.role],
        grantee_id=grantee,
        grantee_name=grantee_name,
        purposes=ordered_purposes,
        records=[
            receipts.ReceiptRecord(
                r.id,
                RecordType(r.record_type),
                r.title,
                r.source_item_id,
                r.source_department_id,
            )
            for r in records
        ],
        fields=wanted_fields,
        certificates=certificates,
        granted_at=now,
        expires_at=expires_at,
        key_id=key.key_id,
        request_id=request_id,
    )
    document, signature = sign_document(receipts.receipt_document(facts), key.private_key)
    consent = Consent(
        id=consent_id,
        subject_id=me.id,
        grantee_id=grantee,
        record_ids=[r.id for r in records],
        fields=wanted_fields,
        purposes=[p.value for p in ordered_purposes],
        certificates=certificates,
        status=ConsentStatus.ACTIVE,
        granted_at=now,
        expires_at=expires_at,
        revoked_at=None,
        revocation_reason=None,
        request_id=request_id,
        receipt=document,
        signature=signature,
        key_id=key.key_id,
    )
    ctx.session.add(consent)
    ctx.audit(
        "consent.granted",
        subject_type="consent",
        subject_id=consent.id,
        payload={
            "subject_id": me.id,
            "grantee_id": grantee,
            "record_ids": consent.record_ids,
            "fields": consent.fields,
            "purposes": consent.purposes,
            "certificates": certificates,
            "expires_at": expires_at,
            "request_id": request_id,
            "receipt_sha256": hashlib.sha256(document).hexdigest(),
            "key_id": key.key_id,
        },
    )
    await ctx.session.flush()
    return consent


def _visible(ctx: Context, consent: Consent) -> bool:
    return oversees(ctx) or actor_id(ctx) in (consent.subject_id, consent.grantee_id)


async def get_consent(ctx: Context, consent_id: str) -> Consent:
    """A consent: its subject, its grantee and overseers see it (404 for anyone else)."""
    consent = await repository.get_consent(ctx.session, consent_id)
    if consent is None or not _visible(ctx, consent):
        raise ConsentNotFound(f"No consent {consent_id!r}.")
    return consent


async def list_consents(
    ctx: Context,
    *,
    party: Party | None,
    status: ConsentStatus | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Consent], int]:
    """Consents the caller granted (`subject`), holds (`grantee`) or either; overseers see
    every consent unless they name a party."""
    me = actor_id(ctx)
    everyone = oversees(ctx) and party is None
    return await repository.list_consents(
        ctx.session,
        subject_id=me if party == "subject" else None,
        grantee_id=me if party == "grantee" else None,
        either_id=None if everyone or party is not None else me,
        status=status,
        now=ctx.clock.now(),
        limit=limit,
        offset=offset,
    )


async def revoke(ctx: Context, *, consent_id: str, reason: str) -> Consent:
    """The data subject revokes its consent (撤回授权): every later use is refused at once."""
    consent = await repository.get_consent(ctx.session, consent_id, lock="update")
    if consent is None or not _visible(ctx, consent):
        raise ConsentNotFound(f"No consent {consent_id!r}.")
    if actor_id(ctx) != consent.subject_id:
        raise Forbidden("Only the data subject who granted a consent revokes it.")
    status = status_of(ctx, consent)
    if status is ConsentStatus.REVOKED:
        raise ConsentRevoked(f"Consent {consent_id} was already revoked.", consent_id=consent_id)
    if status is ConsentStatus.EXPIRED:
        raise ConsentExpired(
            f"Consent {consent_id} expired at {rfc3339(consent.expires_at)}; nothing to revoke.",
            consent_id=consent_id,
        )
    consent.status = ConsentStatus.REVOKED
    consent.revoked_at = ctx.clock.now()
    consent.revocation_reason = reason
    ctx.audit(
        "consent.revoked",
        subject_type="consent",
        subject_id=consent.id,
        payload={
            "subject_id": consent.subject_id,
            "grantee_id": consent.grantee_id,
            "reason": reason,
        },
    )
    await ctx.session.flush()
    return consent


def receipt_document(consent: Consent) -> dict[str, Any]:
    """The signed receipt as a JSON object."""
    document: dict[str, Any] = json.loads(consent.receipt)
    return document


async def verify_presented(ctx: Context, *, document: Any, signature: str) -> receipts.ReceiptCheck:
    """Check a presented receipt: signature, the platform's records, revocation and expiry."""
    key = consent_key(ctx.runtime)
    now = ctx.clock.now()
    offline = receipts.verify_consent_receipt_offline(document, signature, key.public_key, now=now)
    if offline.status in (receipts.ReceiptStatus.BAD_SIGNATURE, receipts.ReceiptStatus.MALFORMED):
        return offline
    consent = await repository.get_consent(ctx.session, offline.consent_id or "")
    if consent is None or consent.receipt != canonical_json(document):
        return receipts.ReceiptCheck(
            receipts.ReceiptStatus.UNKNOWN_CONSENT,
            offline.consent_id,
            "The platform holds no such consent receipt.",
        )
    status = status_of(ctx, consent)
    if status is ConsentStatus.REVOKED:
        assert consent.revoked_at is not None
        return receipts.ReceiptCheck(
            receipts.ReceiptStatus.REVOKED,
            consent.id,
            f"Revoked by its data subject at {rfc3339(consent.revoked_at)}.",
        )
    if status is ConsentStatus.EXPIRED:
        return receipts.ReceiptCheck(receipts.ReceiptStatus.EXPIRED, consent.id, offline.detail)
    return receipts.ReceiptCheck(
        receipts.ReceiptStatus.VALID, consent.id, "Genuine, in force and not revoked."
    )


async def consent_ids_of(ctx: Context, subject_id: str) -> list[str]:
    """Every consent a subject has granted (who used my data)."""
    return await repository.consent_ids_of_subject(ctx.session, subject_id)


@dataclass(frozen=True, slots=True)
class SignedReceipt:
    """A consent's receipt as issued, with the consent's status now."""

    document: dict[str, Any]
    signature: bytes
    key_id: str
    status: ConsentStatus


async def signed_receipt(ctx: Context, consent_id: str) -> SignedReceipt:
    """The receipt of a consent the caller may see."""
    consent = await get_consent(ctx, consent_id)
    return SignedReceipt(
        receipt_document(consent), consent.signature, consent.key_id, status_of(ctx, consent)
    )
