"""Consent of individuals (授权用数, 个人同意率) in a market played through the services.

With `[consent]` in a scenario, set-up adds `subjects` people, each with social-insurance records
in its data space (个人数字空间) from a catalog item the social-insurance fund publishes. For each
product containing personal information, each person grants the product's provider a consent to
develop data products (数据产品开发) from those records with probability `rate_bp`, drawn on the
run's own `consent` stream (scenarios without the option draw nothing new). The product is then
registered on the lawful basis of consent naming the consents granted, which the registry checks
(granted to the holder, in force, covering the purpose); a product with fewer than
`min_subjects` consenting people is not made and leaves the run.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.catalog.departments import service as departments_service
from exchange.catalog.departments.schemas import DepartmentCreate
from exchange.catalog.items import service as items_service
from exchange.catalog.items.schemas import ItemCreate
from exchange.dataspaces.consents import service as consents_service
from exchange.dataspaces.records import service as records_service
from exchange.dataspaces.vocabulary import ConsentPurpose, LawfulBasis, RecordType
from exchange.simulation import agents as strategy
from exchange.simulation.results import ConsentRecord
from exchange.simulation.rng import stream
from exchange.simulation.services_base import MarketBase
from exchange.simulation.world import Product, World
from exchange.vocabulary import Role

SOURCE_DEPARTMENT = "SIM-440000-SIFA"  # 广东省社会保险基金管理局: the people's records' source
SIMULATED_BASIS_NOTE = (
    "仿真：已合法公开的个人信息 simulated: lawfully disclosed personal information"
)
ITEM_FIELDS = (("person_name", "姓名"), ("paid_fen", "缴费金额（分）"), ("period", "缴费月份"))


def subject_key(index: int) -> str:
    """The agent key of the index-th simulated person."""
    return f"person-{index:03d}"


class ConsentSetUp(MarketBase):
    """The people, their records and the consents of a run with individuals' consents."""

    consent_ids: dict[str, list[str]]  # product key -> the consents it is made under
    consent_asked: int = 0
    consent_pi: int = 0
    consent_short: set[str]  # products with too few consenting people

    async def _open_consent(self, session: AsyncSession, world: World) -> None:
        """The people and their records; then, product by product, their consents."""
        setup = self.scenario.consent
        self.consent_ids = {}
        self.consent_short = set()
        ctx = self._ctx(session, None)
        people = [
            await self._register(
                ctx, subject_key(i), name=f"仿真个人{i:03d} person {i}", role=Role.INDIVIDUAL
            )
            for i in range(1, setup.subjects + 1)
        ]
        await session.flush()
        admin = self._ctx(session, self.admin)
        department = await departments_service.create_department(
            admin,
            body=DepartmentCreate(
                code=SOURCE_DEPARTMENT,
                name="广东省社会保险基金管理局（仿真）",
                division_code="440000",
            ),
        )
        item = await items_service.publish_item(
            admin,
            body=ItemCreate.model_validate(
                {
                    "department_id": department.id,
                    "name_zh": "社保缴费记录（仿真）",
                    "source_system": "广东省人社一体化信息平台",
                    "update_frequency": "monthly",
                    "update_method": "incremental",
                    "usage_methods": ["api"],
                    "grade": "important",
                    "personal_information": True,
                    "sharing": "conditional",
                    "sharing_conditions": "经数据主体授权或依法履职需要",
                    "opening": "not_open",
                    "fields": [{"code": c, "name_zh": n} for c, n in ITEM_FIELDS],
                }
            ),
        )
        await session.flush()
        now = self.clock.now()
        period = f"{now.year:04d}-{now.month:02d}"
        for i, person in enumerate(people, start=1):
            await records_service.add_records(
                self._ctx(session, person),
                subject_id=person.id,
                specs=[
                    records_service.RecordSpec(
                        record_type=RecordType.SOCIAL_INSURANCE,
                        source_item_id=item.id,
                        source_department_id=department.id,
                        title=f"{period} 社保缴费记录",
                        period=period,
                        fields={
                            "person_name": person.name.split(" ", 1)[0],
                            "paid_fen": 80_000 + 1_000 * (i % 17),
                            "period": period,
                        },
                    )
                ],
                recorded_at=now,
            )
        await session.flush()
        await self._grant_consents(session, world)

    async def _grant_consents(self, session: AsyncSession, world: World) -> None:
        """Each person decides, product by product, whether to consent (授权用数)."""
        setup = self.scenario.consent
        rng = stream(self.scenario.seed, "consent", 0)
        expires = self.clock.now() + timedelta(
            days=60 + (self.scenario.rounds * self.scenario.round_hours) // 24 + 30
        )
        for provider in world.providers:
            for product in provider.products:
                if not product.personal_information:
                    continue
                self.consent_pi += 1
                granted: list[str] = []
                for i in range(1, setup.subjects + 1):
                    self.consent_asked += 1
                    if rng.randrange(strategy.BASIS) >= setup.rate_bp:
                        continue
                    consent = await consents_service.grant(
                        self._ctx(session, subject_key(i)),
                        grantee_id=self.participant_id(provider.key),
                        record_ids=(),
                        record_types=[RecordType.SOCIAL_INSURANCE],
                        fields=(),
                        purposes=[ConsentPurpose.PRODUCT_DEVELOPMENT],
                        certificates=False,
                        expires_at=expires,
                    )
                    granted.append(consent.id)
                if len(granted) < setup.min_subjects:
                    self.consent_short.add(product.key)
                self.consent_ids[product.key] = granted
        await session.flush()

    def lawful_basis_of(self, product: Product) -> dict[str, Any]:
        """What a product's registration states as its lawful basis: consent, naming the
        people's consents, in a run with `[consent]`; else lawfully disclosed information."""
        if not product.personal_information:
            return {"personal_information_basis": None, "lawful_basis": None}
        if not self.scenario.consent.subjects:
            # Simulated people grant no consents: the products hold personal information
            # that was lawfully disclosed.
            return {
                "personal_information_basis": SIMULATED_BASIS_NOTE,
                "lawful_basis": LawfulBasis.PUBLICLY_DISCLOSED,
            }
        consents = self.consent_ids[product.key]
        return {
            "personal_information_basis": f"经{len(consents)}名个人同意用于开发数据产品（仿真）",
            "lawful_basis": LawfulBasis.CONSENT,
            "consent_ids": tuple(consents),
        }

    async def consent_report(self, world: World) -> ConsentRecord:
        """The consents asked and granted, and the personal-information products they made."""
        setup = self.scenario.consent
        registered = sum(1 for p in world.products if p.personal_information)
        return ConsentRecord(
            subjects=setup.subjects,
            rate_bp=setup.rate_bp,
            min_subjects=setup.min_subjects,
            asked=self.consent_asked,
            granted=sum(len(ids) for ids in self.consent_ids.values()),
            pi_products=self.consent_pi,
            registered_pi=registered,
            dropped_pi=self.consent_pi - registered,
            products=len(world.products),
        )
