"""Rules of the catalog (一数一源一标准): who publishes what, one source per datum, quality,
sharing requests, search and the open list. Services flush, never commit; a refused second
source is the one exception that records itself (see `_refuse_second_source`)."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from exchange.catalog import dcat, facets, quality, repository, text
from exchange.catalog.errors import (
    BadSample,
    CircularHierarchy,
    ClassificationRule,
    ConflictNotFound,
    ConflictState,
    DataElementNotFound,
    DepartmentInUse,
    DepartmentNotBound,
    DepartmentNotFound,
    DivisionNotFound,
    DuplicateCode,
    HierarchyInvalid,
    InvalidConstraints,
    InvalidItem,
    InvalidPattern,
    ItemNotFound,
    NotShareable,
    NotYourDepartment,
    RecordBreaksRule,
    SampleColumns,
    SampleEncoding,
    SampleNotFound,
    SampleNotVisible,
    SecondAuthoritativeSource,
    ShareAlreadyAnswered,
    ShareRequestNotFound,
    StaleVersion,
    UnknownDataElement,
    UnsupportedSampleType,
    VersionNotFound,
)
from exchange.catalog.generator import DivisionInfo
from exchange.catalog.masking import mask_record
from exchange.catalog.models import (
    LEVEL_LABELS,
    UPDATE_FREQUENCY_LABELS,
    USAGE_BITS,
    USAGE_LABELS,
    CatalogItem,
    ConflictOutcome,
    ConflictStatus,
    DataElement,
    DataType,
    Department,
    FieldRole,
    ItemField,
    ItemSample,
    Level,
    MaskingRule,
    QualityReport,
    ShareRequest,
    ShareStatus,
    SourceConflict,
    UpdateFrequency,
    UsageMethod,
    usage_mask,
    usage_methods,
)
from exchange.catalog.schemas import (
    ConflictEscalate,
    ConflictPage,
    ConflictRead,
    ConflictResolve,
    ConsumerPage,
    ConsumerRead,
    DataElementCreate,
    DataElementPage,
    DataElementRead,
    DataElementUpdate,
    DepartmentBrief,
    DepartmentCreate,
    DepartmentPage,
    DepartmentRead,
    DepartmentUpdate,
    DivisionRead,
    FacetValue,
    FieldRead,
    FieldRules,
    FieldSpec,
    ItemBrief,
    ItemCreate,
    ItemRead,
    ItemSummary,
    ItemUpdate,
    ItemVersionPage,
    ItemVersionRead,
    OpenListEntry,
    OpenListPage,
    QualityReportPage,
    QualityReportRead,
    QualityStandard,
    QualitySummary,
    RuleRead,
    SampleField,
    SampleRead,
    SearchResult,
    ShareDecision,
    ShareRequestCreate,
    ShareRequestPage,
    ShareRequestRead,
    ShareStats,
    SourcePointer,
)
from exchange.clock import add_working_days, working_days_between
from exchange.context import Context, Principal, Slot
from exchange.database import unit_of_work
from exchange.errors import Forbidden
from exchange.participants import service as participants_service
from exchange.vocabulary import (
    GRADE_LABELS,
    OPENING_LABELS,
    SHARING_LABELS,
    Grade,
    Opening,
    Role,
    Sharing,
)

SHARE_TARGET_WORKING_DAYS = 3
FACET_DEPARTMENTS = 10
MAX_RESULT_WINDOW = 10_000
MAX_SQL_CLAUSES = 4
MAX_HEAD_TERMS = 300
MAX_FILTER_VALUES = 20
MAX_SAMPLE_RECORDS = 50
LATEST_REPORTS = 5
PROVINCE_CODE = "440000"
_DIVISIONS: Slot[dict[str, DivisionInfo]] = Slot("catalog.divisions")


def item_url(item_id: str) -> str:
    """The API path of an item."""
    return f"/v1/catalog/items/{item_id}"


def china_date(when: datetime) -> date:
    """The calendar date in China (UTC+8, no daylight saving) of a UTC instant."""
    return when.astimezone(quality.CHINA_TZ).date()


# --- who is acting ---------------------------------------------------------------------


def _principal(ctx: Context) -> Principal:
    if ctx.actor is None:
        raise Forbidden("An authenticated participant is required.")
    return ctx.actor


async def own_department(ctx: Context) -> Department | None:
    """The department the calling participant is bound to, if any."""
    actor = ctx.actor
    if actor is None or actor.role is not Role.DEPARTMENT:
        return None
    return await repository.department_of_participant(ctx.session, actor.id)


async def _bound_department(ctx: Context) -> Department:
    department = await own_department(ctx)
    if department is None:
        raise DepartmentNotBound(
            "This participant is not linked to a catalog department; an admin links it with "
            'PATCH /v1/departments/{id} {"participant_id": ...}.'
        )
    return department


async def _publishing_department(ctx: Context, department_id: str | None) -> Department:
    """The department an admin or a department participant publishes for."""
    actor = _principal(ctx)
    if actor.role is Role.ADMIN:
        if department_id is None:
            raise InvalidItem("department_id is required when an admin publishes.")
        department = await repository.get_department(ctx.session, department_id)
        if department is None:
            raise DepartmentNotFound(f"No department {department_id!r}.")
        return department
    own = await _bound_department(ctx)
    if department_id is not None and department_id != own.id:
        raise NotYourDepartment(
            f"{own.name} ({own.id}) may publish for its own department only, "
            f"not for {department_id!r}.",
            own_department_id=own.id,
            requested_department_id=department_id,
        )
    return own


async def _acting_for(ctx: Context, department_id: str) -> None:
    """Refuse unless the caller is an admin or the participant of that department."""
    actor = _principal(ctx)
    if actor.role is Role.ADMIN:
        return
    own = await _bound_department(ctx)
    if own.id != department_id:
        raise NotYourDepartment(
            f"{own.name} acts for its own department only; this belongs to {department_id!r}.",
            own_department_id=own.id,
        )


# --- divisions -------------------------------------------------------------------------


async def divisions(ctx: Context) -> dict[str, DivisionInfo]:
    """All divisions by code (seeded by the migration and never changed: cached)."""
    cached = ctx.runtime.cache.get(_DIVISIONS)
    if cached is None:
        rows = await repository.all_divisions(ctx.session)
        cached = {
            d.code: DivisionInfo(d.code, d.name, d.name_en, Level(d.level), d.parent_code)
            for d in rows
        }
        if cached:
            ctx.runtime.cache.set(_DIVISIONS, cached)
    return dict(cached)


async def list_divisions(ctx: Context, *, parent_code: str | None) -> list[DivisionRead]:
    """Divisions, optionally the children of one."""
    return [
        DivisionRead(
            code=d.code, name=d.name, name_en=d.name_en, level=d.level, parent_code=d.parent_code
        )
        for d in (await divisions(ctx)).values()
        if parent_code is None or d.parent_code == parent_code
    ]


def _contains(divs: dict[str, DivisionInfo], outer: str, inner: str) -> bool:
    code: str | None = inner
    while code is not None:
        if code == outer:
            return True
        code = divs[code].parent_code if code in divs else None
    return False


def _city_of(divs: dict[str, DivisionInfo], division: DivisionInfo) -> str:
    if division.level is Level.PROVINCE:
        return division.code
    if division.level is Level.CITY:
        return division.code
    return division.parent_code or division.code


# --- departments -----------------------------------------------------------------------


async def _department_reads(ctx: Context, rows: Sequence[Department]) -> list[DepartmentRead]:
    divs = await divisions(ctx)
    return [
        DepartmentRead(
            id=d.id,
            code=d.code,
            name=d.name,
            name_en=d.name_en,
            division_code=d.division_code,
            division_name=divs[d.division_code].name if d.division_code in divs else "",
            level=d.level,
            level_label=LEVEL_LABELS[Level(d.level)],
            city_code=d.city_code,
            city_name=divs[d.city_code].name if d.city_code in divs else "",
            parent_id=d.parent_id,
            participant_id=d.participant_id,
            item_count=d.item_count,
            created_at=d.created_at,
            updated_at=d.updated_at,
        )
        for d in rows
    ]


async def _brief(ctx: Context, department: Department) -> DepartmentBrief:
    divs = await divisions(ctx)
    division = divs.get(department.division_code)
    return DepartmentBrief(
        id=department.id,
        code=department.code,
        name=department.name,
        division_code=department.division_code,
        division_name=division.name if division else "",
    )


async def _check_participant(ctx: Context, participant_id: str, department_id: str | None) -> None:
    participant = await participants_service.get(ctx, participant_id)
    if participant.role != Role.DEPARTMENT:
        raise HierarchyInvalid(
            f"Participant {participant_id!r} has role {participant.role!r}; only participants "
            "with role 'department' can be linked to a catalog department."
        )
    bound = await repository.department_of_participant(ctx.session, participant_id)
    if bound is not None and bound.id != department_id:
        raise DepartmentInUse(
            f"Participant {participant_id!r} is already linked to {bound.name} ({bound.id}).",
            department_id=bound.id,
        )


async def _check_parent(
    ctx: Context, *, department_id: str | None, division_code: str, parent_id: str
) -> Department:
    divs = await divisions(ctx)
    parent = await repository.get_department(ctx.session, parent_id)
    if parent is None:
        raise HierarchyInvalid(f"No department {parent_id!r} to be the parent.")
    if not _contains(divs, parent.division_code, division_code):
        raise HierarchyInvalid(
            f"The parent {parent.name} sits in {divs[parent.division_code].name} "
            f"({parent.division_code}), which does not contain {divs[division_code].name} "
            f"({division_code}): a parent must be at the same or a higher level above it.",
            parent_division_code=parent.division_code,
            division_code=division_code,
        )
    if department_id is not None:
        chain: list[str] = []
        node: Department | None = parent
        seen: set[str] = set()
        while node is not None and node.id not in seen:
            chain.append(node.name)
            if node.id == department_id:
                path = " → ".join(chain)
                raise CircularHierarchy(
                    f"Making {parent.name} the parent would make the department its own "
                    f"ancestor: {path}.",
                    cycle=chain,
                )
            seen.add(node.id)
            node = (
                await repository.get_department(ctx.session, node.parent_id)
                if node.parent_id
                else None
            )
    return parent


async def create_department(ctx: Context, *, body: DepartmentCreate) -> DepartmentRead:
    """Register a department in a division, under a parent (admin)."""
    divs = await divisions(ctx)
    division = divs.get(body.division_code)
    if division is None:
        raise DivisionNotFound(
            f"No administrative division {body.division_code!r} (GB/T 2260 codes of "
            "Guangdong, e.g. 440000, 440100, 440106); see GET /v1/divisions.",
            division_code=body.division_code,
        )
    if await repository.department_by_code(ctx.session, body.code) is not None:
        raise DuplicateCode(f"A department with code {body.code!r} already exists.")
    if await repository.department_named(ctx.session, division.code, body.name) is not None:
        raise DuplicateCode(f"{division.name} already has a department named {body.name!r}.")
    if body.parent_id is not None:
        await _check_parent(
            ctx, department_id=None, division_code=division.code, parent_id=body.parent_id
        )
    if body.participant_id is not None:
        await _check_participant(ctx, body.participant_id, None)
    now = ctx.clock.now()
    department = Department(
        id=ctx.ids.new(),
        code=body.code,
        name=body.name,
        name_en=body.name_en,
        division_code=division.code,
        level=division.level,
        city_code=_city_of(divs, division),
        parent_id=body.parent_id,
        participant_id=body.participant_id,
        item_count=0,
        item_serial=0,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(department)
    ctx.audit(
        "catalog.department_created",
        subject_type="department",
        subject_id=department.id,
        payload={
            "code": department.code,
            "name": department.name,
            "name_en": department.name_en,
            "division_code": department.division_code,
            "level": department.level,
            "parent_id": department.parent_id,
            "participant_id": department.participant_id,
        },
    )
    await ctx.session.flush()
    return (await _department_reads(ctx, [department]))[0]


async def update_department(
    ctx: Context, *, department_id: str, body: DepartmentUpdate
) -> DepartmentRead:
    """Rename, move or bind a department (admin); a circular hierarchy is refused."""
    department = await repository.get_department(ctx.session, department_id, for_update=True)
    if department is None:
        raise DepartmentNotFound(f"No department {department_id!r}.")
    changes: dict[str, Any] = {}
    fields = body.model_fields_set
    if "name" in fields and body.name is not None and body.name != department.name:
        same = await repository.department_named(ctx.session, department.division_code, body.name)
        if same is not None and same.id != department.id:
            raise DuplicateCode(f"The division already has a department named {body.name!r}.")
        changes["name"] = body.name
    if "name_en" in fields and body.name_en is not None:
        changes["name_en"] = body.name_en
    if "parent_id" in fields and body.parent_id != department.parent_id:
        if body.parent_id is not None:
            if body.parent_id == department.id:
                raise CircularHierarchy(
                    f"{department.name} cannot be its own parent.", cycle=[department.name]
                )
            await _check_parent(
                ctx,
                department_id=department.id,
                division_code=department.division_code,
                parent_id=body.parent_id,
            )
        changes["parent_id"] = body.parent_id
    if "participant_id" in fields and body.participant_id != department.participant_id:
        if body.participant_id is not None:
            await _check_participant(ctx, body.participant_id, department.id)
        changes["participant_id"] = body.participant_id
    if changes:
        for key, value in changes.items():
            setattr(department, key, value)
        department.updated_at = ctx.clock.now()
        ctx.audit(
            "catalog.department_updated",
            subject_type="department",
            subject_id=department.id,
            payload={"changes": changes},
        )
        await ctx.session.flush()
    return (await _department_reads(ctx, [department]))[0]


async def get_department(ctx: Context, department_id: str) -> DepartmentRead:
    """One department."""
    department = await repository.get_department(ctx.session, department_id)
    if department is None:
        raise DepartmentNotFound(f"No department {department_id!r}.")
    return (await _department_reads(ctx, [department]))[0]


async def list_departments(
    ctx: Context,
    *,
    division_code: str | None,
    city_code: str | None,
    level: Level | None,
    parent_id: str | None,
    name: str | None,
    limit: int,
    offset: int,
) -> DepartmentPage:
    """A page of departments."""
    rows, total = await repository.list_departments(
        ctx.session,
        division_code=division_code,
        city_code=city_code,
        level=level,
        parent_id=parent_id,
        name=name,
        limit=limit,
        offset=offset,
    )
    return DepartmentPage(items=await _department_reads(ctx, rows), total=total)


# --- data elements ---------------------------------------------------------------------


def _check_constraints(
    *,
    code: str,
    data_type: DataType,
    min_length: int | None,
    max_length: int | None,
    pattern: str | None,
    enum_values: list[str] | None,
    minimum: Decimal | None,
    maximum: Decimal | None,
) -> None:
    if pattern is not None:
        try:
            quality.check_pattern(pattern)
        except quality.PatternRefused as exc:
            raise InvalidPattern(
                f"Data element {code}: pattern {pattern!r} is refused: {exc}.",
                pattern=pattern,
                reason=str(exc),
            ) from None
    problems: list[str] = []
    if min_length is not None and max_length is not None and min_length > max_length:
        problems.append(f"min_length {min_length} is greater than max_length {max_length}")
    if minimum is not None and maximum is not None and minimum > maximum:
        problems.append(f"minimum {minimum} is greater than maximum {maximum}")
    if (minimum is not None or maximum is not None) and data_type not in {
        DataType.INTEGER,
        DataType.DECIMAL,
    }:
        problems.append(f"a range (minimum/maximum) needs type integer or decimal, not {data_type}")
    if enum_values is not None and len(set(enum_values)) != len(enum_values):
        problems.append("enum_values repeat a value")
    if problems:
        raise InvalidConstraints(f"Data element {code}: " + "; ".join(problems) + ".")


async def _element_reads(ctx: Context, rows: Sequence[DataElement]) -> list[DataElementRead]:
    sources = await repository.sources_for_elements(ctx.session, [e.id for e in rows])
    return [
        DataElementRead(
            id=e.id,
            code=e.code,
            name_zh=e.name_zh,
            name_en=e.name_en,
            data_type=e.data_type,
            format=e.format,
            description=e.description,
            min_length=e.min_length,
            max_length=e.max_length,
            pattern=e.pattern,
            enum_values=e.enum_values,
            minimum=Decimal(e.minimum) if e.minimum is not None else None,
            maximum=Decimal(e.maximum) if e.maximum is not None else None,
            required=e.required,
            masking=e.masking,
            version=e.version,
            created_by=e.created_by,
            created_at=e.created_at,
            updated_at=e.updated_at,
            source=_pointer(sources[e.id]) if e.id in sources else None,
        )
        for e in rows
    ]


def _pointer(row: repository.SourceRow) -> SourcePointer:
    return SourcePointer(
        element_id=row.element_id,
        element_code=row.element_code,
        item_id=row.item_id,
        item_code=row.item_code,
        item_name=row.item_name,
        department_id=row.department_id,
        url=item_url(row.item_id),
    )


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


async def create_element(ctx: Context, *, body: DataElementCreate) -> DataElementRead:
    """Define a data element (admins and departments)."""
    _check_constraints(
        code=body.code,
        data_type=body.data_type,
        min_length=body.min_length,
        max_length=body.max_length,
        pattern=body.pattern,
        enum_values=body.enum_values,
        minimum=body.minimum,
        maximum=body.maximum,
    )
    if await repository.element_by_code(ctx.session, body.code) is not None:
        raise DuplicateCode(f"A data element with code {body.code!r} already exists.")
    now = ctx.clock.now()
    element = DataElement(
        id=ctx.ids.new(),
        code=body.code,
        name_zh=body.name_zh,
        name_en=body.name_en,
        data_type=body.data_type,
        format=body.format,
        description=body.description,
        min_length=body.min_length,
        max_length=body.max_length,
        pattern=body.pattern,
        enum_values=body.enum_values,
        minimum=_decimal_text(body.minimum),
        maximum=_decimal_text(body.maximum),
        required=body.required,
        masking=body.masking,
        version=1,
        created_by=ctx.actor_ref,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(element)
    ctx.audit(
        "catalog.data_element_created",
        subject_type="data_element",
        subject_id=element.id,
        payload=_element_payload(element),
    )
    await ctx.session.flush()
    return (await _element_reads(ctx, [element]))[0]


def _element_payload(e: DataElement) -> dict[str, Any]:
    return {
        "code": e.code,
        "name_zh": e.name_zh,
        "name_en": e.name_en,
        "data_type": e.data_type,
        "format": e.format,
        "min_length": e.min_length,
        "max_length": e.max_length,
        "pattern": e.pattern,
        "enum_values": e.enum_values,
        "minimum": e.minimum,
        "maximum": e.maximum,
        "required": e.required,
        "masking": e.masking,
        "version": e.version,
    }


async def _element(ctx: Context, ref: str) -> DataElement:
    element = await repository.get_element(ctx.session, ref)
    if element is None:
        element = await repository.element_by_code(ctx.session, ref)
    if element is None:
        raise DataElementNotFound(f"No data element {ref!r} (by id or code).")
    return element


async def update_element(
    ctx: Context, *, element_ref: str, body: DataElementUpdate
) -> DataElementRead:
    """Revise a data element (its creator or an admin); the version goes up by one."""
    actor = _principal(ctx)
    element = await _element(ctx, element_ref)
    if actor.role is not Role.ADMIN and element.created_by != actor.id:
        raise Forbidden(f"Only an admin or the creator may revise data element {element.code}.")
    changes = body.model_dump(exclude_unset=True)

    def after(name: str, current: Any) -> Any:
        return changes.get(name, current)

    _check_constraints(
        code=element.code,
        data_type=DataType(element.data_type),
        min_length=after("min_length", element.min_length),
        max_length=after("max_length", element.max_length),
        pattern=after("pattern", element.pattern),
        enum_values=after("enum_values", element.enum_values),
        minimum=after("minimum", Decimal(element.minimum) if element.minimum else None),
        maximum=after("maximum", Decimal(element.maximum) if element.maximum else None),
    )
    if not changes:
        return (await _element_reads(ctx, [element]))[0]
    for key, value in changes.items():
        if key in {"minimum", "maximum"}:
            value = _decimal_text(value)
        setattr(element, key, value)
    element.version += 1
    element.updated_at = ctx.clock.now()
    ctx.audit(
        "catalog.data_element_updated",
        subject_type="data_element",
        subject_id=element.id,
        payload={"changed": sorted(changes), "element": _element_payload(element)},
    )
    await ctx.session.flush()
    return (await _element_reads(ctx, [element]))[0]


async def get_element(ctx: Context, element_ref: str) -> DataElementRead:
    """A data element by id or code."""
    return (await _element_reads(ctx, [await _element(ctx, element_ref)]))[0]


async def list_elements(
    ctx: Context, *, name: str | None, limit: int, offset: int
) -> DataElementPage:
    """A page of data elements."""
    rows, total = await repository.list_elements(ctx.session, name=name, limit=limit, offset=offset)
    return DataElementPage(items=await _element_reads(ctx, rows), total=total)


async def element_consumers(
    ctx: Context, *, element_ref: str, limit: int, offset: int
) -> ConsumerPage:
    """The items using a data element: its source first, then its consumers."""
    element = await _element(ctx, element_ref)
    rows, total = await repository.consumers_of_element(
        ctx.session, element.id, limit=limit, offset=offset
    )
    return ConsumerPage(
        element_code=element.code,
        items=[
            ConsumerRead(
                item_id=r[0],
                item_code=r[1],
                item_name=r[2],
                department_id=r[3],
                field_code=r[4],
                role=FieldRole(r[5]),
            )
            for r in rows
        ],
        total=total,
    )


# --- items -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResolvedField:
    """A field with its data element looked up and its defaults applied."""

    code: str
    name_zh: str
    name_en: str
    element: DataElement | None
    role: FieldRole | None
    required: bool
    masking: MaskingRule

    def document(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "element_code": self.element.code if self.element else None,
            "element_version": self.element.version if self.element else None,
            "role": self.role,
            "required": self.required,
            "masking": self.masking,
        }

    def row(self, item_id: str, position: int) -> dict[str, Any]:
        return {
            "item_id": item_id,
            "position": position,
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "element_id": self.element.id if self.element else None,
            "element_version": self.element.version if self.element else None,
            "role": self.role,
            "required": self.required,
            "masking": self.masking,
        }


async def _resolve_fields(ctx: Context, specs: Sequence[FieldSpec]) -> list[ResolvedField]:
    codes = [s.code for s in specs]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise InvalidItem(f"Field codes must be unique; repeated: {', '.join(repeated)}.")
    wanted = {s.element_code for s in specs if s.element_code}
    found = await repository.elements_by_codes(ctx.session, wanted)
    unknown = sorted(wanted - set(found))
    if unknown:
        fields = [s.code for s in specs if s.element_code in unknown]
        raise UnknownDataElement(
            f"Unknown data element(s) {', '.join(unknown)} (used by field(s) "
            f"{', '.join(fields)}); define them at /v1/data-elements first.",
            unknown_elements=unknown,
            fields=fields,
        )
    resolved: list[ResolvedField] = []
    sourced: dict[str, str] = {}
    for spec in specs:
        element = found.get(spec.element_code) if spec.element_code else None
        if spec.role is not None and element is None:
            raise InvalidItem(f"Field {spec.code}: a role needs an element_code.")
        role = (spec.role or FieldRole.REFERENCE) if element is not None else None
        if role is FieldRole.SOURCE and element is not None:
            if element.id in sourced:
                raise InvalidItem(
                    f"Fields {sourced[element.id]} and {spec.code} both claim to be the source "
                    f"of {element.code}."
                )
            sourced[element.id] = spec.code
        resolved.append(
            ResolvedField(
                code=spec.code,
                name_zh=spec.name_zh,
                name_en=spec.name_en,
                element=element,
                role=role,
                required=spec.required or (element.required if element else False),
                masking=spec.masking
                or (MaskingRule(element.masking) if element else MaskingRule.NONE),
            )
        )
    return resolved


def _check_item(spec: ItemCreate, fields: Sequence[ResolvedField]) -> None:
    codes = {f.code for f in fields}
    problems: list[str] = []
    missing_key = [k for k in spec.unique_key if k not in codes]
    if missing_key:
        problems.append(f"unique_key names unknown fields: {', '.join(missing_key)}")
    if spec.timeliness_field is not None:
        found = next((f for f in fields if f.code == spec.timeliness_field), None)
        if found is None:
            problems.append(f"timeliness_field {spec.timeliness_field!r} is not a field")
        elif found.element is not None and found.element.data_type not in {
            DataType.DATE,
            DataType.DATETIME,
        }:
            problems.append(
                f"timeliness_field {spec.timeliness_field!r} must hold dates or date-times, "
                f"but its element {found.element.code} is {found.element.data_type}"
            )
    if spec.sharing is Sharing.CONDITIONAL and not spec.sharing_conditions:
        problems.append("conditional sharing (有条件共享) needs sharing_conditions")
    if spec.opening is Opening.CONDITIONAL and not spec.opening_conditions:
        problems.append("conditional opening (有条件开放) needs opening_conditions")
    if problems:
        raise InvalidItem("The item is inconsistent: " + "; ".join(problems) + ".")
    broken: list[str] = []
    if spec.grade is Grade.CORE:
        if spec.sharing is Sharing.UNCONDITIONAL:
            broken.append("core data (核心数据) cannot be shared unconditionally")
        if spec.opening is not Opening.NOT_OPEN:
            broken.append("core data (核心数据) cannot be opened")
    if spec.grade is Grade.IMPORTANT and spec.opening is Opening.UNCONDITIONAL:
        broken.append("important data (重要数据) cannot be opened unconditionally")
    if spec.personal_info and spec.opening is Opening.UNCONDITIONAL:
        broken.append("personal information (个人信息) cannot be opened unconditionally")
    if broken:
        raise ClassificationRule("Refused: " + "; ".join(broken) + ".", rules=broken)


def index_texts(
    name_zh: str, name_en: str, description: str, fields: Iterable[tuple[str, str, str]]
) -> list[str]:
    """The texts an item is searched by: names, description, field names and codes."""
    texts = [name_zh, name_en, description]
    for field_zh, field_en, code in fields:
        texts.extend((field_zh, field_en, code))
    return texts


def _index_texts(item: CatalogItem, fields: Iterable[ResolvedField | ItemField]) -> list[str]:
    return index_texts(
        item.name_zh,
        item.name_en,
        item.description,
        ((f.name_zh, f.name_en, f.code) for f in fields),
    )


def index_terms(texts: Sequence[str]) -> set[str]:
    """The search terms of an item's texts."""
    return text.index_terms(texts)


_terms = index_terms


def posting_keys(
    *,
    terms: Iterable[str],
    name_terms: set[str],
    base: int,
    department_seq: int,
) -> dict[str, int]:
    """Each term's posting key: the item's facets, its department, and the name flag."""
    return {
        t: facets.posting_key(base, department_seq=department_seq, in_name=t in name_terms)
        for t in terms
    }


def _base_key(item: CatalogItem) -> int:
    return facets.base_key(
        level=item.level,
        grade=item.grade,
        sharing=item.sharing,
        opening=item.opening,
        usage_mask=item.usage_mask,
        city_code=item.city_code,
    )


def item_document(values: dict[str, Any], fields: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The publishable content of one version (stored with the version and audited)."""
    return {
        **{key: values[key] for key in _DOCUMENT_KEYS},
        "usage_methods": [m.value for m in usage_methods(values["usage_mask"])],
        "unique_key": list(values["unique_key"]),
        "fields": list(fields),
    }


_DOCUMENT_KEYS = (
    "id",
    "code",
    "version",
    "department_id",
    "level",
    "city_code",
    "name_zh",
    "name_en",
    "description",
    "source_system",
    "update_frequency",
    "update_method",
    "grade",
    "personal_info",
    "sharing",
    "sharing_conditions",
    "opening",
    "opening_conditions",
    "completeness_min_pct",
    "timeliness_field",
)


def _values(item: CatalogItem) -> dict[str, Any]:
    return {
        **{key: getattr(item, key) for key in _DOCUMENT_KEYS},
        "usage_mask": item.usage_mask,
        "unique_key": item.unique_key,
    }


def encode_json(value: Any) -> str:
    """A value as sorted, compact UTF-8 JSON (how documents are stored and hashed)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def json_digest(value: Any) -> str:
    """SHA-256 of a value as sorted, compact UTF-8 JSON."""
    return hashlib.sha256(encode_json(value).encode()).hexdigest()


_ATTRS = (
    "name_zh",
    "name_en",
    "description",
    "source_system",
    "update_frequency",
    "update_method",
    "grade",
    "personal_info",
    "sharing",
    "sharing_conditions",
    "opening",
    "opening_conditions",
    "completeness_min_pct",
    "timeliness_field",
)


async def _refuse_second_source(
    ctx: Context,
    *,
    department_id: str,
    claimant_item_id: str | None,
    proposed_name: str,
    taken: Sequence[repository.SourceRow],
) -> None:
    """Record the refusal in its own unit of work (the request's rolls back), then raise."""
    rows = list(taken)
    actor = ctx.actor
    await ctx.session.rollback()
    conflict_ids: list[str] = []
    async with unit_of_work(ctx.runtime.sessionmaker) as session:
        own = ctx.runtime.context(session, actor)
        now = own.clock.now()
        for row in rows:
            conflict = SourceConflict(
                id=own.ids.new(),
                element_id=row.element_id,
                existing_item_id=row.item_id,
                claimant_department_id=department_id,
                claimant_participant_id=own.actor_ref,
                claimant_item_id=claimant_item_id,
                proposed_item_name=proposed_name,
                status=ConflictStatus.REFUSED,
                escalation_reason="",
                outcome=None,
                decision_note="",
                created_at=now,
                updated_at=now,
            )
            session.add(conflict)
            own.audit(
                "catalog.source_conflict_refused",
                subject_type="data_element",
                subject_id=row.element_id,
                payload={
                    "conflict_id": conflict.id,
                    "element_code": row.element_code,
                    "existing_item_id": row.item_id,
                    "claimant_department_id": department_id,
                    "claimant_item_id": claimant_item_id,
                    "proposed_item_name": proposed_name,
                },
            )
            conflict_ids.append(conflict.id)
    first = rows[0]
    names = ", ".join(r.element_code for r in rows)
    raise SecondAuthoritativeSource(
        f"Data element {names} already has an authoritative source (一数一源): item "
        f"{first.item_code} {first.item_name} ({first.item_id}) at {item_url(first.item_id)}. "
        "Map the field with role 'reference' to consume it, or escalate the recorded conflict "
        f"at /v1/catalog/conflicts/{conflict_ids[0]}/escalate.",
        existing_source=_pointer(first).model_dump(),
        conflicts=[
            {
                "conflict_id": cid,
                "element_code": r.element_code,
                "existing_item_id": r.item_id,
                "existing_item_url": item_url(r.item_id),
            }
            for cid, r in zip(conflict_ids, rows, strict=True)
        ],
    )


async def _write_item(
    ctx: Context,
    *,
    department: Department,
    item: CatalogItem | None,
    spec: ItemCreate,
    note: str,
) -> CatalogItem:
    """Publish a first version or write the next one: fields, sources, index, facets."""
    fields = await _resolve_fields(ctx, spec.fields)
    _check_item(spec, fields)
    claimed = {f.element.id for f in fields if f.role is FieldRole.SOURCE and f.element}
    # Under READ COMMITTED two publishers could both see "no source yet": the element locks
    # make the second wait and then read the first one's committed claim.
    await repository.lock_elements(ctx.session, claimed)
    existing = await repository.sources_for_elements(ctx.session, claimed)
    own_id = item.id if item is not None else None
    taken = [
        existing[e] for e in sorted(claimed) if e in existing and existing[e].item_id != own_id
    ]
    if taken:
        await _refuse_second_source(
            ctx,
            department_id=department.id,
            claimant_item_id=own_id,
            proposed_name=spec.name_zh,
            taken=taken,
        )
    now = ctx.clock.now()
    usage = usage_mask(sorted(set(spec.usage_methods), key=list(USAGE_BITS).index))
    if item is None:
        serial = await repository.next_item_serial(ctx.session, department.id)
        item = CatalogItem(
            id=ctx.ids.new(),
            code=f"{department.code}-{serial:05d}",
            department_id=department.id,
            level=department.level,
            city_code=department.city_code,
            version=1,
            published_by=ctx.actor_ref,
            created_at=now,
            updated_at=now,
            unique_key=list(spec.unique_key),
            usage_mask=usage,
            search_text="",
            **{a: getattr(spec, a) for a in _ATTRS},
        )
        ctx.session.add(item)
        await ctx.session.flush()
        old_keys: dict[str, int] = {}
        old_base = None
        old_sources: set[str] = set()
    else:
        current_fields = await repository.item_fields(ctx.session, item.id)
        old_keys = posting_keys(
            terms=_terms(_index_texts(item, current_fields)),
            name_terms=_terms([item.name_zh, item.name_en]),
            base=_base_key(item),
            department_seq=department.seq,
        )
        old_base = _base_key(item)
        old_sources = await repository.source_elements_of_item(ctx.session, item.id)
        for attr in _ATTRS:
            setattr(item, attr, getattr(spec, attr))
        item.unique_key = list(spec.unique_key)
        item.usage_mask = usage
        item.version += 1
        item.updated_at = now
    texts = _index_texts(item, fields)
    item.search_text = text.search_text(texts)
    new_keys = posting_keys(
        terms=_terms(texts),
        name_terms=_terms([item.name_zh, item.name_en]),
        base=_base_key(item),
        department_seq=department.seq,
    )
    await repository.replace_fields(
        ctx.session, item.id, [f.row(item.id, i) for i, f in enumerate(fields, start=1)]
    )
    await repository.release_sources(
        ctx.session, item_id=item.id, element_ids=old_sources - claimed
    )
    for element_id in sorted(claimed - old_sources):
        await repository.set_source(ctx.session, element_id=element_id, item_id=item.id, since=now)
    removed = set(old_keys) - set(new_keys)
    added = {t: k for t, k in new_keys.items() if t not in old_keys}
    await repository.remove_postings(ctx.session, item.seq, removed)
    await repository.add_postings(ctx.session, item.seq, added)
    await repository.adjust_document_frequency(
        ctx.session, {**dict.fromkeys(removed, -1), **dict.fromkeys(added, 1)}
    )
    term_deltas: dict[tuple[str, int], int] = {}
    for keys, step in ((old_keys, -1), (new_keys, 1)):
        for term, key in keys.items():
            at = (term, key & facets.TERM_KEY_MASK)
            term_deltas[at] = term_deltas.get(at, 0) + step
    await repository.adjust_term_facets(
        ctx.session,
        term_deltas,
        {
            **{(t, department.seq): -1 for t in removed},
            **{(t, department.seq): 1 for t in added},
        },
    )
    await repository.rekey_postings(
        ctx.session,
        item.seq,
        {t: k for t, k in new_keys.items() if t in old_keys and old_keys[t] != k},
    )
    new_base = _base_key(item)
    if old_base != new_base:
        deltas = {new_base: 1}
        if old_base is not None:
            deltas[old_base] = -1
        await repository.adjust_facets(
            ctx.session, deltas, {(department.seq, k): n for k, n in deltas.items()}
        )
    document = item_document(_values(item), [f.document() for f in fields])
    await repository.add_version(
        ctx.session,
        {
            "item_id": item.id,
            "version": item.version,
            "document": document,
            "note": note,
            "changed_by": ctx.actor_ref,
            "created_at": now,
        },
    )
    ctx.audit(
        "catalog.item_published" if item.version == 1 else "catalog.item_revised",
        subject_type="catalog_item",
        subject_id=item.id,
        payload={"version": item.version, "note": note, "document": document},
    )
    await ctx.session.flush()
    return item


async def publish_item(ctx: Context, *, body: ItemCreate) -> ItemRead:
    """Publish an item for one's own department (admins: for any department)."""
    department = await _publishing_department(ctx, body.department_id)
    item = await _write_item(ctx, department=department, item=None, spec=body, note="")
    return await item_read(ctx, item.id)


async def _current_spec(ctx: Context, item: CatalogItem) -> dict[str, Any]:
    fields = await repository.item_fields(ctx.session, item.id)
    elements = await repository.elements_by_ids(
        ctx.session, (f.element_id for f in fields if f.element_id)
    )
    return {
        **{a: getattr(item, a) for a in _ATTRS},
        "department_id": item.department_id,
        "usage_methods": usage_methods(item.usage_mask),
        "unique_key": list(item.unique_key),
        "fields": [
            {
                "code": f.code,
                "name_zh": f.name_zh,
                "name_en": f.name_en,
                "element_code": elements[f.element_id].code if f.element_id else None,
                "role": f.role,
                "required": f.required,
                "masking": f.masking,
            }
            for f in fields
        ],
    }


async def _locked_item(ctx: Context, item_id: str) -> CatalogItem:
    item = await repository.get_item(ctx.session, item_id, for_update=True)
    if item is None:
        raise ItemNotFound(f"No catalog item {item_id!r}.")
    return item


async def _revise(
    ctx: Context, item: CatalogItem, changes: dict[str, Any], note: str
) -> CatalogItem:
    merged = await _current_spec(ctx, item)
    merged.update(changes)
    try:
        spec = ItemCreate.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidItem(
            f"The revised item is invalid: {where}: {first.get('msg', '')}."
        ) from None
    department = await repository.get_department(ctx.session, item.department_id)
    assert department is not None
    return await _write_item(ctx, department=department, item=item, spec=spec, note=note)


async def revise_item(ctx: Context, *, item_id: str, body: ItemUpdate) -> ItemRead:
    """Write a new version of an item (its department or an admin); history is kept."""
    item = await _locked_item(ctx, item_id)
    await _acting_for(ctx, item.department_id)
    if body.base_version is not None and body.base_version != item.version:
        raise StaleVersion(
            f"The item is at version {item.version}, not {body.base_version}; "
            "read it again and reapply the change.",
            current_version=item.version,
        )
    changes = body.model_dump(exclude_unset=True, exclude={"base_version", "note"})
    if "fields" in changes and body.fields is not None:
        changes["fields"] = [f.model_dump() for f in body.fields]
    if changes:
        item = await _revise(ctx, item, changes, body.note)
    return await item_read(ctx, item.id)


async def _item(ctx: Context, item_id: str) -> CatalogItem:
    item = await repository.get_item(ctx.session, item_id)
    if item is None:
        raise ItemNotFound(f"No catalog item {item_id!r}.")
    return item


def _field_rules(field: ItemField, element: DataElement | None) -> list[RuleRead]:
    rules: list[RuleRead] = []
    if field.required:
        rules.append(RuleRead(rule=quality.REQUIRED))
    if element is None:
        return rules
    rules.append(RuleRead(rule=quality.TYPE, value=element.data_type))
    for name in ("min_length", "max_length", "pattern"):
        if getattr(element, name) is not None:
            rules.append(RuleRead(rule=name, value=getattr(element, name)))
    if element.enum_values is not None:
        rules.append(RuleRead(rule=quality.ENUM, value=element.enum_values))
    if element.minimum is not None:
        rules.append(RuleRead(rule=quality.MINIMUM, value=element.minimum))
    if element.maximum is not None:
        rules.append(RuleRead(rule=quality.MAXIMUM, value=element.maximum))
    return rules


def _summary(report: QualityReport) -> QualitySummary:
    return QualitySummary(
        id=report.id,
        item_version=report.item_version,
        source_format=report.source_format,
        record_count=report.record_count,
        score=report.score,
        passed=report.passed,
        created_at=report.created_at,
    )


async def item_read(ctx: Context, item_id: str) -> ItemRead:
    """An item with its fields, standard, sources and latest quality reports (3 queries)."""
    found = await repository.item_with_department(ctx.session, item_id)
    if found is None:
        raise ItemNotFound(f"No catalog item {item_id!r}.")
    item, department, has_sample = found
    mapped = await repository.fields_with_elements(ctx.session, item.id)
    fields = [f for f, _ in mapped]
    elements = {e.id: e for _, e in mapped if e is not None}
    reports = await repository.latest_quality_reports(ctx.session, item.id, limit=LATEST_REPORTS)
    max_age = quality.MAX_AGE[item.update_frequency] if item.timeliness_field else None
    return ItemRead(
        id=item.id,
        code=item.code,
        version=item.version,
        department=await _brief(ctx, department),
        level=item.level,
        level_label=LEVEL_LABELS[Level(item.level)],
        city_code=item.city_code,
        name_zh=item.name_zh,
        name_en=item.name_en,
        description=item.description,
        source_system=item.source_system,
        update_frequency=item.update_frequency,
        update_frequency_label=UPDATE_FREQUENCY_LABELS[item.update_frequency],
        update_method=item.update_method,
        usage_methods=usage_methods(item.usage_mask),
        grade=item.grade,
        grade_label=GRADE_LABELS[item.grade],
        personal_info=item.personal_info,
        sharing=item.sharing,
        sharing_label=SHARING_LABELS[item.sharing],
        sharing_conditions=item.sharing_conditions,
        opening=item.opening,
        opening_label=OPENING_LABELS[item.opening],
        opening_conditions=item.opening_conditions,
        fields=[
            FieldRead(
                position=f.position,
                code=f.code,
                name_zh=f.name_zh,
                name_en=f.name_en,
                element_code=elements[f.element_id].code if f.element_id else None,
                element_version=f.element_version,
                role=f.role,
                required=f.required,
                masking=f.masking,
            )
            for f in fields
        ],
        quality_standard=QualityStandard(
            fields=[
                FieldRules(
                    field=f.code,
                    element_code=elements[f.element_id].code if f.element_id else None,
                    rules=_field_rules(f, elements.get(f.element_id or "")),
                )
                for f in fields
            ],
            unique_key=list(item.unique_key),
            completeness_min_pct=item.completeness_min_pct,
            timeliness_field=item.timeliness_field,
            max_age_days=max_age.days if max_age is not None else None,
        ),
        authoritative_for=sorted(
            elements[f.element_id].code
            for f in fields
            if f.element_id and f.role == FieldRole.SOURCE
        ),
        quality_reports=[_summary(r) for r in reports],
        has_sample=has_sample,
        published_by=item.published_by,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


async def get_item(ctx: Context, item_id: str) -> ItemRead:
    """One item, current version."""
    return await item_read(ctx, item_id)


async def item_versions(ctx: Context, item_id: str) -> ItemVersionPage:
    """Every version of an item, oldest first."""
    item = await _item(ctx, item_id)
    rows = await repository.versions(ctx.session, item.id)
    return ItemVersionPage(
        item_id=item.id,
        current_version=item.version,
        versions=[
            ItemVersionRead(
                version=v.version,
                note=v.note,
                changed_by=v.changed_by,
                created_at=v.created_at,
                document=v.document,
            )
            for v in rows
        ],
    )


async def item_version(ctx: Context, item_id: str, version: int) -> ItemVersionRead:
    """One version of an item."""
    item = await _item(ctx, item_id)
    row = await repository.get_version(ctx.session, item.id, version)
    if row is None:
        raise VersionNotFound(f"Item {item_id} has no version {version} (current: {item.version}).")
    return ItemVersionRead(
        version=row.version,
        note=row.note,
        changed_by=row.changed_by,
        created_at=row.created_at,
        document=row.document,
    )


# --- source conflicts ------------------------------------------------------------------


async def _conflict_reads(ctx: Context, rows: Sequence[SourceConflict]) -> list[ConflictRead]:
    elements = await repository.elements_by_ids(ctx.session, (c.element_id for c in rows))
    items = await repository.items_brief(ctx.session, (c.existing_item_id for c in rows))
    return [
        ConflictRead(
            id=c.id,
            status=c.status,
            element_id=c.element_id,
            element_code=elements[c.element_id].code,
            existing_source=SourcePointer(
                element_id=c.element_id,
                element_code=elements[c.element_id].code,
                item_id=c.existing_item_id,
                item_code=items[c.existing_item_id][0],
                item_name=items[c.existing_item_id][1],
                department_id=items[c.existing_item_id][2],
                url=item_url(c.existing_item_id),
            ),
            claimant_department_id=c.claimant_department_id,
            claimant_participant_id=c.claimant_participant_id,
            claimant_item_id=c.claimant_item_id,
            proposed_item_name=c.proposed_item_name,
            escalation_reason=c.escalation_reason,
            outcome=c.outcome,
            decision_note=c.decision_note,
            decided_by=c.decided_by,
            decided_at=c.decided_at,
            created_at=c.created_at,
            updated_at=c.updated_at,
        )
        for c in rows
    ]


async def list_conflicts(
    ctx: Context, *, statuses: Sequence[ConflictStatus], limit: int, offset: int
) -> ConflictPage:
    """Refused and pending conflicts: all for regulators and admins, own for departments."""
    actor = _principal(ctx)
    claimant: str | None = None
    if actor.role is Role.DEPARTMENT:
        claimant = (await _bound_department(ctx)).id
    rows, total = await repository.list_conflicts(
        ctx.session,
        statuses=statuses,
        claimant_department_id=claimant,
        limit=limit,
        offset=offset,
    )
    return ConflictPage(items=await _conflict_reads(ctx, rows), total=total)


async def _visible_conflict(
    ctx: Context, conflict_id: str, *, for_update: bool = False
) -> SourceConflict:
    actor = _principal(ctx)
    conflict = await repository.get_conflict(ctx.session, conflict_id, for_update=for_update)
    if conflict is None:
        raise ConflictNotFound(f"No source conflict {conflict_id!r}.")
    if actor.role is Role.DEPARTMENT:
        own = await own_department(ctx)
        if own is None or own.id != conflict.claimant_department_id:
            raise ConflictNotFound(f"No source conflict {conflict_id!r}.")
    return conflict


async def get_conflict(ctx: Context, conflict_id: str) -> ConflictRead:
    """One conflict (its claimant department, regulators and admins)."""
    return (await _conflict_reads(ctx, [await _visible_conflict(ctx, conflict_id)]))[0]


async def escalate_conflict(
    ctx: Context, *, conflict_id: str, body: ConflictEscalate
) -> ConflictRead:
    """The refused department asks for a decision (申诉): refused → pending."""
    conflict = await _visible_conflict(ctx, conflict_id, for_update=True)
    await _acting_for(ctx, conflict.claimant_department_id)
    if conflict.status != ConflictStatus.REFUSED:
        raise ConflictState(
            f"Conflict {conflict.id} is {conflict.status}; only refused ones escalate."
        )
    claimant_item_id = body.claimant_item_id or conflict.claimant_item_id
    if claimant_item_id is not None:
        item = await repository.get_item(ctx.session, claimant_item_id)
        if item is None or item.department_id != conflict.claimant_department_id:
            raise ItemNotFound(f"No catalog item {claimant_item_id!r} of the claimant department.")
        fields = await repository.item_fields(ctx.session, item.id)
        if not any(f.element_id == conflict.element_id for f in fields):
            raise InvalidItem(
                f"Item {item.code} has no field mapped to the contested data element; "
                "publish it with the element as a 'reference' first."
            )
    conflict.status = ConflictStatus.PENDING
    conflict.claimant_item_id = claimant_item_id
    conflict.escalation_reason = body.reason
    conflict.updated_at = ctx.clock.now()
    ctx.audit(
        "catalog.source_conflict_escalated",
        subject_type="source_conflict",
        subject_id=conflict.id,
        payload={"reason": body.reason, "claimant_item_id": claimant_item_id},
    )
    await ctx.session.flush()
    return (await _conflict_reads(ctx, [conflict]))[0]


def _with_role(spec: dict[str, Any], element_code: str, role: FieldRole) -> dict[str, Any]:
    fields = []
    for f in spec["fields"]:
        if f["element_code"] == element_code:
            f = {**f, "role": role}
        fields.append(f)
    return {"fields": fields}


async def resolve_conflict(
    ctx: Context, *, conflict_id: str, body: ConflictResolve
) -> ConflictRead:
    """Decide an escalated conflict (admin): keep the source, or transfer it to the claimant."""
    conflict = await _visible_conflict(ctx, conflict_id, for_update=True)
    if conflict.status != ConflictStatus.PENDING:
        raise ConflictState(
            f"Conflict {conflict.id} is {conflict.status}; only pending ones are decided."
        )
    if body.outcome is ConflictOutcome.TRANSFER:
        if conflict.claimant_item_id is None:
            raise ConflictState(
                "There is no claimant item to transfer the source to; the claimant names one "
                "when escalating."
            )
        element = await repository.get_element(ctx.session, conflict.element_id)
        assert element is not None
        await repository.lock_elements(ctx.session, [element.id])
        sources = await repository.sources_for_elements(ctx.session, [element.id])
        current = sources.get(element.id)
        now = ctx.clock.now()
        await repository.set_source(
            ctx.session, element_id=element.id, item_id=conflict.claimant_item_id, since=now
        )
        note = f"数据源头裁决 conflict {conflict.id}: {body.note}"
        if current is not None and current.item_id != conflict.claimant_item_id:
            old = await _locked_item(ctx, current.item_id)
            spec = await _current_spec(ctx, old)
            await _revise(ctx, old, _with_role(spec, element.code, FieldRole.REFERENCE), note)
        new = await _locked_item(ctx, conflict.claimant_item_id)
        spec = await _current_spec(ctx, new)
        await _revise(ctx, new, _with_role(spec, element.code, FieldRole.SOURCE), note)
    conflict.status = ConflictStatus.RESOLVED
    conflict.outcome = body.outcome
    conflict.decision_note = body.note
    conflict.decided_by = ctx.actor_ref
    conflict.decided_at = ctx.clock.now()
    conflict.updated_at = conflict.decided_at
    ctx.audit(
        "catalog.source_conflict_resolved",
        subject_type="source_conflict",
        subject_id=conflict.id,
        payload={
            "outcome": body.outcome,
            "note": body.note,
            "claimant_item_id": conflict.claimant_item_id,
        },
    )
    await ctx.session.flush()
    return (await _conflict_reads(ctx, [conflict]))[0]


# --- quality and samples ---------------------------------------------------------------


async def item_standard(ctx: Context, item: CatalogItem) -> quality.ItemStandard:
    """The quality standard of an item's current version, ready for checking."""
    fields = await repository.item_fields(ctx.session, item.id)
    elements = await repository.elements_by_ids(
        ctx.session, (f.element_id for f in fields if f.element_id)
    )
    specs = []
    for f in fields:
        element = elements.get(f.element_id or "")
        constraints = None
        if element is not None:
            constraints = quality.Constraints(
                data_type=DataType(element.data_type),
                min_length=element.min_length,
                max_length=element.max_length,
                pattern=element.pattern,
                enum_values=tuple(element.enum_values) if element.enum_values is not None else None,
                minimum=Decimal(element.minimum) if element.minimum is not None else None,
                maximum=Decimal(element.maximum) if element.maximum is not None else None,
            )
        specs.append(
            quality.FieldStandard(
                code=f.code,
                name=f.name_zh,
                required=f.required,
                masking=MaskingRule(f.masking),
                constraints=constraints,
            )
        )
    return quality.ItemStandard(
        fields=tuple(specs),
        unique_key=tuple(item.unique_key),
        completeness_min_pct=item.completeness_min_pct,
        timeliness_field=item.timeliness_field,
        frequency=UpdateFrequency(item.update_frequency),
    )


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_upload(
    content_type: str | None, body: bytes, standard: quality.ItemStandard
) -> tuple[list[dict[str, Any]], str]:
    """Records from an upload (JSON or CSV, UTF-8), with the format they came in."""
    media = _media_type(content_type)
    try:
        if media in {"application/json", "text/json"}:
            return quality.parse_json(body, standard), "json"
        if media in {"text/csv", "application/csv"}:
            return quality.parse_csv(body, standard), "csv"
    except quality.SampleProblem as exc:
        error = {"encoding": SampleEncoding, "columns": SampleColumns}.get(exc.kind, BadSample)
        raise error(exc.detail, **exc.extra) from None
    raise UnsupportedSampleType(
        f"Content-Type {media or '(none)'!r} is not accepted: send application/json "
        "(an array of objects) or text/csv (UTF-8, a header row naming the fields)."
    )


def _pct(part: int, whole: int) -> float:
    return 100.0 if whole == 0 else round(part * 100 / whole, 1)


def _report_read(report: QualityReport) -> QualityReportRead:
    body = report.report
    timeliness = body["timeliness"]
    return QualityReportRead(
        id=report.id,
        item_id=report.item_id,
        item_version=report.item_version,
        source_format=report.source_format,
        record_count=report.record_count,
        score=report.score,
        passed=report.passed,
        completeness_pct=_pct(
            body["completeness"]["filled_cells"], body["completeness"]["total_cells"]
        ),
        valid_records_pct=_pct(body["validity"]["valid_records"], report.record_count),
        duplicate_records=body["duplicates"]["duplicate_records"],
        timeliness_pct=(
            _pct(timeliness["within"], report.record_count) if timeliness["assessed"] else None
        ),
        submitted_by=report.submitted_by,
        created_at=report.created_at,
        report=body,
    )


async def check_quality(
    ctx: Context, *, item_id: str, content_type: str | None, body: bytes
) -> QualityReportRead:
    """Check uploaded sample records against the item's standard and keep the report."""
    item = await _item(ctx, item_id)
    await _acting_for(ctx, item.department_id)
    standard = await item_standard(ctx, item)
    records, fmt = parse_upload(content_type, body, standard)
    result = quality.quality_report(records, standard, now=ctx.clock.now())
    report = QualityReport(
        id=ctx.ids.new(),
        item_id=item.id,
        item_version=item.version,
        source_format=fmt,
        record_count=result["record_count"],
        score=result["score"],
        passed=result["passed"],
        report=result,
        submitted_by=ctx.actor_ref,
        created_at=ctx.clock.now(),
    )
    ctx.session.add(report)
    ctx.audit(
        "catalog.quality_checked",
        subject_type="catalog_item",
        subject_id=item.id,
        payload={
            "report_id": report.id,
            "item_version": item.version,
            "source_format": fmt,
            "report": result,
        },
    )
    await ctx.session.flush()
    return _report_read(report)


async def quality_reports(
    ctx: Context, *, item_id: str, limit: int, offset: int
) -> QualityReportPage:
    """An item's quality reports, newest first."""
    item = await _item(ctx, item_id)
    rows, total = await repository.quality_reports(ctx.session, item.id, limit=limit, offset=offset)
    return QualityReportPage(items=[_report_read(r) for r in rows], total=total)


async def quality_report(ctx: Context, *, item_id: str, report_id: str) -> QualityReportRead:
    """One quality report of an item."""
    report = await repository.get_quality_report(ctx.session, report_id)
    if report is None or report.item_id != item_id:
        raise ItemNotFound(f"No quality report {report_id!r} for item {item_id!r}.")
    return _report_read(report)


async def store_sample(
    ctx: Context, *, item_id: str, content_type: str | None, body: bytes
) -> SampleRead:
    """Store sample records (样例数据); every record must meet the item's standard."""
    item = await _item(ctx, item_id)
    await _acting_for(ctx, item.department_id)
    standard = await item_standard(ctx, item)
    records, _fmt = parse_upload(content_type, body, standard)
    if not records or len(records) > MAX_SAMPLE_RECORDS:
        raise BadSample(f"A sample holds 1 to {MAX_SAMPLE_RECORDS} records, not {len(records)}.")
    violations = quality.record_violations(records, standard)
    if violations:
        first = violations[0]
        spec = standard.field(first.field)
        raise RecordBreaksRule(
            f"Record {first.record}, field {spec.code} ({spec.name}) "
            f"{quality.describe_rule(spec, first.rule)}"
            + (f"; and {len(violations) - 1} more violation(s)" if len(violations) > 1 else "")
            + ". Nothing was stored.",
            violations=[
                {
                    "record": v.record,
                    "field": v.field,
                    "rule": v.rule,
                    "message": quality.describe_rule(standard.field(v.field), v.rule),
                }
                for v in violations[:20]
            ],
        )
    clean = [{f.code: r.get(f.code) for f in standard.fields} for r in records]
    sample = await repository.get_sample(ctx.session, item.id)
    now = ctx.clock.now()
    if sample is None:
        sample = ItemSample(
            item_id=item.id,
            item_version=item.version,
            records=clean,
            stored_by=ctx.actor_ref,
            stored_at=now,
        )
        ctx.session.add(sample)
    else:
        sample.records = clean
        sample.item_version = item.version
        sample.stored_by = ctx.actor_ref
        sample.stored_at = now
    # Samples may hold personal data: the log carries their digest, not their values.
    ctx.audit(
        "catalog.sample_stored",
        subject_type="catalog_item",
        subject_id=item.id,
        payload={
            "item_version": item.version,
            "record_count": len(clean),
            "sha256": json_digest(clean),
        },
    )
    await ctx.session.flush()
    return _sample_read(item, sample, standard, masked=False)


def _sample_read(
    item: CatalogItem, sample: ItemSample, standard: quality.ItemStandard, *, masked: bool
) -> SampleRead:
    rules = {f.code: f.masking for f in standard.fields}
    records = [mask_record(r, rules) for r in sample.records] if masked else list(sample.records)
    return SampleRead(
        item_id=item.id,
        item_version=sample.item_version,
        masked=masked,
        fields=[
            SampleField(code=f.code, name_zh=f.name, masking=f.masking) for f in standard.fields
        ],
        records=records,
        stored_at=sample.stored_at,
    )


async def read_sample(ctx: Context, *, item_id: str, raw: bool) -> SampleRead:
    """The desensitized preview (脱敏预览) of an item's sample, or the raw one for its owner."""
    actor = _principal(ctx)
    item = await _item(ctx, item_id)
    own = await own_department(ctx)
    owner = actor.role is Role.ADMIN or (own is not None and own.id == item.department_id)
    if raw and not owner:
        raise SampleNotVisible("Only the item's department (or an admin) sees unmasked samples.")
    visible = (
        owner
        or actor.role is Role.REGULATOR
        or item.opening != Opening.NOT_OPEN
        or (own is not None and item.sharing != Sharing.NOT_SHARED)
    )
    if not visible:
        raise SampleNotVisible(
            "This item is neither open nor shared with this participant, so its sample "
            "(even masked) is not shown."
        )
    sample = await repository.get_sample(ctx.session, item.id)
    if sample is None:
        raise SampleNotFound(f"Item {item.code} has no stored sample records.")
    standard = await item_standard(ctx, item)
    return _sample_read(item, sample, standard, masked=not raw)


# --- sharing requests ------------------------------------------------------------------


def _overdue_cutoff(today: date) -> date:
    """The latest submission date that is overdue today (more than 3 working days old)."""
    day = today
    while working_days_between(day, today) <= SHARE_TARGET_WORKING_DAYS:
        day -= timedelta(days=1)
    return day


async def _share_reads(ctx: Context, rows: Sequence[ShareRequest]) -> list[ShareRequestRead]:
    departments = await repository.get_departments(
        ctx.session,
        [r.owner_department_id for r in rows] + [r.requester_department_id for r in rows],
    )
    items = await repository.items_brief(ctx.session, (r.item_id for r in rows))
    today = china_date(ctx.clock.now())
    out: list[ShareRequestRead] = []
    for r in rows:
        submitted_on = china_date(r.submitted_at)
        if r.response_working_days is not None:
            age = r.response_working_days
        else:
            age = working_days_between(submitted_on, today)
        code, name, _ = items[r.item_id]
        out.append(
            ShareRequestRead(
                id=r.id,
                item=ItemBrief(id=r.item_id, code=code, name_zh=name),
                item_version=r.item_version,
                requester_department=await _brief(ctx, departments[r.requester_department_id]),
                owner_department=await _brief(ctx, departments[r.owner_department_id]),
                requested_by=r.requested_by,
                purpose=r.purpose,
                fields=list(r.fields),
                status=r.status,
                reason=r.reason,
                submitted_at=r.submitted_at,
                submitted_on=submitted_on,
                due_on=add_working_days(submitted_on, SHARE_TARGET_WORKING_DAYS),
                answered_at=r.answered_at,
                answered_by=r.answered_by,
                age_working_days=age,
                overdue=r.status == ShareStatus.PENDING and age > SHARE_TARGET_WORKING_DAYS,
            )
        )
    return out


async def request_share(ctx: Context, *, body: ShareRequestCreate) -> ShareRequestRead:
    """A department asks for another department's conditionally shared item."""
    requester = await _bound_department(ctx)
    item = await _item(ctx, body.item_id)
    if item.department_id == requester.id:
        raise NotShareable("An item of one's own department needs no sharing request.")
    if item.sharing != Sharing.CONDITIONAL:
        reason = (
            "it is shared unconditionally (无条件共享): use it directly"
            if item.sharing == Sharing.UNCONDITIONAL
            else "it is not shared (不予共享)"
        )
        raise NotShareable(f"Item {item.code} takes no sharing request: {reason}.")
    if body.fields:
        known = {f.code for f in await repository.item_fields(ctx.session, item.id)}
        unknown = sorted(set(body.fields) - known)
        if unknown:
            raise InvalidItem(
                f"Item {item.code} has no field(s) {', '.join(unknown)}.", unknown_fields=unknown
            )
    now = ctx.clock.now()
    request = ShareRequest(
        id=ctx.ids.new(),
        item_id=item.id,
        item_version=item.version,
        requester_department_id=requester.id,
        owner_department_id=item.department_id,
        requested_by=ctx.actor_ref,
        purpose=body.purpose,
        fields=list(dict.fromkeys(body.fields)),
        status=ShareStatus.PENDING,
        reason="",
        submitted_at=now,
        answered_at=None,
        answered_by=None,
        response_working_days=None,
    )
    ctx.session.add(request)
    ctx.audit(
        "catalog.share_requested",
        subject_type="share_request",
        subject_id=request.id,
        payload={
            "item_id": item.id,
            "item_version": item.version,
            "requester_department_id": requester.id,
            "owner_department_id": item.department_id,
            "purpose": body.purpose,
            "fields": request.fields,
        },
    )
    await ctx.session.flush()
    return (await _share_reads(ctx, [request]))[0]


async def _visible_share(
    ctx: Context, request_id: str, *, for_update: bool = False
) -> ShareRequest:
    actor = _principal(ctx)
    request = await repository.get_share(ctx.session, request_id, for_update=for_update)
    if request is None:
        raise ShareRequestNotFound(f"No sharing request {request_id!r}.")
    if actor.role in {Role.ADMIN, Role.REGULATOR}:
        return request
    own = await own_department(ctx)
    if own is None or own.id not in {request.owner_department_id, request.requester_department_id}:
        raise ShareRequestNotFound(f"No sharing request {request_id!r}.")
    return request


async def get_share(ctx: Context, request_id: str) -> ShareRequestRead:
    """One sharing request (its two departments, admins and regulators)."""
    return (await _share_reads(ctx, [await _visible_share(ctx, request_id)]))[0]


async def decide_share(ctx: Context, *, request_id: str, body: ShareDecision) -> ShareRequestRead:
    """The owning department approves, or refuses with a reason."""
    request = await _visible_share(ctx, request_id, for_update=True)
    own = await own_department(ctx)
    if own is None or own.id != request.owner_department_id:
        raise NotYourDepartment(
            "Only the department that owns the item answers its sharing requests."
        )
    if request.status != ShareStatus.PENDING:
        raise ShareAlreadyAnswered(
            f"The request was already {request.status} on {request.answered_at}."
        )
    if body.decision == "refuse" and not body.reason:
        raise InvalidItem("A refusal needs a reason (拒绝须说明理由).")
    now = ctx.clock.now()
    request.status = ShareStatus.APPROVED if body.decision == "approve" else ShareStatus.REFUSED
    request.reason = body.reason
    request.answered_at = now
    request.answered_by = ctx.actor_ref
    request.response_working_days = working_days_between(
        china_date(request.submitted_at), china_date(now)
    )
    ctx.audit(
        "catalog.share_decided",
        subject_type="share_request",
        subject_id=request.id,
        payload={
            "decision": request.status,
            "reason": body.reason,
            "response_working_days": request.response_working_days,
        },
    )
    await ctx.session.flush()
    return (await _share_reads(ctx, [request]))[0]


async def _share_scope(ctx: Context, department_id: str | None) -> str | None:
    actor = _principal(ctx)
    if actor.role is Role.DEPARTMENT:
        own = await _bound_department(ctx)
        if department_id is not None and department_id != own.id:
            raise NotYourDepartment("A department sees its own sharing requests only.")
        return own.id
    return department_id


async def list_shares(
    ctx: Context,
    *,
    department_id: str | None,
    direction: str,
    status: ShareStatus | None,
    overdue: bool,
    limit: int,
    offset: int,
) -> ShareRequestPage:
    """Sharing requests in scope (a department: its own; others: all or one department's)."""
    scope = await _share_scope(ctx, department_id)
    before = None
    if overdue:
        status = ShareStatus.PENDING
        before = _start_of_day_after(_overdue_cutoff(china_date(ctx.clock.now())))
    rows, total = await repository.list_shares(
        ctx.session,
        department_id=scope,
        direction=direction,
        status=status,
        submitted_before=before,
        limit=limit,
        offset=offset,
    )
    return ShareRequestPage(items=await _share_reads(ctx, rows), total=total)


def _start_of_day_after(day: date) -> datetime:
    start = datetime.combine(day + timedelta(days=1), datetime.min.time(), quality.CHINA_TZ)
    return start


async def share_stats(ctx: Context, *, department_id: str | None) -> ShareStats:
    """Average answer time in working days against the 3-day target, and what is overdue."""
    scope = await _share_scope(ctx, department_id)
    answered, days, open_count = await repository.share_response_totals(
        ctx.session, department_id=scope
    )
    before = _start_of_day_after(_overdue_cutoff(china_date(ctx.clock.now())))
    rows, overdue_total = await repository.list_shares(
        ctx.session,
        department_id=scope,
        direction="incoming",
        status=ShareStatus.PENDING,
        submitted_before=before,
        limit=100,
        offset=0,
    )
    average = round(days / answered, 2) if answered else None
    return ShareStats(
        department_id=scope,
        target_working_days=SHARE_TARGET_WORKING_DAYS,
        answered=answered,
        average_response_working_days=average,
        meets_target=None if average is None else average <= SHARE_TARGET_WORKING_DAYS,
        open=open_count,
        overdue_count=overdue_total,
        overdue=await _share_reads(ctx, rows),
    )


# --- search, open list, DCAT -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchParams:
    """Raw search input: any strings, never an error."""

    q: str | None = None
    department: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    city: tuple[str, ...] = ()
    grade: tuple[str, ...] = ()
    sharing: tuple[str, ...] = ()
    opening: tuple[str, ...] = ()
    usage: tuple[str, ...] = ()


def _clean(value: str) -> str:
    return "".join(ch for ch in value if unicodedata.category(ch)[0] != "C").strip()


def parse_filters(
    params: SearchParams, divs: dict[str, DivisionInfo], notes: list[str]
) -> repository.Filters | None:
    """Turn raw filter strings into filters; None when a filter can match nothing.

    Unknown values are noted and dropped (never sent to the database); a filter that
    names only unknown values matches nothing.
    """
    impossible = False

    def known(name: str, values: Sequence[str], allowed: Iterable[str]) -> tuple[str, ...]:
        nonlocal impossible
        allowed_set = set(allowed)
        given = tuple(dict.fromkeys(c[:40] for v in values[:MAX_FILTER_VALUES] if (c := _clean(v))))
        good = tuple(v for v in given if v in allowed_set)
        unknown = [v for v in given if v not in allowed_set]
        if unknown:
            hint = ", ".join(sorted(allowed_set)) if len(allowed_set) < 30 else "see /v1/divisions"
            shown = ", ".join(repr(u) for u in unknown[:5])
            notes.append(f"unknown {name} value(s) {shown} match nothing (known: {hint})")
        if given and not good:
            impossible = True
        return good

    usage = known("usage", params.usage, [m.value for m in UsageMethod])
    mask = 0
    for value in usage:
        mask |= USAGE_BITS[UsageMethod(value)]
    filters = repository.Filters(
        department_ids=tuple(
            dict.fromkeys(c[:36] for v in params.department[:MAX_FILTER_VALUES] if (c := _clean(v)))
        ),
        levels=known("level", params.level, [lv.value for lv in Level]),
        cities=known(
            "city", params.city, [c for c, d in divs.items() if d.level is not Level.COUNTY]
        ),
        grades=known("grade", params.grade, [g.value for g in Grade]),
        sharings=known("sharing", params.sharing, [s.value for s in Sharing]),
        openings=known("opening", params.opening, [o.value for o in Opening]),
        usage_mask=mask,
    )
    return None if impossible else filters


async def _resolve_clauses(
    ctx: Context, plan: text.QueryPlan, notes: list[str]
) -> list[tuple[repository.Clause, int]] | None:
    """Each clause with its terms and document frequency; None if a clause matches nothing."""
    exact = [c.term for c in plan.clauses if c.kind is text.ClauseKind.EXACT]
    if len(plan.clauses) == 1 and exact:
        # One term: no order to choose, and an unknown term simply matches nothing.
        return [(repository.Clause((exact[0],)), 1)]
    dfs = await repository.document_frequencies(ctx.session, exact)
    resolved: list[tuple[repository.Clause, int]] = []
    for clause in plan.clauses:
        if clause.kind is text.ClauseKind.EXACT:
            terms = {clause.term: dfs[clause.term]} if dfs.get(clause.term, 0) > 0 else {}
        elif clause.kind is text.ClauseKind.HEAD:
            terms = await repository.terms_starting(ctx.session, clause.term, limit=MAX_HEAD_TERMS)
        else:
            terms = await repository.terms_with_prefix(
                ctx.session, clause.term, limit=MAX_HEAD_TERMS
            )
        if not terms:
            return None
        if len(terms) >= MAX_HEAD_TERMS:
            notes.append(
                f"{clause.term!r} begins more than {MAX_HEAD_TERMS} indexed words; "
                "the most frequent were searched"
            )
        resolved.append((repository.Clause(tuple(sorted(terms))), sum(terms.values())))
    resolved.sort(key=lambda pair: pair[1])
    return resolved


def _facets(
    dims: repository.Dimensions,
    departments: Sequence[tuple[str, str, int]],
    divs: dict[str, DivisionInfo],
) -> dict[str, list[FacetValue]]:
    def values(name: str, label: Any) -> list[FacetValue]:
        counts = dims.get(name, {})
        return [
            FacetValue(value=v, label=label(v), count=c)
            for v, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    def city_label(code: str) -> str:
        if code == PROVINCE_CODE:
            return "广东省（省直）"
        return divs[code].name if code in divs else code

    usage: dict[str, int] = {}
    for mask, n in dims.get("usage_mask", {}).items():
        for method in usage_methods(int(mask)):
            usage[method.value] = usage.get(method.value, 0) + n
    return {
        "department": [FacetValue(value=i, label=n, count=c) for i, n, c in departments],
        "level": values("level", lambda v: LEVEL_LABELS.get(Level(v), v) if v in set(Level) else v),
        "city": values("city_code", city_label),
        "grade": values("grade", lambda v: GRADE_LABELS[Grade(v)] if v in set(Grade) else v),
        "sharing": values(
            "sharing", lambda v: SHARING_LABELS[Sharing(v)] if v in set(Sharing) else v
        ),
        "opening": values(
            "opening", lambda v: OPENING_LABELS[Opening(v)] if v in set(Opening) else v
        ),
        "usage_method": [
            FacetValue(value=m, label=USAGE_LABELS[UsageMethod(m)], count=c)
            for m, c in sorted(usage.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }


def _summaries(rows: Sequence[repository.SummaryRow]) -> list[ItemSummary]:
    return [
        ItemSummary(
            id=r.item.id,
            code=r.item.code,
            name_zh=r.item.name_zh,
            name_en=r.item.name_en,
            department_id=r.item.department_id,
            department_name=r.department_name,
            level=r.item.level,
            city_code=r.item.city_code,
            grade=r.item.grade,
            personal_info=r.item.personal_info,
            sharing=r.item.sharing,
            opening=r.item.opening,
            usage_methods=usage_methods(r.item.usage_mask),
            update_frequency=r.item.update_frequency,
            version=r.item.version,
            updated_at=r.item.updated_at,
        )
        for r in rows
    ]


async def search(ctx: Context, *, params: SearchParams, page: int, page_size: int) -> SearchResult:
    """Search names, descriptions and field names, with facets; any input is answered."""
    notes: list[str] = []
    plan = text.plan_query(params.q)
    divs = await divisions(ctx)
    filters = parse_filters(params, divs, notes)
    offset = (page - 1) * page_size
    result = SearchResult(
        query=" ".join(plan.phrases),
        total=0,
        page=page,
        page_size=page_size,
        items=[],
        facets=_facets({}, [], divs),
        notes=notes,
    )
    if filters is None:
        return result
    if plan.empty and params.q and params.q.strip():
        # Only punctuation, symbols or control characters: nothing to match, not everything.
        notes.append("the query has no searchable words or characters")
        return result
    await repository.prefer_serial_plans(ctx.session)
    clauses: list[repository.Clause] = []
    if not plan.empty:
        resolved = await _resolve_clauses(ctx, plan, notes)
        if resolved is None:
            return result
        clauses = [c for c, _ in resolved[:MAX_SQL_CLAUSES]]
    # Clauses beyond the rarest few are left to the phrase checks, which then cover all.
    checks = list(plan.phrases if len(plan.clauses) > MAX_SQL_CLAUSES else plan.checks)
    window = offset < MAX_RESULT_WINDOW
    if not window:
        notes.append(f"results are paged up to {MAX_RESULT_WINDOW}; narrow the query")
    limit = min(page_size, MAX_RESULT_WINDOW - offset) if window else 0
    if filters.department_ids:
        seqs = await repository.department_seqs(ctx.session, filters.department_ids)
        filters = dataclasses.replace(filters, department_seqs=tuple(seqs.values()))
    if not clauses:
        dims, counted = await repository.cube_facets(
            ctx.session, filters, departments=FACET_DEPARTMENTS
        )
        total = sum(dims["level"].values())
        rows = (
            await repository.search_page(ctx.session, filters, limit=limit, offset=offset)
            if limit and offset < total
            else []
        )
    elif (
        len(clauses) == 1
        and len(clauses[0].terms) == 1
        and not checks
        and not filters.department_ids
    ):
        # One term: its facet counts are kept per term; only departments and the page
        # are read from its postings.
        live = await repository.term_facets(
            ctx.session,
            clauses[0].terms[0],
            filters,
            departments=FACET_DEPARTMENTS,
            limit=max(limit, 1),
            offset=offset,
        )
        dims = repository.dimensions(live.attributes, live.places)
        counted = live.departments
        total = sum(dims["level"].values())
        rows = await repository.items_by_seqs(ctx.session, live.page if limit else [])
    else:
        live = await repository.live_facets(
            ctx.session,
            clauses,
            checks,
            filters,
            departments=FACET_DEPARTMENTS,
            limit=max(limit, 1),
            offset=offset,
        )
        dims = repository.dimensions(live.attributes, live.places)
        counted = live.departments
        total = sum(dims["level"].values())
        rows = await repository.items_by_seqs(ctx.session, live.page if limit else [])
    result.total = total
    result.items = _summaries(rows)
    result.facets = _facets(dims, counted, divs)
    return result


async def open_list(
    ctx: Context,
    *,
    city: str | None,
    department_id: str | None,
    opening: Opening | None,
    page: int,
    page_size: int,
) -> OpenListPage:
    """The public-data open list (开放清单): every item that is open, conditionally or not."""
    filters = repository.Filters(
        department_ids=(department_id,) if department_id else (),
        cities=(city,) if city else (),
        openings=(opening.value,) if opening else (),
        open_only=True,
    )
    if department_id:
        seqs = await repository.department_seqs(ctx.session, [department_id])
        filters = dataclasses.replace(filters, department_seqs=tuple(seqs.values()))
    total = await repository.cube_total(ctx.session, filters)
    offset = (page - 1) * page_size
    rows = (
        await repository.search_page(ctx.session, filters, limit=page_size, offset=offset)
        if offset < total
        else []
    )
    return OpenListPage(
        total=total,
        page=page,
        page_size=page_size,
        items=[
            OpenListEntry(
                id=r.item.id,
                code=r.item.code,
                name_zh=r.item.name_zh,
                name_en=r.item.name_en,
                department_id=r.item.department_id,
                department_name=r.department_name,
                city_code=r.item.city_code,
                level=r.item.level,
                opening=r.item.opening,
                opening_label=OPENING_LABELS[r.item.opening],
                opening_conditions=r.item.opening_conditions,
                usage_methods=usage_methods(r.item.usage_mask),
                update_frequency=r.item.update_frequency,
                version=r.item.version,
                updated_at=r.item.updated_at,
            )
            for r in rows
        ],
    )


OPEN_LIST_COLUMNS = (
    ("code", "目录编码"),
    ("name_zh", "数据名称"),
    ("name_en", "English name"),
    ("department_name", "数据责任部门"),
    ("city_code", "地市代码"),
    ("opening_label", "开放属性"),
    ("opening_conditions", "开放条件"),
    ("usage_methods", "使用方法"),
    ("update_frequency", "更新频率"),
    ("updated_at", "更新时间"),
)


def open_list_csv(page: OpenListPage) -> str:
    """The open list as CSV with a UTF-8 BOM (opens correctly in Chinese Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([zh for _, zh in OPEN_LIST_COLUMNS])
    for entry in page.items:
        row = entry.model_dump()
        row["usage_methods"] = "、".join(USAGE_LABELS[m] for m in entry.usage_methods)
        row["update_frequency"] = UPDATE_FREQUENCY_LABELS[entry.update_frequency]
        row["updated_at"] = entry.updated_at.isoformat()
        writer.writerow([_csv_safe(str(row[key])) for key, _ in OPEN_LIST_COLUMNS])
    return "\ufeff" + buffer.getvalue()


def _csv_safe(value: str) -> str:
    # Spreadsheets execute cells starting with these; the open list is for the public.
    return "'" + value if value[:1] in {"=", "+", "-", "@"} else value


async def dcat_catalog(ctx: Context, *, base_url: str, page: int, page_size: int) -> dict[str, Any]:
    """A page of the open items as DCAT-AP 3 JSON-LD."""
    filters = repository.Filters(open_only=True)
    total = await repository.cube_total(ctx.session, filters)
    offset = (page - 1) * page_size
    rows = (
        await repository.search_page(ctx.session, filters, limit=page_size, offset=offset)
        if offset < total
        else []
    )
    departments = await repository.get_departments(
        ctx.session, (r.item.department_id for r in rows)
    )
    divs = await divisions(ctx)
    keywords = await repository.first_field_names(ctx.session, [r.item.id for r in rows])
    entries = [
        dcat.DatasetEntry(
            id=r.item.id,
            code=r.item.code,
            name_zh=r.item.name_zh,
            name_en=r.item.name_en,
            description=r.item.description,
            department_id=r.item.department_id,
            department_name=r.department_name,
            division_name=divs[departments[r.item.department_id].division_code].name,
            frequency=r.item.update_frequency,
            opening=r.item.opening,
            usage=tuple(usage_methods(r.item.usage_mask)),
            keywords=tuple(keywords.get(r.item.id, [])[:8]),
            version=r.item.version,
            issued=r.item.created_at,
            modified=r.item.updated_at,
        )
        for r in rows
    ]
    modified = await repository.latest_modification(ctx.session, filters)
    return dcat.catalog_document(
        base_url=base_url,
        entries=entries,
        page=page,
        page_size=page_size,
        total=total,
        modified=modified,
    )
