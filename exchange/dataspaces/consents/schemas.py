"""Request and response models of consents, their receipts and reads under them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from exchange.dataspaces.consents.models import Consent
from exchange.dataspaces.consents.reading import HeldCertificate, ReadResult
from exchange.dataspaces.consents.receipts import ReceiptStatus
from exchange.dataspaces.consents.service import parties
from exchange.dataspaces.fields import FieldNames, Id, Purposes, Reason, RecordIds, RecordTypes
from exchange.dataspaces.vocabulary import (
    CONSENT_STATUS_LABELS,
    PURPOSE_LABELS,
    RECORD_TYPE_LABELS,
    ConsentPurpose,
    ConsentStatus,
    RecordType,
)
from exchange.kit.fields import MarketDateTime
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel, StrictBool

RECEIPT_DOCUMENT = (
    "The signed consent receipt (授权凭证). The signature covers this whole object, every "
    "field: the bytes signed are its RFC 8785 canonical JSON (UTF-8). Fields: type "
    "(gd-data-consent-receipt), v, title, consent_id, subject {id, name, kind}, grantee {id, "
    "name}, purposes [{code, label}], records [{id, type {code, label}, title, source "
    "{catalog_item_id, department_id}}], fields (empty: all), certificates, request_id, "
    "granted_at, expires_at (RFC 3339, Z), issuer {name, algorithm: ed25519, key_id}. Check it "
    "with GET /v1/consents/issuer-key's public key (exchange.client.verify_consent_receipt)."
)
SIGNATURE = "Ed25519 signature (64 bytes, standard base64) over the RFC 8785 JSON of `document`."
KEY_ID = (
    "The issuer key id: the first 16 hex digits (8 bytes) of SHA-256 over the raw 32-byte "
    "Ed25519 public key."
)


class ConsentCreate(RequestModel):
    """Grant a consent (授权) over your own records: name them, or their types, or both."""

    grantee_id: Id = Field(description="The participant granted access")
    record_ids: RecordIds = Field(default_factory=list)
    record_types: RecordTypes = Field(default_factory=list)
    fields: FieldNames = Field(default_factory=list)
    purposes: Purposes
    certificates: StrictBool = Field(
        default=False, description="A company also shows its data-asset certificates"
    )
    expires_at: MarketDateTime = Field(description="When the consent ends (market clock)")


class ConsentRevoke(RequestModel):
    """Revoke a consent (撤回授权)."""

    reason: Reason


class Party(ResponseModel):
    """A party to a consent as its receipt names it."""

    id: str
    name: str


class ConsentRead(ResponseModel):
    """A consent and its state by the market clock."""

    id: str
    subject: Party
    grantee: Party
    record_ids: list[str]
    fields: list[str]
    purposes: list[ConsentPurpose]
    purpose_labels: list[str]
    certificates: bool
    status: ConsentStatus
    status_label: str
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None
    request_id: str | None
    key_id: str


class ConsentPage(Page[ConsentRead]):
    """A page of consents."""


class ReceiptRead(ResponseModel):
    """A consent's signed receipt, and the consent's status now."""

    consent_id: str
    document: dict[str, Any] = Field(description=RECEIPT_DOCUMENT)
    signature: str = Field(description=SIGNATURE)
    key_id: str = Field(description=KEY_ID)
    status: ConsentStatus
    checked_at: datetime


class ReceiptVerify(RequestModel):
    """A presented receipt: the document as a JSON object and its base64 signature."""

    document: dict[str, Any] = Field(description=RECEIPT_DOCUMENT)
    signature: Annotated[str, StringConstraints(max_length=200)] = Field(description=SIGNATURE)


class ReceiptVerification(ResponseModel):
    """What the platform found about a presented receipt."""

    status: ReceiptStatus
    accepted: bool
    consent_id: str | None
    detail: str
    checked_at: datetime


class ConsentIssuerKeyRead(ResponseModel):
    """The platform's public key that signs consent receipts."""

    issuer: str
    algorithm: Literal["ed25519"]
    public_key: str = Field(description="The raw 32-byte Ed25519 public key, standard base64.")
    key_id: str = Field(description=KEY_ID)


class ReadCreate(RequestModel):
    """A read under a consent: the purpose the reader declares (it must be consented)."""

    purpose: ConsentPurpose


class DisclosedRecordRead(ResponseModel):
    """A record as the consent discloses it (only the consented fields)."""

    id: str
    record_type: RecordType
    record_type_label: str
    title: str
    period: str
    source_item_id: str
    source_department_id: str
    fields: dict[str, Any]
    fields_sha256: str = Field(description="SHA-256 of `fields` as RFC 8785 JSON (logged)")
    recorded_at: datetime


class HeldCertificateRead(ResponseModel):
    """A data-asset certificate of the data subject, as issued: verify it offline."""

    number: str
    asset_id: str
    status: str
    document: dict[str, Any]
    signature: str
    key_id: str
    expires_at: datetime


class ConsentReadResult(ResponseModel):
    """What a read under a consent handed out (recorded in the audit log)."""

    consent_id: str
    subject_id: str
    purpose: ConsentPurpose
    purpose_label: str
    read_at: datetime
    records: list[DisclosedRecordRead]
    certificates: list[HeldCertificateRead]


def consent_read(consent: Consent, status: ConsentStatus) -> ConsentRead:
    """The response model of a consent (parties as its receipt names them)."""
    named = parties(consent)
    return ConsentRead(
        id=consent.id,
        subject=Party(id=named["subject"]["id"], name=named["subject"]["name"]),
        grantee=Party(id=named["grantee"]["id"], name=named["grantee"]["name"]),
        record_ids=consent.record_ids,
        fields=consent.fields,
        purposes=[ConsentPurpose(p) for p in consent.purposes],
        purpose_labels=[PURPOSE_LABELS[ConsentPurpose(p)] for p in consent.purposes],
        certificates=consent.certificates,
        status=status,
        status_label=CONSENT_STATUS_LABELS[status],
        granted_at=consent.granted_at,
        expires_at=consent.expires_at,
        revoked_at=consent.revoked_at,
        revocation_reason=consent.revocation_reason,
        request_id=consent.request_id,
        key_id=consent.key_id,
    )


def _certificate(c: HeldCertificate) -> HeldCertificateRead:
    return HeldCertificateRead(
        number=c.number,
        asset_id=c.asset_id,
        status=c.status,
        document=c.document,
        signature=c.signature,
        key_id=c.key_id,
        expires_at=c.expires_at,
    )


def read_result(result: ReadResult) -> ConsentReadResult:
    """The response model of a read under a consent."""
    return ConsentReadResult(
        consent_id=result.consent.id,
        subject_id=result.consent.subject_id,
        purpose=result.purpose,
        purpose_label=PURPOSE_LABELS[result.purpose],
        read_at=result.read_at,
        records=[
            DisclosedRecordRead(
                id=r.id,
                record_type=r.record_type,
                record_type_label=RECORD_TYPE_LABELS[r.record_type],
                title=r.title,
                period=r.period,
                source_item_id=r.source_item_id,
                source_department_id=r.source_department_id,
                fields=r.fields,
                fields_sha256=r.fields_sha256,
                recorded_at=r.recorded_at,
            )
            for r in result.records
        ],
        certificates=[_certificate(c) for c in result.certificates],
    )
