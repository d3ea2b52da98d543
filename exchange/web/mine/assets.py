"""My data assets (我的数据资产): register one, follow it through review and publicity (公示)
to its certificate, deposit its package, and apply to change or cancel it.

The forms are read into the API's own request models (`AssetCreate`,
`ChangeApplicationCreate`, `CancellationApplicationCreate`) and handed to the registry's
services; a package chosen with the registration form is deposited in the same unit of work,
so the application and its package commit together or not at all.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from exchange.assets.certificates import service as certificates_service
from exchange.assets.certificates import signing
from exchange.assets.packages import service as packages_service
from exchange.assets.packages.errors import PackageNotStored
from exchange.assets.packages.models import AssetPackage
from exchange.assets.registry import service as registry_service
from exchange.assets.registry.errors import AssetNotFound
from exchange.assets.registry.models import Asset, AssetStatus
from exchange.assets.registry.rules import AssetDraft
from exchange.assets.registry.schemas import (
    AssetCreate,
    CancellationApplicationCreate,
    ChangeApplicationCreate,
)
from exchange.assets.review import service as review_service
from exchange.context import Context
from exchange.kit.paging import Offset
from exchange.vocabulary import DataGrade, DataRight, ProductForm
from exchange.web.mine.common import PAGE_SIZE, Holder, checked, id_list, page, upload
from exchange.web.mine.progress import progress
from exchange.web.pages import Form, InvalidForm, PageRoute, field, see_other

router = APIRouter(route_class=PageRoute, include_in_schema=False)

CHOICES: dict[str, Any] = {
    "forms": list(ProductForm),
    "rights": list(DataRight),
    # Core data is never registered (核心数据不得登记): the form does not offer it.
    "grades": [DataGrade.GENERAL, DataGrade.IMPORTANT],
}


async def own_asset(ctx: Context, asset_id: str, holder_id: str) -> registry_service.AssetView:
    """One of my assets as its page shows it (someone else's answers 404, published or not)."""
    view = await registry_service.asset_view(ctx, asset_id)
    if view.asset.holder_id != holder_id:
        raise AssetNotFound(f"No data asset {asset_id!r}.")
    return view


async def stored_package(ctx: Context, asset_id: str) -> AssetPackage | None:
    """The package deposited for the asset's current fingerprint, if any."""
    try:
        return await packages_service.download_package(ctx, asset_id=asset_id)
    except PackageNotStored:
        return None


def _description(form: FormData, fingerprint: str) -> dict[str, Any]:
    """The description fields of a registration form, as the API's models name them."""
    return {
        "name": field(form, "name"),
        "description": field(form, "description"),
        "product_form": field(form, "product_form"),
        "right": field(form, "right"),
        "scenario": field(form, "scenario") or None,
        "grade": field(form, "grade"),
        "personal_information": field(form, "personal_information") == "yes",
        "fingerprint": fingerprint,
        "source_legality": field(form, "source_legality"),
        "personal_information_basis": field(form, "personal_information_basis") or None,
        "source_catalog_item_ids": id_list(field(form, "source_catalog_item_ids")),
    }


async def _fingerprint(form: FormData) -> tuple[str, tuple[str, str, bytes] | None]:
    """The fingerprint typed, or computed from the chosen package (they must agree)."""
    typed = field(form, "fingerprint").lower()
    package = await upload(form, "package")
    if package is None:
        return typed, None
    if not package[2]:
        raise InvalidForm("package: the chosen file is empty.")
    digest = hashlib.sha256(package[2]).hexdigest()
    if typed and typed != digest:
        raise InvalidForm(
            f"fingerprint: the chosen file's SHA-256 is {digest}, not the fingerprint typed."
        )
    return digest, package


def described(asset: Asset) -> dict[str, Any]:
    """An asset's registered description under the names applications propose them by."""
    return {
        "name": asset.name,
        "description": asset.description,
        "product_form": asset.product_form,
        "right": asset.data_right,
        "scenario": asset.scenario,
        "grade": asset.grade,
        "personal_information": asset.personal_information,
        "fingerprint": asset.fingerprint,
        "source_legality": asset.source_legality,
        "personal_information_basis": asset.personal_information_basis,
        "source_catalog_item_ids": list(asset.source_catalog_item_ids),
    }


def _form_values(asset: Asset | None) -> dict[str, Any]:
    """The values a registration form starts with (the registered ones, for a change)."""
    if asset is None:
        return {"grade": "general", "right": "product_operation", "product_form": "dataset"}
    values = described(asset)
    values["personal_information_basis"] = asset.personal_information_basis or ""
    values["source_catalog_item_ids"] = "\n".join(asset.source_catalog_item_ids)
    return values


@router.get("/me/assets", response_class=HTMLResponse)
async def my_assets(
    request: Request,
    viewer: Holder,
    status: AssetStatus | None = None,
    offset: Offset = 0,
    done: str = "",
) -> HTMLResponse:
    """My assets with their status, newest first."""
    async with viewer.read() as ctx:
        rows, total = await registry_service.list_assets(
            ctx,
            status=status,
            holder_id=viewer.id,
            text=None,
            limit=PAGE_SIZE,
            offset=offset,
        )
    return page(
        request,
        "mine/assets.html",
        viewer,
        done=done,
        assets=rows,
        total=total,
        offset=offset,
        limit=PAGE_SIZE,
        chosen=status.value if status else "",
        statuses=list(AssetStatus),
    )


@router.get("/me/assets/new", response_class=HTMLResponse)
async def new_asset(request: Request, viewer: Holder) -> HTMLResponse:
    """The registration form (首次登记申请)."""
    return page(
        request, "mine/asset_form.html", viewer, values=_form_values(None), change=None, **CHOICES
    )


@router.post("/me/assets")
async def register_asset(viewer: Holder, form: Form) -> Response:
    """Apply for registration; a chosen package is deposited with the application."""
    fingerprint, package = await _fingerprint(form)
    body = checked(AssetCreate, **_description(form, fingerprint))
    draft = AssetDraft(
        name=body.name,
        description=body.description,
        product_form=body.product_form,
        right=body.right,
        scenario=body.scenario,
        grade=body.grade,
        personal_information=body.personal_information,
        fingerprint=body.fingerprint,
        source_legality=body.source_legality,
        personal_information_basis=body.personal_information_basis,
        source_catalog_item_ids=tuple(dict.fromkeys(body.source_catalog_item_ids)),
    )
    async with viewer.write() as ctx:
        asset = await registry_service.apply_for_registration(ctx, draft=draft)
        if package is not None:
            filename, media_type, data = package
            await packages_service.upload_package(
                ctx, asset_id=asset.id, filename=filename, media_type=media_type, body=data
            )
    return see_other(f"/me/assets/{asset.id}?done=applied")


@router.get("/me/assets/{asset_id}", response_class=HTMLResponse)
async def my_asset(request: Request, asset_id: str, viewer: Holder, done: str = "") -> HTMLResponse:
    """An asset through registration, review, publicity and its certificate."""
    async with viewer.read() as ctx:
        view = await own_asset(ctx, asset_id, viewer.id)
        applications = await registry_service.list_applications(ctx, asset_id=asset_id)
        objections = await review_service.list_objections(ctx, asset_id=asset_id)
        package = await stored_package(ctx, asset_id)
        now = ctx.clock.now()
        quorum = ctx.settings.asset_review_quorum
        status = (
            certificates_service.certificate_status(ctx, view.certificate)
            if view.certificate is not None
            else None
        )
    current = view.open_application or (applications[-1].application if applications else None)
    return page(
        request,
        "mine/asset.html",
        viewer,
        done=done,
        view=view,
        asset=view.asset,
        applications=applications,
        objections=objections,
        package=package,
        now=now,
        quorum=quorum,
        steps=progress(view, current, objections, now=now, quorum=quorum),
        current=current,
        certificate_status=status,
        certificate_in_force=status in signing.ACCEPTED_STATUSES,
    )


@router.post("/me/assets/{asset_id}/finalize")
async def finalize(asset_id: str, viewer: Holder, form: Form) -> Response:
    """Complete the registration once publicity is over (anyone may ask; the holder here)."""
    async with viewer.write() as ctx:
        await own_asset(ctx, asset_id, viewer.id)
        await review_service.finalize_registration(ctx, asset_id=asset_id)
    return see_other(f"/me/assets/{asset_id}?done=finalized")


@router.post("/me/assets/{asset_id}/package")
async def deposit_package(asset_id: str, viewer: Holder, form: Form) -> Response:
    """Deposit the package whose SHA-256 is the asset's fingerprint."""
    package = await upload(form, "package")
    if package is None:
        raise InvalidForm("package: choose the file to deposit.")
    filename, media_type, data = package
    async with viewer.write() as ctx:
        await own_asset(ctx, asset_id, viewer.id)
        await packages_service.upload_package(
            ctx, asset_id=asset_id, filename=filename, media_type=media_type, body=data
        )
    return see_other(f"/me/assets/{asset_id}?done=package")


@router.get("/me/assets/{asset_id}/change", response_class=HTMLResponse)
async def change_form(request: Request, asset_id: str, viewer: Holder) -> HTMLResponse:
    """The change application form (变更登记), filled with the registered description."""
    async with viewer.read() as ctx:
        view = await own_asset(ctx, asset_id, viewer.id)
    return page(
        request,
        "mine/asset_form.html",
        viewer,
        values=_form_values(view.asset),
        change=view.asset,
        **CHOICES,
    )


@router.post("/me/assets/{asset_id}/change")
async def apply_for_change(asset_id: str, viewer: Holder, form: Form) -> Response:
    """File a change application with the fields as edited (the unchanged ones stay)."""
    fingerprint, _ = await _fingerprint(form)
    body = checked(
        ChangeApplicationCreate,
        kind="change",
        reason=field(form, "reason"),
        **_description(form, fingerprint),
    )
    async with viewer.write() as ctx:
        await own_asset(ctx, asset_id, viewer.id)
        await registry_service.apply_for_change(
            ctx,
            asset_id=asset_id,
            changes=body.model_dump(exclude_unset=True, exclude={"kind", "reason"}),
            reason=body.reason,
        )
    return see_other(f"/me/assets/{asset_id}?done=changed")


@router.post("/me/assets/{asset_id}/cancellation")
async def apply_for_cancellation(asset_id: str, viewer: Holder, form: Form) -> Response:
    """File a cancellation application (注销登记) with its reason."""
    body = checked(CancellationApplicationCreate, kind="cancellation", reason=field(form, "reason"))
    async with viewer.write() as ctx:
        await own_asset(ctx, asset_id, viewer.id)
        await registry_service.apply_for_cancellation(ctx, asset_id=asset_id, reason=body.reason)
    return see_other(f"/me/assets/{asset_id}?done=cancelling")
