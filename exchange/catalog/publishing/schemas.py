"""Response models of the open list (开放清单)."""

from __future__ import annotations

from datetime import datetime

from exchange.catalog.vocabulary import Level, UpdateFrequency, UsageMethod
from exchange.kit.paging import Page
from exchange.schemas import ResponseModel
from exchange.vocabulary import Opening


class OpenListEntry(ResponseModel):
    """An entry of the public-data open list (开放清单)."""

    id: str
    code: str
    name_zh: str
    name_en: str
    department_id: str
    department_name: str
    city_code: str
    level: Level
    opening: Opening
    opening_label: str
    opening_conditions: str
    usage_methods: list[UsageMethod]
    update_frequency: UpdateFrequency
    version: int
    updated_at: datetime


class OpenListPage(Page[OpenListEntry]):
    """A page of the open list."""
