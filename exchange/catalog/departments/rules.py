"""Pure: administrative divisions as plain values, and how they contain one another."""

from __future__ import annotations

from dataclasses import dataclass

from exchange.catalog.vocabulary import Level


@dataclass(frozen=True, slots=True)
class DivisionInfo:
    """A division as the generator needs it."""

    code: str
    name: str
    name_en: str
    level: Level
    parent_code: str | None


def contains(divs: dict[str, DivisionInfo], outer: str, inner: str) -> bool:
    """Whether division `outer` is `inner` or one of its ancestors."""
    code: str | None = inner
    while code is not None:
        if code == outer:
            return True
        code = divs[code].parent_code if code in divs else None
    return False


def city_of(divs: dict[str, DivisionInfo], division: DivisionInfo) -> str:
    """The prefecture city (or the province) a division belongs to."""
    if division.level is Level.PROVINCE:
        return division.code
    if division.level is Level.CITY:
        return division.code
    return division.parent_code or division.code
