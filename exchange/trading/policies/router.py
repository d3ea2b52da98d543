"""HTTP endpoints of usage policies: their vocabulary, the ODRL 2.2 JSON-LD of a tier's offer
and of a licence's agreement, and the licensee's confirmation of deletion at expiry."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from exchange.errors import Forbidden, responses
from exchange.security import ActorContext
from exchange.trading.licences import service as licences_service
from exchange.trading.licences.errors import LicenceNotFound
from exchange.trading.licences.schemas import LicenceRead, licence_read
from exchange.trading.listings import service as listings_service
from exchange.trading.listings.errors import ListingNotFound, TierNotFound
from exchange.trading.policies import odrl
from exchange.trading.policies.errors import DeletionNotDue
from exchange.trading.policies.service import confirm_deletion
from exchange.trading.policies.terms import (
    ACCESS_LABELS,
    PERIOD_LABELS,
    PROHIBITION_LABELS,
    PURPOSE_LABELS,
    read_policy,
)
from exchange.trading.transfers.compute import AGGREGATES
from exchange.trading.venues.service import actor_of

router = APIRouter(tags=["trading"])

JSON_LD = "application/ld+json"
ODRL_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The policy as ODRL 2.2 JSON-LD (the context inline: nothing to fetch)",
        "content": {JSON_LD: {"schema": {"type": "object"}}},
    }
}


@router.get("/policies/vocabulary", operation_id="get_policy_vocabulary")
async def get_policy_vocabulary(ctx: ActorContext) -> dict[str, Any]:
    """The fixed vocabularies a usage policy speaks, with their Chinese labels: purposes
    (使用目的), access modes, quota periods, prohibitions and the computation menu."""
    actor_of(ctx)

    def entries(labels: dict[Any, str]) -> list[dict[str, str]]:
        return [{"value": key.value, "label": label} for key, label in labels.items()]

    return {
        "purposes": entries(PURPOSE_LABELS),
        "access": entries(ACCESS_LABELS),
        "quota_periods": entries(PERIOD_LABELS),
        "prohibitions": entries(PROHIBITION_LABELS),
        "aggregates": list(AGGREGATES),
    }


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get(
    "/listings/{listing_id}/tiers/{tier_id}/policy",
    operation_id="get_tier_policy_odrl",
    response_class=JSONResponse,
    responses={**ODRL_RESPONSE, **responses(ListingNotFound, TierNotFound)},
)
async def get_tier_policy_odrl(
    listing_id: str, tier_id: str, request: Request, ctx: ActorContext
) -> JSONResponse:
    """A licence tier's usage policy as an ODRL Offer (JSON-LD)."""
    view = await listings_service.get_listing(ctx, listing_id)
    tier = next((t for t in view.tiers if t.id == tier_id), None)
    if tier is None:
        raise TierNotFound(f"Listing {listing_id} has no tier {tier_id!r}.")
    base = _base(request)
    document = odrl.offer(
        read_policy(tier.policy),
        uid=f"{base}/v1/listings/{listing_id}/tiers/{tier_id}/policy",
        target=f"{base}/v1/listings/{listing_id}",
        assigner=f"{base}/v1/participants/{view.listing.holder_id}",
        term_days=tier.term_days,
        scope=tier.scope,
    )
    return JSONResponse(document, media_type=JSON_LD)


@router.get(
    "/licences/{licence_id}/policy",
    operation_id="get_licence_policy_odrl",
    response_class=JSONResponse,
    responses={**ODRL_RESPONSE, **responses(LicenceNotFound)},
)
async def get_licence_policy_odrl(
    licence_id: str, request: Request, ctx: ActorContext
) -> JSONResponse:
    """A licence's usage policy as an ODRL Agreement between licensor and licensee (JSON-LD)."""
    licence = await licences_service.get_licence(ctx, licence_id)
    base = _base(request)
    document = odrl.agreement(
        read_policy(licence.policy),
        uid=f"{base}/v1/licences/{licence.id}",
        target=f"{base}/v1/listings/{licence.listing_id}",
        assigner=f"{base}/v1/participants/{licence.licensor_id}",
        assignee=f"{base}/v1/participants/{licence.licensee_id}",
        starts_at=licence.starts_at,
        expires_at=licence.expires_at,
        scope=licence.scope,
    )
    return JSONResponse(document, media_type=JSON_LD)


@router.post(
    "/licences/{licence_id}/deletion",
    operation_id="confirm_licence_deletion",
    responses=responses(LicenceNotFound, Forbidden, DeletionNotDue),
)
async def confirm_licence_deletion(licence_id: str, ctx: ActorContext) -> LicenceRead:
    """The licensee confirms it deleted the data after the licence ended (到期删除 duty)."""
    licence = await licences_service.get_licence(ctx, licence_id)
    if actor_of(ctx).id != licence.licensee_id:
        raise Forbidden("Only the licensee confirms the deletion of what it received.")
    return licence_read(ctx, await confirm_deletion(ctx, licence=licence))
