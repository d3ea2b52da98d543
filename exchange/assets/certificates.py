"""Data-asset certificates (数据资产凭证) as pure functions: the document, signing, verification.

A certificate is a JSON document signed with the registry's Ed25519 key over its RFC 8785
canonical JSON (UTF-8). Anyone holding the document, the signature and the registry's
published public key can check it with `verify_certificate_offline`, without the platform.
Revocation and pledges are registry state: only the registry (`POST /v1/certificates/verify`)
can report those.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from exchange.clock import as_utc, rfc3339

DOCUMENT_TYPE = "gd-data-asset-certificate"
DOCUMENT_VERSION = 1
DOCUMENT_TITLE = "数据资产凭证 Data asset certificate"
ISSUER_NAME = "广东省数据资产登记机构 Guangdong data-asset registry"
NUMBER_PREFIX = "GDDA"
VALIDITY_YEARS = 3
SIGNATURE_SIZE = 64
PUBLIC_KEY_SIZE = 32
MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 16
# Built once: json.dumps with non-default options builds a new encoder on every call.
_CANONICAL_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)
_AS_GIVEN_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class CanonicalJSONError(ValueError):
    """A value RFC 8785 canonical JSON cannot carry here (floats, huge integers, ...)."""


class VerificationStatus(StrEnum):
    """What a check of a presented certificate found."""

    VALID = "valid"  # 有效
    PLEDGED = "pledged"  # 有效，质押中 (registry check only)
    EXPIRED = "expired"  # 已过期
    REVOKED = "revoked"  # 已撤销 (registry check only)
    BAD_SIGNATURE = "bad_signature"  # 签名无效: changed, truncated or signed by another key
    UNKNOWN_CERTIFICATE = "unknown_certificate"  # the registry holds no such document
    MALFORMED = "malformed"  # not a certificate document at all


ACCEPTED_STATUSES = frozenset({VerificationStatus.VALID, VerificationStatus.PLEDGED})


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The outcome of checking a certificate; `accepted` only for valid (or pledged) ones."""

    status: VerificationStatus
    number: str | None
    detail: str

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED_STATUSES


def _check_json(value: Any) -> bool:
    """Raise CanonicalJSONError unless value is float-free JSON; True if all keys are ASCII."""
    ascii_keys = True
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                raise CanonicalJSONError(f"integer {item} is outside ±(2^53−1)")
            continue
        if depth >= MAX_DEPTH:
            raise CanonicalJSONError(f"nested deeper than {MAX_DEPTH} levels")
        if kind is dict:
            for key, child in item.items():
                if type(key) is not str:
                    raise CanonicalJSONError(f"object keys must be strings, got {key!r}")
                if ascii_keys and not key.isascii():
                    ascii_keys = False
                stack.append((child, depth + 1))
            continue
        if kind is list:
            stack.extend((child, depth + 1) for child in item)
            continue
        if isinstance(item, str):  # str enums
            continue
        raise CanonicalJSONError(f"{kind.__name__} values are not allowed in canonical JSON")
    return ascii_keys


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON (UTF-8) of a JSON value with no floats.

    Without floats, and with ASCII object keys (every key a certificate has), RFC 8785 is
    exactly `json.dumps` with sorted keys, no whitespace and no ASCII escaping: the string
    escapes are the same and sorting ASCII keys by code point equals sorting by UTF-16
    units. That C encoder is several times faster than `rfc8785.dumps`, which matters
    because verification should cost little more than the signature check itself. Any
    other key falls back to `rfc8785.dumps`; tests hold the two byte-identical.
    """
    if not _check_json(value):
        try:
            return bytes(rfc8785.dumps(value))
        except rfc8785.CanonicalizationError as exc:
            raise CanonicalJSONError(str(exc)) from None
    try:
        return _CANONICAL_ENCODER.encode(value).encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalJSONError("strings must be valid Unicode (no lone surrogates)") from None


def certificate_number(year: int, sequence: int) -> str:
    """The certificate number for a sequence value, e.g. GDDA-2026-00000001."""
    return f"{NUMBER_PREFIX}-{year:04d}-{sequence:08d}"


def public_key_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    """The issuer key id: the first 8 bytes of SHA-256 of the raw public key, in hex."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


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


def sign_document(
    document: Mapping[str, Any], private_key: Ed25519PrivateKey
) -> tuple[bytes, bytes]:
    """The canonical bytes of a document and the registry's Ed25519 signature over them."""
    canonical = canonical_json(document)
    return canonical, private_key.sign(canonical)


def encode_signature(signature: bytes) -> str:
    """A signature as standard base64."""
    return base64.b64encode(signature).decode("ascii")


def _strict_b64decode(text: str) -> bytes | None:
    """Decode canonical standard base64, or None if it is not exactly that."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None
    # b64decode tolerates non-zero padding bits; the round trip gives each value one spelling.
    return raw if base64.b64encode(raw).decode("ascii") == text else None


@lru_cache(maxsize=16)
def _load_public_key(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


def load_public_key(public_key: Ed25519PublicKey | bytes | str) -> Ed25519PublicKey:
    """A public key from the object, its 32 raw bytes, or their base64 (cached)."""
    if isinstance(public_key, Ed25519PublicKey):
        return public_key
    raw = _strict_b64decode(public_key) if isinstance(public_key, str) else public_key
    if raw is None or len(raw) != PUBLIC_KEY_SIZE:
        raise ValueError("an Ed25519 public key is 32 bytes (base64 of them as text)")
    return _load_public_key(bytes(raw))


def verify_certificate_offline(
    document: Any,
    signature: bytes | str,
    public_key: Ed25519PublicKey | bytes | str,
    *,
    now: datetime | None = None,
) -> VerificationResult:
    """Check a certificate from its document, signature and the issuer's public key alone.

    Reports `valid`, `expired` (at `now`, default the current time), `bad_signature` (any
    field changed, another key's signature, a truncated signature) or `malformed`. Whether
    the registry has revoked it, or it is pledged, only the registry can say.
    """
    key = load_public_key(public_key)
    if not isinstance(document, dict):
        return VerificationResult(
            VerificationStatus.MALFORMED, None, "The document is not a JSON object."
        )
    number = document.get("number")
    number = number if isinstance(number, str) else None
    raw_signature = _strict_b64decode(signature) if isinstance(signature, str) else signature
    if raw_signature is None or len(raw_signature) != SIGNATURE_SIZE:
        return VerificationResult(
            VerificationStatus.BAD_SIGNATURE, number, "The signature is not 64 bytes of base64."
        )
    # Fast path: serialize the document as given, key order included, with no checks. A
    # document parsed from the registry's canonical JSON keeps its sorted keys and so
    # reproduces the signed bytes exactly; anything else fails here and is canonicalized
    # (and checked) on the slow path, which also explains a failure.
    message = _as_given_json(document)
    if message is None or not _verifies(key, bytes(raw_signature), message):
        try:
            canonical = canonical_json(document)
        except CanonicalJSONError as exc:
            return VerificationResult(
                VerificationStatus.MALFORMED, number, f"Not canonical JSON: {exc}."
            )
        if canonical == message or not _verifies(key, bytes(raw_signature), canonical):
            return VerificationResult(
                VerificationStatus.BAD_SIGNATURE,
                number,
                "The signature does not match this document under the issuer's key.",
            )
    expires_at = _parse_time(document.get("expires_at"))
    if document.get("type") != DOCUMENT_TYPE or number is None or expires_at is None:
        return VerificationResult(
            VerificationStatus.MALFORMED, number, "Signed, but not a data-asset certificate."
        )
    moment = as_utc(now) if now is not None else datetime.now(expires_at.tzinfo)
    if moment >= expires_at:
        return VerificationResult(
            VerificationStatus.EXPIRED, number, f"The certificate expired at {rfc3339(expires_at)}."
        )
    return VerificationResult(
        VerificationStatus.VALID, number, "The signature verifies and the certificate is in force."
    )


def _as_given_json(value: Any) -> bytes | None:
    """Compact JSON in the document's own key order, unchecked (None if not serializable)."""
    try:
        return _AS_GIVEN_ENCODER.encode(value).encode("utf-8")
    except (TypeError, ValueError, RecursionError):
        return None


def _verifies(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return as_utc(parsed) if parsed.tzinfo is not None else None
