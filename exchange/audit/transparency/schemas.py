"""Response models of the audit log, shaped exactly as the audit log contract says."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from exchange.schemas import ResponseModel

Hex = str


class PublicKeyItem(ResponseModel):
    """One active checkpoint signing key."""

    key_name: str
    algorithm: str = "ed25519"
    public_key: str = Field(description="base64 of the 32 raw Ed25519 public key bytes")
    key_id: Hex = Field(description="SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], hex")


class PublicKeys(ResponseModel):
    """The log's origin and the keys that sign its checkpoints."""

    origin: str
    keys: list[PublicKeyItem]


class EntryRead(ResponseModel):
    """One entry: its index, the leaf bytes as text (verbatim) and the leaf hash."""

    index: int
    leaf: str
    leaf_hash: Hex


class EntryPage(ResponseModel):
    """A page of entries; `next_start` is where the next page starts (null at the end)."""

    entries: list[EntryRead]
    next_start: int | None


class EntryWithProof(EntryRead):
    """An entry with its RFC 9162 audit path in the tree of the page's `tree_size`.

    `audit_path` is null when the stored subtree hashes cannot give it (a damaged store:
    GET /v1/audit/verify names the damage); the rest of the page is still served.
    """

    audit_path: list[Hex] | None


class EntryProofPage(ResponseModel):
    """A page of entries each provable against the checkpoint of size `tree_size`.

    `checkpoint` is the signed note of that size when one was signed at exactly that size.
    """

    entries: list[EntryWithProof]
    next_start: int | None
    tree_size: int
    checkpoint: str | None


class InclusionProof(ResponseModel):
    """RFC 9162 §2.1.3 inclusion proof of a leaf."""

    index: int
    tree_size: int
    leaf_hash: Hex
    audit_path: list[Hex]


class ConsistencyProof(ResponseModel):
    """RFC 9162 §2.1.4 consistency proof between two tree sizes."""

    first: int
    second: int
    proof: list[Hex]


class VerifyProblem(ResponseModel):
    """One finding of a verification: the first entry index it concerns, kind and detail."""

    index: int | None
    kind: str
    detail: str


class VerifyReport(ResponseModel):
    """The server's re-check of the whole stored log."""

    ok: bool
    size: int
    root: Hex
    first_bad_index: int | None
    first_bad_range: list[int] | None = Field(
        default=None,
        description="[start, end): where the first entry that differs from what was signed "
        "lies, as far as the evidence bounds it (end = start + 1: exactly that entry).",
    )
    problems: list[VerifyProblem]


class ReconcileDifference(ResponseModel):
    """A live row that is not what the log's payloads rebuild, and the entry that says so."""

    table: str = Field(description="The table, e.g. accounts, postings, trading_licences.")
    row_id: str = Field(
        description="The row's primary key as text (a listing venue: `<listing>/<exchange>`; "
        "a posting the table lacks: `<journal>#<position>`)."
    )
    column: str | None = Field(
        description="The column that differs; null when the whole row is missing or unlogged."
    )
    kind: Literal["changed", "missing", "unlogged"] = Field(
        description="changed: a column differs; missing: an entry made the row, the table "
        "lacks it; unlogged: the table holds a row no entry made."
    )
    entry_index: int | None = Field(
        description="The entry that set the expected value (for missing, made the row); "
        "null for unlogged rows."
    )
    log_value: Any = Field(default=None, description="What the log says (JSON).")
    live_value: Any = Field(default=None, description="What the table holds (JSON).")


class ReconcileReport(ResponseModel):
    """Every derived table the log's payloads rebuild, compared with the live tables (对账)."""

    ok: bool
    log_size: int
    entries_replayed: int
    accounts_checked: int
    rows_checked: dict[str, int] = Field(description="Live rows compared, by table.")
    differences_total: int
    differences: list[ReconcileDifference] = Field(
        description="The differences in entry order (unlogged rows last), at most 1000."
    )
    unreadable_entries: list[int] = Field(
        default_factory=list,
        description="Replayed entries whose payload cannot be read (at most 100).",
    )


class HaltRead(ResponseModel):
    """A halt (停机): verification found the log damaged, so state changes are refused."""

    id: int
    first_bad_index: int | None = Field(description="The first entry the verification blamed.")
    detail: str
    detected_by: str = Field(description="start-up, periodic, verify or acknowledge")
    detected_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None


class HaltStatus(ResponseModel):
    """Whether the market is halted for a damaged audit log, and since when."""

    halted: bool
    halts: list[HaltRead] = Field(description="The halts not yet acknowledged, oldest first.")


class HaltAcknowledgement(ResponseModel):
    """The halts an admin lifted after the log verified again."""

    halted: bool
    acknowledged: list[HaltRead]
    verified_size: int
    verified_root: Hex


class CheckRunRead(ResponseModel):
    """The last run of a whole-log check: verification (验证) or reconciliation (对账)."""

    kind: Literal["verify", "reconcile"]
    ok: bool
    log_size: int
    root: Hex | None
    first_bad_index: int | None
    findings: int = Field(description="verify: problems; reconcile: differences + unreadable")
    summary: str
    trigger: str = Field(description="start-up, periodic, verify, reconcile or console")
    run_by: str
    ran_at: datetime
    duration_ms: int
