"""Response models built from the register's service results: assets, asset pages, applications."""

from __future__ import annotations

from exchange.assets.certificates import service as certificates_service
from exchange.assets.certificates.schemas import CertificateSummary
from exchange.assets.labels import GRADE_LABELS, PRODUCT_FORM_LABELS, RIGHT_LABELS
from exchange.assets.registry import service
from exchange.assets.registry.models import ASSET_STATUS_LABELS, Asset, AssetStatus
from exchange.assets.registry.schemas import ApplicationRead, AssetDetail, AssetRead
from exchange.assets.review.schemas import ReviewRead
from exchange.assets.valuation.schemas import ValuationRead
from exchange.context import Context
from exchange.dataspaces.vocabulary import LAWFUL_BASIS_LABELS, LawfulBasis
from exchange.operation.vocabulary import PURPOSE_LABELS, Purpose
from exchange.vocabulary import DataGrade, DataRight, ProductForm


def asset_read(asset: Asset) -> AssetRead:
    """An asset with its Chinese labels."""
    return AssetRead(
        id=asset.id,
        holder_id=asset.holder_id,
        status=asset.status,
        status_label=ASSET_STATUS_LABELS[AssetStatus(asset.status)],
        name=asset.name,
        description=asset.description,
        product_form=asset.product_form,
        product_form_label=PRODUCT_FORM_LABELS[ProductForm(asset.product_form)],
        right=asset.data_right,
        right_label=RIGHT_LABELS[DataRight(asset.data_right)],
        scenario=asset.scenario,
        grade=asset.grade,
        grade_label=GRADE_LABELS[DataGrade(asset.grade)],
        personal_information=asset.personal_information,
        personal_information_basis=asset.personal_information_basis,
        lawful_basis=asset.lawful_basis,
        lawful_basis_label=(
            LAWFUL_BASIS_LABELS[LawfulBasis(asset.lawful_basis)] if asset.lawful_basis else None
        ),
        consent_ids=list(asset.consent_ids),
        source_legality=asset.source_legality,
        fingerprint=asset.fingerprint,
        source_catalog_item_ids=list(asset.source_catalog_item_ids),
        purpose=Purpose(asset.purpose) if asset.purpose else None,
        purpose_label=PURPOSE_LABELS[Purpose(asset.purpose)] if asset.purpose else None,
        version=asset.version,
        created_at=asset.created_at,
        published_at=asset.published_at,
        registered_at=asset.registered_at,
        closed_at=asset.closed_at,
        close_reason=asset.close_reason,
    )


def application_read(view: service.ApplicationView) -> ApplicationRead:
    """An application with its reviews."""
    read = ApplicationRead.model_validate(view.application)
    read.reviews = [ReviewRead.model_validate(r) for r in view.reviews]
    return read


def asset_detail(ctx: Context, view: service.AssetView) -> AssetDetail:
    """An asset page."""
    certificate = view.certificate
    return AssetDetail(
        **asset_read(view.asset).model_dump(),
        holder_name=view.holder_name,
        open_application=(
            ApplicationRead.model_validate(view.open_application)
            if view.open_application is not None
            else None
        ),
        certificate=(
            CertificateSummary(
                number=certificate.number,
                status=certificates_service.certificate_status(ctx, certificate),
                issued_at=certificate.issued_at,
                expires_at=certificate.expires_at,
                pledged=certificate.pledge_id is not None,
            )
            if certificate is not None
            else None
        ),
        latest_valuation=(
            ValuationRead.model_validate(view.latest_valuation)
            if view.latest_valuation is not None
            else None
        ),
    )
