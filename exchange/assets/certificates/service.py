"""Certificates (数据资产凭证): the registry's signing key, issuing, status, verification, and
the signed revocation list (撤销清单). The document and its signature are `signing`'s pure code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets import access
from exchange.assets.certificates import repository, signing
from exchange.assets.certificates.errors import CertificateNotFound
from exchange.assets.certificates.models import CERTIFICATE_SEQUENCE, Certificate, CertificateState
from exchange.assets.labels import GRADE_LABELS, PRODUCT_FORM_LABELS, RIGHT_LABELS
from exchange.assets.pledges import repository as pledges_repository
from exchange.assets.pledges.models import Pledge
from exchange.assets.registry import repository as registry_repository
from exchange.assets.registry.rules import AssetDraft
from exchange.assets.valuation import repository as valuation_repository
from exchange.assets.valuation.models import AssetValuation
from exchange.clock import rfc3339
from exchange.config import Settings
from exchange.context import Context, Runtime, Slot
from exchange.dataspaces.consents.reading import HeldCertificate
from exchange.keyfiles import load_or_create_signing_key
from exchange.participants import service as participants_service
from exchange.vocabulary import DataGrade, DataRight, ProductForm

REGISTRY_KEY_FILE = "registry-ed25519.pem"


_REGISTRY_KEY: Slot[RegistryKey] = Slot("assets.registry_key")


@dataclass(frozen=True, slots=True)
class RegistryKey:
    """The registry's Ed25519 key that signs certificates, with its published parts."""

    private_key: Ed25519PrivateKey
    public_key: Ed25519PublicKey
    public_raw: bytes
    key_id: str


def load_registry_key(settings: Settings) -> RegistryKey:
    """Load the registry key from the key directory, creating it (mode 0600) the first time."""
    private = load_or_create_signing_key(settings.resolved_key_dir() / REGISTRY_KEY_FILE)
    raw = signing.public_key_raw(private)
    return RegistryKey(private, private.public_key(), raw, signing.key_id(raw))


def registry_key(runtime: Runtime) -> RegistryKey:
    """The registry key, loaded lazily once per runtime and cached on it."""
    return runtime.cache.get_or_make(_REGISTRY_KEY, lambda: load_registry_key(runtime.settings))


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    """A certificate issued for an asset."""

    asset_id: str
    number: str


@dataclass(frozen=True, slots=True)
class CertificateSubject:
    """What a certificate states about an asset as registered."""

    asset_id: str
    holder_id: str
    version: int
    name: str
    right: DataRight
    product_form: ProductForm
    scenario: str
    grade: DataGrade
    personal_information: bool
    fingerprint: str

    @classmethod
    def of(cls, asset: Any, *, holder_id: str, version: int) -> CertificateSubject:
        """From an asset (ORM object or row) as it stands."""
        return cls(
            asset.id,
            holder_id,
            version,
            asset.name,
            DataRight(asset.data_right),
            ProductForm(asset.product_form),
            asset.scenario,
            DataGrade(asset.grade),
            asset.personal_information,
            asset.fingerprint,
        )

    @classmethod
    def of_draft(
        cls, asset_id: str, draft: AssetDraft, *, holder_id: str, version: int
    ) -> CertificateSubject:
        """From a description about to be registered."""
        return cls(
            asset_id,
            holder_id,
            version,
            draft.name,
            draft.right,
            draft.product_form,
            draft.scenario or "",
            draft.grade,
            draft.personal_information,
            draft.fingerprint,
        )


def _valuation_summary(report: AssetValuation | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "report_id": report.id,
        "method": str(report.method),
        "value_fen": report.value_fen,
        "conclusion": report.conclusion,
        "valued_at": rfc3339(report.created_at),
    }


async def issue_certificates(
    ctx: Context, subjects: Sequence[CertificateSubject]
) -> list[IssuedCertificate]:
    """Sign and store one certificate per subject (numbers allocated in one step)."""
    if not subjects:
        return []
    key = registry_key(ctx.runtime)
    now = ctx.clock.now()
    expires_at = signing.add_years(now, signing.VALIDITY_YEARS)
    holder_names: dict[str, str] = {}
    for holder_id in dict.fromkeys(subject.holder_id for subject in subjects):
        holder_names[holder_id] = (await participants_service.get(ctx, holder_id)).name
    valuations = await valuation_repository.latest_valuations(
        ctx.session, [s.asset_id for s in subjects]
    )
    first = await repository.allocate(ctx.session, CERTIFICATE_SEQUENCE, len(subjects))
    rows: list[dict[str, Any]] = []
    issued = []
    for offset, subject in enumerate(subjects):
        facts = signing.CertificateFacts(
            number=signing.certificate_number(now.year, first + offset),
            asset_id=subject.asset_id,
            asset_name=subject.name,
            asset_version=subject.version,
            holder_id=subject.holder_id,
            holder_name=holder_names[subject.holder_id],
            right=subject.right.value,
            right_label=RIGHT_LABELS[subject.right],
            product_form=subject.product_form.value,
            product_form_label=PRODUCT_FORM_LABELS[subject.product_form],
            scenario=subject.scenario,
            grade=subject.grade.value,
            grade_label=GRADE_LABELS[subject.grade],
            personal_information=subject.personal_information,
            fingerprint=subject.fingerprint,
            valuation=_valuation_summary(valuations.get(subject.asset_id)),
            issued_at=now,
            expires_at=expires_at,
            key_id=key.key_id,
        )
        document, signature = signing.sign_document(
            signing.certificate_document(facts), key.private_key
        )
        rows.append(
            {
                "number": facts.number,
                "asset_id": subject.asset_id,
                "holder_id": subject.holder_id,
                "document": document,
                "signature": signature,
                "key_id": key.key_id,
                "issued_at": now,
                "expires_at": expires_at,
                "state": CertificateState.VALID.value,
                "revoked_at": None,
                "revocation_reason": None,
                "pledge_id": None,
            }
        )
        ctx.audit(
            "certificate.issued",
            subject_type="certificate",
            subject_id=facts.number,
            payload={
                "asset_id": subject.asset_id,
                "holder_id": subject.holder_id,
                "asset_version": subject.version,
                "document_sha256": hashlib.sha256(document).hexdigest(),
                "key_id": key.key_id,
                "expires_at": expires_at,
            },
        )
        issued.append(IssuedCertificate(subject.asset_id, facts.number))
    await registry_repository.insert_rows(ctx.session, Certificate, rows)
    return issued


def revoke_certificate(ctx: Context, certificate: Certificate, reason: str) -> None:
    certificate.state = CertificateState.REVOKED
    certificate.revoked_at = ctx.clock.now()
    certificate.revocation_reason = reason
    ctx.audit(
        "certificate.revoked",
        subject_type="certificate",
        subject_id=certificate.number,
        payload={"asset_id": certificate.asset_id, "reason": reason},
    )


def certificate_status(ctx: Context, certificate: Certificate) -> signing.VerificationStatus:
    """valid, expired, revoked or pledged, as of now."""
    if certificate.state == CertificateState.REVOKED:
        return signing.VerificationStatus.REVOKED
    if ctx.clock.now() >= certificate.expires_at:
        return signing.VerificationStatus.EXPIRED
    if certificate.pledge_id is not None:
        return signing.VerificationStatus.PLEDGED
    return signing.VerificationStatus.VALID


@dataclass(frozen=True, slots=True)
class CertificateView:
    """A certificate, its status now, and its pledge if the caller may see who holds it."""

    certificate: Certificate
    status: signing.VerificationStatus
    pledged: bool
    pledge: Pledge | None


async def certificate_view(ctx: Context, number: str) -> CertificateView:
    """A certificate by number: anyone with the number sees whether it is pledged, not to whom."""
    certificate = await repository.get_certificate(ctx.session, number)
    if certificate is None:
        raise CertificateNotFound(f"No certificate {number!r}.")
    pledge = None
    if certificate.pledge_id is not None:
        found = await pledges_repository.get_pledge(ctx.session, certificate.pledge_id)
        pledge = found if found is not None and access.sees_pledgee(ctx, found) else None
    return CertificateView(
        certificate=certificate,
        status=certificate_status(ctx, certificate),
        pledged=certificate.pledge_id is not None,
        pledge=pledge,
    )


async def list_certificates(
    ctx: Context, *, holder_id: str | None, asset_id: str | None, limit: int, offset: int
) -> tuple[list[CertificateView], int]:
    """Certificates: overseers see all; others see the ones they hold."""
    if not access.oversees(ctx):
        holder_id = access.actor(ctx).id
    rows, total = await repository.list_certificates(
        ctx.session, holder_id=holder_id, asset_id=asset_id, limit=limit, offset=offset
    )
    views = [
        CertificateView(c, certificate_status(ctx, c), c.pledge_id is not None, None) for c in rows
    ]
    return views, total


@dataclass(frozen=True, slots=True)
class RegistryVerification:
    """The registry's answer about a presented certificate."""

    result: signing.VerificationResult
    revocation_reason: str | None
    pledged: bool


async def verify_presented(ctx: Context, *, document: Any, signature: str) -> RegistryVerification:
    """Check a presented document and signature against the key and the register."""
    key = registry_key(ctx.runtime)
    now = ctx.clock.now()
    offline = signing.verify_certificate_offline(document, signature, key.public_key, now=now)
    if offline.status in (
        signing.VerificationStatus.BAD_SIGNATURE,
        signing.VerificationStatus.MALFORMED,
    ):
        return RegistryVerification(offline, None, False)
    number = offline.number or ""
    certificate = await repository.get_certificate(ctx.session, number)
    if certificate is None or certificate.document != signing.canonical_json(document):
        result = signing.VerificationResult(
            signing.VerificationStatus.UNKNOWN_CERTIFICATE,
            offline.number,
            "The register holds no such certificate document.",
        )
        return RegistryVerification(result, None, False)
    status = certificate_status(ctx, certificate)
    details = {
        signing.VerificationStatus.REVOKED: f"Revoked: {certificate.revocation_reason}",
        signing.VerificationStatus.EXPIRED: offline.detail,
        signing.VerificationStatus.PLEDGED: "Genuine and in force, and pledged (质押中).",
        signing.VerificationStatus.VALID: "Genuine and in force.",
    }
    return RegistryVerification(
        signing.VerificationResult(
            status,
            certificate.number,
            details[status],
            revocation_reason=certificate.revocation_reason,
            revocations_as_of=now,
        ),
        certificate.revocation_reason,
        certificate.pledge_id is not None,
    )


@dataclass(frozen=True, slots=True)
class SignedRevocationList:
    """The registry's revocation list: canonical document bytes and their signature."""

    document: bytes
    signature: bytes
    key_id: str


async def revocation_list(ctx: Context) -> SignedRevocationList:
    """Every revoked certificate in a document signed like certificates (撤销清单), as of now."""
    key = registry_key(ctx.runtime)
    revoked = []
    for number, revoked_at, reason in await repository.revoked_certificates(ctx.session):
        assert revoked_at is not None  # set whenever a certificate is revoked
        revoked.append(signing.Revocation(number, revoked_at, reason or ""))
    document, signature = signing.sign_document(
        signing.revocation_list_document(
            issued_at=ctx.clock.now(), key_id=key.key_id, revoked=revoked
        ),
        key.private_key,
    )
    return SignedRevocationList(document, signature, key.key_id)


def parse_document(certificate: Certificate) -> dict[str, Any]:
    """The stored canonical document as a JSON object."""
    document: dict[str, Any] = json.loads(certificate.document)
    return document


async def get_certificates(ctx: Context, numbers: Sequence[str]) -> Sequence[Certificate]:
    """Several certificates by number, as stored (a pilot re-verifies them as outsiders would)."""
    return await repository.get_certificates(ctx.session, numbers)


async def all_for_reconcile(
    session: AsyncSession,
) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """Every certificate as (table, rows) pages, with what its audit entries record:
    `certificate.issued` (holder, asset, key, expiry, the signed document's SHA-256),
    `certificate.revoked` (state, reason) and `pledge.confirmed`/`pledge.released`
    (the pledge it carries). Rows are named by certificate number (reconciliation)."""
    async for rows in repository.certificate_pages(session):
        yield (
            Certificate.__tablename__,
            [
                {
                    "id": r["number"],
                    "asset_id": r["asset_id"],
                    "holder_id": r["holder_id"],
                    "key_id": r["key_id"],
                    "expires_at": r["expires_at"],
                    "document_sha256": hashlib.sha256(bytes(r["document"])).hexdigest(),
                    "state": r["state"],
                    "revocation_reason": r["revocation_reason"],
                    "pledge_id": r["pledge_id"],
                }
                for r in rows
            ],
        )


HELD_CERTIFICATES_SHOWN = 100


async def held_certificates(ctx: Context, holder_id: str) -> list[HeldCertificate]:
    """The newest certificates a company holds, as issued, with their status now: what a
    consent with `certificates` shows its grantee (a bank deciding on a loan, 企业信贷)."""
    rows, _ = await repository.list_certificates(
        ctx.session, holder_id=holder_id, asset_id=None, limit=HELD_CERTIFICATES_SHOWN, offset=0
    )
    return [
        HeldCertificate(
            number=c.number,
            asset_id=c.asset_id,
            status=certificate_status(ctx, c).value,
            document=parse_document(c),
            signature=signing.encode_signature(c.signature),
            key_id=c.key_id,
            expires_at=c.expires_at,
        )
        for c in rows
    ]
