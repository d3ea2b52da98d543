"""Bilingual pages (中文 / English): the reader's language and the filters pages format with.

Pages carry both languages side by side in the template, `tr("目录", "Catalog")`, so a page is
never half translated and there is no catalog to drift from the templates. The reader picks
with the switch in the header (a cookie); without one, `Accept-Language` decides, and Chinese
is the default.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

LANGS = ("zh", "en")
LANG_COOKIE = "gdx_lang"


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The page language: the reader's choice, else the first zh/en in Accept-Language."""
    if cookie in LANGS:
        return cookie
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else "zh"


def translator(lang: str) -> Callable[[str, str], str]:
    """`tr(zh, en)`: the text in the page's language."""

    def tr(zh: str, en: str) -> str:
        return zh if lang == "zh" else en

    return tr


def yuan(fen: int | None) -> str:
    """Integer fen as yuan: 123456 -> '¥1,234.56' (money is never a float here)."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def when(moment: datetime | None) -> str:
    """A market time to the second, in UTC (the market's own time zone for the record)."""
    if moment is None:
        return "—"
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def day(moment: datetime | None) -> str:
    """A market date."""
    return "—" if moment is None else moment.strftime("%Y-%m-%d")
