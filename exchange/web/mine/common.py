"""What the "mine" pages (我的) share: who may open them, rendering with labels, reading forms.

The pages are for signed-in participants of the main market: regulators have their desk and
students their class, so both are refused (403) here. Forms are read into the same request
models the API validates; a field that does not parse becomes a 422 page (`InvalidForm`)
before anything is written.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile

from exchange.errors import Forbidden
from exchange.vocabulary import Role
from exchange.web.mine.labels import label, tone
from exchange.web.pages import InvalidForm, SignedIn, Viewer, field, render

M = TypeVar("M", bound=BaseModel)

HOLDER_ROLES = frozenset({Role.DEPARTMENT, Role.ENTERPRISE})
BUYER_ROLES = frozenset({Role.ENTERPRISE, Role.INDIVIDUAL, Role.DEPARTMENT})
PAGE_SIZE = 25


async def participant(viewer: SignedIn) -> Viewer:
    """A participant of the main market (not a regulator, not a student in a class)."""
    if viewer.class_id is not None:
        raise Forbidden("A student's page is the class (/class), not the market's own pages.")
    if viewer.role is Role.REGULATOR:
        raise Forbidden("Regulators work at the desk (/desk); they hold no assets or accounts.")
    return viewer


Mine = Annotated[Viewer, Depends(participant)]


def mine_of(*roles: Role) -> Any:
    """A participant of one of `roles` (a 403 page for anyone else)."""
    allowed = frozenset(roles)

    async def check(viewer: Mine) -> Viewer:
        if viewer.role not in allowed:
            raise Forbidden(
                f"This page is for {', '.join(sorted(r.value for r in allowed))}; "
                f"you are signed in as {viewer.role.value}."
            )
        return viewer

    return Depends(check)


Holder = Annotated[Viewer, mine_of(*HOLDER_ROLES)]
Buyer = Annotated[Viewer, mine_of(*BUYER_ROLES)]
Reviewer = Annotated[Viewer, mine_of(Role.COMPLIANCE_REVIEWER)]
Operator = Annotated[Viewer, mine_of(Role.EXCHANGE_OPERATOR)]
Broker = Annotated[Viewer, mine_of(Role.BROKER)]

# What a finished form says on the page it leads to (?done=...).
DONE: dict[str, tuple[str, str]] = {
    "applied": (
        "登记申请已提交，等待合规审查。",
        "Application submitted; it awaits compliance review.",
    ),
    "changed": ("变更登记申请已提交。", "Change application submitted."),
    "cancelling": ("注销登记申请已提交。", "Cancellation application submitted."),
    "finalized": ("登记完成，数据资产凭证已签发。", "Registered: the certificate is issued."),
    "package": ("数据包已存入登记簿。", "The package is deposited with the registry."),
    "reviewed": ("审查意见已记录。", "Your review is recorded."),
    "listed": ("挂牌已创建。", "Listing created."),
    "moved": ("挂牌状态已更新。", "Listing updated."),
    "listing-reviewed": ("上架审核已记录。", "Listing review recorded."),
    "granted": ("委托已授予。", "Mandate granted."),
    "revoked": ("委托已撤回。", "Mandate revoked."),
    "ordered": ("已代客户下单。", "Order placed for the client."),
}


def page(
    request: Request, template: str, viewer: Viewer, *, done: str = "", **context: Any
) -> HTMLResponse:
    """A "mine" page: the shell's context plus labels, badge tones and a done message."""
    message = DONE.get(done)
    if message is not None:
        context.setdefault("flash", message[0] if viewer.lang == "zh" else message[1])
    return render(request, template, viewer=viewer, label=label, tone=tone, **context)


def checked(model: type[M], **data: Any) -> M:
    """The request model the API takes, built from a form (422 page when a field is wrong)."""
    try:
        return model(**data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidForm(f"The form has invalid fields: {problems}.") from None


def integer(form: FormData, name: str, *, default: int | None = None) -> int:
    """A whole number from a form field (422 page otherwise)."""
    text = field(form, name)
    if not text and default is not None:
        return default
    if not re.fullmatch(r"-?\d{1,16}", text):
        raise InvalidForm(f"{name}: enter a whole number.")
    return int(text)


def fen_of_yuan(form: FormData, name: str) -> int:
    """An amount typed in yuan (up to two decimals) as integer fen (422 page otherwise)."""
    text = field(form, name).replace(",", "").replace("¥", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidForm(f"{name}: enter an amount in yuan, e.g. 1200.50.") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise InvalidForm(f"{name}: at most two decimals (fen).")
    if abs(amount) > Decimal(10**13):
        raise InvalidForm(f"{name}: the amount is too large.")
    return int(amount * 100)


def id_list(text: str) -> list[str]:
    """Ids typed one per line or separated by commas or spaces."""
    return [part for part in re.split(r"[\s,，]+", text) if part]


async def upload(form: FormData, name: str) -> tuple[str, str, bytes] | None:
    """An uploaded file: (file name, media type, bytes), or None when no file was chosen."""
    value = form.get(name)
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    body = await value.read()
    return value.filename[:200], value.content_type or "application/octet-stream", body


def offset_of(value: int) -> int:
    """A page offset (never negative)."""
    return max(value, 0)
