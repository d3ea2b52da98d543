"""Response models of the audit log, shaped exactly as the audit log contract says."""

from __future__ import annotations

from datetime import datetime

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


class BalanceDifference(ResponseModel):
    """An account whose live balance is not what the log's postings add up to."""

    account_id: str
    log_balance_fen: int
    live_balance_fen: int
    difference_fen: int


class ReconcileReport(ResponseModel):
    """Balances rebuilt from `ledger.posted` payloads, compared with the live accounts."""

    ok: bool
    log_size: int
    entries_replayed: int
    accounts_checked: int
    differences: list[BalanceDifference]
    unreadable_entries: list[int] = Field(
        default_factory=list, description="ledger.posted entries whose payload cannot be read"
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
