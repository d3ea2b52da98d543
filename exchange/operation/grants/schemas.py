"""Response models of derivations: what was derived under an agreement."""

from __future__ import annotations

from datetime import datetime

from exchange.kit.paging import Page
from exchange.operation.vocabulary import Purpose
from exchange.schemas import ResponseModel
from exchange.vocabulary import ProductForm


class DerivationRead(ResponseModel):
    """An asset whose registration application drew on an item under the agreement."""

    asset_id: str
    asset_name: str
    holder_id: str
    catalog_item_id: str
    product_form: ProductForm
    purpose: Purpose | None
    purpose_label: str | None
    derived_at: datetime


class DerivationPage(Page[DerivationRead]):
    """A page of what was derived under an agreement."""
