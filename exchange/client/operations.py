"""The operation table: every API route's method, path, parameters and schemas, read from the
service's own routes (so the client and the server cannot drift apart)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from fastapi import routing
from pydantic import BaseModel, TypeAdapter

# Short names a notebook user reaches for first; the operation ids stay available too.
ALIASES: dict[str, dict[str, str]] = {
    "catalog": {
        "search": "search_catalog",
        "item": "get_catalog_item",
        "publish": "publish_catalog_item",
        "open_list": "get_open_list",
        "dcat": "get_dcat_catalog",
    },
    "assets": {
        "apply": "apply_for_asset_registration",
        "review": "review_asset_application",
        "get": "get_asset",
        "value": "value_asset",
    },
    "certificates": {
        "get": "get_certificate",
        "issuer_key": "get_certificate_issuer_key",
        "revocations": "get_certificate_revocation_list",
        "verify": "verify_certificate",
    },
    "trading": {
        "buy": "place_order",
        "exchanges": "list_exchanges",
        "listings": "list_listings",
        "list": "create_listing",
        "download": "download_delivery",
        "stats": "market_stats",
    },
    "dataspaces": {
        "me": "get_my_data_space",
        "records": "list_my_records",
        "usage": "list_my_data_usage",
        "grant": "grant_consent",
        "consents": "list_consents",
        "read": "read_under_consent",
        "revoke": "revoke_consent",
        "receipt": "get_consent_receipt",
        "issuer_key": "get_consent_issuer_key",
        "ask": "request_consent",
        "accept": "accept_consent_request",
        "decline": "decline_consent_request",
    },
    "audit": {"checkpoint": "audit_checkpoint", "entries": "audit_entries"},
    "participants": {"me": "get_me", "account": "get_my_account"},
    "clock": {"now": "get_clock", "advance": "advance_clock"},
    "supervision": {
        "scan": "scan_market",
        "alerts": "list_alerts",
        "open": "open_case",
        "refer": "refer_case",
        "impose": "impose_measure",
        "lift": "lift_measure",
        "report": "get_supervision_report",
    },
}


@dataclass(frozen=True, slots=True)
class Operation:
    """One API operation as the client calls it."""

    name: str
    group: str
    method: str
    path: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    headers: dict[str, str]  # parameter name -> HTTP header
    body_model: type[BaseModel] | None
    response: TypeAdapter[Any] | None
    summary: str

    def body_fields(self) -> frozenset[str]:
        """The body's field names (for keyword calls)."""
        if self.body_model is None:
            return frozenset()
        return frozenset(self.body_model.model_fields)


def _group(tags: list[str | Any]) -> str:
    return str(tags[-1]) if tags else "service"


@functools.cache
def operations() -> dict[str, Operation]:
    """Every operation of the service, by operation id."""
    from exchange.app import create_app

    app = create_app()
    found: dict[str, Operation] = {}
    for context in routing.iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, routing.APIRoute) or not route.include_in_schema:
            continue
        if route.operation_id is None or context.path is None:
            continue
        dependant = route.dependant
        body = route.body_field.field_info.annotation if route.body_field is not None else None
        response_model = route.response_model
        found[route.operation_id] = Operation(
            name=route.operation_id,
            group=_group(list(route.tags)),
            method=sorted(route.methods or {"GET"})[0],
            path=context.path,
            path_params=tuple(p.name for p in dependant.path_params),
            query_params=tuple(p.name for p in dependant.query_params),
            headers={p.name: p.alias for p in dependant.header_params},
            body_model=body if isinstance(body, type) and issubclass(body, BaseModel) else None,
            response=TypeAdapter(response_model) if response_model is not None else None,
            summary=(route.description or route.summary or "").strip().splitlines()[0]
            if (route.description or route.summary)
            else "",
        )
    return found


def groups() -> dict[str, dict[str, Operation]]:
    """Operations by group, each reachable by its id and by its aliases."""
    by_group: dict[str, dict[str, Operation]] = {}
    for operation in operations().values():
        by_group.setdefault(operation.group, {})[operation.name] = operation
    for group, aliases in ALIASES.items():
        for alias, name in aliases.items():
            op = operations().get(name)
            if op is not None and op.group == group:
                by_group[group].setdefault(alias, op)
    return by_group
