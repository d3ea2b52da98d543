"""Rules of catalog items: publish and revise (one source per datum), and read them.
Services flush, never commit; a refused second source records itself (see
`conflicts.service.refuse_second_source`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from exchange.catalog.access import acting_for, publishing_department

# Publishing records refused second sources; resolving a conflict revises items: the two
# services import each other as modules.
from exchange.catalog.conflicts import service as conflicts_service
from exchange.catalog.departments import repository as departments_repository
from exchange.catalog.departments.models import Department
from exchange.catalog.departments.service import brief
from exchange.catalog.elements import repository as elements_repository
from exchange.catalog.elements.models import DataElement
from exchange.catalog.errors import (
    InvalidItem,
    ItemNotFound,
    StaleVersion,
    UnknownDataElement,
    VersionNotFound,
)
from exchange.catalog.items import repository
from exchange.catalog.items.models import CatalogItem, ItemField
from exchange.catalog.items.rules import (
    ATTRS,
    ResolvedField,
    check_item,
    document_values,
    item_document,
)
from exchange.catalog.items.schemas import (
    FieldRead,
    FieldRules,
    FieldSpec,
    ItemCreate,
    ItemRead,
    ItemUpdate,
    ItemVersionPage,
    ItemVersionRead,
    QualityStandard,
    QualitySummary,
    RuleRead,
)
from exchange.catalog.quality import checks
from exchange.catalog.quality import repository as quality_repository
from exchange.catalog.quality.models import QualityReport
from exchange.catalog.search import service as search_service
from exchange.catalog.search import text
from exchange.catalog.search.indexing import NOT_INDEXED, index_entry, item_texts
from exchange.catalog.vocabulary import (
    LEVEL_LABELS,
    UPDATE_FREQUENCY_LABELS,
    USAGE_BITS,
    FieldRole,
    Level,
    MaskingRule,
    usage_mask,
    usage_methods,
)
from exchange.context import Context
from exchange.vocabulary import (
    GRADE_LABELS,
    OPENING_LABELS,
    SHARING_LABELS,
)

LATEST_REPORTS = 5


async def _resolve_fields(ctx: Context, specs: Sequence[FieldSpec]) -> list[ResolvedField]:
    codes = [s.code for s in specs]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise InvalidItem(f"Field codes must be unique; repeated: {', '.join(repeated)}.")
    wanted = {s.element_code for s in specs if s.element_code}
    found = await elements_repository.elements_by_codes(ctx.session, wanted)
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
    check_item(spec, fields)
    claimed = {f.element.id for f in fields if f.role is FieldRole.SOURCE and f.element}
    # Under READ COMMITTED two publishers could both see "no source yet": the element locks
    # make the second wait and then read the first one's committed claim.
    await elements_repository.lock_elements(ctx.session, claimed)
    existing = await elements_repository.sources_for_elements(ctx.session, claimed)
    own_id = item.id if item is not None else None
    taken = [
        existing[e] for e in sorted(claimed) if e in existing and existing[e].item_id != own_id
    ]
    if taken:
        await conflicts_service.refuse_second_source(
            ctx,
            department_id=department.id,
            claimant_item_id=own_id,
            proposed_name=spec.name_zh,
            taken=taken,
        )
    now = ctx.clock.now()
    usage = usage_mask(sorted(set(spec.usage_methods), key=list(USAGE_BITS).index))
    if item is None:
        serial = await departments_repository.next_item_serial(ctx.session, department.id)
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
            **{a: getattr(spec, a) for a in ATTRS},
        )
        ctx.session.add(item)
        await ctx.session.flush()
        old_entry = NOT_INDEXED
        old_sources: set[str] = set()
    else:
        current_fields = await repository.item_fields(ctx.session, item.id)
        old_entry = index_entry(item, current_fields, department_seq=department.seq)
        old_sources = await elements_repository.source_elements_of_item(ctx.session, item.id)
        for attr in ATTRS:
            setattr(item, attr, getattr(spec, attr))
        item.unique_key = list(spec.unique_key)
        item.usage_mask = usage
        item.version += 1
        item.updated_at = now
    item.search_text = text.search_text(item_texts(item, fields))
    new_entry = index_entry(item, fields, department_seq=department.seq)
    await repository.replace_fields(
        ctx.session, item.id, [f.row(item.id, i) for i, f in enumerate(fields, start=1)]
    )
    await elements_repository.release_sources(
        ctx.session, item_id=item.id, element_ids=old_sources - claimed
    )
    for element_id in sorted(claimed - old_sources):
        await elements_repository.set_source(
            ctx.session, element_id=element_id, item_id=item.id, since=now
        )
    await search_service.reindex_item(
        ctx,
        item_seq=item.seq,
        department_seq=department.seq,
        old=old_entry,
        new=new_entry,
    )
    document = item_document(document_values(item), [f.document() for f in fields])
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
    department = await publishing_department(ctx, body.department_id)
    item = await _write_item(ctx, department=department, item=None, spec=body, note="")
    return await item_read(ctx, item.id)


async def current_spec(ctx: Context, item: CatalogItem) -> dict[str, Any]:
    fields = await repository.item_fields(ctx.session, item.id)
    elements = await elements_repository.elements_by_ids(
        ctx.session, (f.element_id for f in fields if f.element_id)
    )
    return {
        **{a: getattr(item, a) for a in ATTRS},
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


async def locked_item(ctx: Context, item_id: str) -> CatalogItem:
    item = await repository.get_item(ctx.session, item_id, for_update=True)
    if item is None:
        raise ItemNotFound(f"No catalog item {item_id!r}.")
    return item


async def revise(
    ctx: Context, item: CatalogItem, changes: dict[str, Any], note: str
) -> CatalogItem:
    merged = await current_spec(ctx, item)
    merged.update(changes)
    try:
        spec = ItemCreate.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidItem(
            f"The revised item is invalid: {where}: {first.get('msg', '')}."
        ) from None
    department = await departments_repository.get_department(ctx.session, item.department_id)
    assert department is not None
    return await _write_item(ctx, department=department, item=item, spec=spec, note=note)


async def revise_item(ctx: Context, *, item_id: str, body: ItemUpdate) -> ItemRead:
    """Write a new version of an item (its department or an admin); history is kept."""
    item = await locked_item(ctx, item_id)
    await acting_for(ctx, item.department_id)
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
        item = await revise(ctx, item, changes, body.note)
    return await item_read(ctx, item.id)


async def find_item(ctx: Context, item_id: str) -> CatalogItem:
    item = await repository.get_item(ctx.session, item_id)
    if item is None:
        raise ItemNotFound(f"No catalog item {item_id!r}.")
    return item


def _field_rules(field: ItemField, element: DataElement | None) -> list[RuleRead]:
    rules: list[RuleRead] = []
    if field.required:
        rules.append(RuleRead(rule=checks.REQUIRED))
    if element is None:
        return rules
    rules.append(RuleRead(rule=checks.TYPE, value=element.data_type))
    for name in ("min_length", "max_length", "pattern"):
        if getattr(element, name) is not None:
            rules.append(RuleRead(rule=name, value=getattr(element, name)))
    if element.enum_values is not None:
        rules.append(RuleRead(rule=checks.ENUM, value=element.enum_values))
    if element.minimum is not None:
        rules.append(RuleRead(rule=checks.MINIMUM, value=element.minimum))
    if element.maximum is not None:
        rules.append(RuleRead(rule=checks.MAXIMUM, value=element.maximum))
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
    reports = await quality_repository.latest_quality_reports(
        ctx.session, item.id, limit=LATEST_REPORTS
    )
    max_age = checks.MAX_AGE[item.update_frequency] if item.timeliness_field else None
    return ItemRead(
        id=item.id,
        code=item.code,
        version=item.version,
        department=await brief(ctx, department),
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
        personal_information=item.personal_information,
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
    item = await find_item(ctx, item_id)
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
    item = await find_item(ctx, item_id)
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


async def field_codes(ctx: Context, item_id: str) -> list[str]:
    """The codes of an item's fields (current version), in order."""
    return [f.code for f in await repository.item_fields(ctx.session, item_id)]


async def item_id_named(ctx: Context, department_id: str, name_zh: str) -> str | None:
    """The id of a department's item with this Chinese name, if any (seeds find theirs)."""
    return await repository.item_id_named(ctx.session, department_id, name_zh)
