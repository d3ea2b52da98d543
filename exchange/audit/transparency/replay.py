"""Pure: the derived rows that the audit log's payloads rebuild (compare.py: how rows differ).

Reconciliation (对账) replays entries in log order through `Replay.apply`, which keeps, for
every table it can rebuild, each row's expected columns and the index of the entry that set
each of them; `compare_row` and `compare_journal` then name every difference with its
table, row id, column and that entry index. What each action rebuilds (and what it cannot,
because its payload does not say):

- `account.opened` → `accounts`: owner_id, kind, currency. `ledger.posted` → `accounts`
  balance_fen (the sum of the account's postings), `journals` kind, memo, initiated_by (the
  entry's actor) and `postings` account_id, amount_fen, balance_after_fen (postings are
  written in account-id order, which the replay follows). Accounts the migrations created
  have no `account.opened`: only their balance is checked.
- `trading.trade_settled` → `trading_licences`: trade, listing, tier, licensee, licensor
  (the seller), scope, exclusive, term, usage policy (as the entry writes it: floats as
  decimal text; none if the entry names none), status active. `trading.licence_revoked` → status
  revoked, revoked_by, revocation_reason; `trading.licence_expired` → status expired.
  Revocation times are the clock's: not checked.
- `trading.listing_created` → `trading_listings` (all but the description),
  `trading_listing_venues` (base, status) and `trading_licence_tiers` (all but the
  exclusive claim and sale; the usage policy as the entry writes it). A licence's usage
  counters (quota period, uses, privacy budget spent) move with each use and are not in
  these payloads: not checked. `trading.listing_reviewed`, `_suspended`, `_resumed`,
  `_delisted` → a venue's status, reason and updated_by.
- `certificate.issued` → `asset_certificates`: asset, holder, key, expiry, the SHA-256 of
  the signed document, state valid; `certificate.revoked` → state revoked and reason;
  `pledge.confirmed` / `pledge.released` → the pledge it carries.
- `trading.mandate_granted` → `trading_mandates`: every column its payload names (client,
  broker, exchanges, actions, limit, commission, expiry), status active;
  `trading.mandate_revoked` → status revoked; `trading.mandate_expired` → status expired.
  Committed spending (spent_fen) moves with
  escrow and settlement and is not in these payloads: not checked.
- `customs.case_opened` → `trading_customs_cases`: order, buyer, jurisdiction, asset,
  grade, personal information, legal basis, status, decision, reason, decided_by;
  `customs.case_decided` → decision, status, reason, decided_by (the regulator). The
  listing and exchange of a case are not in its entry: not checked.

Row ids are the tables' primary keys as text; a listing venue is `<listing>/<exchange>`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from exchange.trading.listings.rows import venue_row_id

ACCOUNTS = "accounts"
JOURNALS = "journals"
POSTINGS = "postings"
LICENCES = "trading_licences"
LISTINGS = "trading_listings"
VENUES = "trading_listing_venues"
TIERS = "trading_licence_tiers"
CERTIFICATES = "asset_certificates"
MANDATES = "trading_mandates"
CUSTOMS_CASES = "trading_customs_cases"

# Live rows a table may hold without an entry that made them (the migrations' accounts),
# compared with these values instead of being reported as unlogged.
DEFAULTS_FOR_UNLOGGED: dict[str, dict[str, Any]] = {ACCOUNTS: {"balance_fen": 0}}

Kind = Literal["changed", "missing", "unlogged"]


class Unreadable(ValueError):
    """An entry of a replayed action whose payload is not the shape that action writes."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One difference between the live tables and what the log rebuilds.

    kind: `changed` (a column differs), `missing` (the log made the row, the table lacks
    it) or `unlogged` (the table holds a row no entry made). entry_index is the entry that
    set the expected value (for `missing`, made the row); None for `unlogged`.
    """

    table: str
    row_id: str
    column: str | None
    kind: Kind
    entry_index: int | None
    log_value: Any = None
    live_value: Any = None


@dataclass(slots=True)
class RebuiltRow:
    """A row as the log says it is: the entry that made it (or first touched it), and each
    column's value with the entry index that set it."""

    made_by: int
    cells: dict[str, tuple[Any, int | None]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RebuiltJournal:
    """A journal as its `ledger.posted` entry says: postings in the order they are written,
    each (account id, amount in fen, balance after)."""

    journal_id: str
    entry_index: int
    kind: str
    memo: str
    initiated_by: str
    postings: tuple[tuple[str, int, int], ...]


Handler = Callable[["Replay", int, str, str, Mapping[str, Any]], "RebuiltJournal | None"]
HANDLERS: dict[str, Handler] = {}


def _handles(*actions: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for action in actions:
            HANDLERS[action] = handler
        return handler

    return register


class Replay:
    """The rows rebuilt so far; feed it entries in log order."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, RebuiltRow]] = {}
        self.replayed = 0

    def apply(self, index: int, entry: object) -> RebuiltJournal | None:
        """Replay one parsed entry (ignored unless its action rebuilds something).

        Returns the journal a `ledger.posted` entry posts (compared batch by batch, since
        journals never change). Raises Unreadable, changing nothing, if the payload is not
        the shape its action writes.
        """
        if not isinstance(entry, dict):
            raise Unreadable("the entry is not a JSON object")
        action = entry.get("action")
        handler = HANDLERS.get(action) if isinstance(action, str) else None
        if handler is None:
            return None
        subject = entry.get("subject")
        payload = entry.get("payload")
        subject_id = subject.get("id") if isinstance(subject, dict) else None
        actor = entry.get("actor")
        if not isinstance(subject_id, str) or not isinstance(actor, str):
            raise Unreadable("the entry has no subject id or actor")
        if not isinstance(payload, dict):
            raise Unreadable("the payload is not an object")
        # Handlers read everything before they write, so a bad payload changes nothing.
        journal = handler(self, index, subject_id, actor, payload)
        self.replayed += 1
        return journal

    def row(self, table: str, row_id: str, index: int) -> RebuiltRow:
        """The rebuilt row (when new, first touched by entry index)."""
        rows = self.tables.setdefault(table, {})
        found = rows.get(row_id)
        if found is None:
            found = rows[row_id] = RebuiltRow(index)
        return found

    def make(self, table: str, row_id: str, index: int, values: Mapping[str, Any]) -> None:
        """An entry made this row: these are its columns."""
        self.tables.setdefault(table, {})[row_id] = RebuiltRow(
            index, {column: (value, index) for column, value in values.items()}
        )

    def set(self, table: str, row_id: str, index: int, values: Mapping[str, Any]) -> None:
        """An entry changed these columns of a row."""
        cells = self.row(table, row_id, index).cells
        for column, value in values.items():
            cells[column] = (value, index)


# ---------------------------------------------------------------------------------------
# Reading payloads: exactly the JSON types each field has, or Unreadable
# ---------------------------------------------------------------------------------------

_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "str?": (str, type(None)),
    "dict?": (dict, type(None)),
    "int": (int,),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
}


def _read(payload: Mapping[str, Any], key: str, kind: str) -> Any:
    value = payload.get(key)
    if type(value) not in _TYPES[kind] or (not kind.endswith("?") and key not in payload):
        raise Unreadable(f"payload field {key!r} is not a {kind}")
    return value


def _fields(payload: Mapping[str, Any], spec: Mapping[str, str]) -> dict[str, Any]:
    return {key: _read(payload, key, kind) for key, kind in spec.items()}


# ---------------------------------------------------------------------------------------
# The ledger
# ---------------------------------------------------------------------------------------


@_handles("account.opened")
def _account_opened(
    replay: Replay, index: int, account_id: str, actor: str, p: Mapping[str, Any]
) -> None:
    values = _fields(p, {"owner_id": "str", "kind": "str", "currency": "str"})
    row = replay.row(ACCOUNTS, account_id, index)
    row.made_by = index
    for column, value in values.items():
        row.cells[column] = (value, index)
    row.cells.setdefault("balance_fen", (0, index))


@_handles("ledger.posted")
def _ledger_posted(
    replay: Replay, index: int, journal_id: str, actor: str, p: Mapping[str, Any]
) -> RebuiltJournal:
    head = _fields(p, {"kind": "str", "memo": "str", "postings": "list"})
    legs: list[tuple[str, int]] = []
    for leg in head["postings"]:
        if not isinstance(leg, dict):
            raise Unreadable("a posting is not an object")
        legs.append((_read(leg, "account_id", "str"), _read(leg, "amount_fen", "int")))
    if not legs or sum(amount for _, amount in legs) != 0:
        raise Unreadable("postings are empty or do not sum to zero")
    postings = []
    # Written in account-id order (stable), each leg moving its account's balance.
    for account_id, amount in sorted(legs, key=lambda leg: leg[0]):
        row = replay.row(ACCOUNTS, account_id, index)
        balance = int(row.cells.get("balance_fen", (0, index))[0]) + amount
        row.cells["balance_fen"] = (balance, index)
        postings.append((account_id, amount, balance))
    return RebuiltJournal(journal_id, index, head["kind"], head["memo"], actor, tuple(postings))


# ---------------------------------------------------------------------------------------
# Trading: licences, listings, mandates, customs
# ---------------------------------------------------------------------------------------


@_handles("trading.trade_settled")
def _trade_settled(
    replay: Replay, index: int, trade_id: str, actor: str, p: Mapping[str, Any]
) -> None:
    order = _fields(p, {"listing_id": "str", "tier_id": "str", "seller_id": "str"})
    licence = _read(p, "licence", "dict")
    terms = _fields(
        licence,
        {
            "licence_id": "str",
            "licensee_id": "str",
            "scope": "str",
            "exclusive": "bool",
            "starts_at": "str",
            "expires_at": "str",
            "policy": "dict?",
        },
    )
    licence_id = terms.pop("licence_id")
    replay.make(
        LICENCES,
        licence_id,
        index,
        {
            "trade_id": trade_id,
            "listing_id": order["listing_id"],
            "tier_id": order["tier_id"],
            "licensor_id": order["seller_id"],
            **terms,
            "status": "active",
            "revoked_by": None,
            "revocation_reason": None,
        },
    )


@_handles("trading.licence_revoked")
def _licence_revoked(
    replay: Replay, index: int, licence_id: str, actor: str, p: Mapping[str, Any]
) -> None:
    reason = _read(p, "reason", "str")
    replay.set(
        LICENCES,
        licence_id,
        index,
        {"status": "revoked", "revoked_by": actor, "revocation_reason": reason},
    )


@_handles("trading.listing_created")
def _listing_created(
    replay: Replay, index: int, listing_id: str, actor: str, p: Mapping[str, Any]
) -> None:
    listing = _fields(
        p,
        {
            "asset_id": "str",
            "holder_id": "str",
            "certificate_number": "str",
            "title": "str",
            "product_form": "str",
            "grade": "str",
            "personal_information": "bool",
        },
    )
    delivery = _fields(
        _read(p, "delivery", "dict"),
        {"kind": "str", "filename": "str", "media_type": "str", "size": "int", "sha256": "str"},
    )
    venues = []
    for venue in _read(p, "venues", "list"):
        if not isinstance(venue, dict):
            raise Unreadable("a venue is not an object")
        venues.append(_fields(venue, {"exchange_id": "str", "base_id": "str?", "status": "str"}))
    tiers = []
    for tier in _read(p, "tiers", "list"):
        if not isinstance(tier, dict):
            raise Unreadable("a tier is not an object")
        tiers.append(
            _fields(
                tier,
                {
                    "tier_id": "str",
                    "name": "str",
                    "scope": "str",
                    "term_days": "int",
                    "price_fen": "int",
                    "exclusive": "bool",
                    "policy": "dict?",
                },
            )
        )
    replay.make(
        LISTINGS,
        listing_id,
        index,
        {
            **listing,
            "fingerprint": delivery["sha256"],
            "delivery_kind": delivery["kind"],
            "delivery_filename": delivery["filename"],
            "delivery_media_type": delivery["media_type"],
            "delivery_size": delivery["size"],
        },
    )
    for venue in venues:
        replay.make(
            VENUES,
            venue_row_id(listing_id, venue["exchange_id"]),
            index,
            {
                "listing_id": listing_id,
                "exchange_id": venue["exchange_id"],
                "base_id": venue["base_id"],
                "status": venue["status"],
                "reason": "",
                "updated_by": actor,
            },
        )
    for position, tier in enumerate(tiers):
        tier_id = tier.pop("tier_id")
        replay.make(TIERS, tier_id, index, {"listing_id": listing_id, "position": position, **tier})


@_handles("trading.listing_reviewed")
def _listing_reviewed(
    replay: Replay, index: int, listing_id: str, actor: str, p: Mapping[str, Any]
) -> None:
    review = _fields(p, {"exchange_id": "str", "approved": "bool", "reason": "str"})
    replay.set(
        VENUES,
        venue_row_id(listing_id, review["exchange_id"]),
        index,
        {
            "status": "active" if review["approved"] else "rejected",
            "reason": review["reason"],
            "updated_by": actor,
        },
    )


VENUE_MOVES = {
    "trading.listing_suspended": "suspended",
    "trading.listing_resumed": "active",
    "trading.listing_delisted": "delisted",
}


def _venue_move(status: str) -> Handler:
    def move(replay: Replay, index: int, listing_id: str, actor: str, p: Mapping[str, Any]) -> None:
        exchange_ids = _read(p, "exchange_ids", "list")
        reason = _read(p, "reason", "str")
        if not all(isinstance(e, str) for e in exchange_ids):
            raise Unreadable("exchange_ids holds a non-string")
        for exchange_id in exchange_ids:
            replay.set(
                VENUES,
                venue_row_id(listing_id, exchange_id),
                index,
                {"status": status, "reason": reason, "updated_by": actor},
            )

    return move


HANDLERS.update({action: _venue_move(status) for action, status in VENUE_MOVES.items()})

# Entries that only move a row's status (the rest of the row is the clock's or unchanged).
STATUS_MOVES = {
    "trading.licence_expired": (LICENCES, "expired"),
    "trading.mandate_revoked": (MANDATES, "revoked"),
    "trading.mandate_expired": (MANDATES, "expired"),
}


def _status_move(table: str, status: str) -> Handler:
    def move(replay: Replay, index: int, row_id: str, actor: str, p: Mapping[str, Any]) -> None:
        replay.set(table, row_id, index, {"status": status})

    return move


HANDLERS.update({action: _status_move(*move) for action, move in STATUS_MOVES.items()})


@_handles("trading.mandate_granted")
def _mandate_granted(
    replay: Replay, index: int, mandate_id: str, actor: str, p: Mapping[str, Any]
) -> None:
    _fields(
        p,
        {
            "client_id": "str",
            "broker_id": "str",
            "exchange_ids": "list",
            "actions": "list",
            "spending_limit_fen": "int",
            "commission_bp": "int",
            "expires_at": "str",
        },
    )
    # Every column the payload names (a column added later is checked as soon as the
    # payload carries it).
    replay.make(MANDATES, mandate_id, index, {**p, "status": "active"})


@_handles("customs.case_opened")
def _case_opened(
    replay: Replay, index: int, case_id: str, actor: str, p: Mapping[str, Any]
) -> None:
    case = _fields(
        p,
        {
            "order_id": "str",
            "buyer_id": "str",
            "jurisdiction": "str",
            "asset_id": "str",
            "grade": "str",
            "personal_information": "bool",
            "legal_basis": "str?",
            "status": "str",
            "decision": "str?",
            "reason": "str",
        },
    )
    # A case triaged on opening is decided by the system.
    case["decided_by"] = "system" if case["decision"] is not None else None
    replay.make(CUSTOMS_CASES, case_id, index, case)


CUSTOMS_OUTCOMES = {"approved": "cleared", "rejected": "refused"}


@_handles("customs.case_decided")
def _case_decided(
    replay: Replay, index: int, case_id: str, actor: str, p: Mapping[str, Any]
) -> None:
    decided = _fields(p, {"decision": "str", "reason": "str"})
    status = CUSTOMS_OUTCOMES.get(decided["decision"])
    if status is None:
        raise Unreadable(f"unknown customs decision {decided['decision']!r}")
    replay.set(CUSTOMS_CASES, case_id, index, {**decided, "status": status, "decided_by": actor})


# ---------------------------------------------------------------------------------------
# Assets: certificates and the pledges they carry
# ---------------------------------------------------------------------------------------


@_handles("certificate.issued")
def _certificate_issued(
    replay: Replay, index: int, number: str, actor: str, p: Mapping[str, Any]
) -> None:
    issued = _fields(
        p,
        {
            "asset_id": "str",
            "holder_id": "str",
            "key_id": "str",
            "expires_at": "str",
            "document_sha256": "str",
        },
    )
    replay.make(
        CERTIFICATES,
        number,
        index,
        {**issued, "state": "valid", "revocation_reason": None, "pledge_id": None},
    )


@_handles("certificate.revoked")
def _certificate_revoked(
    replay: Replay, index: int, number: str, actor: str, p: Mapping[str, Any]
) -> None:
    reason = _read(p, "reason", "str")
    replay.set(CERTIFICATES, number, index, {"state": "revoked", "revocation_reason": reason})


@_handles("pledge.confirmed", "pledge.released")
def _pledge_moved(
    replay: Replay, index: int, pledge_id: str, actor: str, p: Mapping[str, Any]
) -> None:
    number = _read(p, "certificate_number", "str")
    status = _read(p, "status", "str")
    replay.set(
        CERTIFICATES, number, index, {"pledge_id": pledge_id if status == "active" else None}
    )


# One pass over the raw bytes finds the leaves worth parsing. RFC 8785 writes no spaces,
# and "action" sorts first among an entry's keys; the parsed leaf still has the final word.
