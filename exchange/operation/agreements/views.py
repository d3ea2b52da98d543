"""Response models of operating agreements, built from their rows and the catalog."""

from __future__ import annotations

from collections.abc import Sequence

from exchange.catalog.departments import service as departments_service
from exchange.catalog.items import service as items_service
from exchange.context import Context
from exchange.operation.agreements import repository
from exchange.operation.agreements.models import Agreement
from exchange.operation.agreements.schemas import (
    AgreementItemRead,
    AgreementRead,
    DepartmentRef,
    PurposeRead,
)
from exchange.operation.grants import repository as grants_repository
from exchange.operation.revenue import repository as revenue_repository
from exchange.operation.vocabulary import (
    AGREEMENT_STATUS_LABELS,
    PURPOSE_LABELS,
    AgreementStatus,
    Purpose,
)
from exchange.participants import service as participants_service
from exchange.vocabulary import ProductForm


def purpose_read(code: str) -> PurposeRead:
    """A purpose with its Chinese label."""
    purpose = Purpose(code)
    return PurposeRead(code=purpose, label=PURPOSE_LABELS[purpose])


async def agreement_reads(ctx: Context, agreements: Sequence[Agreement]) -> list[AgreementRead]:
    """Agreements as the API shows them: items with their departments, the operator's name,
    how many assets were derived under each and the revenue paid."""
    ids = [a.id for a in agreements]
    items = await repository.items_of(ctx.session, ids)
    departments = await departments_service.departments_by_id(
        ctx, sorted({i.department_id for rows in items.values() for i in rows})
    )
    catalog: dict[str, tuple[str, str]] = {}
    for rows in items.values():
        for row in rows:
            if row.item_id not in catalog:
                found = await items_service.find_item(ctx, row.item_id)
                catalog[row.item_id] = (found.code, found.name_zh)
    operators: dict[str, str] = {}
    for agreement in agreements:
        if agreement.operator_id not in operators:
            participant = await participants_service.get(ctx, agreement.operator_id)
            operators[agreement.operator_id] = participant.name
    derived = await grants_repository.counts(ctx.session, ids)
    paid = await revenue_repository.totals(ctx.session, ids)
    out = []
    for agreement in agreements:
        status = AgreementStatus(agreement.status)
        out.append(
            AgreementRead(
                id=agreement.id,
                title=agreement.title,
                operator_id=agreement.operator_id,
                operator_name=operators[agreement.operator_id],
                status=status,
                status_label=AGREEMENT_STATUS_LABELS[status],
                items=[
                    AgreementItemRead(
                        item_id=row.item_id,
                        item_code=catalog[row.item_id][0],
                        item_name=catalog[row.item_id][1],
                        opening=row.opening,
                        fields=list(row.fields),
                        department=DepartmentRef(
                            id=row.department_id,
                            name=departments[row.department_id].name,
                            division_code=row.division_code,
                            participant_id=departments[row.department_id].participant_id,
                        ),
                    )
                    for row in items[agreement.id]
                ],
                purposes=[purpose_read(p) for p in agreement.purposes],
                forms=[ProductForm(f) for f in agreement.forms],
                starts_at=agreement.starts_at,
                ends_at=agreement.ends_at,
                revenue_share_bp=agreement.revenue_share_bp,
                security_duties=agreement.security_duties,
                exclusive=agreement.exclusive,
                proposed_by=agreement.proposed_by,
                proposed_at=agreement.proposed_at,
                authority_department_id=agreement.authority_department_id,
                decided_by=agreement.decided_by,
                decided_at=agreement.decided_at,
                reason=agreement.reason,
                updated_at=agreement.updated_at,
                derived_assets=derived.get(agreement.id, 0),
                revenue_paid_fen=paid.get(agreement.id, 0),
            )
        )
    return out
