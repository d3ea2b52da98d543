"""What the market pages share: reading as the viewer (or as the public), yuan typed by
people, paging, one-time keys and flashes. Forms are read into the API's request models with
`exchange.web.mine.common.checked`, as on the "mine" pages."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Path, Request
from fastapi.responses import HTMLResponse

from exchange.context import Context
from exchange.kit.fields import MAX_AMOUNT_FEN
from exchange.web.market import labels
from exchange.web.mine.labels import tone
from exchange.web.pages import InvalidForm, Viewer, main_runtime, page_lang, render

PAGE_SIZE = 20
MAX_PAGE = 500  # 10,000 rows deep: the search's own window, and far past any demo list
PathId = Annotated[str, Path(min_length=1, max_length=36)]
"""An object's id in a page's address (ids are at most 36 characters, as in the API)."""


@asynccontextmanager
async def reading(request: Request, viewer: Viewer | None) -> AsyncIterator[Context]:
    """A read-only unit of work as the viewer, or as the public when nobody is signed in."""
    if viewer is not None:
        async with viewer.read() as ctx:
            yield ctx
        return
    runtime = main_runtime(request)
    async with runtime.unit_of_work(write=False) as session:
        yield runtime.context(session)


def lang_of(request: Request, viewer: Viewer | None) -> str:
    """The page's language for this reader."""
    return viewer.lang if viewer is not None else page_lang(request)


def page(request: Request, viewer: Viewer | None, template: str, **context: Any) -> HTMLResponse:
    """A market page: `render` plus `lab(kind, value)` for the vocabulary's labels."""
    lang = lang_of(request, viewer)
    return render(
        request,
        template,
        viewer=viewer,
        lab=labels.labeller(lang),
        tone=tone,
        flash=flash_of(request.query_params.get("done", ""), lang),
        **context,
    )


def optional(text: str) -> str | None:
    """An empty form field as None."""
    return text or None


def fen_of(text: str, *, name: str) -> int | None:
    """Yuan as people type them ("1,200.50", "¥30") in fen; empty is None, nonsense a 422."""
    cleaned = text.replace(",", "").replace("¥", "").replace("￥", "").strip()
    if not cleaned:
        return None
    try:
        yuan = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidForm(f"{name}: {text[:40]!r} is not an amount in yuan") from None
    if not yuan.is_finite() or yuan < 0 or yuan != yuan.quantize(Decimal("0.01")):
        raise InvalidForm(f"{name}: an amount in yuan, at most two decimals (分), not negative")
    fen = int(yuan * 100)
    if fen > MAX_AMOUNT_FEN:
        raise InvalidForm(f"{name}: at most {MAX_AMOUNT_FEN // 100:,} yuan")
    return fen


def yuan_text(fen: int | None) -> str:
    """Fen as a plain yuan amount to put back into an input ("1200.5" style, no symbol)."""
    if fen is None:
        return ""
    whole, cents = divmod(fen, 100)
    return f"{whole}.{cents:02d}" if cents else str(whole)


def page_number(text: str | None) -> int:
    """A page number from the query: anything odd is the first page."""
    try:
        number = int(text or 1)
    except ValueError:
        return 1
    return max(1, min(number, MAX_PAGE))


def with_query(path: str, params: dict[str, Any]) -> str:
    """A path with the non-empty query parameters (lists repeat)."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        for one in value if isinstance(value, list | tuple) else [value]:
            if one not in (None, ""):
                pairs.append((key, str(one)))
    return f"{path}?{urlencode(pairs)}" if pairs else path


def one_time_key() -> str:
    """A fresh key for a form that moves money: posting it twice does the thing once."""
    return secrets.token_urlsafe(24)


FLASHES: dict[str, tuple[str, str]] = {
    "bought": ("已下单购买。", "Your order was placed."),
    "negotiation": ("已向供方发出协议请求。", "Your request was sent to the provider."),
    "step": ("已提交。", "Sent."),
    "terminated": ("协商已终止。", "The negotiation was ended."),
    "settled": ("已按协议价格结算。", "Settled at the agreed price."),
    "bid": ("已提交密封出价，保证金已冻结。", "Your sealed bid was placed; its escrow is held."),
}


def flash_of(done: str, lang: str) -> str | None:
    """The message a `?done=` code stands for (never text from the URL itself)."""
    pair = FLASHES.get(done)
    if pair is None:
        return None
    return pair[0] if lang == "zh" else pair[1]
