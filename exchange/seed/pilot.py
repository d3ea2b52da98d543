"""Bulk issuance for a pilot (试点): apply → review ×2 → publicity → register → certify → verify.

Modelled on Guangdong's 2022 pilot: the provincial medical-insurance bureau with Zhongshan,
Zhuhai and Jiangmen issued 28,000 data-asset certificates used for inclusive medical
insurance (惠民医保), personal credit (个人信贷) and enterprise credit (企业信贷). Every step
goes through the same services as the API, in batched units of work, each step audited;
publicity passes on a simulated clock instead of waiting five working days.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from exchange.assets.certificates import service as assets_certificates
from exchange.assets.certificates.signing import VerificationStatus, verify_certificate_offline
from exchange.assets.registry import service as assets_service
from exchange.assets.registry.rules import AssetDraft
from exchange.assets.review import service as assets_review
from exchange.assets.review.rules import ReviewDecision, publicity_ends_at
from exchange.clock import ManualClock
from exchange.context import Principal, Runtime
from exchange.dataspaces.vocabulary import LawfulBasis
from exchange.participants import service as participants_service
from exchange.vocabulary import DataGrade, DataRight, ProductForm, Role

PILOT_HOLDERS: tuple[tuple[str, str], ...] = (
    ("广东省", "广东省医疗保障局（试点）Guangdong Provincial Healthcare Security Administration"),
    ("中山市", "中山市医疗保障局（试点）Zhongshan Healthcare Security Administration"),
    ("珠海市", "珠海市医疗保障局（试点）Zhuhai Healthcare Security Administration"),
    ("江门市", "江门市医疗保障局（试点）Jiangmen Healthcare Security Administration"),
)
PILOT_REVIEWERS: tuple[str, ...] = (
    "数据资产登记合规委员会委员甲（试点）Pilot compliance reviewer A",
    "数据资产登记合规委员会委员乙（试点）Pilot compliance reviewer B",
)


@dataclass(frozen=True, slots=True)
class PilotProduct:
    """One kind of pilot data product, per scenario."""

    scenario: str
    title: str
    product_form: ProductForm
    right: DataRight
    grade: DataGrade
    personal_information: bool


PILOT_PRODUCTS: tuple[PilotProduct, ...] = (
    PilotProduct(
        "惠民医保",
        "参保人健康险核保数据服务",
        ProductForm.API,
        DataRight.PROCESSING_USE,
        DataGrade.IMPORTANT,
        True,
    ),
    PilotProduct(
        "个人信贷",
        "个人医保缴费信用数据",
        ProductForm.DATASET,
        DataRight.PRODUCT_OPERATION,
        DataGrade.IMPORTANT,
        True,
    ),
    PilotProduct(
        "企业信贷",
        "企业参保缴费指数",
        ProductForm.INDICATOR,
        DataRight.PRODUCT_OPERATION,
        DataGrade.GENERAL,
        False,
    ),
)
REVIEW_REASON = "试点批量审查：来源合法、场景明确、个人信息已取得授权"
PHASES = ("apply", "review", "register", "verify")

Progress = Callable[[str, int], None]


@dataclass
class PilotReport:
    """What a pilot run did, and how fast."""

    count: int
    applied: int = 0
    reviews: int = 0
    registered: int = 0
    verified: int = 0
    verify_failures: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    first_number: str | None = None
    last_number: str | None = None

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    def rate(self, phase: str, done: int) -> float:
        """Items per second of one phase."""
        seconds = self.seconds.get(phase, 0.0)
        return done / seconds if seconds > 0 else 0.0


def pilot_draft(index: int, city: str) -> AssetDraft:
    """The synthetic application of pilot asset number `index`."""
    product = PILOT_PRODUCTS[index % len(PILOT_PRODUCTS)]
    fingerprint = hashlib.sha256(f"gd-pilot-2022/{city}/{index}".encode()).hexdigest()
    return AssetDraft(
        name=f"{city}{product.title} 第{index + 1:05d}号",
        description=f"{city}医疗保障数据经脱敏加工形成的数据产品，用于{product.scenario}场景",
        product_form=product.product_form,
        right=product.right,
        scenario=product.scenario,
        grade=product.grade,
        personal_information=product.personal_information,
        fingerprint=fingerprint,
        source_legality="医疗保障部门依法履职采集，经公共数据授权运营",
        personal_information_basis=(
            "医疗保障部门依法履职（个人信息保护法第十三条第三项），参保人书面授权"
            if product.personal_information
            else None
        ),
        lawful_basis=LawfulBasis.LEGAL_DUTY if product.personal_information else None,
    )


def _chunks(items: Sequence[str], size: int) -> list[Sequence[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def _participants(runtime: Runtime) -> tuple[list[Principal], list[Principal]]:
    """The pilot's holders and reviewers, registered on first use."""
    wanted = [(name, Role.DEPARTMENT) for _, name in PILOT_HOLDERS] + [
        (name, Role.COMPLIANCE_REVIEWER) for name in PILOT_REVIEWERS
    ]
    found: dict[str, Principal] = {}
    async with runtime.unit_of_work() as session:
        ctx = runtime.context(session)
        for role in (Role.DEPARTMENT, Role.COMPLIANCE_REVIEWER):
            offset = 0
            while True:
                rows, total = await participants_service.list_page(
                    ctx, role=role, limit=500, offset=offset
                )
                for p in rows:
                    found.setdefault(p.name, Principal(p.id, p.name, role, p.jurisdiction))
                offset += len(rows)
                if not rows or offset >= total:
                    break
        for name, role in wanted:
            if name not in found:
                participant, _, _ = await participants_service.register(
                    ctx, name=name, role=role, jurisdiction="CN"
                )
                found[name] = Principal(participant.id, name, role, "CN")
    holders = [found[name] for _, name in PILOT_HOLDERS]
    reviewers = [found[name] for name in PILOT_REVIEWERS]
    return holders, reviewers


async def run_pilot(
    runtime: Runtime,
    *,
    count: int,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> PilotReport:
    """Run the whole registration path for `count` synthetic pilot assets; verify them all."""
    if count < 1 or batch_size < 1:
        raise ValueError("count and batch_size must be positive")
    report = PilotReport(count=count)
    tick = progress or (lambda _phase, _n: None)
    # Publicity passes on a simulated clock that starts two weeks back, so the pilot ends
    # in the past rather than leaving future-dated entries in a live log.
    clock = ManualClock(runtime.clock.now() - timedelta(days=14))
    sim = replace(runtime, clock=clock)
    holders, reviewers = await _participants(sim)
    cities = [city for city, _ in PILOT_HOLDERS]

    started = time.perf_counter()
    asset_ids: list[str] = []
    for chunk_start in range(0, count, batch_size):
        indices = range(chunk_start, min(count, chunk_start + batch_size))
        async with sim.unit_of_work() as session:
            for h, holder in enumerate(holders):
                drafts = [pilot_draft(i, cities[h]) for i in indices if i % len(holders) == h]
                if drafts:
                    ctx = sim.context(session, holder)
                    asset_ids.extend(
                        await assets_service.apply_for_registrations(ctx, drafts=drafts)
                    )
        tick("apply", len(indices))
    report.applied = len(asset_ids)
    report.seconds["apply"] = time.perf_counter() - started

    started = time.perf_counter()
    approved_at = clock.now()
    for reviewer in reviewers:
        for batch in _chunks(asset_ids, batch_size):
            async with sim.unit_of_work() as session:
                await assets_review.review_applications(
                    sim.context(session, reviewer),
                    asset_ids=batch,
                    decision=ReviewDecision.APPROVE,
                    reason=REVIEW_REASON,
                )
            report.reviews += len(batch)
            tick("review", len(batch))
    report.seconds["review"] = time.perf_counter() - started

    clock.set(publicity_ends_at(approved_at, runtime.settings.asset_publicity_working_days))
    started = time.perf_counter()
    numbers: list[str] = []
    for batch in _chunks(asset_ids, batch_size):
        async with sim.unit_of_work() as session:
            issued = await assets_review.finalize_registrations(
                sim.context(session), asset_ids=batch
            )
            numbers.extend(i.number for i in issued)
        report.registered += len(batch)
        tick("register", len(batch))
    report.seconds["register"] = time.perf_counter() - started
    report.first_number, report.last_number = numbers[0], numbers[-1]

    started = time.perf_counter()
    public_key = assets_certificates.registry_key(sim).public_key
    now = clock.now()
    statuses: dict[str, int] = {}
    for batch in _chunks(numbers, batch_size):
        async with sim.sessionmaker() as session:
            rows = await assets_certificates.get_certificates(sim.context(session), batch)
        for certificate in rows:
            # As an outside verifier would: the document, the signature and the public key.
            document = json.loads(certificate.document)
            result = verify_certificate_offline(
                document, certificate.signature, public_key, now=now
            )
            statuses[result.status] = statuses.get(result.status, 0) + 1
            if result.status is VerificationStatus.VALID:
                report.verified += 1
            else:
                report.verify_failures += 1
        tick("verify", len(batch))
    report.statuses = statuses
    report.seconds["verify"] = time.perf_counter() - started
    return report
