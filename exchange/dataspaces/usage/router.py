"""HTTP endpoint of who used my data (谁用了我的数据)."""

from __future__ import annotations

from fastapi import APIRouter

from exchange.dataspaces.roles import DataSubjectContext
from exchange.dataspaces.usage import service
from exchange.dataspaces.usage.schemas import UsagePage, usage_read
from exchange.errors import Forbidden, responses
from exchange.kit.paging import Limit, Offset

router = APIRouter(tags=["dataspaces"])


@router.get(
    "/dataspaces/me/usage", operation_id="list_my_data_usage", responses=responses(Forbidden)
)
async def list_my_data_usage(
    ctx: DataSubjectContext, limit: Limit = 100, offset: Offset = 0
) -> UsagePage:
    """Who used my data: every audit entry about your records, consents and the requests
    made of you (reads, refused reads, products made from them), newest first, each with its
    log index for an inclusion proof."""
    entries, total = await service.my_usage(ctx, limit=limit, offset=offset)
    return UsagePage(items=[usage_read(e) for e in entries], total=total)
