"""A product's certificate (数据资产凭证) as its page shows it, checked on the server the two
ways outsiders check one: offline with the registry's published key and signed revocation
list (what `exchange.client.verify.verify_certificate` does), and against the register (what
`POST /v1/certificates/verify` answers). The page's own script checks the signature a third
time, in the browser."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from exchange.assets.certificates import service as certificates_service
from exchange.assets.certificates.signing import (
    VerificationResult,
    encode_signature,
    verify_certificate_offline,
)
from exchange.context import Context


@dataclass(frozen=True, slots=True)
class CertificateCheck:
    """A certificate, the bytes it was signed over, and what the checks found."""

    number: str
    status: str
    document: dict[str, Any]
    document_base64: str  # the signed canonical JSON bytes, for the browser's own check
    signature: str
    public_key: str
    key_id: str
    fingerprint: str
    matches_listing: bool
    offline: VerificationResult
    registry: VerificationResult
    pledged: bool

    @property
    def pretty(self) -> str:
        """The document as indented JSON, Chinese as written."""
        return json.dumps(self.document, ensure_ascii=False, indent=2)

    @property
    def accepted(self) -> bool:
        """Both checks accept it and its fingerprint is the listing's package."""
        return self.offline.accepted and self.registry.accepted and self.matches_listing


async def check_certificate(
    ctx: Context, number: str, *, listing_fingerprint: str
) -> CertificateCheck:
    """The certificate `number`, checked offline and against the register."""
    view = await certificates_service.certificate_view(ctx, number)
    certificate = view.certificate
    document = certificates_service.parse_document(certificate)
    signature = encode_signature(certificate.signature)
    key = certificates_service.registry_key(ctx.runtime)
    public_key = encode_signature(key.public_raw)
    revocations = await certificates_service.revocation_list(ctx)
    offline = verify_certificate_offline(
        document,
        signature,
        public_key,
        now=ctx.clock.now(),
        revocation_list=(json.loads(revocations.document), encode_signature(revocations.signature)),
    )
    registry = await certificates_service.verify_presented(
        ctx, document=document, signature=signature
    )
    stated = document.get("fingerprint")
    fingerprint = str(stated.get("value", "")) if isinstance(stated, dict) else ""
    return CertificateCheck(
        number=certificate.number,
        status=str(view.status),
        document=document,
        document_base64=base64.b64encode(certificate.document).decode("ascii"),
        signature=signature,
        public_key=public_key,
        key_id=certificate.key_id,
        fingerprint=fingerprint,
        matches_listing=fingerprint.lower() == listing_fingerprint.lower(),
        offline=offline,
        registry=registry.result,
        pledged=registry.pledged,
    )
