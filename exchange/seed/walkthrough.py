"""The demo walkthrough (上手指南): numbered shell commands that take a new user from the
catalog to an audited, delivered and customs-cleared sale on the demo market, through a
product of public data operated under an agreement (授权运营), then through a person's data
space and consent (个人数字空间与授权) and a bank's credit check of a company (企业信贷) under
the company's consent.

One template: `exchange demo` prints it after the keys, `exchange demo --walkthrough` prints
it alone, and docs/walkthrough.md is generated from it (a test keeps them equal).
"""

from __future__ import annotations

from exchange.seed.products import WALKTHROUGH_PACKAGE

# Market time (沙盒时钟): how the walkthrough lets publicity pass. Adjust here only.
CLOCK_ADVANCE_CLI = "exchange clock advance --working-days 5"
CLOCK_ADVANCE_HTTP = (
    'curl -s -X POST "$EX/v1/clock/advance" -H "Authorization: Bearer $ADMIN" \\\n'
    "  -H 'Content-Type: application/json' -d '{\"working_days\": 5}'"
)

_TEMPLATE = r"""# Walkthrough: from the catalog to a customs-cleared sale, and data used by consent

Every step is a bash command against the demo market. Run them in order, in one terminal,
from the directory where `exchange demo` wrote its keys file.

## 0. Start the demo market (terminal 1; it keeps serving)

```bash
exchange demo --keys-out demo-keys.json
```

Re-running it on the same database keeps the market and the keys in `demo-keys.json`.

## 1. In a second terminal: the address, the keys, two small helpers

```bash
export EX=http://127.0.0.1:8000 KEYS=demo-keys.json
key() {
  python -c 'import json, sys
keys = json.load(open(sys.argv[1]))
print(next(k["api_key"] for k in keys if k["handle"] == sys.argv[2]))' "$KEYS" "$1"
}
get() {
  python -c 'import json, sys
d = json.load(sys.stdin)
for p in sys.argv[1:]:
    d = d[int(p)] if isinstance(d, list) else d[p]
print(d)' "$@"
}
ADMIN=$(key admin) HOLDER=$(key holder) PERSON=$(key individual) LENDER=$(key lender)
R1=$(key reviewer1) R2=$(key reviewer2) REGULATOR=$(key regulator) HK=$(key hk_buyer)
```

## 2. Search the catalog (数据目录)

```bash
curl -s --get "$EX/v1/catalog/search" --data-urlencode "q=医保" \
  -H "Authorization: Bearer $HOLDER" | get items 0 name_zh
```

## 3. Register an asset (数据资产登记) with a shipped package's SHA-256

```bash
PKG=$(python -c 'from exchange.seed.products import package_path; print(package_path("{package}"))')
SHA=$(sha256sum "$PKG" | cut -d' ' -f1)
ASSET=$(curl -s -X POST "$EX/v1/assets" -H "Authorization: Bearer $HOLDER" \
  -H 'Content-Type: application/json' -d '{
    "name": "佛山家电出口月度数据集 Foshan appliance exports (monthly)",
    "description": "按产品类别与目的地汇总的佛山家电月度出口量与出口额",
    "product_form": "dataset", "right": "product_operation", "scenario": "外贸企业信贷",
    "grade": "general", "personal_information": false, "fingerprint": "'"$SHA"'",
    "source_legality": "行业协会汇总的企业申报数据，经授权使用"}' | get id)
echo "$ASSET"
# Deposit the package with the registry; the holder can always download its own again.
curl -s -X PUT "$EX/v1/assets/$ASSET/package?filename={package}" \
  -H "Authorization: Bearer $HOLDER" -H 'Content-Type: text/csv; charset=utf-8' \
  --data-binary @"$PKG" | get sha256
curl -s "$EX/v1/assets/$ASSET/package" -H "Authorization: Bearer $HOLDER" | sha256sum
```

## 4. Two compliance reviewers approve (合规审核; the quorum is two)

```bash
for R in "$R1" "$R2"; do
  curl -s -X POST "$EX/v1/assets/$ASSET/reviews" -H "Authorization: Bearer $R" \
    -H 'Content-Type: application/json' \
    -d '{"decision": "approve", "reason": "来源合法、场景明确、分级准确"}' | get status
done
```

The application is now `in_publicity` (公示) for five working days.

## 5. Let the publicity period pass: advance the market clock

```bash
{clock_cli}
# or over HTTP, as the admin:
{clock_http}
```

## 6. The certificate (数据资产凭证)

Advancing the clock ran the due work: publicity ended with no objection, so the registry
issued the certificate by itself (the served market also runs it every 30 s). Asking for it
again is harmless:

```bash
curl -s -X POST "$EX/v1/assets/$ASSET/finalize" -H "Authorization: Bearer $HOLDER" > /dev/null
CERT=$(curl -s "$EX/v1/assets/$ASSET" -H "Authorization: Bearer $HOLDER" | get certificate number)
curl -s "$EX/v1/certificates/$CERT" -H "Authorization: Bearer $HOLDER" \
  | get document fingerprint value   # the same as $SHA
```

## 7. List it on the Shenzhen exchange (挂牌)

```bash
B64=$(base64 < "$PKG" | tr -d '\n')
LISTING=$(curl -s -X POST "$EX/v1/listings" -H "Authorization: Bearer $HOLDER" \
  -H 'Content-Type: application/json' -d '{
    "asset_id": "'"$ASSET"'", "title": "佛山家电出口月度数据集",
    "description": "月度更新，含产品类别与目的地", "venues": ["szdex"],
    "tiers": [{"name": "标准版", "scope": "内部分析", "term_days": 365, "price_fen": 200000}],
    "delivery": {"kind": "file", "filename": "{package}",
                 "media_type": "text/csv; charset=utf-8", "content_base64": "'"$B64"'"}}' | get id)
TIER=$(curl -s "$EX/v1/listings/$LISTING" -H "Authorization: Bearer $PERSON" | get tiers 0 id)
```

## 8. Buy it (挂牌交易), once, whatever the retries: an Idempotency-Key

```bash
LICENCE=$(curl -s -X POST "$EX/v1/orders" -H "Authorization: Bearer $PERSON" \
  -H 'Idempotency-Key: walkthrough-order-1' -H 'Content-Type: application/json' \
  -d '{"listing_id": "'"$LISTING"'", "tier_id": "'"$TIER"'", "exchange_id": "szdex"}' \
  | get licence id)
```

## 9. Delivery (交付): download, and check it is what was registered

```bash
curl -s "$EX/v1/licences/$LICENCE/delivery" -H "Authorization: Bearer $PERSON" -o delivery.csv
sha256sum delivery.csv; echo "$SHA"   # the same digest
```

## 10. A Hong Kong buyer orders important data: it waits at data customs (数据海关)

```bash
IMPORTANT=$(curl -s --get "$EX/v1/listings" --data-urlencode grade=important \
  -H "Authorization: Bearer $HK")
CASE=$(curl -s -X POST "$EX/v1/orders" -H "Authorization: Bearer $HK" \
  -H 'Idempotency-Key: walkthrough-order-2' -H 'Content-Type: application/json' \
  -d '{"listing_id": "'"$(echo "$IMPORTANT" | get items 0 id)"'",
       "tier_id": "'"$(echo "$IMPORTANT" | get items 0 tiers 0 id)"'",
       "exchange_id": "gzde", "legal_basis": "security_assessment"}' | get customs_case id)
curl -s "$EX/v1/customs/cases/$CASE" -H "Authorization: Bearer $HK" | get status   # pending
```

## 11. The regulator decides (监管决定)

```bash
curl -s -X POST "$EX/v1/customs/cases/$CASE/decision" -H "Authorization: Bearer $REGULATOR" \
  -H 'Content-Type: application/json' \
  -d '{"decision": "approve", "reason": "已通过数据出境安全评估"}' | get status
```

The demo also holds a foreign (SG) buyer's order at customs:
`curl -s "$EX/v1/customs/cases?status=pending" -H "Authorization: Bearer $REGULATOR"`.

## 12. Authorized operation of public data (公共数据授权运营)

Guangzhou's employment registration is not open (不予开放): the demo holder derived its
workforce-stability index under an operating agreement that the data authority (数据主管部门)
approved. Registering from that item without such an agreement is refused (409
`/problems/operation-grant-required`). The regulator reads the agreement, what was derived under
it and the revenue paid; a purchase pays the HR bureau its share in the same settlement:

```bash
AUTHORITY=$(key department) BUREAU=$(key hr_department)
AGREEMENT=$(curl -s "$EX/v1/operation/agreements" -H "Authorization: Bearer $REGULATOR" \
  | get items 0 id)
curl -s "$EX/v1/operation/agreements/$AGREEMENT/derivations" \
  -H "Authorization: Bearer $REGULATOR" | get items 0 asset_name
DERIVED=$(curl -s --get "$EX/v1/listings" --data-urlencode "q=用工稳定" \
  -H "Authorization: Bearer $PERSON")
curl -s "$EX/v1/accounts/me" -H "Authorization: Bearer $BUREAU" | get balance_fen
curl -s -X POST "$EX/v1/orders" -H "Authorization: Bearer $PERSON" \
  -H 'Idempotency-Key: walkthrough-order-3' -H 'Content-Type: application/json' \
  -d '{"listing_id": "'"$(echo "$DERIVED" | get items 0 id)"'",
       "tier_id": "'"$(echo "$DERIVED" | get items 0 tiers 0 id)"'",
       "exchange_id": "szdex"}' | get status   # settled
curl -s "$EX/v1/accounts/me" -H "Authorization: Bearer $BUREAU" | get balance_fen   # + its share
curl -s "$EX/v1/operation/agreements/$AGREEMENT/revenue" \
  -H "Authorization: Bearer $REGULATOR" | get paid_fen
```

The data authority suspends the agreement; the product's listing is suspended with the reason:

```bash
curl -s -X POST "$EX/v1/operation/agreements/$AGREEMENT/suspension" \
  -H "Authorization: Bearer $AUTHORITY" -H 'Content-Type: application/json' \
  -d '{"reason": "运营机构未按季度报告数据安全情况"}' | get status   # suspended
curl -s "$EX/v1/listings/$(echo "$DERIVED" | get items 0 id)" \
  -H "Authorization: Bearer $PERSON" | get venues 0 reason
```

## 13. A person's data space, and the consent a bank reads under (个人数字空间与授权)

The demo person (陈小明) sees the records that the social-insurance, tax and credit sources
hold about it; nobody else browses them. It has consented to the demo bank reading some of
them for a credit decision (信贷审批) for a year; the bank reads under that consent, and the
platform-signed receipt (授权凭证) checks offline.

```bash
curl -s "$EX/v1/dataspaces/me" -H "Authorization: Bearer $PERSON" | get total
CONSENT=$(curl -s "$EX/v1/consents?party=grantee" -H "Authorization: Bearer $LENDER" \
  | get items 0 id)
curl -s -X POST "$EX/v1/consents/$CONSENT/reads" -H "Authorization: Bearer $LENDER" \
  -H 'Content-Type: application/json' -d '{"purpose": "credit_decision"}' | get records 0 title
curl -s "$EX/v1/consents/$CONSENT/receipt" -H "Authorization: Bearer $LENDER" > receipt.json
curl -s "$EX/v1/consents/issuer-key" > consent-key.json
python -c 'import json
from exchange.client import verify_consent_receipt
r, k = json.load(open("receipt.json")), json.load(open("consent-key.json"))
print(verify_consent_receipt(r["document"], r["signature"], k["public_key"]).status)'  # valid
```

## 14. Revoke it; the next read is refused; who used my data (撤回授权，谁用了我的数据)

```bash
curl -s -X POST "$EX/v1/consents/$CONSENT/revoke" -H "Authorization: Bearer $PERSON" \
  -H 'Content-Type: application/json' -d '{"reason": "贷款已结清"}' | get status   # revoked
curl -s -X POST "$EX/v1/consents/$CONSENT/reads" -H "Authorization: Bearer $LENDER" \
  -H 'Content-Type: application/json' -d '{"purpose": "credit_decision"}' | get type
curl -s "$EX/v1/dataspaces/me/usage" -H "Authorization: Bearer $PERSON" | python -c '
import json, sys
for e in json.load(sys.stdin)["items"][:4]:
    print(e["index"], e["action"], e["action_label"], e["actor"])'
```

The read refused after the revocation is listed too; each index is the entry's place in the
audit log (a regulator proves it with `GET /v1/audit/proof/inclusion?index=...`).

## 15. A bank asks a company for consent before a loan (企业信贷)

```bash
COMPANY=$(curl -s "$EX/v1/participants/me" -H "Authorization: Bearer $HOLDER" | get id)
NOW=$(curl -s "$EX/v1/clock" -H "Authorization: Bearer $LENDER" | get now)
UNTIL=$(python -c 'import sys, datetime as d
print((d.datetime.fromisoformat(sys.argv[1]) + d.timedelta(days=90)).isoformat())' "$NOW")
REQUEST=$(curl -s -X POST "$EX/v1/consent-requests" -H "Authorization: Bearer $LENDER" \
  -H 'Content-Type: application/json' -d '{"subject_id": "'"$COMPANY"'",
    "record_types": ["business_licence", "tax", "social_insurance", "credit"],
    "purposes": ["credit_decision"], "certificates": true, "expires_at": "'"$UNTIL"'",
    "message": "流动资金贷款授信审查"}' | get id)
LOAN=$(curl -s -X POST "$EX/v1/consent-requests/$REQUEST/accept" \
  -H "Authorization: Bearer $HOLDER" | get id)   # the company accepts: a consent
curl -s -X POST "$EX/v1/consents/$LOAN/reads" -H "Authorization: Bearer $LENDER" \
  -H 'Content-Type: application/json' -d '{"purpose": "credit_decision"}' | python -c '
import json, sys
d = json.load(sys.stdin)
print(len(d["records"]), "records,", len(d["certificates"]), "certificates")'
```

The company could have declined (`POST /v1/consent-requests/$REQUEST/decline`); the bank
reads nothing of it without the consent.

## 16. Verify the audit log (审计日志) from its signed checkpoint

```bash
exchange audit verify --url "$EX" --key "$REGULATOR"
```
"""


def render() -> str:
    """The walkthrough as Markdown with copy-pasteable bash blocks."""
    return (
        _TEMPLATE.replace("{package}", WALKTHROUGH_PACKAGE)
        .replace("{clock_cli}", CLOCK_ADVANCE_CLI)
        .replace("{clock_http}", CLOCK_ADVANCE_HTTP)
    )
