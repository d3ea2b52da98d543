"""Request and response models of certificates (数据资产凭证)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from exchange.assets.certificates.signing import VerificationStatus
from exchange.assets.pledges.schemas import PledgeRead
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel


class CertificateSummary(ResponseModel):
    """A certificate as an asset page shows it."""

    number: str
    status: VerificationStatus
    issued_at: datetime
    expires_at: datetime
    pledged: bool


class CertificateRead(ResponseModel):
    """A certificate: the signed document, its signature (base64) and its status now.

    Anyone with the number sees whether it is pledged; `pledge` (who holds it) is shown only
    to regulators, the lender and the holder.
    """

    number: str
    asset_id: str
    holder_id: str
    document: dict[str, Any]
    signature: str
    key_id: str
    status: VerificationStatus
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None
    pledged: bool
    pledge: PledgeRead | None = None


class CertificatePage(Page[CertificateRead]):
    """A page of certificates (documents included)."""


class CertificateVerify(RequestModel):
    """A presented certificate: the document as a JSON object and its base64 signature."""

    document: dict[str, Any]
    signature: Annotated[str, StringConstraints(max_length=200)]


class VerificationRead(ResponseModel):
    """What the registry found about a presented certificate."""

    status: VerificationStatus
    accepted: bool
    number: str | None
    detail: str
    revocation_reason: str | None
    pledged: bool
    checked_at: datetime


class IssuerKeyRead(ResponseModel):
    """The registry's certificate-signing public key."""

    issuer: str
    algorithm: Literal["ed25519"]
    public_key: str
    key_id: str


class RevocationListRead(ResponseModel):
    """The registry's revocation list (撤销清单): a document signed like certificates.

    Pass `document` and `signature` to `verify_certificate_offline(..., revocation_list=)`.
    """

    document: dict[str, Any] = Field(
        description="{type, v, title, issuer, issued_at, revoked: [{number, revoked_at, reason}]}"
    )
    signature: str = Field(description="Ed25519 over the document's RFC 8785 JSON (base64)")
    key_id: str
