"""Helpers of the market pages' tests: the demo market, its listings, and reading the forms
and marked values a page shows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx
from sqlalchemy import func, select

from exchange.audit.log.models import AuditEntry
from exchange.context import Runtime
from exchange.participants.models import Account
from exchange.seed.demo import DemoKey, seed_demo
from exchange.trading.auctions.models import Bid
from exchange.trading.licences.models import Licence
from exchange.trading.negotiations.models import Negotiation
from exchange.trading.orders.models import Order, Trade

TRANSIT = "深圳市公共交通客流指标"  # on both exchanges: a 100-yuan trial tier and an exclusive one
LOGISTICS = "粤港澳大湾区跨境物流时效数据集"  # important data, on Guangzhou (Foshan base) only


async def demo(runtime: Runtime) -> dict[str, DemoKey]:
    """The demo market, its participants' keys by handle."""
    return {k.handle: k for k in await seed_demo(runtime)}


def auth(key: DemoKey) -> dict[str, str]:
    return {"Authorization": f"Bearer {key.api_key}"}


async def api(client: httpx.AsyncClient, key: DemoKey, path: str, **params: Any) -> Any:
    """A JSON answer of the API as this participant (asserting success)."""
    answer = await client.get(path, params=params or None, headers=auth(key))
    assert answer.is_success, answer.text
    return answer.json()


async def listing_of(client: httpx.AsyncClient, key: DemoKey, title: str) -> dict[str, Any]:
    """The listing whose title starts with `title`, as the API shows it."""
    page = await api(client, key, "/v1/listings", q=title)
    found = [item for item in page["items"] if item["title"].startswith(title)]
    assert len(found) == 1, page
    return dict(found[0])


def marked(html: str, name: str) -> list[str]:
    """The values of a data attribute on the page (`data-listing="…"`)."""
    return re.findall(rf'data-{name}="([^"]*)"', html)


def text_of(html: str, css_class: str) -> str:
    """The text inside the first element with this class (no nested tags)."""
    found = re.search(rf'class="[^"]*\b{css_class}\b[^"]*"[^>]*>([^<]*)<', html)
    assert found is not None, f"no .{css_class} on the page"
    return found.group(1).strip()


@dataclass
class FormSeen:
    """A form as the browser would send it: its action and its fields' current values, and
    every choice its radio buttons and selects offer."""

    action: str
    values: dict[str, str] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, FormSeen] = {}
        self.current: FormSeen | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.current = FormSeen(a.get("action", ""))
            for css in a.get("class", "").split():
                self.forms.setdefault(css, self.current)
            return
        form = self.current
        if form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "radio":
                if "disabled" not in a:
                    form.choices.setdefault(name, []).append(a.get("value", ""))
                if "checked" in a:
                    form.values[name] = a.get("value", "")
            else:
                form.values[name] = a.get("value", "")
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select:
            form.choices.setdefault(self.select, []).append(a.get("value", ""))
            if "selected" in a or self.select not in form.values:
                form.values[self.select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def form_of(html: str, css_class: str) -> FormSeen:
    """The page's form with this class."""
    parser = _Forms()
    parser.feed(html)
    assert css_class in parser.forms, f"no form.{css_class} on the page"
    return parser.forms[css_class]


async def footprint(runtime: Runtime) -> tuple[Any, ...]:
    """The audit log's size, trading rows and every balance: a refused form changes none."""
    async with runtime.sessionmaker() as session:
        counts = [
            int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (AuditEntry, Order, Trade, Licence, Negotiation, Bid)
        ]
        balances = sorted((await session.execute(select(Account.id, Account.balance_fen))).all())
    return (*counts, tuple(balances))
