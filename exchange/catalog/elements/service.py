"""Rules of data elements (数据元): constraints, revisions, and who consumes them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from exchange.catalog.access import principal
from exchange.catalog.elements import repository

# Re-exported: callers of this service handle the elements it returns.
from exchange.catalog.elements.models import DataElement as DataElement
from exchange.catalog.elements.schemas import (
    ConsumerPage,
    ConsumerRead,
    DataElementCreate,
    DataElementPage,
    DataElementRead,
    DataElementUpdate,
    SourcePointer,
)
from exchange.catalog.errors import (
    DataElementNotFound,
    DuplicateCode,
    InvalidConstraints,
    InvalidPattern,
)
from exchange.catalog.quality import checks
from exchange.catalog.urls import item_url
from exchange.catalog.vocabulary import DataType, FieldRole
from exchange.context import Context
from exchange.errors import Forbidden
from exchange.vocabulary import Role


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
            checks.check_pattern(pattern)
        except checks.PatternRefused as exc:
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
            source=pointer(sources[e.id]) if e.id in sources else None,
        )
        for e in rows
    ]


def pointer(row: repository.SourceRow) -> SourcePointer:
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
    actor = principal(ctx)
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


async def elements_by_codes(ctx: Context, codes: Iterable[str]) -> dict[str, DataElement]:
    """The data elements with these codes, by code (unknown codes are left out)."""
    return await repository.elements_by_codes(ctx.session, codes)


async def sources_of(ctx: Context, element_ids: Iterable[str]) -> dict[str, repository.SourceRow]:
    """The authoritative source of each of these data elements that has one."""
    return await repository.sources_for_elements(ctx.session, element_ids)
