"""Pure: how reconciliation names a listing's venue row (a listing on one exchange)."""

from __future__ import annotations


def venue_row_id(listing_id: str, exchange_id: str) -> str:
    """`<listing id>/<exchange id>`: the venue row's id in a reconciliation report."""
    return f"{listing_id}/{exchange_id}"
