"""Pure: the supervision report document (监管报告) — its form, signature and offline check.

A report is a JSON document signed with the platform's Ed25519 key (the key that signs data
asset certificates, published at GET /v1/certificates/issuer-key) over its RFC 8785 canonical
JSON, exactly as certificates are. It records the audit log's size and root when it was made,
and the latest signed checkpoint then: `verify_report` checks the signature and, given the
log's keys, that checkpoint; given a later checkpoint and a consistency proof from the
report's size, it shows the log the report saw is a prefix of the log as it stands later.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from exchange.assets.certificates.signing import (
    CanonicalJSONError,
    canonical_json,
    encode_signature,
    load_public_key,
)
from exchange.audit.verifier.errors import VerificationError
from exchange.audit.verifier.notes import parse_public_key, verify_checkpoint
from exchange.audit.verifier.proofs import verify_consistency

REPORT_TYPE = "gd-supervision-report"
REPORT_VERSION = 1
REPORT_TITLE = "数据流通监管报告 Data-circulation supervision report"
SIGNER_NAME = "广东省数据要素市场沙盒平台 Guangdong data-element market sandbox platform"


def sign_report(document: dict[str, Any], private_key: Ed25519PrivateKey) -> str:
    """The platform's signature (base64) over the report's canonical JSON."""
    return encode_signature(private_key.sign(canonical_json(document)))


@dataclass(frozen=True, slots=True)
class ReportCheck:
    """What checking a report found; `valid` only if every check that was asked for passed."""

    valid: bool
    detail: str
    log_size: int | None = None
    checkpoint_verified: bool = False
    consistent_with_size: int | None = None


def _signature_ok(document: Any, signature: str, key: Ed25519PublicKey) -> str | None:
    try:
        raw = base64.b64decode(signature.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return "The signature is not base64."
    try:
        message = canonical_json(document)
    except CanonicalJSONError as exc:
        return f"The document is not canonical JSON: {exc}."
    try:
        key.verify(raw, message)
    except InvalidSignature:
        return "The signature does not match this document under the platform's key."
    return None


def verify_report(
    document: Any,
    signature: str,
    public_key: Ed25519PublicKey | bytes | str,
    *,
    log_keys: Sequence[str] = (),
    later_checkpoint: str | None = None,
    consistency_proof: Sequence[str] = (),
) -> ReportCheck:
    """Check a supervision report offline.

    `public_key` is GET /v1/certificates/issuer-key's `public_key`. `log_keys` are the audit
    log's keys (GET /v1/audit/public-key, as `name+id+key` or base64): with them the checkpoint in
    the report is checked too. `later_checkpoint` (a signed note fetched later) with
    `consistency_proof` (GET /v1/audit/proof/consistency?first=<report's log size>, hex
    hashes) proves the log the report saw is a prefix of the later log.
    """
    key = load_public_key(public_key)
    if not isinstance(document, dict):
        return ReportCheck(False, "The report is not a JSON object.")
    problem = _signature_ok(document, signature, key)
    if problem is not None:
        return ReportCheck(False, problem)
    log = document.get("log")
    if document.get("type") != REPORT_TYPE or not isinstance(log, dict):
        return ReportCheck(False, "Signed, but not a supervision report.")
    size, root_hex = log.get("size"), log.get("root")
    if not isinstance(size, int) or not isinstance(root_hex, str):
        return ReportCheck(False, "Signed, but the report's log state is malformed.")
    try:
        root = bytes.fromhex(root_hex)
    except ValueError:
        return ReportCheck(False, "Signed, but the report's log root is not hex.")
    if not log_keys:
        return ReportCheck(True, "The platform's signature verifies.", size)
    origin = str(log.get("origin", ""))
    try:
        keys = [parse_public_key(k, origin) for k in log_keys]
        checkpoint = log.get("checkpoint") or {}
        signed = verify_checkpoint(str(checkpoint.get("note", "")), keys)
    except VerificationError as exc:
        return ReportCheck(False, f"The report's checkpoint does not verify: {exc}.", size)
    if signed.size != checkpoint.get("size") or signed.size > size:
        return ReportCheck(False, "The report's checkpoint is not the one it names.", size)
    if later_checkpoint is None:
        return ReportCheck(
            True, "The signature and the report's log checkpoint verify.", size, True
        )
    try:
        later = verify_checkpoint(later_checkpoint, keys)
        proof = [bytes.fromhex(h) for h in consistency_proof]
    except (VerificationError, ValueError) as exc:
        return ReportCheck(False, f"The later checkpoint does not verify: {exc}.", size, True)
    if not verify_consistency(size, later.size, root, later.root, proof):
        return ReportCheck(
            False,
            f"The log the report saw (size {size}) is not a prefix of the log at "
            f"checkpoint {later.size}: the log was rewritten.",
            size,
            True,
        )
    return ReportCheck(
        True,
        f"The signature verifies, and the log the report saw (size {size}) is a prefix of the "
        f"log at checkpoint {later.size}.",
        size,
        True,
        later.size,
    )
