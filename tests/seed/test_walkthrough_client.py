"""The demo walkthrough end to end over HTTP, through the Python client (issue 12's acceptance):
register → review → publicity passed by advancing the clock → certificate issued by the due-work
runner, verified offline → listed → bought → delivered → an important-data order held at customs
and decided by the regulator → the person's consent read under, its receipt verified offline,
revoked, the next read refused, who used the data → a bank's consent request to the company,
accepted, read under → the audit log verified."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import httpx

from exchange.client import (
    AsyncClient,
    Conflict,
    verify_audit_log,
    verify_certificate,
    verify_consent_receipt,
)
from exchange.context import Runtime
from exchange.seed.demo import DemoKey, seed_demo
from exchange.seed.products import DEMO_PRODUCTS, WALKTHROUGH_PACKAGE, package_bytes


def as_(keys: list[DemoKey], handle: str, http: httpx.AsyncClient) -> AsyncClient:
    return AsyncClient(api_key=next(k.api_key for k in keys if k.handle == handle), http=http)


async def test_the_walkthrough_through_the_python_client(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    keys = await seed_demo(runtime)
    holder, person = as_(keys, "holder", client), as_(keys, "individual", client)
    admin, regulator = as_(keys, "admin", client), as_(keys, "regulator", client)
    hk = as_(keys, "hk_buyer", client)
    reviewers = [as_(keys, "reviewer1", client), as_(keys, "reviewer2", client)]

    hits = await holder.catalog.search(q="医保")
    assert hits.total >= 1

    package = package_bytes(WALKTHROUGH_PACKAGE)
    sha = hashlib.sha256(package).hexdigest()
    asset = await holder.assets.apply(
        name="佛山家电出口月度数据集 Foshan appliance exports (monthly)",
        description="按产品类别与目的地汇总的佛山家电月度出口量与出口额",
        product_form="dataset",
        right="product_operation",
        scenario="外贸企业信贷",
        grade="general",
        personal_information=False,
        fingerprint=sha,
        source_legality="行业协会汇总的企业申报数据，经授权使用",
    )
    for reviewer in reviewers:
        await reviewer.assets.review(asset_id=asset.id, decision="approve", reason="来源合法")
    assert (await holder.assets.get(asset_id=asset.id)).status == "applied"

    moved = await admin.clock.advance(working_days=5)  # publicity (公示) passes
    assert asset.id in moved.due_work.registered_asset_ids
    registered = await holder.assets.get(asset_id=asset.id)
    assert registered.status == "registered" and registered.certificate is not None
    number = registered.certificate.number
    certificate = await holder.certificates.get(number=number)
    issuer = await holder.certificates.issuer_key()
    revoked = await holder.certificates.revocations()
    offline = verify_certificate(
        certificate.document,
        certificate.signature,
        issuer.public_key,
        revocation_list=(revoked.document, revoked.signature),
    )
    assert offline.status == "valid"
    assert certificate.document["fingerprint"]["value"] == sha

    listing = await holder.trading.list(
        asset_id=asset.id,
        title="佛山家电出口月度数据集",
        description="月度更新，含产品类别与目的地",
        venues=["szdex"],
        tiers=[{"name": "标准版", "scope": "内部分析", "term_days": 365, "price_fen": 200000}],
        delivery={
            "kind": "file",
            "filename": WALKTHROUGH_PACKAGE,
            "media_type": "text/csv; charset=utf-8",
            "content_base64": base64.b64encode(package).decode(),
        },
    )
    order = await person.trading.buy(
        listing_id=listing.id, tier_id=listing.tiers[0].id, exchange_id="szdex"
    )
    assert order.status == "settled" and order.licence is not None
    delivered = await person.trading.download(licence_id=order.licence.id)
    assert hashlib.sha256(delivered).hexdigest() == sha

    important = await hk.trading.listings(grade="important")
    target = important.items[0]
    held = await hk.trading.buy(
        listing_id=target.id,
        tier_id=target.tiers[0].id,
        exchange_id=target.venues[0].exchange_id,
        legal_basis="security_assessment",
    )
    assert held.customs_case is not None and held.customs_case.status == "pending"
    cac = as_(keys, "regulator_cac", client)  # 网信 decides customs: the export remit
    decided = await cac.trading.decide_customs_case(
        case_id=held.customs_case.id, decision="approve", reason="已通过数据出境安全评估"
    )
    assert decided.status == "settled"  # cleared at customs, then settled
    assert (await hk.trading.get_order(order_id=held.id)).status == "settled"
    case = await hk.trading.get_customs_case(case_id=held.customs_case.id)
    assert case.status == "cleared" and case.decision == "approved"

    # Authorized operation (授权运营): the derived product pays the HR bureau its share in the
    # same settlement; the data authority suspends the agreement, and the listing with it.
    authority, bureau = as_(keys, "department", client), as_(keys, "hr_department", client)
    agreement = (await regulator.operation.list_operating_agreements()).items[0]
    assert agreement.status == "active" and agreement.derived_assets == 1
    derived = await regulator.operation.list_operating_agreement_derivations(
        agreement_id=agreement.id
    )
    assert "用工稳定" in derived.items[0].asset_name
    product = (await person.trading.listings(q="用工稳定")).items[0]
    before = (await bureau.participants.account()).balance_fen
    bought = await person.trading.buy(
        listing_id=product.id, tier_id=product.tiers[0].id, exchange_id="szdex"
    )
    assert bought.status == "settled"
    paid = await regulator.operation.list_operating_agreement_revenue(agreement_id=agreement.id)
    share = (bought.price_fen - bought.seller_fee_fen) * agreement.revenue_share_bp // 10_000
    assert paid.paid_fen == share > 0
    assert (await bureau.participants.account()).balance_fen == before + share
    suspended = await authority.operation.suspend_operating_agreement(
        agreement_id=agreement.id, reason="运营机构未按季度报告数据安全情况"
    )
    assert suspended.status == "suspended"
    venue = (await person.trading.get_listing(listing_id=product.id)).venues[0]
    assert venue.status == "suspended" and agreement.id in venue.reason

    lender = as_(keys, "lender", client)
    space = await person.dataspaces.me()
    assert space.total >= 9 and space.kind == "individual"
    (consent,) = (await lender.dataspaces.consents(party="grantee")).items
    read = await lender.dataspaces.read(consent_id=consent.id, purpose="credit_decision")
    assert read.records and read.purpose_label == "信贷审批"
    receipt = await lender.dataspaces.receipt(consent_id=consent.id)
    key = await lender.dataspaces.issuer_key()
    assert verify_consent_receipt(receipt.document, receipt.signature, key.public_key).accepted
    revoked = await person.dataspaces.revoke(consent_id=consent.id, reason="贷款已结清")
    assert revoked.status == "revoked"
    try:
        await lender.dataspaces.read(consent_id=consent.id, purpose="credit_decision")
        raise AssertionError("a read under a revoked consent was served")
    except Conflict as refused:
        assert refused.type == "/problems/consent-revoked"
    usage = await person.dataspaces.usage()
    assert [e.action for e in usage.items[:3]] == [
        "consent.read_refused",
        "consent.revoked",
        "consent.records_read",
    ]

    company = await holder.participants.me()
    now = (await lender.clock.now()).now
    request = await lender.dataspaces.ask(
        subject_id=company.id,
        record_types=["business_licence", "tax", "social_insurance", "credit"],
        purposes=["credit_decision"],
        certificates=True,
        expires_at=now + timedelta(days=90),
        message="流动资金贷款授信审查",
    )
    loan = await holder.dataspaces.accept(request_id=request.id)
    checked = await lender.dataspaces.read(consent_id=loan.id, purpose="credit_decision")
    # Every demo product's certificate, and the derived index's.
    assert len(checked.records) == 10 and len(checked.certificates) == len(DEMO_PRODUCTS) + 1
    assert number in {c.number for c in checked.certificates}

    report = await verify_audit_log("http://testserver", as_key(keys, "regulator"), http=client)
    assert report.ok and report.first_bad_index is None, report.problems[:3]
    assert (await regulator.audit.audit_reconcile()).ok


def as_key(keys: list[DemoKey], handle: str) -> str:
    return next(k.api_key for k in keys if k.handle == handle)
