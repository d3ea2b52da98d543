"""Pure: consent receipts (授权凭证): the canonical document, and its check offline.

A receipt is a JSON document the platform signs with its Ed25519 consent key over the RFC
8785 canonical JSON (UTF-8), exactly as the registry signs certificates. A relying party (a
bank shown the receipt, a court) checks it with `verify_consent_receipt_offline` from the
document, the signature and the published public key alone. Whether the subject has since
revoked it only the platform can say (`POST /v1/consents/verify`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from exchange.clock import as_utc, rfc3339
from exchange.dataspaces.vocabulary import (
    PURPOSE_LABELS,
    RECORD_TYPE_LABELS,
    ConsentPurpose,
    RecordType,
)
from exchange.kit.signed import load_public_key, parse_time, signature_problem

RECEIPT_TYPE = "gd-data-consent-receipt"
RECEIPT_VERSION = 1
RECEIPT_TITLE = "数据授权凭证 Consent receipt"
ISSUER_NAME = "广东省数据要素市场可信授权访问服务 Guangdong trusted authorized access service"


class ReceiptStatus(StrEnum):
    """What a check of a presented consent receipt found."""

    VALID = "valid"  # 有效
    EXPIRED = "expired"  # 已到期
    REVOKED = "revoked"  # 已撤回 (the platform's check only)
    BAD_SIGNATURE = "bad_signature"  # 签名无效: changed, truncated or signed by another key
    UNKNOWN_CONSENT = "unknown_consent"  # the platform holds no such receipt
    MALFORMED = "malformed"  # not a consent receipt at all


@dataclass(frozen=True, slots=True)
class ReceiptCheck:
    """The outcome of checking a receipt; `accepted` only for a valid one."""

    status: ReceiptStatus
    consent_id: str | None
    detail: str

    @property
    def accepted(self) -> bool:
        return self.status is ReceiptStatus.VALID


@dataclass(frozen=True, slots=True)
class ReceiptRecord:
    """A record a consent covers, as its receipt names it."""

    id: str
    record_type: RecordType
    title: str
    source_item_id: str
    source_department_id: str


@dataclass(frozen=True, slots=True)
class ReceiptFacts:
    """Everything a consent receipt states, before it is signed."""

    consent_id: str
    subject_id: str
    subject_name: str
    subject_kind: str
    grantee_id: str
    grantee_name: str
    purposes: Sequence[ConsentPurpose]
    records: Sequence[ReceiptRecord]
    fields: Sequence[str]
    certificates: bool
    granted_at: datetime
    expires_at: datetime
    key_id: str
    request_id: str | None = None


def receipt_document(facts: ReceiptFacts) -> dict[str, Any]:
    """The receipt document (JSON object) for the given facts."""
    return {
        "type": RECEIPT_TYPE,
        "v": RECEIPT_VERSION,
        "title": RECEIPT_TITLE,
        "consent_id": facts.consent_id,
        "subject": {"id": facts.subject_id, "name": facts.subject_name, "kind": facts.subject_kind},
        "grantee": {"id": facts.grantee_id, "name": facts.grantee_name},
        "purposes": [{"code": p.value, "label": PURPOSE_LABELS[p]} for p in facts.purposes],
        "records": [
            {
                "id": r.id,
                "type": {"code": r.record_type.value, "label": RECORD_TYPE_LABELS[r.record_type]},
                "title": r.title,
                "source": {
                    "catalog_item_id": r.source_item_id,
                    "department_id": r.source_department_id,
                },
            }
            for r in facts.records
        ],
        # Empty: every field of the records named.
        "fields": list(facts.fields),
        "certificates": facts.certificates,
        "request_id": facts.request_id,
        "granted_at": rfc3339(facts.granted_at),
        "expires_at": rfc3339(facts.expires_at),
        "issuer": {"name": ISSUER_NAME, "algorithm": "ed25519", "key_id": facts.key_id},
    }


def verify_consent_receipt_offline(
    document: Any,
    signature: bytes | str,
    public_key: Ed25519PublicKey | bytes | str,
    *,
    now: datetime | None = None,
) -> ReceiptCheck:
    """Check a consent receipt from its document, signature and the platform's public key.

    Reports `valid`, `expired` (at `now`, default the current time), `bad_signature` (any
    byte changed, another key's signature, a truncated signature) or `malformed` (not a
    receipt, or a certificate presented as one). Revocation is the platform's to report.
    """
    key = load_public_key(public_key)
    if not isinstance(document, dict):
        return ReceiptCheck(ReceiptStatus.MALFORMED, None, "The document is not a JSON object.")
    consent_id = document.get("consent_id")
    consent_id = consent_id if isinstance(consent_id, str) else None
    problem = signature_problem(document, signature, key)
    if problem is not None:
        kind, detail = problem
        status = ReceiptStatus.MALFORMED if kind == "malformed" else ReceiptStatus.BAD_SIGNATURE
        return ReceiptCheck(status, consent_id, detail)
    expires_at = parse_time(document.get("expires_at"))
    if document.get("type") != RECEIPT_TYPE or consent_id is None or expires_at is None:
        return ReceiptCheck(
            ReceiptStatus.MALFORMED, consent_id, "Signed, but not a consent receipt."
        )
    moment = as_utc(now) if now is not None else datetime.now(expires_at.tzinfo)
    if moment >= expires_at:
        return ReceiptCheck(
            ReceiptStatus.EXPIRED, consent_id, f"The consent expired at {rfc3339(expires_at)}."
        )
    return ReceiptCheck(
        ReceiptStatus.VALID,
        consent_id,
        "The signature verifies and the consent runs until "
        f"{rfc3339(expires_at)}; whether it has been revoked only the platform can say.",
    )
