"""The service trading calls: a registered asset as a listing needs it (无登记不交易), and
whether its lawful basis for personal information still supports listing, selling,
delivering or exporting it (a revoked consent stops each)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exchange.assets.certificates import service as certificates_service
from exchange.assets.certificates import signing
from exchange.assets.certificates.errors import CertificateNotValid
from exchange.assets.registry import repository
from exchange.assets.registry.errors import (
    REGISTRATION_RULE,
    AssetNotFound,
    AssetNotRegistered,
    NotAssetHolder,
)
from exchange.assets.registry.models import AssetStatus
from exchange.context import Context
from exchange.dataspaces.consents import lawful
from exchange.dataspaces.vocabulary import LawfulBasis
from exchange.vocabulary import DataGrade, DataRight, ProductForm

if TYPE_CHECKING:
    from exchange.dataspaces.consents.models import Consent


@dataclass(frozen=True, slots=True)
class ListableAsset:
    """A registered asset that its holder may list on an exchange (无登记不交易)."""

    asset_id: str
    name: str
    holder_id: str
    version: int
    product_form: ProductForm
    right: DataRight
    scenario: str
    grade: DataGrade
    personal_information: bool
    fingerprint: str
    certificate_number: str
    certificate_status: signing.VerificationStatus
    pledged: bool
    source_catalog_item_ids: tuple[str, ...] = ()
    lawful_basis: LawfulBasis | None = None
    consents: Sequence[Consent] = ()


async def listable_asset(ctx: Context, asset_id: str, holder_id: str) -> ListableAsset:
    """The asset as trading needs it, or a clear refusal: not registered, no valid certificate,
    or not held by `holder_id`."""
    found = await repository.asset_with_valid_certificate(ctx.session, asset_id)
    if found is None:
        raise AssetNotFound(f"No data asset {asset_id!r}.")
    asset, certificate = found
    if asset.holder_id != holder_id:
        raise NotAssetHolder(f"Participant {holder_id} does not hold asset {asset_id}.")
    if asset.status != AssetStatus.REGISTERED:
        raise AssetNotRegistered(
            f"Asset {asset_id} is {asset.status}, not registered ({REGISTRATION_RULE}).",
            rule=REGISTRATION_RULE,
        )
    status = (
        certificates_service.certificate_status(ctx, certificate)
        if certificate is not None
        else None
    )
    if certificate is None or status not in signing.ACCEPTED_STATUSES:
        raise CertificateNotValid(f"Asset {asset_id} has no certificate in force.")
    assert status is not None
    basis = LawfulBasis(asset.lawful_basis) if asset.lawful_basis else None
    consents = await lawful.require_lawful_use(
        ctx,
        processor_id=asset.holder_id,
        personal_information=asset.personal_information,
        basis=basis,
        consent_ids=asset.consent_ids,
        what=f"listing or selling asset {asset_id}",
    )
    return ListableAsset(
        asset_id=asset.id,
        name=asset.name,
        holder_id=asset.holder_id,
        version=asset.version,
        product_form=ProductForm(asset.product_form),
        right=DataRight(asset.data_right),
        scenario=asset.scenario,
        grade=DataGrade(asset.grade),
        personal_information=asset.personal_information,
        fingerprint=asset.fingerprint,
        certificate_number=certificate.number,
        certificate_status=status,
        pledged=certificate.pledge_id is not None,
        source_catalog_item_ids=tuple(asset.source_catalog_item_ids),
        lawful_basis=basis,
        consents=consents,
    )


async def check_delivery(ctx: Context, asset_id: str) -> None:
    """Refuse a delivery of an asset's package once a consent it was made under is revoked
    or has expired (the package holds the records it covered): the consents are share-locked
    while the delivery reads its bytes, so a delivery never follows a committed revocation."""
    asset = await repository.get_asset(ctx.session, asset_id)
    if asset is None:
        raise AssetNotFound(f"No data asset {asset_id!r}.")
    await lawful.require_lawful_use(
        ctx,
        processor_id=asset.holder_id,
        personal_information=asset.personal_information,
        basis=LawfulBasis(asset.lawful_basis) if asset.lawful_basis else None,
        consent_ids=asset.consent_ids,
        what=f"delivering asset {asset_id}'s package",
    )


async def export_consents(ctx: Context, asset_id: str) -> Sequence[Consent]:
    """The consents that let an asset's personal information leave mainland China (each in
    force and covering cross-border provision), or a refusal; none for another basis."""
    asset = await repository.get_asset(ctx.session, asset_id)
    if asset is None:
        raise AssetNotFound(f"No data asset {asset_id!r}.")
    return await lawful.require_export_consent(
        ctx,
        processor_id=asset.holder_id,
        basis=LawfulBasis(asset.lawful_basis) if asset.lawful_basis else None,
        consent_ids=asset.consent_ids,
    )


async def source_items(ctx: Context, asset_id: str) -> tuple[str, ...]:
    """The public catalog items an asset derives from (settlement pays their departments'
    revenue shares under operating agreements)."""
    asset = await repository.get_asset(ctx.session, asset_id)
    return tuple(asset.source_catalog_item_ids) if asset is not None else ()
