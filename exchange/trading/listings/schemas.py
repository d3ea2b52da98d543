"""Request and response models of listings (挂牌): venues on each exchange, licence tiers, delivery
packages, and the builders of the responses."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from exchange.assets.labels import GRADE_LABELS, PRODUCT_FORM_LABELS
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel, StrictBool, StrictInt
from exchange.trading.fields import AmountFen, Id, Name, Note, ShortName, Text
from exchange.trading.listings import service
from exchange.trading.listings.models import LicenceTier
from exchange.trading.listings.service import ListingView
from exchange.trading.policies.labels import describe
from exchange.trading.policies.terms import UsagePolicy, read_policy
from exchange.vocabulary import DataGrade, DeliveryKind, ProductForm, VenueStatus


class TierCreate(RequestModel):
    """A licence tier (许可版本): scope, term, price, exclusivity."""

    name: ShortName
    scope: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    term_days: Annotated[StrictInt, Field(ge=1, le=3650)]
    price_fen: AmountFen
    exclusive: StrictBool = False
    policy: UsagePolicy | None = Field(
        default=None,
        description="The tier's usage policy (使用策略, after ODRL 2.2), enforced at every "
        "delivery; unset: the scope text alone",
    )


class DeliveryCreate(RequestModel):
    """The delivery package: a file (base64) or an API description (text); its SHA-256 must
    equal the fingerprint on the asset's certificate. A file delivery without content is the
    package already deposited with the registry (of any size: `exchange assets
    deposit-package`)."""

    kind: DeliveryKind
    filename: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    media_type: Annotated[str, StringConstraints(min_length=3, max_length=100)] = (
        "application/octet-stream"
    )
    content_base64: str | None = None
    api_description: str | None = None

    @model_validator(mode="after")
    def _one_body(self) -> DeliveryCreate:
        if self.kind is DeliveryKind.FILE:
            if self.api_description is not None:
                raise ValueError("a file delivery carries content_base64 (and no api_description)")
            self.body_bytes()
        elif self.api_description is None or self.content_base64 is not None:
            raise ValueError("an API delivery carries api_description (and no content_base64)")
        return self

    def body_bytes(self) -> bytes | None:
        """The package's bytes (None: the package deposited with the registry)."""
        if self.kind is DeliveryKind.API:
            assert self.api_description is not None
            return self.api_description.encode()
        if self.content_base64 is None:
            return None
        try:
            return base64.b64decode(self.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("content_base64 is not valid base64") from None


class ListingCreate(RequestModel):
    """List a registered asset on exchanges (by id) or through a service base (by id)."""

    asset_id: Id
    title: Name
    description: Text = ""
    venues: list[Annotated[str, StringConstraints(min_length=1, max_length=32)]] = Field(
        min_length=1, max_length=4, examples=[["gzde", "szdex"], ["gzde-foshan"]]
    )
    tiers: list[TierCreate] = Field(min_length=1, max_length=10)
    delivery: DeliveryCreate


class ListingReviewCreate(RequestModel):
    """An operator's listing review (上架审核)."""

    approve: StrictBool
    reason: Note = ""


class ListingMove(RequestModel):
    """Suspend, resume or delist on one exchange (or, for the holder, on all)."""

    exchange_id: Id | None = None
    reason: Note = ""


class TierRead(ResponseModel):
    """A licence tier and whether it can be bought now."""

    id: str
    name: str
    scope: str
    term_days: int
    price_fen: int
    exclusive: bool
    available: bool
    policy: UsagePolicy | None
    policy_labels: list[str]


class VenueRead(ResponseModel):
    """A listing's state on one exchange."""

    exchange_id: str
    base_id: str | None
    status: VenueStatus
    reason: str
    updated_at: datetime


class DeliveryRead(ResponseModel):
    """What the delivery package is; `sha256` equals the certificate's fingerprint."""

    kind: DeliveryKind
    filename: str
    media_type: str
    size: int
    sha256: str


class ListingRead(ResponseModel):
    """A listed data product."""

    id: str
    asset_id: str
    holder_id: str
    certificate_number: str
    title: str
    description: str
    product_form: str
    product_form_label: str
    grade: str
    grade_label: str
    personal_information: bool
    delivery: DeliveryRead
    venues: list[VenueRead]
    tiers: list[TierRead]
    created_at: datetime


class ListingPage(Page[ListingRead]):
    """A page of listings."""


def _label(table: dict[ProductForm, str] | dict[DataGrade, str], key: str) -> str:
    return next((label for k, label in table.items() if k.value == key), key)


def tier_read(tier: LicenceTier) -> TierRead:
    policy = read_policy(tier.policy)
    return TierRead(
        id=tier.id,
        name=tier.name,
        scope=tier.scope,
        term_days=tier.term_days,
        price_fen=tier.price_fen,
        exclusive=tier.exclusive,
        available=service.tier_available(tier),
        policy=policy,
        policy_labels=describe(policy) if policy is not None else [],
    )


def listing_read(view: ListingView) -> ListingRead:
    listing = view.listing
    return ListingRead(
        id=listing.id,
        asset_id=listing.asset_id,
        holder_id=listing.holder_id,
        certificate_number=listing.certificate_number,
        title=listing.title,
        description=listing.description,
        product_form=listing.product_form,
        product_form_label=_label(PRODUCT_FORM_LABELS, listing.product_form),
        grade=listing.grade,
        grade_label=_label(GRADE_LABELS, listing.grade),
        personal_information=listing.personal_information,
        delivery=DeliveryRead(
            kind=listing.delivery_kind,
            filename=listing.delivery_filename,
            media_type=listing.delivery_media_type,
            size=listing.delivery_size,
            sha256=listing.fingerprint,
        ),
        venues=[VenueRead.model_validate(v) for v in view.venues],
        tiers=[tier_read(t) for t in view.tiers],
        created_at=listing.created_at,
    )
