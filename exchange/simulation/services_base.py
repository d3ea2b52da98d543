"""The plumbing of a market played through the platform's services, on a fresh database.

Every simulated action is the same service call an HTTP request makes, acting as the agent's
participant. Here: the settings, seeded registry key and database file of an offline run, the
savepoint each action runs in (a refused action leaves nothing behind, audit entry included),
and `MarketBase`, the state every part of `ServiceMarket` shares.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit.log import service as audit_service
from exchange.clock import ManualClock
from exchange.config import Settings
from exchange.context import Context, Principal, Runtime
from exchange.dataspaces.consents.keys import CONSENT_KEY_FILE
from exchange.errors import ExchangeError
from exchange.kit.roundreads import READS, RoundReads
from exchange.participants import service as participants_service
from exchange.security import seeded_api_keys
from exchange.simulation.market import (
    RulebookView,
)
from exchange.simulation.rng import stream, stream_bytes
from exchange.simulation.scenario import Scenario
from exchange.simulation.world import (
    Product,
)
from exchange.trading.policies.terms import UsagePolicy
from exchange.vocabulary import MandateAction, Role

AUDIT_PENDING = "audit_pending"  # where exchange.audit.log.service queues a unit's entries
REGISTRY_KEY_FILE = "registry-ed25519.pem"
SIM_ORIGIN = "simulation.gd-data-exchange.cn/audit"
# The scope of the licences simulated products grant (an exclusive one adds its round).
SIMULATED_USE = "仿真用途 simulated use"
MANDATE_ACTIONS = (MandateAction.BUY, MandateAction.NEGOTIATE, MandateAction.BID)
REFUSABLE = (ExchangeError, IntegrityError)


class SetupRefused(RuntimeError):
    """The platform's rules refused part of a scenario's set-up (e.g. a commission over a cap).

    `path` names the scenario field the refused step came from (e.g. agents.brokers), and
    `reason` says what the market said; the message is "path: reason". Picklable, so a sweep's
    worker process can hand it back.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[SetupRefused], tuple[str, str]]:
        return (type(self), (self.path, self.reason))


class ReplayRound(Exception):
    """A purchase expected to pass was refused: play the round again, carefully."""


class SettableClock(Protocol):
    """A clock a market moves forward: a ManualClock offline, a class's own clock live."""

    def now(self) -> datetime: ...

    def set(self, when: datetime) -> None: ...


def simulation_settings(db_path: Path, key_dir: Path) -> Settings:
    """Settings that do not depend on the environment (a run must not change with it)."""
    return Settings.model_construct(
        data_dir=db_path.parent,
        database_url=f"sqlite+aiosqlite:///{db_path}",
        sqlite_synchronous="OFF",
        signing_key_dir=key_dir,
        audit_origin=SIM_ORIGIN,
        asset_publicity_working_days=5,
        asset_review_quorum=2,
    )


def write_registry_key(key_dir: Path, seed: int) -> None:
    """The registry's signing key and the consent-receipt key (授权凭证), derived from the seed,
    so certificates, receipts (and the log) repeat."""
    key_dir.mkdir(parents=True, exist_ok=True)
    for name, role in ((REGISTRY_KEY_FILE, "registry-key"), (CONSENT_KEY_FILE, "consent-key")):
        private = Ed25519PrivateKey.from_private_bytes(stream_bytes(seed, role, 0))
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path = key_dir / name
        path.write_bytes(pem)
        path.chmod(0o600)


def remove_database(path: Path) -> None:
    """Delete a SQLite database file and its WAL companions, if they exist."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


STANDARD_TIER = "标准许可 standard"


def licence_terms(*, exclusive: bool, round_no: int) -> tuple[str, str]:
    """The tier name and licence scope a simulated product is listed with in a round.

    Each round's exclusive licence is for that round's use: one asset and scope carries one
    live exclusive licence, and last round's has not expired.
    """
    if exclusive:
        return f"独占许可 round {round_no}", f"{SIMULATED_USE}, round {round_no}"
    return STANDARD_TIER, SIMULATED_USE


SIM_CITIES = ("广州", "深圳", "佛山", "东莞", "珠海", "韶关")
SIM_INDUSTRIES = ("制造业", "批发零售", "信息服务")


def package_of(product: Product, seed: int) -> bytes:
    """The delivery package of a simulated product (its SHA-256 is the registered fingerprint).

    A compute-only product's package is a table to compute over (city, industry, a value),
    the same for a scenario and seed; the others are a line of text.
    """
    if product.restriction != "compute":
        return f"simulated data package {product.key} seed {seed}\n".encode()
    rows = ["地市,行业,数值"]
    for i in range(120):
        city = SIM_CITIES[min(i % 23, len(SIM_CITIES) - 1)]  # 韶关: few rows, suppressed
        rows.append(f"{city},{SIM_INDUSTRIES[i % 3]},{(i * 37 + seed) % 1000}")
    return ("\n".join(rows) + "\n").encode()


def policy_of(product: Product, scenario: Scenario) -> UsagePolicy | None:
    """The usage policy a product's tier carries (使用策略): none for an open product."""
    setup = scenario.products
    if product.restriction == "limited":
        return UsagePolicy.model_validate(
            {
                "purposes": list(setup.limited_purposes),
                "territories": ["CN"],
                "quota": {"limit": 5, "period": "day"},
                "prohibitions": ["resale", "sublicensing"],
                "delete_at_expiry": True,
            }
        )
    if product.restriction == "compute":
        return UsagePolicy.model_validate(
            {
                "access": "compute",
                "purposes": list(setup.compute_purposes),
                "territories": ["CN"],
                "prohibitions": ["resale", "sublicensing"],
                "compute": {
                    "dimensions": ["地市", "行业"],
                    "measures": {"数值": {"lower": 0, "upper": 1000}},
                    "k_threshold": 5,
                    "epsilon_per_query": 0.5,
                    "epsilon_budget": 10.0,
                },
            }
        )
    return None


@asynccontextmanager
async def setting_up(path: str, **by_slug: str) -> AsyncIterator[None]:
    """A set-up step for the scenario field `path`: a refusal becomes SetupRefused naming it.

    `by_slug` names a closer field for a refusal's slug (underscores for its dashes).
    """
    try:
        yield
    except ExchangeError as exc:
        where = by_slug.get(exc.slug.replace("-", "_"), path)
        raise SetupRefused(
            where, f"the market refused the scenario's set-up ({exc.slug}): {exc.detail}"
        ) from exc


@asynccontextmanager
async def attempt(session: AsyncSession) -> AsyncIterator[None]:
    """Run one action in a savepoint: a refusal rolls back its rows and its audit entries.

    The spine keeps a unit's queued audit entries and pre-commit hooks in `session.info` and
    clears them on every commit or rollback event, which SQLAlchemy also fires for a savepoint.
    So the unit's bookkeeping is set aside while the savepoint ends and put back afterwards;
    on a refusal the entries the refused action queued are dropped with its rows.
    """
    pending = session.info.get(AUDIT_PENDING)
    mark = len(pending) if pending is not None else 0
    savepoint = await session.begin_nested()
    try:
        yield
        await session.flush()
    except REFUSABLE:
        saved = _set_aside(session)
        try:
            await savepoint.rollback()
        finally:
            drafts = saved.get(AUDIT_PENDING)
            if drafts is not None:
                del drafts[mark:]
            _put_back(session, saved)
        raise
    saved = _set_aside(session)
    try:
        await savepoint.commit()
    finally:
        _put_back(session, saved)


def _set_aside(session: AsyncSession) -> dict[str, Any]:
    saved = dict(session.info)
    session.info.clear()
    return saved


def _put_back(session: AsyncSession, saved: dict[str, Any]) -> None:
    session.info.clear()
    session.info.update(saved)


def slug_of(exc: Exception) -> str:
    """The problem slug of a refusal (what the market said no with)."""
    if isinstance(exc, ExchangeError):
        return exc.slug
    return "conflict"


@dataclass
class Offering:
    """A product's current listing: what buyers order against."""

    listing_id: str
    tier_id: str
    price_fen: int
    exchanges: tuple[str, ...]


class MarketBase:
    """What a market played through the services knows: its runtime, agents and listings."""

    def __init__(
        self,
        scenario: Scenario,
        db_path: Path | None = None,
        *,
        audit_log: Path | None = None,
        runtime: Runtime | None = None,
        clock: SettableClock | None = None,
    ) -> None:
        """Offline: a fresh database at `db_path`. Live class: the class's `runtime` and clock."""
        self.scenario = scenario
        self.db_path = db_path
        self.audit_log = audit_log
        self.clock: SettableClock = clock or ManualClock(scenario.start)
        self.runtime = runtime
        # Offline runs repeat byte for byte, keys included; a live class's keys stay random.
        self.seeded = runtime is None
        self.principals: dict[str, Principal] = {}
        self.accounts: dict[str, str] = {}
        self.key_of: dict[str, str] = {}
        self.offerings: dict[str, Offering] = {}
        self.assets: dict[str, str] = {}
        self.mandates: dict[str, str] = {}
        self.legal_basis: dict[str, str | None] = {}
        self.operators: dict[str, Principal] = {}
        self.regulators: list[Principal] = []
        self.admin: Principal | None = None
        self.rulebooks: dict[str, RulebookView] = {}
        self.trading_start = scenario.start
        self.key_rng = stream(scenario.seed, "api-keys", 0)
        # What the results need beside the service's answers: each winning bid's value, the
        # buyer and value of orders waiting for customs, each listing's product and its cost.
        self.bid_values: dict[str, int] = {}
        self.round_auctions: dict[tuple[str, str], str] = {}
        # Safe estimates of each buyer's money and mandate room, to know which purchases the
        # rules will surely accept (those skip the savepoint).
        self.cash: dict[str, int] = {}
        self.mandate_room: dict[str, int] = {}
        # Each brokered buyer's mandate commission, which the buyer pays on top of the price.
        self.mandate_commission: dict[str, int] = {}
        self.buyer_info: dict[str, tuple[str, str]] = {}
        self.replays = 0
        # An offline market's own database: a round's reads kept while nothing they came from
        # is written (set when the market opens its database; a live class's stays None).
        self.reads: RoundReads | None = None
        self.pending: dict[str, tuple[str, int]] = {}
        self.product_of_listing: dict[str, str] = {}
        self.unit_cost: dict[str, int] = {}
        self.restriction: dict[str, str] = {}  # each product's usage policy, by product key

    # --- plumbing -----------------------------------------------------------------------

    def _runtime(self) -> Runtime:
        assert self.runtime is not None, "the market is not open"
        return self.runtime

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """One unit of work on the market's database."""
        if not self.seeded:
            async with self._runtime().unit_of_work() as session:
                yield session
            return
        with seeded_api_keys(self.key_rng):
            async with self._runtime().unit_of_work() as session:
                if self.reads is not None:
                    session.info[READS] = self.reads
                yield session

    def _ctx(self, session: AsyncSession, agent: str | Principal | None) -> Context:
        principal = self.principals[agent] if isinstance(agent, str) else agent
        return self._runtime().context(session, principal)

    def participant_id(self, agent_key: str) -> str:
        """The participant an agent acts as."""
        return self.principals[agent_key].id

    async def _register(
        self, ctx: Context, key: str, *, name: str, role: Role, jurisdiction: str = "CN"
    ) -> Principal:
        participant, account, _ = await participants_service.register(
            ctx, name=name, role=role, jurisdiction=jurisdiction
        )
        principal = Principal(participant.id, participant.name, role, jurisdiction)
        self.principals[key] = principal
        self.key_of[participant.id] = key
        self.accounts[key] = account.id
        return principal

    # --- closing ------------------------------------------------------------------------

    async def finish(self) -> tuple[str, int]:
        """The audit log's Merkle root and size; the log itself written out as JSON lines."""
        runtime = self._runtime()
        try:
            async with runtime.sessionmaker() as session:
                root, size = await audit_service.log_root(session)
                if self.audit_log is not None:
                    with self.audit_log.open("wb") as fh:
                        async for leaf in audit_service.leaves(session):
                            fh.write(leaf + b"\n")
        finally:
            await runtime.engine.dispose()
        return root.hex(), size
