"""Request and response models of data assets, certificates and pledges."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from exchange.assets.certificates import VerificationStatus
from exchange.assets.models import (
    ApplicationKind,
    ApplicationStatus,
    AssetStatus,
    ObjectionDecision,
    ObjectionStatus,
    PledgeStatus,
    ReviewDecision,
    ValuationMethod,
)
from exchange.schemas import RequestModel, ResponseModel, StrictBool, StrictInt
from exchange.vocabulary import DataGrade, DataRight, ProductForm

MAX_AMOUNT_FEN = 10**15  # ten trillion yuan: far above any sandbox amount, far below 2^53
MAX_INCOME_PER_PERIOD_FEN = 10**14  # so that fifty periods still sum below 2^53

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=2000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
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
CatalogItemId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
SourceItems = Annotated[
    list[CatalogItemId],
    Field(max_length=50, description="Public-data catalog items the asset derives from"),
]
AmountFen = Annotated[StrictInt, Field(gt=0, le=MAX_AMOUNT_FEN, description="Amount in fen (分)")]
CostFen = Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT_FEN, description="Cost in fen (分)")]
IncomeFen = Annotated[StrictInt, Field(ge=0, le=MAX_INCOME_PER_PERIOD_FEN)]


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
        default=None, description="Legal basis for processing personal information"
    )
    source_catalog_item_ids: SourceItems = Field(default_factory=list)


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


class CancellationApplicationCreate(RequestModel):
    """A cancellation application (注销登记)."""

    kind: Literal["cancellation"]
    reason: Reason


ApplicationCreate = Annotated[
    ChangeApplicationCreate | CancellationApplicationCreate, Field(discriminator="kind")
]


class ReviewCreate(RequestModel):
    """A compliance reviewer's decision with its reasons."""

    decision: ReviewDecision
    reason: Reason


class ObjectionCreate(RequestModel):
    """An objection (异议) with its grounds."""

    grounds: Reason


class ObjectionDecisionCreate(RequestModel):
    """A regulator's decision on an objection."""

    decision: ObjectionDecision
    reason: Reason


class RevocationCreate(RequestModel):
    """Revocation by the registry (撤销登记)."""

    reason: Reason


class FinalizeDueCreate(RequestModel):
    """Register every asset whose publicity is over (up to a limit)."""

    limit: Annotated[StrictInt, Field(ge=1, le=1000)] = 500


class CostValuationCreate(RequestModel):
    """Cost method (成本法): acquisition + processing + maintenance."""

    method: Literal["cost"]
    acquisition_fen: CostFen
    processing_fen: CostFen
    maintenance_fen: CostFen


class IncomeValuationCreate(RequestModel):
    """Income method (收益法): expected income per period, discounted at a rate."""

    method: Literal["income"]
    expected_income_fen: Annotated[list[IncomeFen], Field(min_length=1, max_length=50)]
    discount_rate_bp: Annotated[
        StrictInt, Field(ge=0, le=100_000, description="Discount rate per period, basis points")
    ]


class MarketValuationCreate(RequestModel):
    """Market method (市场法): comparable trades on the exchanges, found by the registry."""

    method: Literal["market"]


ValuationCreate = Annotated[
    CostValuationCreate | IncomeValuationCreate | MarketValuationCreate,
    Field(discriminator="method"),
]


class ReviewRead(ResponseModel):
    """One review."""

    id: str
    application_id: str
    reviewer_id: str
    decision: ReviewDecision
    reason: str
    created_at: datetime


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


class ApplicationPage(ResponseModel):
    """A page of applications."""

    items: list[ApplicationRead]
    total: int


class ValuationRead(ResponseModel):
    """A stored valuation report."""

    id: str
    asset_id: str
    method: ValuationMethod
    value_fen: int | None
    conclusion: str
    inputs: dict[str, Any]
    details: dict[str, Any]
    valued_by: str
    created_at: datetime


class CertificateSummary(ResponseModel):
    """A certificate as an asset page shows it."""

    number: str
    status: VerificationStatus
    issued_at: datetime
    expires_at: datetime
    pledged: bool


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
    source_legality: str
    fingerprint: str
    source_catalog_item_ids: list[str]
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


class AssetPage(ResponseModel):
    """A page of assets."""

    items: list[AssetRead]
    total: int


class ObjectionRead(ResponseModel):
    """An objection and, once decided, the regulator's decision."""

    id: str
    asset_id: str
    application_id: str
    objector_id: str
    grounds: str
    status: ObjectionStatus
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None


class PledgeRead(ResponseModel):
    """A pledge (质押)."""

    id: str
    certificate_number: str
    asset_id: str
    lender_id: str
    holder_id: str
    loan_reference: str
    amount_fen: int
    status: PledgeStatus
    created_at: datetime
    confirmed_at: datetime | None
    ended_at: datetime | None


class PledgePage(ResponseModel):
    """A page of pledges."""

    items: list[PledgeRead]
    total: int


class PledgeCreate(RequestModel):
    """A lender records a pledge of a certificate for a loan."""

    certificate_number: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    loan_reference: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    amount_fen: AmountFen


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


class CertificatePage(ResponseModel):
    """A page of certificates (documents included)."""

    items: list[CertificateRead]
    total: int


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


class FinalizedRead(ResponseModel):
    """The assets a bulk finalization registered."""

    registered: int
    asset_ids: list[str]
    certificate_numbers: list[str]
