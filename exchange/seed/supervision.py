"""The demo's regulators in their agencies (监管机构): the migration seeds the four provincial
agencies; each demo regulator acts for one (seeded once: a re-seed changes nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from exchange.context import Context
from exchange.supervision.agencies import service as agencies_service

# Which agency each demo regulator acts for, by its handle.
DEMO_AGENCIES: dict[str, str] = {
    "regulator": "gd-amr",  # 市场监管: trading conduct and pricing
    "regulator_cac": "gd-cac",  # 网信: export and personal information
    "regulator_data": "gd-gsdma",  # 数据局: public data and authorized operation
    "regulator_finance": "gd-nfra",  # 金融监管: finance
}


class Handled(Protocol):
    """A demo participant with its handle."""

    @property
    def handle(self) -> str: ...

    @property
    def id(self) -> str: ...


async def seed_demo_supervision(ctx: Context, keys: Sequence[Handled]) -> None:
    """Let each demo regulator act for its agency (unless it does already)."""
    for key in keys:
        agency_id = DEMO_AGENCIES.get(key.handle)
        if agency_id is None:
            continue
        if await agencies_service.agency_of_member(ctx, key.id) != agency_id:
            await agencies_service.assign_member(ctx, agency_id=agency_id, participant_id=key.id)
