"""Demo authorized operation (演示授权运营): the province's data administration is designated
data authority (数据主管部门); Guangzhou's HR bureau, bound to its demo participant, holds the
employment registration, which is not open (不予开放); the demo holder operates it under an
approved operating agreement (授权运营协议) and pays the bureau a share of every sale of the
product it derives from it (`exchange.seed.products`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from exchange.catalog.departments import service as departments_service
from exchange.catalog.departments.schemas import DepartmentUpdate
from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.operation.agreements import service as agreements_service
from exchange.operation.agreements.schemas import (
    AgreementCreate,
    AgreementDecision,
    AgreementItemSpec,
)
from exchange.operation.vocabulary import Purpose
from exchange.seed.assets import principal, source_ids
from exchange.seed.catalog import DEMO_CODE
from exchange.seed.products import DEMO_PRODUCTS, GZ_HRSS_CODE
from exchange.vocabulary import ProductForm

AGREEMENT_TITLE = "广州市就业登记数据授权运营协议 Guangzhou employment-registration operation"
SHARE_BP = 1_500  # 15% of the operator's proceeds to the bureau
TERM = timedelta(days=3 * 365)
SECURITY_DUTIES = (
    "原始数据不出域，仅在隐私计算环境中加工；产品不含个人信息；"
    "每季度向数据主管部门报告数据安全情况，发生安全事件二十四小时内报告"
)


async def seed_demo_operation(
    runtime: Runtime, *, admin_id: str, bureau_id: str, holder_id: str
) -> str | None:
    """Designate the data authority, bind the bureau, and grant the holder its agreement
    (each once); the new agreement's id."""
    admin = await principal(runtime, admin_id)
    async with runtime.unit_of_work() as session:
        ctx = runtime.context(session, admin)
        authority = await departments_service.department_by_code(ctx, DEMO_CODE)
        bureau = await departments_service.department_by_code(ctx, GZ_HRSS_CODE)
        if authority is None or bureau is None or authority.participant_id is None:
            raise RuntimeError("The demo catalog is not seeded.")
        if not authority.data_authority:
            await departments_service.update_department(
                ctx, department_id=authority.id, body=DepartmentUpdate(data_authority=True)
            )
        if bureau.participant_id is None:
            await departments_service.update_department(
                ctx, department_id=bureau.id, body=DepartmentUpdate(participant_id=bureau_id)
            )
    holder = await principal(runtime, holder_id)
    async with runtime.unit_of_work(write=False) as session:
        held = await agreements_service.list_agreements(
            runtime.context(session, holder),
            status=None,
            operator_id=holder.id,
            item_id=None,
            limit=1,
            offset=0,
        )
    if held.total:
        return None
    derived = next(p for p in DEMO_PRODUCTS if p.sources)
    (item_id,) = await source_ids(runtime, derived)
    # Granted three weeks back, so that the demo's derived product (registered two weeks
    # back, exchange.seed.assets) was made under it.
    clock = ManualClock(runtime.clock.now() - timedelta(days=21))
    sim = replace(runtime, clock=clock)
    async with sim.unit_of_work() as session:
        proposed = await agreements_service.propose(
            sim.context(session, holder),
            body=AgreementCreate(
                title=AGREEMENT_TITLE,
                items=[AgreementItemSpec(item_id=item_id, fields=["org_name"])],
                purposes=[Purpose.ENTERPRISE_CREDIT, Purpose.INDUSTRY_ANALYSIS],
                forms=[ProductForm.INDICATOR, ProductForm.REPORT, ProductForm.MODEL],
                starts_at=clock.now(),
                ends_at=clock.now() + TERM,
                revenue_share_bp=SHARE_BP,
                security_duties=SECURITY_DUTIES,
                exclusive=False,
            ),
        )
    clock.advance(timedelta(hours=4))
    data_authority = await principal(sim, authority.participant_id)
    async with sim.unit_of_work() as session:
        await agreements_service.decide(
            sim.context(session, data_authority),
            agreement_id=proposed.id,
            body=AgreementDecision(decision="approve", reason="符合公共数据授权运营管理办法，同意"),
        )
    return proposed.id
