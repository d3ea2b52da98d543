"""Pure: the API paths of catalog resources."""

from __future__ import annotations


def item_url(item_id: str) -> str:
    """The API path of an item."""
    return f"/v1/catalog/items/{item_id}"
