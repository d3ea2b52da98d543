"""Offline checks a client can make without trusting the service (可离线核验).

A certificate is checked with the issuer's public key alone (and, if given, the signed
revocation list); a consent receipt with the platform's consent key alone; the audit log
with its published keys, every entry's hash, the chain, the Merkle root and the signed
checkpoint; a supervision report (监管报告) with the platform key, and — given the log's keys,
a later checkpoint and a consistency proof — against the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx

from exchange.assets.certificates.signing import VerificationResult, verify_certificate_offline
from exchange.audit.verifier.remote import verify_remote
from exchange.audit.verifier.report import Report
from exchange.dataspaces.consents.receipts import ReceiptCheck, verify_consent_receipt_offline
from exchange.supervision.reports.document import ReportCheck, verify_report


def verify_certificate(
    document: dict[str, Any],
    signature: str,
    issuer_public_key: str | bytes,
    *,
    revocation_list: tuple[dict[str, Any], str] | None = None,
    now: datetime | None = None,
) -> VerificationResult:
    """Check a certificate offline: `valid`, `expired`, `revoked`, `bad_signature`, ...

    `issuer_public_key` is `GET /v1/certificates/issuer-key`'s `public_key` (base64);
    `revocation_list` is `(document, signature)` of `GET /v1/certificates/revocations`.
    """
    return verify_certificate_offline(
        document, signature, issuer_public_key, now=now, revocation_list=revocation_list
    )


async def verify_audit_log(
    base_url: str, api_key: str, *, http: httpx.AsyncClient | None = None, **options: Any
) -> Report:
    """Verify the whole audit log served at `base_url` (a regulator's or admin's key reads it).

    Options: `trusted` (a path holding the last checkpoint you trusted), `all_proofs`, ...
    """
    if http is not None:
        return await verify_remote(http, api_key, **options)
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0) as client:
        return await verify_remote(client, api_key, **options)


def verify_consent_receipt(
    document: dict[str, Any],
    signature: str,
    issuer_public_key: str | bytes,
    *,
    now: datetime | None = None,
) -> ReceiptCheck:
    """Check a consent receipt (授权凭证) offline: `valid`, `expired`, `bad_signature`, ...

    `document` and `signature` are `GET /v1/consents/{id}/receipt`'s; `issuer_public_key` is
    `GET /v1/consents/issuer-key`'s `public_key` (base64). Whether the person has revoked the
    consent since, only the platform says (`POST /v1/consents/verify`).
    """
    return verify_consent_receipt_offline(document, signature, issuer_public_key, now=now)


def verify_supervision_report(
    document: dict[str, Any],
    signature: str,
    platform_public_key: str | bytes,
    *,
    log_keys: Sequence[str] = (),
    later_checkpoint: str | None = None,
    consistency_proof: Sequence[str] = (),
) -> ReportCheck:
    """Check a supervision report offline (`valid`, with what was checked in `detail`).

    `platform_public_key` is `GET /v1/certificates/issuer-key`'s `public_key`; `log_keys` the
    `public_key`s of `GET /v1/audit/public-key` (to check the checkpoint the report records);
    `later_checkpoint` a checkpoint fetched since (`GET /v1/audit/checkpoint`) with
    `consistency_proof` (`GET /v1/audit/proof/consistency?first=<report log size>&second=
    <its size>`'s `proof`) to show the log the report saw is a prefix of the log now.
    """
    return verify_report(
        document,
        signature,
        platform_public_key,
        log_keys=log_keys,
        later_checkpoint=later_checkpoint,
        consistency_proof=consistency_proof,
    )
