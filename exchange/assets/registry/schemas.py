"""Request and response models of data assets and their registration applications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from exchange.assets.certificates.schemas import CertificateSummary
from exchange.assets.fields import Name, Reason, Text
from exchange.assets.registry.models import ApplicationKind, ApplicationStatus, AssetStatus
from exchange.assets.review.schemas import ReviewRead
from exchange.assets.valuation.schemas import ValuationRead
from exchange.dataspaces.fields import ConsentIds
from exchange.dataspaces.vocabulary import LawfulBasis
from exchange.kit.paging import Page
from exchange.operation.vocabulary import Purpose
from exchange.schemas import RequestModel, ResponseModel, StrictBool
from exchange.vocabulary import DataGrade, DataRight, ProductForm

Scenario = Annotated[
    str,
    StringConstraints(max_length=500),
    Field(description="The application scenario (应用场景); required: 无场景不登记"),
]


Fingerprint = Annotated[
    str,
    Field(
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 (lowercase hex) of the data package the holder will deliver",
    ),
]


LAWFUL_BASIS = (
    "The lawful basis for processing personal information (个人信息处理依据), required when "
    "personal_information is true: consent (name the consents granted to you in consent_ids; "
    "each must be in force and cover product_development), publicly_disclosed, or legal_duty "
    "(departments)"
)


CatalogItemId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


SourceItems = Annotated[
    list[CatalogItemId],
    Field(max_length=50, description="Public-data catalog items the asset derives from"),
]


class AssetCreate(RequestModel):
    """An initial registration application (首次登记)."""

    name: Name
    description: Text = ""
    product_form: ProductForm
    right: DataRight = Field(description="The right claimed (数据资源持有权/加工使用权/产品经营权)")
    scenario: Scenario | None = None
    grade: DataGrade = Field(description="Data grade (一般/重要/核心); core data is refused")
    personal_information: StrictBool = Field(description="Whether it contains personal information")
    fingerprint: Fingerprint
    source_legality: Reason = Field(description="Statement of the data source's legality")
    personal_information_basis: Text | None = Field(
        default=None,
        description="The lawful basis explained (required for a basis other than consent)",
    )
    source_catalog_item_ids: SourceItems = Field(default_factory=list)
    purpose: Purpose | None = Field(
        default=None,
        description="The purpose (授权用途) of a product derived from public catalog items that "
        "are not unconditionally open: the operating agreement must permit it",
    )
    lawful_basis: LawfulBasis | None = Field(default=None, description=LAWFUL_BASIS)
    consent_ids: ConsentIds = Field(default_factory=list)


class ChangeApplicationCreate(RequestModel):
    """A change application (变更登记): only the fields given change."""

    kind: Literal["change"]
    reason: Reason
    name: Name | None = None
    description: Text | None = None
    product_form: ProductForm | None = None
    right: DataRight | None = None
    scenario: Scenario | None = None
    grade: DataGrade | None = None
    personal_information: StrictBool | None = None
    fingerprint: Fingerprint | None = None
    source_legality: Reason | None = None
    personal_information_basis: Text | None = None
    source_catalog_item_ids: SourceItems | None = None
    purpose: Purpose | None = None
    lawful_basis: LawfulBasis | None = Field(default=None, description=LAWFUL_BASIS)
    consent_ids: ConsentIds | None = None


class CancellationApplicationCreate(RequestModel):
    """A cancellation application (注销登记)."""

    kind: Literal["cancellation"]
    reason: Reason


ApplicationCreate = Annotated[
    ChangeApplicationCreate | CancellationApplicationCreate, Field(discriminator="kind")
]


class ApplicationRead(ResponseModel):
    """A registration application with its reviews."""

    id: str
    asset_id: str
    kind: ApplicationKind
    status: ApplicationStatus
    submitted_by: str
    submitted_at: datetime
    proposed: dict[str, Any] | None
    reason: str
    approvals: int
    rejections: int
    approved_at: datetime | None
    publicity_ends_at: datetime | None
    decided_at: datetime | None
    outcome_reason: str | None
    reviews: list[ReviewRead] = Field(default_factory=list)


class ApplicationPage(Page[ApplicationRead]):
    """A page of applications."""


class AssetRead(ResponseModel):
    """A data asset in the register."""

    id: str
    holder_id: str
    status: AssetStatus
    status_label: str
    name: str
    description: str
    product_form: ProductForm
    product_form_label: str
    right: DataRight
    right_label: str
    scenario: str
    grade: DataGrade
    grade_label: str
    personal_information: bool
    personal_information_basis: str | None
    lawful_basis: LawfulBasis | None
    lawful_basis_label: str | None
    consent_ids: list[str]
    source_legality: str
    fingerprint: str
    source_catalog_item_ids: list[str]
    purpose: Purpose | None
    purpose_label: str | None
    version: int
    created_at: datetime
    published_at: datetime | None
    registered_at: datetime | None
    closed_at: datetime | None
    close_reason: str | None


class AssetDetail(AssetRead):
    """An asset with its holder's name, open application, certificate and latest valuation."""

    holder_name: str
    open_application: ApplicationRead | None
    certificate: CertificateSummary | None
    latest_valuation: ValuationRead | None


class AssetPage(Page[AssetRead]):
    """A page of assets."""
