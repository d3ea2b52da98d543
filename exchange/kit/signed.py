"""Pure: signed documents (签名文档): RFC 8785 canonical JSON signed with Ed25519.

What certificates (数据资产凭证) and consent receipts (授权凭证) share: the canonical bytes of a
JSON document, the issuer's Ed25519 signature over them, the published public key and its id,
and the offline check of a presented document and signature (`signature_problem`). Each kind
of document keeps its own fields, type and statuses in its own domain.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from exchange.clock import as_utc

SIGNATURE_SIZE = 64
PUBLIC_KEY_SIZE = 32
MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 16
# Built once: json.dumps with non-default options builds a new encoder on every call.
_CANONICAL_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)
_AS_GIVEN_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)

Problem = Literal["bad_signature", "malformed"]
"""Why a presented signature does not hold: changed or foreign (bad), or not canonical JSON."""


class CanonicalJSONError(ValueError):
    """A value RFC 8785 canonical JSON cannot carry here (floats, huge integers, ...)."""


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

    Without floats, and with ASCII object keys (every key a signed document has), RFC 8785 is
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


def public_key_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    """The issuer key id: the first 8 bytes of SHA-256 of the raw public key, in hex."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def sign_document(
    document: Mapping[str, Any], private_key: Ed25519PrivateKey
) -> tuple[bytes, bytes]:
    """The canonical bytes of a document and the issuer's Ed25519 signature over them."""
    canonical = canonical_json(document)
    return canonical, private_key.sign(canonical)


def encode_signature(signature: bytes) -> str:
    """A signature (or a raw public key) as standard base64."""
    return base64.b64encode(signature).decode("ascii")


def strict_b64decode(text: str) -> bytes | None:
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
    raw = strict_b64decode(public_key) if isinstance(public_key, str) else public_key
    if raw is None or len(raw) != PUBLIC_KEY_SIZE:
        raise ValueError("an Ed25519 public key is 32 bytes (base64 of them as text)")
    return _load_public_key(bytes(raw))


def signature_problem(
    document: dict[str, Any], signature: bytes | str, key: Ed25519PublicKey
) -> tuple[Problem, str] | None:
    """None if `signature` is the key's over the document's canonical JSON; else why not."""
    raw_signature = strict_b64decode(signature) if isinstance(signature, str) else signature
    if raw_signature is None or len(raw_signature) != SIGNATURE_SIZE:
        return "bad_signature", "The signature is not 64 bytes of base64."
    # Fast path: serialize the document as given, key order included, with no checks. A
    # document parsed from the issuer's canonical JSON keeps its sorted keys and so
    # reproduces the signed bytes exactly; anything else fails here and is canonicalized
    # (and checked) on the slow path, which also explains a failure.
    message = _as_given_json(document)
    if message is None or not _verifies(key, bytes(raw_signature), message):
        try:
            canonical = canonical_json(document)
        except CanonicalJSONError as exc:
            return "malformed", f"Not canonical JSON: {exc}."
        if canonical == message or not _verifies(key, bytes(raw_signature), canonical):
            return (
                "bad_signature",
                "The signature does not match this document under the issuer's key.",
            )
    return None


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


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 time with an offset from a document, as aware UTC (None if it is not one)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return as_utc(parsed) if parsed.tzinfo is not None else None
