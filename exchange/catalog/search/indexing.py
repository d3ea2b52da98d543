"""Pure: what an item is indexed by (its texts), each term's posting key, and its facet key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from exchange.catalog.search import facets, text

if TYPE_CHECKING:  # the tables' types only: this module does no I/O
    from exchange.catalog.items.models import CatalogItem


def index_texts(
    name_zh: str, name_en: str, description: str, fields: Iterable[tuple[str, str, str]]
) -> list[str]:
    """The texts an item is searched by: names, description, field names and codes."""
    texts = [name_zh, name_en, description]
    for field_zh, field_en, code in fields:
        texts.extend((field_zh, field_en, code))
    return texts


def posting_keys(
    *,
    terms: Iterable[str],
    name_terms: set[str],
    base: int,
    department_seq: int,
) -> dict[str, int]:
    """Each term's posting key: the item's facets, its department, and the name flag."""
    return {
        t: facets.posting_key(base, department_seq=department_seq, in_name=t in name_terms)
        for t in terms
    }


class NamedField(Protocol):
    """A field as the index sees it: its names and its code."""

    @property
    def name_zh(self) -> str: ...
    @property
    def name_en(self) -> str: ...
    @property
    def code(self) -> str: ...


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """How an item sits in the index: each term's posting key, and its facet key (None: not
    indexed yet)."""

    keys: dict[str, int]
    base: int | None


NOT_INDEXED = IndexEntry(keys={}, base=None)


def item_texts(item: CatalogItem, fields: Iterable[NamedField]) -> list[str]:
    """The texts of an item and its fields."""
    return index_texts(
        item.name_zh,
        item.name_en,
        item.description,
        ((f.name_zh, f.name_en, f.code) for f in fields),
    )


def base_key(item: CatalogItem) -> int:
    """The facet key of an item's attributes."""
    return facets.base_key(
        level=item.level,
        grade=item.grade,
        sharing=item.sharing,
        opening=item.opening,
        usage_mask=item.usage_mask,
        city_code=item.city_code,
    )


def index_entry(
    item: CatalogItem, fields: Iterable[NamedField], *, department_seq: int
) -> IndexEntry:
    """Where an item with these fields goes in the index."""
    return IndexEntry(
        keys=posting_keys(
            terms=text.index_terms(item_texts(item, fields)),
            name_terms=text.index_terms([item.name_zh, item.name_en]),
            base=base_key(item),
            department_seq=department_seq,
        ),
        base=base_key(item),
    )
