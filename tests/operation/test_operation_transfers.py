"""A product of public data under a usage policy: its transfer delivers only while the
operating agreement it was derived under (授权运营) is in force, as the licence download does."""

from __future__ import annotations

import base64

from support_operation import PACKAGE, Province

from support import assert_problem


async def test_a_transfer_stops_when_the_operating_agreement_is_suspended(
    province: Province,
) -> None:
    p = province
    agreement = await p.approved()
    asset = await p.register()
    listing = await p.ok(
        p.call(
            "POST",
            "/v1/listings",
            p.operator,
            {
                "asset_id": asset["id"],
                "title": "广州市企业参保稳定指数（计量接口）",
                "venues": ["szdex"],
                "tiers": [
                    {
                        "name": "计量版",
                        "scope": "企业信贷风控，按次计量",
                        "term_days": 365,
                        "price_fen": 1_000_000,
                        "policy": {
                            "access": "metered",
                            "purposes": ["credit_assessment"],
                            "quota": {"limit": 100, "period": "day"},
                        },
                    }
                ],
                "delivery": {
                    "kind": "file",
                    "filename": "参保稳定指数.csv",
                    "media_type": "text/csv; charset=utf-8",
                    "content_base64": base64.b64encode(PACKAGE).decode(),
                },
            },
        ),
        201,
    )
    order = await p.ok(p.order(listing), 201)
    licence_id = order["licence"]["id"]
    transfer = await p.ok(
        p.call(
            "POST",
            f"/v1/licences/{licence_id}/transfers",
            p.buyer,
            {"purpose": "credit_assessment"},
        ),
        201,
    )
    rows = f"/v1/transfers/{transfer['id']}/rows"
    served = await p.ok(p.call("GET", rows, p.buyer))
    assert served["columns"] == ["区县", "月份", "参保稳定指数"] and len(served["rows"]) == 2

    await p.ok(p.move(agreement["id"], "suspension"))
    stopped = assert_problem(
        await p.call("GET", rows, p.buyer), 409, "operating-agreement-not-live"
    )
    assert stopped["agreement_id"] == agreement["id"]
