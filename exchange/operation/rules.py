"""Pure: the rules of authorized operation — shares in range, terms that overlap, raw records
of closed data refused, and how a sale's proceeds divide among the departments."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from exchange.operation.errors import (
    RAW_RECORDS_RULE,
    SHARE_RULE,
    AgreementTermInvalid,
    RawRecordsRefused,
    RevenueShareOutOfRange,
)
from exchange.operation.vocabulary import RAW_RECORDS
from exchange.vocabulary import Opening, ProductForm

BASIS_POINTS = 10_000
MAX_TERM = timedelta(days=3653)  # ten years (授权运营期限)


def check_share(share_bp: int) -> None:
    """Refuse a revenue share outside 0–100% (0–10000 basis points)."""
    if not 0 <= share_bp <= BASIS_POINTS:
        raise RevenueShareOutOfRange(
            f"A revenue share of {share_bp} basis points is outside 0–10000 ({SHARE_RULE}).",
            rule=SHARE_RULE,
            revenue_share_bp=share_bp,
        )


def check_term(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """Refuse a term that ends before it starts, is over already, or runs past ten years."""
    if ends_at <= starts_at:
        raise AgreementTermInvalid("The term must end after it starts (ends_at > starts_at).")
    if ends_at <= now:
        raise AgreementTermInvalid("The term is over already: ends_at must be in the future.")
    if ends_at - starts_at > MAX_TERM:
        raise AgreementTermInvalid("A term runs at most ten years (3653 days).")


def terms_overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    """Whether two half-open terms [start, end) share an instant."""
    return a[0] < b[1] and b[0] < a[1]


def clashes(*, exclusive: bool, other_exclusive: bool, overlap: bool) -> bool:
    """Whether two agreements over one item cannot both hold it: their terms overlap and at
    least one is exclusive (独家授权排他)."""
    return overlap and (exclusive or other_exclusive)


def check_forms(forms: Collection[ProductForm], openings: dict[str, Opening]) -> None:
    """Refuse raw records (a dataset) as an output of any item that is not open (不予开放);
    `openings` maps item ids to their opening attribute."""
    if RAW_RECORDS not in forms:
        return
    closed = sorted(i for i, opening in openings.items() if opening is Opening.NOT_OPEN)
    if closed:
        raise RawRecordsRefused(
            f"Items {', '.join(closed)} are not open (不予开放): the output form "
            f"{RAW_RECORDS.value!r} (raw records) is refused under the rule {RAW_RECORDS_RULE}.",
            rule=RAW_RECORDS_RULE,
            catalog_item_ids=closed,
        )


@dataclass(frozen=True, slots=True)
class ShareGrant:
    """An agreement a sold product derives under: its share, and the departments whose items
    the product draws on (each paid an equal part of the agreement's share)."""

    agreement_id: str
    share_bp: int
    department_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SharePayment:
    """What one department is paid under one agreement for one sale."""

    agreement_id: str
    department_id: str
    amount_fen: int


def split_shares(proceeds_fen: int, grants: Sequence[ShareGrant]) -> list[SharePayment]:
    """Divide the seller's proceeds: each agreement's share (rounded down to the fen), in
    agreement-id order and never more than what is left, split equally among its departments
    (the remainder fen to the first by id). Zero payments are left out."""
    if proceeds_fen < 0:
        raise ValueError("proceeds are non-negative")
    left = proceeds_fen
    payments: list[SharePayment] = []
    for grant in sorted(grants, key=lambda g: g.agreement_id):
        check_share(grant.share_bp)
        departments = sorted(set(grant.department_ids))
        if not departments:
            continue
        amount = min(proceeds_fen * grant.share_bp // BASIS_POINTS, left)
        left -= amount
        each, extra = divmod(amount, len(departments))
        for n, department_id in enumerate(departments):
            paid = each + (extra if n == 0 else 0)
            if paid:
                payments.append(SharePayment(grant.agreement_id, department_id, paid))
    return payments
