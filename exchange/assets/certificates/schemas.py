"""Request and response models of certificates (数据资产凭证)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from exchange.assets.certificates.signing import VerificationStatus
from exchange.assets.pledges.schemas import PledgeRead
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel

SIGNED_DOCUMENT = (
    "The signed certificate (数据资产凭证). The signature covers this whole object, every field: "
    "the bytes signed are its RFC 8785 canonical JSON (keys sorted by UTF-16 code units, no "
    "insignificant whitespace, UTF-8). Fields: type, v, title, number, asset {id, name, "
    "version}, holder {id, name}, right {code, label}, product_form {code, label}, scenario, "
    "grade {code, label}, personal_information, fingerprint {algorithm: sha256, value: hex of "
    "the delivery package}, valuation, issued_at, expires_at (RFC 3339, Z), issuer {name, "
    "algorithm: ed25519, key_id}. To verify: canonicalize `document`, then check `signature` "
    "with the issuer key (GET /v1/certificates/issuer-key)."
)
SIGNATURE = "Ed25519 signature (64 bytes, standard base64) over the RFC 8785 JSON of `document`."
KEY_ID = (
    "The issuer key id: the first 16 hex digits (8 bytes) of SHA-256 over the raw 32-byte "
    "Ed25519 public key."
)


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
    document: dict[str, Any] = Field(description=SIGNED_DOCUMENT)
    signature: str = Field(description=SIGNATURE)
    key_id: str = Field(description=KEY_ID)
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

    document: dict[str, Any] = Field(description=SIGNED_DOCUMENT)
    signature: Annotated[str, StringConstraints(max_length=200)] = Field(description=SIGNATURE)


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
    public_key: str = Field(description="The raw 32-byte Ed25519 public key, standard base64.")
    key_id: str = Field(description=KEY_ID)


class RevocationListRead(ResponseModel):
    """The registry's revocation list (撤销清单): a document signed like certificates.

    Pass `document` and `signature` to `verify_certificate_offline(..., revocation_list=)`.
    """

    document: dict[str, Any] = Field(
        description="{type, v, title, issuer {name, algorithm, key_id}, issued_at, revoked: "
        "[{number, revoked_at, reason}]}; the signature covers this whole object, as its RFC "
        "8785 canonical JSON (UTF-8)."
    )
    signature: str = Field(description=SIGNATURE)
    key_id: str = Field(description=KEY_ID)
