"""Demo data spaces (演示数字空间): the records the social-insurance, tax, market-regulation and
credit sources hold about the demo person (陈小明) and the demo company, the person's consent
to the demo bank for a credit decision (个人信贷), and its consent to the demo company to make
the outpatient-claims product from its records (授权用数).

Records cite the catalog items they come from: an item of the catalog in the database when
one matches (the demo catalog, or a generated province catalog), else a small source item
this module publishes. Each part is seeded once; later runs find it and change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from exchange.catalog.departments import service as departments_service
from exchange.catalog.departments.schemas import DepartmentCreate
from exchange.catalog.items import service as items_service
from exchange.catalog.items.schemas import FieldSpec, ItemCreate
from exchange.catalog.search.service import SearchParams, search
from exchange.clock import ManualClock
from exchange.context import Context, Principal, Runtime
from exchange.dataspaces.consents import service as consents_service
from exchange.dataspaces.records import service as records_service
from exchange.dataspaces.vocabulary import ConsentPurpose, ConsentStatus, RecordType
from exchange.seed.assets import DemoParticipant, principal
from exchange.seed.records import Source, plan_records
from exchange.vocabulary import Role

# The demo's consents start before the demo's assets are registered (two weeks back).
BACKDATE = timedelta(days=15)
CONSENT_TERM = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class FallbackSource:
    """A source item to publish when the catalog has none for a kind of record."""

    department_code: str
    department_name: str
    department_name_en: str
    item: ItemCreate


def _fields(*names: tuple[str, str]) -> list[FieldSpec]:
    return [FieldSpec(code=code, name_zh=zh) for code, zh in names]


def _item(name: str, name_en: str, system: str, fields: list[FieldSpec], pi: bool) -> ItemCreate:
    return ItemCreate(
        name_zh=name,
        name_en=name_en,
        description=f"{name}：数据主体可在个人和法人数字空间查看，经其授权方可向第三方提供。",
        source_system=system,
        update_frequency="monthly",
        update_method="incremental",
        usage_methods=["api"],
        grade="important" if pi else "general",
        personal_information=pi,
        sharing="conditional",
        sharing_conditions="经数据主体授权或依法履职需要",
        opening="not_open",
        fields=fields,
    )


_PERSON = (("person_name", "姓名"), ("id_number", "公民身份号码"))
_ORG = (("uscc", "统一社会信用代码"), ("org_name", "单位名称"))
# For each kind of record: the catalog names searched for, and the source published if none.
SOURCES: dict[RecordType, tuple[tuple[str, ...], FallbackSource]] = {
    RecordType.SOCIAL_INSURANCE: (
        ("社保缴费记录", "社保参保登记"),
        FallbackSource(
            "DEMO-440000-SIFA",
            "广东省社会保险基金管理局",
            "Guangdong Social Insurance Fund Administration",
            _item(
                "社保缴费记录",
                "Social insurance contributions",
                "广东省人社一体化信息平台",
                _fields(*_PERSON, *_ORG, ("paid_fen", "缴费金额（分）"), ("period", "缴费月份")),
                True,
            ),
        ),
    ),
    RecordType.TAX: (
        ("纳税缴费记录", "纳税人登记"),
        FallbackSource(
            "DEMO-440000-TAX",
            "国家税务总局广东省税务局",
            "Guangdong Provincial Tax Service, State Taxation Administration",
            _item(
                "纳税缴费记录",
                "Tax payment records",
                "金税工程（广东）",
                _fields(*_PERSON, *_ORG, ("tax_year", "纳税年度"), ("tax_paid_fen", "缴税（分）")),
                True,
            ),
        ),
    ),
    RecordType.BUSINESS_LICENCE: (
        ("企业登记注册",),
        FallbackSource(
            "DEMO-440000-AMR",
            "广东省市场监督管理局",
            "Guangdong Administration for Market Regulation",
            _item(
                "企业登记注册信息（营业执照）",
                "Business registration (business licence)",
                "广东省市场主体登记系统",
                _fields(*_ORG, ("legal_representative", "法定代表人"), ("status", "登记状态")),
                True,
            ),
        ),
    ),
    RecordType.CREDIT: (
        ("公共信用信息", "信用信息", "纳税信用等级"),
        FallbackSource(
            "DEMO-440000-DRC",
            "广东省发展和改革委员会",
            "Guangdong Development and Reform Commission",
            _item(
                "公共信用信息",
                "Public credit information",
                "信用广东",
                _fields(*_PERSON, *_ORG, ("rating", "信用状况")),
                True,
            ),
        ),
    ),
}


async def _found(ctx: Context, names: Sequence[str]) -> Source | None:
    """The first catalog item (in search order) whose name contains one of `names`, one that
    holds personal records (not a statistical summary) if there is one."""
    for name in names:
        result = await search(ctx, params=SearchParams(q=name), limit=50, offset=0)
        named = [item for item in result.items if name in item.name_zh]
        if named:
            best = min(named, key=lambda item: not item.personal_information)
            return Source(best.id, best.department_id, best.name_zh)
    return None


async def ensure_sources(admin: Context) -> dict[RecordType, Source]:
    """The catalog item each kind of record comes from, publishing the missing ones."""
    sources: dict[RecordType, Source] = {}
    for kind, (names, fallback) in SOURCES.items():
        found = await _found(admin, names)
        if found is None:
            department = await departments_service.department_by_code(
                admin, fallback.department_code
            )
            if department is None:
                department = await departments_service.create_department(
                    admin,
                    body=DepartmentCreate(
                        code=fallback.department_code,
                        name=fallback.department_name,
                        name_en=fallback.department_name_en,
                        division_code="440000",
                    ),
                )
            item = await items_service.publish_item(
                admin, body=fallback.item.model_copy(update={"department_id": department.id})
            )
            found = Source(item.id, department.id, item.name_zh)
        sources[kind] = found
    return sources


async def seed_data_space(
    ctx: Context, subject: Principal, sources: dict[RecordType, Source], as_of: datetime
) -> list[str]:
    """The sources' records about one person or company, added once; the new record ids."""
    if await records_service.has_records(ctx, subject.id):
        return []
    planned = plan_records(kind=subject.role, name=subject.name, as_of=as_of, sources=sources)
    return await records_service.add_records(
        ctx,
        subject_id=subject.id,
        specs=[
            records_service.RecordSpec(
                record_type=r.record_type,
                source_item_id=r.source.item_id,
                source_department_id=r.source.department_id,
                title=r.title,
                period=r.period,
                fields=r.fields,
            )
            for r in planned
        ],
        recorded_at=as_of,
    )


async def _consent_to(
    runtime: Runtime,
    person: Principal,
    grantee_id: str,
    purpose: ConsentPurpose,
    record_types: Sequence[RecordType],
) -> str:
    """The person's consent in force to `grantee_id` for `purpose`, granted if it has none."""
    async with runtime.unit_of_work() as session:
        ctx = runtime.context(session, person)
        held, _ = await consents_service.list_consents(
            ctx, party="subject", status=ConsentStatus.ACTIVE, limit=100, offset=0
        )
        for consent in held:
            if consent.grantee_id == grantee_id and purpose.value in consent.purposes:
                return consent.id
        consent = await consents_service.grant(
            ctx,
            grantee_id=grantee_id,
            record_ids=(),
            record_types=record_types,
            fields=(),
            purposes=[purpose],
            certificates=False,
            expires_at=ctx.clock.now() + CONSENT_TERM,
        )
        return consent.id


@dataclass(frozen=True, slots=True)
class DemoConsents:
    """The demo person's consents: to the bank (credit decision), to the company (product)."""

    lender: str
    holder: str


async def seed_demo_dataspaces(
    runtime: Runtime, participants: Sequence[DemoParticipant]
) -> DemoConsents:
    """The demo person's and company's data spaces, and the person's two consents."""
    first: dict[str, str] = {}
    for p in participants:
        first.setdefault(p.role, p.id)
    sim = replace(runtime, clock=ManualClock(runtime.clock.now() - BACKDATE))
    admin = await principal(sim, first[Role.ADMIN])
    person = await principal(sim, first[Role.INDIVIDUAL])
    company = await principal(sim, first[Role.ENTERPRISE])
    async with sim.unit_of_work() as session:
        sources = await ensure_sources(sim.context(session, admin))
        for subject in (person, company):
            await seed_data_space(sim.context(session), subject, sources, sim.clock.now())
    return DemoConsents(
        lender=await _consent_to(
            sim,
            person,
            first[Role.LENDER],
            ConsentPurpose.CREDIT_DECISION,
            [RecordType.SOCIAL_INSURANCE, RecordType.TAX, RecordType.CREDIT],
        ),
        holder=await _consent_to(
            sim,
            person,
            company.id,
            ConsentPurpose.PRODUCT_DEVELOPMENT,
            [RecordType.SOCIAL_INSURANCE],
        ),
    )
