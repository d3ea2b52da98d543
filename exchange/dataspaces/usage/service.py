"""Who used my data (谁用了我的数据): every audit entry about a data subject's space, its
consents and the requests made of it — reads, refused reads, products made from its records,
grants and revocations — newest first, each with its index in the log so it can be proven
(`GET /v1/audit/proof/inclusion`)."""

from __future__ import annotations

from exchange.audit.log import service as audit_service
from exchange.audit.log.service import LoggedEntry
from exchange.context import Context
from exchange.dataspaces.consents import service as consents_service
from exchange.dataspaces.records import service as records_service
from exchange.dataspaces.requests import service as requests_service

ACTION_LABELS: dict[str, str] = {
    "dataspace.records_added": "数据源归集记录",
    "consent.requested": "申请授权",
    "consent.request_accepted": "同意授权申请",
    "consent.request_declined": "拒绝授权申请",
    "consent.granted": "授权",
    "consent.revoked": "撤回授权",
    "consent.records_read": "授权访问",
    "consent.read_refused": "访问被拒绝",
    "consent.relied_on": "基于授权形成数据产品",
}


async def my_usage(ctx: Context, *, limit: int, offset: int) -> tuple[list[LoggedEntry], int]:
    """The entries about the caller's data space, consents and consent requests."""
    me = records_service.data_subject(ctx)
    subjects = {
        "data_space": [me.id],
        "consent": await consents_service.consent_ids_of(ctx, me.id),
        "consent_request": await requests_service.request_ids_of(ctx, me.id),
    }
    return await audit_service.entries_about(
        ctx.session, subjects=subjects, limit=limit, offset=offset
    )
