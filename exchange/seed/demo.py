"""The demo market (演示市场): one participant of each role, funded, with keys to hand out."""

from __future__ import annotations

from dataclasses import dataclass

from exchange.context import Runtime
from exchange.participants import service as participants_service
from exchange.seed.assets import seed_demo_assets
from exchange.seed.catalog import seed_demo_catalog
from exchange.seed.trading import seed_demo_trading
from exchange.vocabulary import Role

DEMO_PARTICIPANTS: tuple[tuple[str, Role, str], ...] = (
    ("平台管理员 Platform admin", Role.ADMIN, "CN"),
    (
        "广东省政务服务数据管理局 Guangdong Government Service Data Administration",
        Role.DEPARTMENT,
        "CN",
    ),
    ("广州数联科技有限公司 Guangzhou Shulian Technology Co.", Role.ENTERPRISE, "CN"),
    ("陈小明 Chen Xiaoming", Role.INDIVIDUAL, "CN"),
    ("粤数经纪有限公司 Yueshu Data Brokerage", Role.BROKER, "CN"),
    ("广州数据交易所运营方 Guangzhou Data Exchange operator", Role.EXCHANGE_OPERATOR, "CN"),
    ("数据资产登记合规委员会委员 Compliance reviewer", Role.COMPLIANCE_REVIEWER, "CN"),
    ("广东省数据流通监管 Data-circulation regulator", Role.REGULATOR, "CN"),
    ("粤信银行 Yuexin Bank", Role.LENDER, "CN"),
    ("数据要素市场课程教师 Course instructor", Role.INSTRUCTOR, "CN"),
    ("香港数据服务有限公司 Hong Kong Data Services Ltd.", Role.ENTERPRISE, "HK"),
)
STARTING_BALANCE_FEN = {
    Role.ENTERPRISE: 50_000_000,  # 500,000 yuan
    Role.INDIVIDUAL: 1_000_000,
    Role.BROKER: 5_000_000,
    Role.DEPARTMENT: 10_000_000,
    Role.LENDER: 100_000_000,
}


@dataclass(frozen=True, slots=True)
class DemoKey:
    """A demo participant and a freshly issued key for it."""

    id: str
    name: str
    role: str
    api_key: str

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "role": self.role, "api_key": self.api_key}


async def seed_demo(runtime: Runtime) -> list[DemoKey]:
    """Seed the demo market once; on later runs issue fresh keys to the demo participants."""
    keys: list[DemoKey] = []
    async with runtime.unit_of_work() as session:
        ctx = runtime.context(session)
        names = [name for name, _, _ in DEMO_PARTICIPANTS]
        existing = {p.name: p for p in await participants_service.find_by_names(ctx, names)}
        for name, role, jurisdiction in DEMO_PARTICIPANTS:
            found = existing.get(name)
            if found is None:
                participant, _, issued = await participants_service.register(
                    ctx, name=name, role=role, jurisdiction=jurisdiction
                )
                amount = STARTING_BALANCE_FEN.get(role)
                if amount:
                    await session.flush()
                    await participants_service.deposit(
                        ctx,
                        participant_id=participant.id,
                        amount_fen=amount,
                        memo="演示市场初始资金 demo starting balance",
                    )
            else:
                participant = found
                issued = await participants_service.issue_key(
                    ctx, participant_id=found.id, label="demo"
                )
            keys.append(DemoKey(participant.id, participant.name, role.value, issued.secret))
        await seed_demo_catalog(ctx, {k.role: k.id for k in keys})
    await seed_demo_assets(runtime, keys)
    await seed_demo_trading(runtime, keys)
    return keys
