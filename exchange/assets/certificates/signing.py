"""Pure: data-asset certificates (数据资产凭证): the canonical document, signing, verification.

A certificate is a JSON document signed with the registry's Ed25519 key over its RFC 8785
canonical JSON (UTF-8). Anyone holding the document, the signature and the registry's
published public key can check it with `verify_certificate_offline`, without the platform.
Revocation is checked offline against the registry's revocation list (撤销清单), a document
signed the same way with the same key; pledges are registry state that only the registry
(`POST /v1/certificates/verify`) reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from exchange.clock import as_utc, rfc3339

# Re-exported: certificates were the first signed documents, and callers import these here.
from exchange.kit.signed import PUBLIC_KEY_SIZE as PUBLIC_KEY_SIZE
from exchange.kit.signed import SIGNATURE_SIZE as SIGNATURE_SIZE
from exchange.kit.signed import CanonicalJSONError as CanonicalJSONError
from exchange.kit.signed import canonical_json as canonical_json
from exchange.kit.signed import encode_signature as encode_signature
from exchange.kit.signed import key_id as key_id
from exchange.kit.signed import load_public_key as load_public_key
from exchange.kit.signed import parse_time as _parse_time
from exchange.kit.signed import public_key_raw as public_key_raw
from exchange.kit.signed import sign_document as sign_document
from exchange.kit.signed import signature_problem

DOCUMENT_TYPE = "gd-data-asset-certificate"
DOCUMENT_VERSION = 1
DOCUMENT_TITLE = "数据资产凭证 Data asset certificate"
ISSUER_NAME = "广东省数据资产登记机构 Guangdong data-asset registry"
REVOCATION_LIST_TYPE = "gd-data-asset-revocation-list"
REVOCATION_LIST_TITLE = "数据资产凭证撤销清单 Data asset certificate revocation list"
NUMBER_PREFIX = "GDDA"
VALIDITY_YEARS = 3


class VerificationStatus(StrEnum):
    """What a check of a presented certificate found."""

    VALID = "valid"  # 有效
    PLEDGED = "pledged"  # 有效，质押中 (registry check only)
    EXPIRED = "expired"  # 已过期
    REVOKED = "revoked"  # 已撤销 (the registry, or offline with its revocation list)
    BAD_SIGNATURE = "bad_signature"  # 签名无效: changed, truncated or signed by another key
    BAD_REVOCATION_LIST = "bad_revocation_list"  # the presented revocation list is not genuine
    UNKNOWN_CERTIFICATE = "unknown_certificate"  # the registry holds no such document
    MALFORMED = "malformed"  # not a certificate document at all


ACCEPTED_STATUSES = frozenset({VerificationStatus.VALID, VerificationStatus.PLEDGED})


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The outcome of checking a certificate; `accepted` only for valid (or pledged) ones.

    `revocations_as_of` is when the revocation list checked against was issued: None when no
    list was checked, so the result cannot tell whether the registry has revoked it.
    """

    status: VerificationStatus
    number: str | None
    detail: str
    revocation_reason: str | None = None
    revocations_as_of: datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED_STATUSES


def certificate_number(year: int, sequence: int) -> str:
    """The certificate number for a sequence value, e.g. GDDA-2026-00000001."""
    return f"{NUMBER_PREFIX}-{year:04d}-{sequence:08d}"


def add_years(when: datetime, years: int) -> datetime:
    """The same instant `years` later; 29 February becomes 28 February."""
    try:
        return when.replace(year=when.year + years)
    except ValueError:
        return when.replace(year=when.year + years, day=28)


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    """Everything a certificate states, before it is signed."""

    number: str
    asset_id: str
    asset_name: str
    asset_version: int
    holder_id: str
    holder_name: str
    right: str
    right_label: str
    product_form: str
    product_form_label: str
    scenario: str
    grade: str
    grade_label: str
    personal_information: bool
    fingerprint: str
    valuation: dict[str, Any] | None
    issued_at: datetime
    expires_at: datetime
    key_id: str


def certificate_document(facts: CertificateFacts) -> dict[str, Any]:
    """The certificate document (JSON object) for the given facts."""
    return {
        "type": DOCUMENT_TYPE,
        "v": DOCUMENT_VERSION,
        "title": DOCUMENT_TITLE,
        "number": facts.number,
        "asset": {"id": facts.asset_id, "name": facts.asset_name, "version": facts.asset_version},
        "holder": {"id": facts.holder_id, "name": facts.holder_name},
        "right": {"code": str(facts.right), "label": facts.right_label},
        "product_form": {"code": str(facts.product_form), "label": facts.product_form_label},
        "scenario": facts.scenario,
        "grade": {"code": str(facts.grade), "label": facts.grade_label},
        "personal_information": facts.personal_information,
        "fingerprint": {"algorithm": "sha256", "value": facts.fingerprint},
        "valuation": facts.valuation,
        "issued_at": rfc3339(facts.issued_at),
        "expires_at": rfc3339(facts.expires_at),
        "issuer": {"name": ISSUER_NAME, "algorithm": "ed25519", "key_id": facts.key_id},
    }


def _signature_problem(
    document: dict[str, Any], signature: bytes | str, key: Ed25519PublicKey
) -> tuple[VerificationStatus, str] | None:
    """None if `signature` is the key's over the document's canonical JSON; else why not."""
    problem = signature_problem(document, signature, key)
    if problem is None:
        return None
    kind, detail = problem
    status = (
        VerificationStatus.MALFORMED if kind == "malformed" else VerificationStatus.BAD_SIGNATURE
    )
    return status, detail


# --- the revocation list (撤销清单) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Revocation:
    """One revoked certificate on the revocation list."""

    number: str
    revoked_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class RevocationList:
    """A revocation list whose signature verified under the key `public_raw`."""

    issued_at: datetime
    public_raw: bytes
    revoked: Mapping[str, Revocation]


class RevocationListError(ValueError):
    """A presented revocation list that is not the issuer's, or not a revocation list."""


def revocation_list_document(
    *, issued_at: datetime, key_id: str, revoked: Iterable[Revocation]
) -> dict[str, Any]:
    """The revocation list document: every revoked certificate, sorted by number."""
    return {
        "type": REVOCATION_LIST_TYPE,
        "v": DOCUMENT_VERSION,
        "title": REVOCATION_LIST_TITLE,
        "issuer": {"name": ISSUER_NAME, "algorithm": "ed25519", "key_id": key_id},
        "issued_at": rfc3339(issued_at),
        "revoked": [
            {"number": r.number, "revoked_at": rfc3339(r.revoked_at), "reason": r.reason}
            for r in sorted(revoked, key=lambda r: r.number)
        ],
    }


def check_revocation_list(
    document: Any, signature: bytes | str, public_key: Ed25519PublicKey | bytes | str
) -> RevocationList:
    """The revocation list, if its signature verifies under the issuer's key.

    Raises RevocationListError for a list that was changed, signed by another key, or is not
    a revocation list (a certificate, say). Check a list once, then pass the result to
    `verify_certificate_offline` for many certificates.
    """
    key = load_public_key(public_key)
    if not isinstance(document, dict):
        raise RevocationListError("The revocation list is not a JSON object.")
    problem = _signature_problem(document, signature, key)
    if problem is not None:
        raise RevocationListError(f"The revocation list is not the issuer's: {problem[1]}")
    issued_at = _parse_time(document.get("issued_at"))
    entries = document.get("revoked")
    if (
        document.get("type") != REVOCATION_LIST_TYPE
        or issued_at is None
        or not isinstance(entries, list)
    ):
        raise RevocationListError("Signed, but not a certificate revocation list.")
    revoked: dict[str, Revocation] = {}
    for entry in entries:
        fields = entry if isinstance(entry, dict) else {}
        number, reason = fields.get("number"), fields.get("reason")
        revoked_at = _parse_time(fields.get("revoked_at"))
        if not isinstance(number, str) or not isinstance(reason, str) or revoked_at is None:
            raise RevocationListError("Signed, but an entry of the revocation list is malformed.")
        revoked[number] = Revocation(number, revoked_at, reason)
    return RevocationList(issued_at, public_key_raw(key), revoked)


def verify_certificate_offline(
    document: Any,
    signature: bytes | str,
    public_key: Ed25519PublicKey | bytes | str,
    *,
    now: datetime | None = None,
    revocation_list: RevocationList | tuple[Any, bytes | str] | None = None,
) -> VerificationResult:
    """Check a certificate from its document, signature and the issuer's public key alone.

    Reports `valid`, `expired` (at `now`, default the current time), `bad_signature` (any
    field changed, another key's signature, a truncated signature) or `malformed`. Given the
    registry's revocation list (its document and signature, or `check_revocation_list`'s
    result), it also reports `revoked` with the reason, or `bad_revocation_list` if the list
    is not the issuer's; without one it cannot know whether the registry has revoked the
    certificate. Whether it is pledged only the registry can say.
    """
    key = load_public_key(public_key)
    if not isinstance(document, dict):
        return VerificationResult(
            VerificationStatus.MALFORMED, None, "The document is not a JSON object."
        )
    number = document.get("number")
    number = number if isinstance(number, str) else None
    problem = _signature_problem(document, signature, key)
    if problem is not None:
        return VerificationResult(problem[0], number, problem[1])
    expires_at = _parse_time(document.get("expires_at"))
    if document.get("type") != DOCUMENT_TYPE or number is None or expires_at is None:
        return VerificationResult(
            VerificationStatus.MALFORMED, number, "Signed, but not a data-asset certificate."
        )
    as_of = None
    if revocation_list is not None:
        try:
            revocations = _trusted(revocation_list, key)
        except RevocationListError as exc:
            return VerificationResult(VerificationStatus.BAD_REVOCATION_LIST, number, str(exc))
        as_of = revocations.issued_at
        revoked = revocations.revoked.get(number)
        if revoked is not None:
            return VerificationResult(
                VerificationStatus.REVOKED,
                number,
                f"Revoked at {rfc3339(revoked.revoked_at)}: {revoked.reason}",
                revocation_reason=revoked.reason,
                revocations_as_of=as_of,
            )
    moment = as_utc(now) if now is not None else datetime.now(expires_at.tzinfo)
    if moment >= expires_at:
        return VerificationResult(
            VerificationStatus.EXPIRED,
            number,
            f"The certificate expired at {rfc3339(expires_at)}.",
            revocations_as_of=as_of,
        )
    revocation = (
        f"it is not on the revocation list issued at {rfc3339(as_of)}"
        if as_of is not None
        else "whether it has been revoked is unknown without the registry's revocation list"
    )
    return VerificationResult(
        VerificationStatus.VALID,
        number,
        f"The signature verifies and the certificate is in force; {revocation}.",
        revocations_as_of=as_of,
    )


def _trusted(
    revocation_list: RevocationList | tuple[Any, bytes | str], key: Ed25519PublicKey
) -> RevocationList:
    """A revocation list checked under the certificate's own key."""
    if not isinstance(revocation_list, RevocationList):
        document, signature = revocation_list
        return check_revocation_list(document, signature, key)
    if revocation_list.public_raw != public_key_raw(key):
        raise RevocationListError("The revocation list was checked under another key.")
    return revocation_list
