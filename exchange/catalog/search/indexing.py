"""Pure: what an item is indexed by (its texts) and each term's posting key."""

from __future__ import annotations

from collections.abc import Iterable

from exchange.catalog.search import facets


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
