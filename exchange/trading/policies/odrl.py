"""Pure: usage policies as ODRL 2.2 JSON-LD — a tier's policy as an `Offer`, a licence's as an
`Agreement` between the licensor (assigner) and the licensee (assignee).

The context is written inline (the ODRL terms used, mapped as the W3C's ODRL context maps
them, plus this platform's profile): a JSON-LD processor reads the document without fetching
anything. What ODRL's common vocabulary lacks is named in the profile namespace `gdx:` —
computation as an action, the small-cell threshold and the privacy budget as left operands,
the access mode as the delivery channel.

Clause → ODRL:
- access: the permission's action (`use`; computation: `gdx:compute`, a kind of `use`) and a
  `deliveryChannel` constraint;
- purposes: `purpose isAnyOf` (IRIs of the purpose vocabulary); territories: `spatial isAnyOf`;
- quota: `count lteq N`, `unit` the period; term: `elapsedTime lteq` (offer) or `dateTime`
  bounds (agreement);
- prohibitions: `sell` (resale), `grantUse` (sublicensing);
- attribution: a duty `attribute` on the permission; deletion at expiry: an obligation
  `delete` after the licence's end;
- compute: `gdx:kThreshold`, `gdx:epsilonPerQuery`, `gdx:epsilonBudget`, and the allowed
  dimensions and measures (`gdx:dimension isAnyOf`, `gdx:measure isAnyOf`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from exchange.clock import rfc3339
from exchange.trading.policies.terms import (
    PROHIBITION_LABELS,
    PURPOSE_LABELS,
    Access,
    Prohibition,
    UsagePolicy,
)

ODRL = "http://www.w3.org/ns/odrl/2/"
PROFILE = "urn:gdx:odrl:profile:usage-policy:1"
GDX = "urn:gdx:odrl:"
PURPOSES = "urn:gdx:purpose:"

CONTEXT: dict[str, Any] = {
    "odrl": ODRL,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dct": "http://purl.org/dc/terms/",
    "gdx": GDX,
    "gdxp": PURPOSES,
    "uid": "@id",
    "Offer": "odrl:Offer",
    "Agreement": "odrl:Agreement",
    "profile": {"@type": "@id", "@id": "odrl:profile"},
    "target": {"@type": "@id", "@id": "odrl:target"},
    "assigner": {"@type": "@id", "@id": "odrl:assigner"},
    "assignee": {"@type": "@id", "@id": "odrl:assignee"},
    "permission": {"@type": "@id", "@id": "odrl:permission"},
    "prohibition": {"@type": "@id", "@id": "odrl:prohibition"},
    "obligation": {"@type": "@id", "@id": "odrl:obligation"},
    "duty": {"@type": "@id", "@id": "odrl:duty"},
    "action": {"@type": "@vocab", "@id": "odrl:action"},
    "constraint": {"@type": "@id", "@id": "odrl:constraint"},
    "leftOperand": {"@type": "@vocab", "@id": "odrl:leftOperand"},
    "operator": {"@type": "@vocab", "@id": "odrl:operator"},
    "rightOperand": "odrl:rightOperand",
    "unit": "odrl:unit",
    "use": "odrl:use",
    "sell": "odrl:sell",
    "grantUse": "odrl:grantUse",
    "attribute": "odrl:attribute",
    "delete": "odrl:delete",
    "purpose": "odrl:purpose",
    "spatial": "odrl:spatial",
    "count": "odrl:count",
    "dateTime": "odrl:dateTime",
    "elapsedTime": "odrl:elapsedTime",
    "deliveryChannel": "odrl:deliveryChannel",
    "eq": "odrl:eq",
    "lt": "odrl:lt",
    "lteq": "odrl:lteq",
    "gteq": "odrl:gteq",
    "isAnyOf": "odrl:isAnyOf",
}

_ACTIONS = {Access.DOWNLOAD: "use", Access.METERED: "use", Access.COMPUTE: "gdx:compute"}
_PROHIBITED = {Prohibition.RESALE: "sell", Prohibition.SUBLICENSING: "grantUse"}


def _constraint(left: str, operator: str, right: Any, **extra: Any) -> dict[str, Any]:
    return {"leftOperand": left, "operator": operator, "rightOperand": right, **extra}


def _duration(days: int) -> dict[str, str]:
    return {"@value": f"P{days}D", "@type": "xsd:duration"}


def _instant(at: datetime) -> dict[str, str]:
    return {"@value": rfc3339(at), "@type": "xsd:dateTime"}


def _decimal(value: float) -> dict[str, str]:
    return {"@value": repr(float(value)), "@type": "xsd:decimal"}


def _permission(
    policy: UsagePolicy | None, target: str, term: list[dict[str, Any]]
) -> dict[str, Any]:
    access = policy.access if policy is not None else Access.DOWNLOAD
    constraints = [
        _constraint("deliveryChannel", "eq", {"@id": GDX + access.value}),
        *term,
    ]
    permission: dict[str, Any] = {"target": target, "action": _ACTIONS[access]}
    if policy is not None:
        if policy.purposes is not None:
            constraints.append(
                _constraint(
                    "purpose", "isAnyOf", [{"@id": PURPOSES + p.value} for p in policy.purposes]
                )
            )
        if policy.territories is not None:
            constraints.append(_constraint("spatial", "isAnyOf", list(policy.territories)))
        if policy.quota is not None:
            constraints.append(
                _constraint(
                    "count",
                    "lteq",
                    policy.quota.limit,
                    unit={"@id": GDX + "per-" + policy.quota.period.value},
                )
            )
        if policy.compute is not None:
            c = policy.compute
            constraints += [
                _constraint("gdx:kThreshold", "gteq", c.k_threshold),
                _constraint("gdx:epsilonPerQuery", "eq", _decimal(c.epsilon_per_query)),
                _constraint("gdx:epsilonBudget", "lteq", _decimal(c.epsilon_budget)),
            ]
            if c.dimensions:
                constraints.append(_constraint("gdx:dimension", "isAnyOf", list(c.dimensions)))
            if c.measures:
                constraints.append(_constraint("gdx:measure", "isAnyOf", sorted(c.measures)))
        if policy.attribution is not None:
            permission["duty"] = [
                {"action": "attribute", "gdx:attributionText": {"@value": policy.attribution}}
            ]
    permission["constraint"] = constraints
    return permission


def _rules(
    policy: UsagePolicy | None,
    target: str,
    term: list[dict[str, Any]],
    expires_at: datetime | None,
) -> dict[str, Any]:
    rules: dict[str, Any] = {"permission": [_permission(policy, target, term)]}
    if policy is None:
        return rules
    if policy.prohibitions:
        rules["prohibition"] = [
            {
                "target": target,
                "action": _PROHIBITED[p],
                "dct:description": {"@value": PROHIBITION_LABELS[p], "@language": "zh"},
            }
            for p in policy.prohibitions
        ]
    if policy.delete_at_expiry:
        deletion: dict[str, Any] = {"target": target, "action": "delete"}
        if expires_at is not None:
            deletion["constraint"] = [_constraint("dateTime", "gteq", _instant(expires_at))]
        rules["obligation"] = [deletion]
    return rules


def _purpose_labels(policy: UsagePolicy | None) -> list[dict[str, str]]:
    if policy is None or policy.purposes is None:
        return []
    return [{"@value": PURPOSE_LABELS[p], "@language": "zh"} for p in policy.purposes]


def offer(
    policy: UsagePolicy | None,
    *,
    uid: str,
    target: str,
    assigner: str,
    term_days: int,
    scope: str,
) -> dict[str, Any]:
    """A licence tier's policy as an ODRL Offer (what any buyer may agree to)."""
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Offer",
        "uid": uid,
        "profile": PROFILE,
        "assigner": assigner,
        "dct:description": {"@value": scope, "@language": "zh"},
        **_rules(policy, target, [_constraint("elapsedTime", "lteq", _duration(term_days))], None),
    }
    labels = _purpose_labels(policy)
    if labels:
        document["gdx:purposeLabel"] = labels
    return document


def agreement(
    policy: UsagePolicy | None,
    *,
    uid: str,
    target: str,
    assigner: str,
    assignee: str,
    starts_at: datetime,
    expires_at: datetime,
    scope: str,
) -> dict[str, Any]:
    """A licence's policy as an ODRL Agreement between licensor and licensee."""
    term = [
        _constraint("dateTime", "gteq", _instant(starts_at)),
        _constraint("dateTime", "lt", _instant(expires_at)),
    ]
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "Agreement",
        "uid": uid,
        "profile": PROFILE,
        "assigner": assigner,
        "assignee": assignee,
        "dct:description": {"@value": scope, "@language": "zh"},
        **_rules(policy, target, term, expires_at),
    }
    labels = _purpose_labels(policy)
    if labels:
        document["gdx:purposeLabel"] = labels
    return document
