"""Fixtures of the data-space tests."""

from __future__ import annotations

import httpx
import pytest
from support_dataspaces import Spaces

from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.vocabulary import Role
from support import Actor, MakeParticipant


@pytest.fixture
async def spaces(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
    admin: Actor,
) -> Spaces:
    """A person, another person and a company with data spaces, and a bank."""
    made = Spaces(
        client=client,
        runtime=runtime,
        clock=clock,
        admin=admin,
        person=await make_participant(Role.INDIVIDUAL, name="陈小明 Chen Xiaoming"),
        other_person=await make_participant(Role.INDIVIDUAL, name="李华 Li Hua"),
        company=await make_participant(Role.ENTERPRISE, name="广州数联科技有限公司 Shulian"),
        lender=await make_participant(Role.LENDER, name="粤信银行 Yuexin Bank"),
        regulator=await make_participant(Role.REGULATOR, name="数据流通监管"),
    )
    await made.seed()
    return made
