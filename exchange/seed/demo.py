"""The demo market (演示市场): one participant of each role (and the review quorum of
compliance reviewers, a regulator for each supervisory agency, a Hong Kong and a foreign
buyer, and the Guangzhou HR bureau whose data the holder operates under an agreement), funded,
with keys to hand out; the demo person's and company's data spaces and the person's consents
(授权).

Keys are stored hashed, so the keys file the command writes is their only copy. Re-seeding
keeps a participant's key when the caller passes it back (from that file) and it still
authenticates; otherwise the participant's keys are rotated: a new one is issued and every
older one revoked, so that no key the caller cannot show stays valid.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from exchange.context import Context, Principal, Runtime
from exchange.participants import service as participants_service
from exchange.security import key_digest, parse_key_id
from exchange.seed.assets import seed_demo_assets
from exchange.seed.catalog import seed_demo_catalog
from exchange.seed.dataspaces import seed_demo_dataspaces
from exchange.seed.operation import seed_demo_operation
from exchange.seed.supervision import seed_demo_supervision
from exchange.seed.trading import seed_demo_trading
from exchange.vocabulary import Role


@dataclass(frozen=True, slots=True)
class DemoRole:
    """A demo participant to seed: a handle to find its key by, its name, role, jurisdiction."""

    handle: str
    name: str
    role: Role
    jurisdiction: str = "CN"


_ORDINALS = "一二三四五六七八九十"
_FIRST_REVIEWER = "数据资产登记合规委员会委员 Compliance reviewer"


def _reviewer(n: int) -> DemoRole:
    """The n-th compliance reviewer (1-based); the first two keep their earlier names."""
    if n == 1:
        return DemoRole("reviewer1", _FIRST_REVIEWER, Role.COMPLIANCE_REVIEWER)
    ordinal = _ORDINALS[n - 1] if n <= len(_ORDINALS) else str(n)
    english = {2: "second", 3: "third"}.get(n, f"no. {n}")
    return DemoRole(
        f"reviewer{n}",
        f"数据资产登记合规委员会委员（{ordinal}）Compliance reviewer ({english})",
        Role.COMPLIANCE_REVIEWER,
    )


def demo_participants(quorum: int) -> tuple[DemoRole, ...]:
    """Every demo participant, with as many compliance reviewers as the review quorum."""
    reviewers = tuple(_reviewer(n) for n in range(1, max(quorum, 1) + 1))
    return (
        DemoRole("admin", "平台管理员 Platform admin", Role.ADMIN),
        DemoRole(
            "department",
            "广东省政务服务数据管理局 Guangdong Government Service Data Administration",
            Role.DEPARTMENT,
        ),
        DemoRole(
            "hr_department",
            "广州市人力资源和社会保障局 Guangzhou Human Resources and Social Security Bureau",
            Role.DEPARTMENT,
        ),
        DemoRole(
            "holder", "广州数联科技有限公司 Guangzhou Shulian Technology Co.", Role.ENTERPRISE
        ),
        DemoRole("individual", "陈小明 Chen Xiaoming", Role.INDIVIDUAL),
        DemoRole("broker", "粤数经纪有限公司 Yueshu Data Brokerage", Role.BROKER),
        DemoRole(
            "operator",
            "广州数据交易所运营方 Guangzhou Data Exchange operator",
            Role.EXCHANGE_OPERATOR,
        ),
        *reviewers,
        DemoRole("regulator", "广东省数据流通监管 Data-circulation regulator", Role.REGULATOR),
        DemoRole(
            "regulator_cac",
            "广东省网信办数据出境监管 Cross-border data regulator (cyberspace)",
            Role.REGULATOR,
        ),
        DemoRole(
            "regulator_data",
            "广东省数据局公共数据监管 Public-data regulator (data bureau)",
            Role.REGULATOR,
        ),
        DemoRole(
            "regulator_finance",
            "金融监管广东局数据资产监管 Data-asset finance regulator",
            Role.REGULATOR,
        ),
        DemoRole("lender", "粤信银行 Yuexin Bank", Role.LENDER),
        DemoRole("instructor", "数据要素市场课程教师 Course instructor", Role.INSTRUCTOR),
        DemoRole(
            "hk_buyer", "香港数据服务有限公司 Hong Kong Data Services Ltd.", Role.ENTERPRISE, "HK"
        ),
        DemoRole(
            "foreign_buyer",
            "狮城数据分析有限公司 Lion City Analytics Pte. Ltd.",
            Role.ENTERPRISE,
            "SG",
        ),
    )


STARTING_BALANCE_FEN = {
    Role.ENTERPRISE: 50_000_000,  # 500,000 yuan
    Role.INDIVIDUAL: 1_000_000,
    Role.BROKER: 5_000_000,
    Role.DEPARTMENT: 10_000_000,
    Role.LENDER: 100_000_000,
}
KeyStatus = Literal["new", "kept", "rotated"]


@dataclass(frozen=True, slots=True)
class DemoKey:
    """A demo participant and its key: new, kept from the keys file, or rotated."""

    id: str
    name: str
    role: str
    api_key: str
    handle: str = ""
    jurisdiction: str = "CN"
    status: KeyStatus = "new"

    def as_json(self) -> dict[str, str]:
        """The participant's line in the keys file."""
        return {
            "handle": self.handle,
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "jurisdiction": self.jurisdiction,
            "api_key": self.api_key,
        }


async def _authenticates(ctx: Context, participant_id: str, api_key: str | None) -> bool:
    """Whether a key from the keys file still authenticates this participant."""
    key_id = parse_key_id(api_key) if api_key else None
    if api_key is None or key_id is None:
        return False
    stored = await participants_service.find_key(ctx.session, key_id)
    return (
        stored is not None
        and not stored.revoked
        and stored.principal.id == participant_id
        and hmac.compare_digest(stored.digest, key_digest(api_key))
    )


async def _rotate(ctx: Context, participant: Principal) -> str:
    """Issue a new demo key and revoke every older one of the participant; the new secret."""
    own = ctx.runtime.context(ctx.session, participant)
    issued = await participants_service.issue_key(own, participant_id=participant.id, label="demo")
    await ctx.session.flush()
    for key in await participants_service.list_keys(own, participant_id=participant.id):
        if key.id != issued.record.id and key.revoked_at is None:
            await participants_service.revoke_key(own, key_id=key.id)
    return issued.secret


async def seed_demo(
    runtime: Runtime, *, saved_keys: Mapping[str, str] | None = None
) -> list[DemoKey]:
    """Seed the demo market (each part once) and hand out a key per demo participant.

    `saved_keys` maps participant ids to the keys a previous run wrote: a key that still
    authenticates is kept; a participant without one gets its keys rotated.
    """
    saved = saved_keys or {}
    keys: list[DemoKey] = []
    roles = demo_participants(runtime.settings.asset_review_quorum)
    async with runtime.unit_of_work() as session:
        ctx = runtime.context(session)
        found = await participants_service.find_by_names(ctx, [r.name for r in roles])
        existing = {p.name: p for p in found}
        for demo in roles:
            participant = existing.get(demo.name)
            status: KeyStatus
            if participant is None:
                participant, _, issued = await participants_service.register(
                    ctx, name=demo.name, role=demo.role, jurisdiction=demo.jurisdiction
                )
                secret, status = issued.secret, "new"
                amount = STARTING_BALANCE_FEN.get(demo.role)
                if amount:
                    await session.flush()
                    await participants_service.deposit(
                        ctx,
                        participant_id=participant.id,
                        amount_fen=amount,
                        memo="演示市场初始资金 demo starting balance",
                    )
            elif await _authenticates(ctx, participant.id, saved.get(participant.id)):
                secret, status = saved[participant.id], "kept"
            else:
                principal = Principal(
                    participant.id, participant.name, demo.role, participant.jurisdiction
                )
                secret, status = await _rotate(ctx, principal), "rotated"
            keys.append(
                DemoKey(
                    participant.id,
                    participant.name,
                    demo.role.value,
                    secret,
                    demo.handle,
                    participant.jurisdiction,
                    status,
                )
            )
        first_of_role: dict[str, str] = {}
        for key in keys:
            first_of_role.setdefault(key.role, key.id)
        await seed_demo_catalog(ctx, first_of_role)
        await session.flush()
        await seed_demo_supervision(ctx, keys)
    handles = {key.handle: key.id for key in keys}
    await seed_demo_operation(
        runtime,
        admin_id=handles["admin"],
        bureau_id=handles["hr_department"],
        holder_id=handles["holder"],
    )
    consents = await seed_demo_dataspaces(runtime, keys)
    await seed_demo_assets(runtime, keys, consent_ids=[consents.holder])
    foreign = next(k for k in keys if k.handle == "foreign_buyer")
    await seed_demo_trading(runtime, keys, foreign_buyer_id=foreign.id)
    return keys
