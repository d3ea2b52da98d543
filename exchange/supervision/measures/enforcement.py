"""What the market's services ask before they act: does a measure in force stop this?

Installed as the `check_measures` hook (exchange.wiring): trading asks it with the listing,
asset, seller, buyer, broker and broker licence an act touches, and a measure in force on any
of them refuses the act — naming the measure, what it does, its case and its agency.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.supervision.measures import repository
from exchange.supervision.measures.errors import MeasureInForce
from exchange.supervision.rules import MEASURE_LABELS, MeasureKind
from exchange.vocabulary import Restricted

_WHAT: dict[Restricted, str] = {
    Restricted.LISTING: "Listing",
    Restricted.ASSET: "Asset",
    Restricted.PARTICIPANT: "Participant",
    Restricted.BROKER_LICENCE: "Broker licence",
}


async def check(session: AsyncSession, restrictions: Sequence[tuple[Restricted, str]]) -> None:
    """Refuse if a measure in force stops any of these subjects."""
    found = await repository.binding(session, [(w.value, s) for w, s in restrictions])
    if found is None:
        return
    what = _WHAT[Restricted(found.restricts)] if found.restricts else "Subject"
    label = MEASURE_LABELS[MeasureKind(found.kind)]
    raise MeasureInForce(
        f"{what} {found.subject_id}: {label} by supervision measure {found.id} of case "
        f"{found.case_id} ({found.agency_id}); refused until a later decision lifts it.",
        measure_id=found.id,
        measure_kind=found.kind,
        case_id=found.case_id,
        agency_id=found.agency_id,
        subject_id=found.subject_id,
    )
