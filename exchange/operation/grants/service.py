"""Grants to derive from public data (授权用数), asked by the asset registry and by trading.

A product derived from a catalog item that is not unconditionally open (无条件开放) needs a
grant for that item: a live operating agreement of the applicant covering the item, the
product's purpose and its form — or, for a department, an approved sharing request (its own
use); a department needs none for its own items. The registry asks `check_grants` before it
accepts an application and `record_derivations` after; trading asks `check_live` before a
listing or a sale, and settlement asks the revenue service for the departments' shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from exchange.catalog.departments import service as departments_service
from exchange.catalog.errors import ItemNotFound
from exchange.catalog.items import service as items_service
from exchange.catalog.sharing import service as sharing_service
from exchange.clock import rfc3339
from exchange.context import Context, Principal
from exchange.operation.agreements import repository as agreements_repository
from exchange.operation.agreements import service as agreements_service
from exchange.operation.agreements.models import Agreement
from exchange.operation.errors import (
    OPERATION_RULE,
    RAW_RECORDS_RULE,
    AgreementNotLive,
    FormNotGranted,
    GrantRequired,
    PurposeNotGranted,
    PurposeRequired,
    RawRecordsRefused,
)
from exchange.operation.grants import repository
from exchange.operation.grants.models import Derivation
from exchange.operation.grants.schemas import DerivationPage, DerivationRead
from exchange.operation.vocabulary import (
    PURPOSE_LABELS,
    RAW_RECORDS,
    AgreementStatus,
    GrantKind,
    Purpose,
)
from exchange.vocabulary import Opening, ProductForm, Role


@dataclass(frozen=True, slots=True)
class Derived:
    """What an application says about a product: its source items, purpose and form."""

    item_ids: tuple[str, ...]
    purpose: Purpose | None
    product_form: ProductForm


@dataclass(frozen=True, slots=True)
class Binding:
    """The grant under which a product draws on one catalog item."""

    item_id: str
    kind: GrantKind
    agreement_id: str | None = None
    share_request_id: str | None = None


def _live(agreement: Agreement, ctx: Context) -> bool:
    now = ctx.clock.now()
    return (
        agreement.status == AgreementStatus.ACTIVE
        and agreement.starts_at <= now < agreement.ends_at
    )


def _standing(agreement: Agreement, ctx: Context) -> str:
    """Where an agreement that is not live stands, in words."""
    if agreement.status == AgreementStatus.ACTIVE:
        return f"past its term (ended {rfc3339(agreement.ends_at)})"
    if agreement.status == AgreementStatus.APPROVED:
        return f"approved, starting {rfc3339(agreement.starts_at)}"
    return str(agreement.status)


def _missing(holder: Principal, item_id: str, product: Derived) -> dict[str, object]:
    return {
        "holder_id": holder.id,
        "catalog_item_id": item_id,
        "purpose": product.purpose.value if product.purpose else None,
        "product_form": product.product_form.value,
    }


async def _agreement_binding(
    ctx: Context, holder: Principal, item_id: str, item_label: str, product: Derived
) -> Binding:
    held = [
        a
        for a in await agreements_repository.covering(
            ctx.session, operator_id=holder.id, item_id=item_id
        )
        if a.status not in (AgreementStatus.PROPOSED, AgreementStatus.REFUSED)
    ]
    facts = {"rule": OPERATION_RULE, "missing_grant": _missing(holder, item_id, product)}
    live = [a for a in held if _live(a, ctx)]
    if not live:
        if held:
            latest = held[-1]
            raise AgreementNotLive(
                f"{item_label} is not unconditionally open; the applicant's operating "
                f"agreement {latest.id} over it is {_standing(latest, ctx)}, not in force "
                f"({OPERATION_RULE}).",
                agreement_id=latest.id,
                agreement_status=latest.status,
                **facts,
            )
        raise GrantRequired(
            f"{item_label} is not unconditionally open: deriving a product from it needs a "
            f"live operating agreement covering it, and the applicant holds none "
            f"({OPERATION_RULE}).",
            **facts,
        )
    if product.purpose is None:
        raise PurposeRequired(
            f"{item_label} is operated under agreement {live[0].id}: name the product's purpose "
            f"(one of {', '.join(live[0].purposes)}).",
            agreement_id=live[0].id,
            permitted_purposes=list(live[0].purposes),
        )
    with_purpose = [a for a in live if product.purpose.value in a.purposes]
    if not with_purpose:
        permitted = sorted({p for a in live for p in a.purposes})
        raise PurposeNotGranted(
            f"The purpose {product.purpose.value} ({PURPOSE_LABELS[product.purpose]}) is not "
            f"permitted by the operating agreement(s) over {item_label} "
            f"({', '.join(a.id for a in live)}); they permit {', '.join(permitted)}.",
            agreement_ids=[a.id for a in live],
            permitted_purposes=permitted,
            **facts,
        )
    with_form = [a for a in with_purpose if product.product_form.value in a.forms]
    if not with_form:
        permitted = sorted({f for a in with_purpose for f in a.forms})
        raise FormNotGranted(
            f"The form {product.product_form.value} is not permitted by the operating "
            f"agreement(s) over {item_label} ({', '.join(a.id for a in with_purpose)}); they "
            f"permit {', '.join(permitted)}.",
            agreement_ids=[a.id for a in with_purpose],
            permitted_forms=permitted,
            **facts,
        )
    return Binding(item_id, GrantKind.AGREEMENT, agreement_id=with_form[0].id)


async def check_grants(ctx: Context, *, holder: Principal, product: Derived) -> list[Binding]:
    """The grants under which `holder` may derive `product` from its source items (one per
    item that needs one), or the refusal naming the rule and the missing grant. Unknown items
    are left to the registry's own check."""
    bindings: list[Binding] = []
    own = (
        await departments_service.department_of_participant(ctx, holder.id)
        if holder.role is Role.DEPARTMENT
        else None
    )
    for item_id in dict.fromkeys(product.item_ids):
        try:
            item = await items_service.find_item(ctx, item_id)
        except ItemNotFound:
            continue
        if item.opening == Opening.UNCONDITIONAL:
            continue
        if own is not None and item.department_id == own.id:
            continue  # a department holds its own items (数据资源持有权)
        label = f"Catalog item {item.code} ({item.name_zh}, {item.opening})"
        if own is not None:
            share_id = await sharing_service.approved_share_id(
                ctx, department_id=own.id, item_id=item.id
            )
            if share_id is not None:
                if item.opening == Opening.NOT_OPEN and product.product_form is RAW_RECORDS:
                    raise RawRecordsRefused(
                        f"{label} is shared with {own.name} for its own use; it never leaves as "
                        f"raw records ({RAW_RECORDS_RULE}).",
                        rule=RAW_RECORDS_RULE,
                        catalog_item_ids=[item.id],
                    )
                bindings.append(Binding(item.id, GrantKind.SHARING, share_request_id=share_id))
                continue
        bindings.append(await _agreement_binding(ctx, holder, item.id, label, product))
    return bindings


async def record_derivations(
    ctx: Context,
    *,
    asset_id: str,
    holder_id: str,
    asset_name: str,
    product: Derived,
    bindings: Sequence[Binding],
) -> None:
    """Record what an application drew on under which grant (items it recorded already are
    kept), with its audit entry."""
    if not bindings:
        return
    known = await repository.derived_items(ctx.session, asset_id)
    fresh = [b for b in bindings if b.item_id not in known]
    if not fresh:
        return
    now = ctx.clock.now()
    ctx.session.add_all(
        [
            Derivation(
                id=ctx.ids.new(),
                asset_id=asset_id,
                item_id=b.item_id,
                holder_id=holder_id,
                asset_name=asset_name,
                product_form=product.product_form.value,
                purpose=product.purpose.value if product.purpose else None,
                grant_kind=b.kind,
                agreement_id=b.agreement_id,
                share_request_id=b.share_request_id,
                derived_at=now,
            )
            for b in fresh
        ]
    )
    ctx.audit(
        "operation.asset_derived",
        subject_type="asset",
        subject_id=asset_id,
        payload={
            "holder_id": holder_id,
            "asset_name": asset_name,
            "product_form": product.product_form,
            "purpose": product.purpose,
            "grants": [
                {
                    "catalog_item_id": b.item_id,
                    "grant_kind": b.kind,
                    "agreement_id": b.agreement_id,
                    "share_request_id": b.share_request_id,
                }
                for b in fresh
            ],
        },
    )


async def agreements_of(
    ctx: Context, *, asset_id: str, item_ids: Sequence[str], lock: bool = False
) -> list[Agreement]:
    """The agreements a product draws on through its current source items; `lock` holds them
    until commit, so that a sale and the agreement's suspension queue one behind the other."""
    wanted = set(item_ids)
    if not wanted:
        # A product that draws on no public catalog item draws on no agreement.
        return []
    ids = {
        d.agreement_id
        for d in await repository.of_asset(ctx.session, asset_id)
        if d.agreement_id is not None and d.item_id in wanted
    }
    found = await agreements_repository.get_many(ctx.session, ids, share_lock=lock)
    return [found[i] for i in sorted(found)]


async def check_live(
    ctx: Context, *, asset_id: str, item_ids: Sequence[str], lock: bool = True
) -> None:
    """Refuse listing, selling or delivering a product whose operating agreement is not in
    force; `lock` holds the agreements until commit (a sale and a suspension queue)."""
    for agreement in await agreements_of(ctx, asset_id=asset_id, item_ids=item_ids, lock=lock):
        if not _live(agreement, ctx):
            raise AgreementNotLive(
                f"Asset {asset_id} is derived under operating agreement {agreement.id}, which "
                f"is {_standing(agreement, ctx)}: its products do not trade "
                f"({OPERATION_RULE}).",
                rule=OPERATION_RULE,
                agreement_id=agreement.id,
                agreement_status=agreement.status,
            )


async def list_derivations(
    ctx: Context, *, agreement_id: str, limit: int, offset: int
) -> DerivationPage:
    """What was derived under an agreement (those who may see the agreement)."""
    agreement = await agreements_service.visible_agreement(ctx, agreement_id)
    rows, total = await repository.under_agreement(
        ctx.session, agreement.id, limit=limit, offset=offset
    )
    return DerivationPage(
        items=[
            DerivationRead(
                asset_id=r.asset_id,
                asset_name=r.asset_name,
                holder_id=r.holder_id,
                catalog_item_id=r.item_id,
                product_form=ProductForm(r.product_form),
                purpose=Purpose(r.purpose) if r.purpose else None,
                purpose_label=PURPOSE_LABELS[Purpose(r.purpose)] if r.purpose else None,
                derived_at=r.derived_at,
            )
            for r in rows
        ],
        total=total,
    )
