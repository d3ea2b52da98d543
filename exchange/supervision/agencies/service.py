"""Supervisory agencies (监管机构): who acts for which agency, within which remit.

Every regulator acts for one agency; an agency acts only within its remits (职责), at its
level of government (a province, or one city), and every agency reads everything. Admins set
agencies up and assign regulators to them; the four provincial agencies are seeded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from exchange.catalog.departments import service as departments_service
from exchange.catalog.vocabulary import Level
from exchange.context import Context, Principal
from exchange.errors import Forbidden, InvalidInput
from exchange.participants import service as participants_service
from exchange.supervision import rules
from exchange.supervision.agencies import repository
from exchange.supervision.agencies.errors import (
    AgencyExists,
    AgencyNotFound,
    NotAgencyMember,
    OutsideRemit,
    UnknownDivision,
    UnknownThreshold,
)
from exchange.supervision.agencies.models import Agency, AgencyMember, AgencyThreshold
from exchange.supervision.rules import Remit
from exchange.vocabulary import Role


@dataclass(frozen=True, slots=True)
class AgencyView:
    """An agency, its remits as values, and its regulators."""

    agency: Agency
    remits: frozenset[Remit]
    members: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.agency.id

    @property
    def label(self) -> str:
        return f"{self.agency.name} ({self.agency.id})"


def _view(agency: Agency, members: Sequence[AgencyMember] = ()) -> AgencyView:
    return AgencyView(
        agency, frozenset(Remit(r) for r in agency.remits), tuple(m.participant_id for m in members)
    )


def actor(ctx: Context) -> Principal:
    """The authenticated caller (every supervision service runs for one)."""
    if ctx.actor is None:
        raise Forbidden("Supervision acts only for an authenticated participant.")
    return ctx.actor


def reads_everything(who: Principal) -> bool:
    """Regulators of every agency and admins read all supervision records."""
    return who.role in (Role.REGULATOR, Role.ADMIN)


async def list_agencies(ctx: Context) -> list[AgencyView]:
    """Every agency with its members."""
    return [
        _view(a, await repository.members_of(ctx.session, a.id))
        for a in await repository.list_agencies(ctx.session)
    ]


async def get_agency(ctx: Context, agency_id: str) -> AgencyView:
    """One agency with its members (404 if none)."""
    agency = await repository.get_agency(ctx.session, agency_id)
    if agency is None:
        raise AgencyNotFound(f"No supervisory agency {agency_id!r}.")
    return _view(agency, await repository.members_of(ctx.session, agency.id))


async def check_division(ctx: Context, code: str, *, what: str = "division_code") -> Level:
    """The level of a province or city code (422 for any other code)."""
    found = (await departments_service.divisions(ctx)).get(code)
    if found is None or found.level not in (Level.PROVINCE, Level.CITY):
        raise UnknownDivision(f"{what} {code!r} is no province or city of the catalog.")
    return found.level


async def create_agency(
    ctx: Context,
    *,
    agency_id: str,
    name: str,
    name_en: str,
    remits: Sequence[Remit],
    division_code: str,
) -> AgencyView:
    """Set up an agency (admins): its remits and the province or city it covers."""
    if await repository.get_agency(ctx.session, agency_id) is not None:
        raise AgencyExists(f"Agency {agency_id!r} exists already.")
    level = await check_division(ctx, division_code)
    agency = Agency(
        id=agency_id,
        name=name,
        name_en=name_en,
        remits=sorted({r.value for r in remits}),
        level=level.value,
        division_code=division_code,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(agency)
    ctx.audit(
        "supervision.agency_created",
        subject_type="agency",
        subject_id=agency.id,
        payload={
            "name": name,
            "name_en": name_en,
            "remits": agency.remits,
            "level": agency.level,
            "division_code": division_code,
        },
    )
    return _view(agency)


async def assign_member(ctx: Context, *, agency_id: str, participant_id: str) -> AgencyView:
    """Let a regulator act for an agency (admins); it leaves any agency it acted for before."""
    view = await get_agency(ctx, agency_id)
    participant = await participants_service.get(ctx, participant_id)
    if participant.role != Role.REGULATOR:
        raise InvalidInput(f"Participant {participant_id} is a {participant.role}, no regulator.")
    member = await repository.get_member(ctx.session, participant_id)
    before = member.agency_id if member is not None else None
    if member is None:
        member = AgencyMember(participant_id=participant_id, agency_id=agency_id)
        ctx.session.add(member)
    member.agency_id = agency_id
    member.assigned_by = ctx.actor_ref
    member.assigned_at = ctx.clock.now()
    ctx.audit(
        "supervision.member_assigned",
        subject_type="agency",
        subject_id=agency_id,
        payload={"participant_id": participant_id, "previous_agency_id": before},
    )
    await ctx.session.flush()
    return await get_agency(ctx, view.id)


async def acting_agency(ctx: Context) -> AgencyView:
    """The agency the calling regulator acts for (403 if it acts for none)."""
    who = actor(ctx)
    member = (
        await repository.get_member(ctx.session, who.id) if who.role is Role.REGULATOR else None
    )
    if member is None:
        raise NotAgencyMember(
            f"{who.name} acts for no supervisory agency: an admin assigns regulators "
            "(PUT /v1/supervision/agencies/{agency_id}/members/{participant_id})."
        )
    agency = await repository.get_agency(ctx.session, member.agency_id)
    assert agency is not None
    return _view(agency)


def require_remit(view: AgencyView, needed: frozenset[Remit], what: str) -> None:
    """Refuse (403, naming the remit) an act none of the agency's remits covers."""
    if not rules.covers(view.remits, needed):
        held = rules.remit_names(view.remits) if view.remits else "no remit"
        raise OutsideRemit(
            f"{what} needs the remit {rules.remit_names(needed)}; {view.label} holds {held}.",
            agency_id=view.id,
            needed_remits=sorted(r.value for r in needed),
            agency_remits=sorted(r.value for r in view.remits),
        )


async def require_agency(ctx: Context, needed: frozenset[Remit], what: str) -> AgencyView:
    """The caller's agency, if its remit covers the act."""
    view = await acting_agency(ctx)
    require_remit(view, needed, what)
    return view


async def thresholds(ctx: Context, agency_id: str) -> dict[str, int]:
    """An agency's surveillance thresholds: its own settings over the defaults."""
    await get_agency(ctx, agency_id)
    values = dict(rules.DEFAULT_THRESHOLDS)
    for row in await repository.thresholds_of(ctx.session, agency_id):
        values[row.name] = row.value
    return values


async def set_thresholds(
    ctx: Context, *, agency_id: str, values: Mapping[str, int]
) -> dict[str, int]:
    """Change some of one's own agency's thresholds, each within the remit it belongs to."""
    view = await acting_agency(ctx)
    if view.id != agency_id:
        raise NotAgencyMember(f"Only regulators of {agency_id} change its thresholds.")
    for name, value in values.items():
        limits = rules.THRESHOLD_LIMITS.get(name)
        if limits is None:
            known = ", ".join(sorted(rules.THRESHOLD_LIMITS))
            raise UnknownThreshold(f"No threshold {name!r}; the thresholds are {known}.")
        if not limits[0] <= value <= limits[1]:
            raise UnknownThreshold(
                f"Threshold {name} takes {limits[0]}..{limits[1]}, not {value}.",
                threshold=name,
            )
        require_remit(view, frozenset({rules.THRESHOLD_REMITS[name]}), f"The threshold {name}")
    before = await thresholds(ctx, agency_id)
    now = ctx.clock.now()
    for name, value in sorted(values.items()):
        row = await repository.get_threshold(ctx.session, agency_id, name)
        if row is None:
            row = AgencyThreshold(agency_id=agency_id, name=name)
            ctx.session.add(row)
        row.value = value
        row.changed_by = ctx.actor_ref
        row.changed_at = now
    ctx.audit(
        "supervision.thresholds_changed",
        subject_type="agency",
        subject_id=agency_id,
        payload={"changes": {n: {"from": before[n], "to": v} for n, v in sorted(values.items())}},
    )
    await ctx.session.flush()
    return await thresholds(ctx, agency_id)


async def agency_of_member(ctx: Context, participant_id: str) -> str | None:
    """The agency a regulator acts for, if any."""
    member = await repository.get_member(ctx.session, participant_id)
    return member.agency_id if member is not None else None
