"""Quality checks and samples of an item: the standard, the reports, the masked preview."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchange.catalog.access import acting_for, own_department, principal
from exchange.catalog.elements import repository as elements_repository
from exchange.catalog.errors import (
    BadSample,
    ItemNotFound,
    RecordBreaksRule,
    SampleColumns,
    SampleEncoding,
    SampleNotFound,
    SampleNotVisible,
    UnsupportedSampleType,
)
from exchange.catalog.items import repository as items_repository
from exchange.catalog.items.models import CatalogItem
from exchange.catalog.items.rules import json_digest
from exchange.catalog.items.service import find_item
from exchange.catalog.quality import checks, repository, uploads
from exchange.catalog.quality.masking import mask_record
from exchange.catalog.quality.models import ItemSample, QualityReport
from exchange.catalog.quality.schemas import (
    QualityReportPage,
    QualityReportRead,
    SampleField,
    SampleRead,
)
from exchange.catalog.vocabulary import DataType, MaskingRule, UpdateFrequency
from exchange.context import Context
from exchange.vocabulary import (
    Opening,
    Role,
    Sharing,
)

MAX_SAMPLE_RECORDS = 50


async def item_standard(ctx: Context, item: CatalogItem) -> checks.ItemStandard:
    """The quality standard of an item's current version, ready for checking."""
    fields = await items_repository.item_fields(ctx.session, item.id)
    elements = await elements_repository.elements_by_ids(
        ctx.session, (f.element_id for f in fields if f.element_id)
    )
    specs = []
    for f in fields:
        element = elements.get(f.element_id or "")
        constraints = None
        if element is not None:
            constraints = checks.Constraints(
                data_type=DataType(element.data_type),
                min_length=element.min_length,
                max_length=element.max_length,
                pattern=element.pattern,
                enum_values=tuple(element.enum_values) if element.enum_values is not None else None,
                minimum=Decimal(element.minimum) if element.minimum is not None else None,
                maximum=Decimal(element.maximum) if element.maximum is not None else None,
            )
        specs.append(
            checks.FieldStandard(
                code=f.code,
                name=f.name_zh,
                required=f.required,
                masking=MaskingRule(f.masking),
                constraints=constraints,
            )
        )
    return checks.ItemStandard(
        fields=tuple(specs),
        unique_key=tuple(item.unique_key),
        completeness_min_pct=item.completeness_min_pct,
        timeliness_field=item.timeliness_field,
        frequency=UpdateFrequency(item.update_frequency),
    )


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_upload(
    content_type: str | None, body: bytes, standard: checks.ItemStandard
) -> tuple[list[dict[str, Any]], str]:
    """Records from an upload (JSON or CSV, UTF-8), with the format they came in."""
    media = _media_type(content_type)
    try:
        if media in {"application/json", "text/json"}:
            return uploads.parse_json(body, standard), "json"
        if media in {"text/csv", "application/csv"}:
            return uploads.parse_csv(body, standard), "csv"
    except uploads.SampleProblem as exc:
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
    item = await find_item(ctx, item_id)
    await acting_for(ctx, item.department_id)
    standard = await item_standard(ctx, item)
    records, fmt = parse_upload(content_type, body, standard)
    result = checks.quality_report(records, standard, now=ctx.clock.now())
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
    item = await find_item(ctx, item_id)
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
    item = await find_item(ctx, item_id)
    await acting_for(ctx, item.department_id)
    standard = await item_standard(ctx, item)
    records, _fmt = parse_upload(content_type, body, standard)
    if not records or len(records) > MAX_SAMPLE_RECORDS:
        raise BadSample(f"A sample holds 1 to {MAX_SAMPLE_RECORDS} records, not {len(records)}.")
    violations = checks.record_violations(records, standard)
    if violations:
        first = violations[0]
        spec = standard.field(first.field)
        raise RecordBreaksRule(
            f"Record {first.record}, field {spec.code} ({spec.name}) "
            f"{checks.describe_rule(spec, first.rule)}"
            + (f"; and {len(violations) - 1} more violation(s)" if len(violations) > 1 else "")
            + ". Nothing was stored.",
            violations=[
                {
                    "record": v.record,
                    "field": v.field,
                    "rule": v.rule,
                    "message": checks.describe_rule(standard.field(v.field), v.rule),
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
    item: CatalogItem, sample: ItemSample, standard: checks.ItemStandard, *, masked: bool
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
    actor = principal(ctx)
    item = await find_item(ctx, item_id)
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
