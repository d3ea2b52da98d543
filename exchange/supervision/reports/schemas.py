"""Response models of supervision reports."""

from __future__ import annotations

from typing import Any

from exchange.schemas import ResponseModel


class SignedReportRead(ResponseModel):
    """A supervision report (监管报告) and the platform's Ed25519 signature over its canonical
    JSON; check it with `exchange.client.verify.verify_supervision_report` and the key of
    GET /v1/certificates/issuer-key."""

    document: dict[str, Any]
    signature: str
    key_id: str
    public_key: str
