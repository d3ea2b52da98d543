"""Fixtures of the supervision tests: the trading market, and a regulator for each agency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from trading.support_trading import AssetSpec, Market, register_assets

from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.vocabulary import DataGrade, ProductForm, Role
from support import Actor, MakeParticipant

SPECS = {
    "electricity": AssetSpec(
        "广州市企业用电指数", "月份,行业,区县,指数\n2026-10,制造业,番禺,103.2\n".encode()
    ),
    "credit": AssetSpec(
        "个人信用评分接口",
        '{"openapi":"3.1.0","info":{"title":"信用评分"}}'.encode(),
        product_form=ProductForm.API,
        grade=DataGrade.IMPORTANT,
        personal_information=True,
    ),
    "traffic": AssetSpec(
        "深圳市交通流量指标",
        "路段,时段,车流量\n深南大道,早高峰,8800\n".encode(),
        product_form=ProductForm.INDICATOR,
    ),
}


@dataclass
class Supervision:
    """The market, and regulators of the four seeded agencies (and one of none)."""

    m: Market
    amr: Actor  # 市场监管 gd-amr: trading conduct
    cac: Actor  # 网信 gd-cac: export and personal information
    data: Actor  # 数据局 gd-gsdma: public data
    finance: Actor  # 金融监管 gd-nfra: finance
    stray: Actor  # a regulator of no agency

    async def ok(self, call: Any, status: int = 200) -> Any:
        return await self.m.ok(call, status)

    async def post(self, path: str, who: Actor, body: Any = None) -> httpx.Response:
        return await self.m.post(f"/v1/supervision{path}", who, body)

    async def get(self, path: str, who: Actor, **params: Any) -> httpx.Response:
        return await self.m.get(f"/v1/supervision{path}", who, **params)


@pytest.fixture
async def market(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
    admin: Actor,
) -> Market:
    """Both exchanges with operators, a licensed broker, funded buyers, registered assets."""
    seller = await make_participant(Role.ENTERPRISE, name="广州数联科技有限公司")
    reviewers = [
        await make_participant(Role.COMPLIANCE_REVIEWER, name="合规委员甲"),
        await make_participant(Role.COMPLIANCE_REVIEWER, name="合规委员乙"),
    ]
    asset_ids = await register_assets(
        runtime, clock, holder=seller, reviewers=reviewers, specs=list(SPECS.values())
    )
    m = Market(
        client=client,
        runtime=runtime,
        clock=clock,
        admin=admin,
        regulator=await make_participant(Role.REGULATOR, name="广东省市场监管 监管员"),
        gz_operator=await make_participant(Role.EXCHANGE_OPERATOR, name="广州数据交易所运营方"),
        sz_operator=await make_participant(Role.EXCHANGE_OPERATOR, name="深圳数据交易所运营方"),
        seller=seller,
        buyer=await make_participant(
            Role.ENTERPRISE, name="佛山制造有限公司", balance_fen=10_000_000
        ),
        rival=await make_participant(
            Role.ENTERPRISE, name="东莞电子有限公司", balance_fen=10_000_000
        ),
        person=await make_participant(Role.INDIVIDUAL, name="陈小明", balance_fen=1_000_000),
        hk_buyer=await make_participant(
            Role.ENTERPRISE, name="香港数据服务有限公司", jurisdiction="HK", balance_fen=10_000_000
        ),
        broker=await make_participant(Role.BROKER, name="粤数经纪有限公司"),
        assets=dict(zip(SPECS, asset_ids, strict=True)),
        specs=SPECS,
    )
    for exchange_id, operator in (("gzde", m.gz_operator), ("szdex", m.sz_operator)):
        await m.ok(
            m.post(
                f"/v1/exchanges/{exchange_id}/operators", m.admin, {"participant_id": operator.id}
            ),
            201,
        )
        licence = await m.ok(
            m.post("/v1/brokers", operator, {"broker_id": m.broker.id, "exchange_id": exchange_id}),
            201,
        )
        m.broker_licences[exchange_id] = licence["id"]
    return m


@pytest.fixture
async def sv(market: Market, make_participant: MakeParticipant) -> Supervision:
    """A regulator for each seeded agency, assigned by the admin."""
    s = Supervision(
        m=market,
        amr=market.regulator,
        cac=await make_participant(Role.REGULATOR, name="广东省网信办 监管员"),
        data=await make_participant(Role.REGULATOR, name="广东省数据局 监管员"),
        finance=await make_participant(Role.REGULATOR, name="金融监管广东局 监管员"),
        stray=await make_participant(Role.REGULATOR, name="无所属监管员"),
    )
    for who, agency in (
        (s.amr, "gd-amr"),
        (s.cac, "gd-cac"),
        (s.data, "gd-gsdma"),
        (s.finance, "gd-nfra"),
    ):
        await s.ok(
            s.m.client.put(
                f"/v1/supervision/agencies/{agency}/members/{who.id}", headers=market.admin.auth
            )
        )
    return s
