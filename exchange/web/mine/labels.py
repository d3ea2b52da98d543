"""The bilingual labels the "mine" pages print for the market's codes (中文, English).

The Chinese side repeats the register's own labels (`assets.labels`, `vocabulary`); the English
side is the code said in words. Templates call `label(kind, code)` through `tr`.
"""

from __future__ import annotations

from exchange.assets.labels import GRADE_LABELS, PRODUCT_FORM_LABELS, RIGHT_LABELS
from exchange.vocabulary import ROLE_LABELS

Pair = tuple[str, str]


def _english(code: str) -> str:
    return code.replace("_", " ").capitalize()


LABELS: dict[str, dict[str, Pair]] = {
    "role": {role.value: (zh, _english(role.value)) for role, zh in ROLE_LABELS.items()},
    "grade": {
        grade.value: (zh, f"{_english(grade.value)} data") for grade, zh in GRADE_LABELS.items()
    },
    "form": {
        form.value: (zh, "API" if form.value == "api" else _english(form.value))
        for form, zh in PRODUCT_FORM_LABELS.items()
    },
    "right": {
        right.value: (zh, f"{_english(right.value)} right") for right, zh in RIGHT_LABELS.items()
    },
    "asset_status": {
        "applied": ("登记申请中", "Applied"),
        "registered": ("已登记", "Registered"),
        "refused": ("不予登记", "Refused"),
        "cancelled": ("已注销", "Cancelled"),
        "revoked": ("已撤销", "Revoked"),
    },
    "application_status": {
        "under_review": ("合规审查中", "Under review"),
        "in_publicity": ("公示中", "In publicity"),
        "rejected": ("审查不通过", "Rejected"),
        "stopped": ("异议成立，登记终止", "Stopped by an objection"),
        "completed": ("登记完成", "Completed"),
        "closed": ("已关闭", "Closed"),
    },
    "application_kind": {
        "initial": ("首次登记", "Initial registration"),
        "change": ("变更登记", "Change registration"),
        "cancellation": ("注销登记", "Cancellation"),
    },
    "decision": {"approve": ("通过", "Approve"), "reject": ("不通过", "Reject")},
    "objection_status": {
        "open": ("待决定", "Open"),
        "upheld": ("异议成立", "Upheld"),
        "dismissed": ("异议驳回", "Dismissed"),
    },
    "certificate_status": {
        "valid": ("有效", "Valid"),
        "pledged": ("有效，质押中", "Valid, pledged"),
        "expired": ("已过期", "Expired"),
        "revoked": ("已撤销", "Revoked"),
        "bad_signature": ("签名无效", "Bad signature"),
        "bad_revocation_list": ("撤销清单无效", "Bad revocation list"),
        "unknown_certificate": ("登记簿中无此凭证", "Unknown certificate"),
        "malformed": ("格式错误", "Malformed"),
    },
    "venue_status": {
        "pending_review": ("待审核", "Pending review"),
        "active": ("挂牌中", "Active"),
        "suspended": ("暂停", "Suspended"),
        "rejected": ("审核不通过", "Rejected"),
        "delisted": ("已下架", "Delisted"),
    },
    "delivery": {"file": ("数据文件", "File"), "api": ("数据接口", "API")},
    "move": {
        "suspend": ("暂停", "Suspend"),
        "resume": ("恢复", "Resume"),
        "delist": ("下架", "Delist"),
    },
    "journal": {
        "deposit": ("沙盒注资", "Deposit"),
        "transfer": ("转账", "Transfer"),
        "trade_escrow": ("交易资金托管", "Trade escrow"),
        "trade_settlement": ("交易结算", "Trade settlement"),
        "trade_refund": ("交易退款", "Trade refund"),
        "bid_escrow": ("竞价保证金", "Bid escrow"),
        "bid_refund": ("竞价保证金退还", "Bid refund"),
    },
    "participant_status": {"active": ("正常", "Active"), "suspended": ("已暂停", "Suspended")},
    "licence_status": {"active": ("有效", "Active"), "revoked": ("已吊销", "Revoked")},
    "mandate_state": {
        "active": ("有效", "Active"),
        "expired": ("已到期", "Expired"),
        "revoked": ("已撤回", "Revoked"),
    },
    "mandate_side": {
        "buyer": ("买方委托", "For the buyer"),
        "seller": ("卖方委托", "For the seller"),
    },
    "mandate_action": {
        "buy": ("挂牌购买", "Buy"),
        "negotiate": ("协议磋商", "Negotiate"),
        "bid": ("竞价出价", "Bid"),
    },
    "order_status": {
        "awaiting_customs": ("待数据海关审查", "Awaiting data customs"),
        "settled": ("已结算", "Settled"),
        "refused": ("未放行", "Refused"),
    },
}

# Badge colours of states (console.css: ok, warn, bad; none is grey).
TONES: dict[str, str] = {
    "registered": "ok",
    "completed": "ok",
    "valid": "ok",
    "active": "ok",
    "settled": "ok",
    "approve": "ok",
    "dismissed": "ok",
    "applied": "warn",
    "under_review": "warn",
    "in_publicity": "warn",
    "pending_review": "warn",
    "pledged": "warn",
    "suspended": "warn",
    "awaiting_customs": "warn",
    "open": "warn",
    "refused": "bad",
    "rejected": "bad",
    "reject": "bad",
    "stopped": "bad",
    "revoked": "bad",
    "cancelled": "bad",
    "expired": "bad",
    "delisted": "bad",
    "upheld": "bad",
    "bad_signature": "bad",
    "unknown_certificate": "bad",
    "malformed": "bad",
}


def label(kind: str, code: object) -> Pair:
    """The (中文, English) label of a code; an unknown code is shown as it is."""
    text = str(getattr(code, "value", code))
    return LABELS.get(kind, {}).get(text, (text, _english(text)))


def tone(code: object) -> str:
    """The badge class of a state."""
    return TONES.get(str(getattr(code, "value", code)), "")
