"""Fixtures of the data-asset tests."""

from __future__ import annotations

import httpx
import pytest
from support_assets import Registry

from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.vocabulary import Role
from support import Actor, MakeParticipant


@pytest.fixture
async def registry(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
    admin: Actor,
) -> Registry:
    """A market ready for registrations."""
    return Registry(
        client=client,
        runtime=runtime,
        clock=clock,
        holder=await make_participant(Role.ENTERPRISE, name="广州数联科技有限公司"),
        reviewer_a=await make_participant(Role.COMPLIANCE_REVIEWER, name="合规委员甲"),
        reviewer_b=await make_participant(Role.COMPLIANCE_REVIEWER, name="合规委员乙"),
        regulator=await make_participant(
            Role.REGULATOR, name="广东省数据局 监管员", agency="gd-gsdma"
        ),
        lender=await make_participant(Role.LENDER, name="粤信银行"),
        other=await make_participant(Role.ENTERPRISE, name="深圳某数据公司"),
        admin=admin,
    )
