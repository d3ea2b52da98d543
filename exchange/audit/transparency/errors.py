"""Errors of the audit log: bad proof requests, signing keys, and a damaged store."""

from __future__ import annotations

from exchange.errors import Conflict, ExchangeError, InvalidInput, NotFound


class IndexOutOfRange(InvalidInput):
    slug = "audit-index-out-of-range"
    title = "Leaf index is not in the tree"


class AuditEntryNotFound(NotFound):
    slug = "audit-entry-not-found"
    title = "No such audit log entry"


class TreeSizeNotCheckpointed(InvalidInput):
    slug = "audit-tree-size-beyond-checkpoint"
    title = "Tree size is beyond the latest signed checkpoint"


class SizesOutOfOrder(InvalidInput):
    slug = "audit-sizes-out-of-order"
    title = "First tree size is larger than the second"


class ConsistencyFromEmptyTree(InvalidInput):
    slug = "audit-consistency-from-empty-tree"
    title = "No consistency proof exists from the empty tree"


class LastSigningKey(Conflict):
    slug = "audit-last-signing-key"
    title = "The last active signing key cannot be retired"


class SigningKeyNotFound(Conflict):
    slug = "audit-signing-key-not-found"
    title = "No such active signing key"


class AuditStoreCorrupt(ExchangeError):
    """Stored entries or subtree hashes are missing or damaged (GET /v1/audit/verify says where)."""

    status = 500
    slug = "audit-store-corrupt"
    title = "The stored audit log is damaged"


class AuditLogStillDamaged(Conflict):
    slug = "audit-log-still-damaged"
    title = "The audit log still fails verification"


class AuditNotHalted(Conflict):
    slug = "audit-not-halted"
    title = "The market is not halted"
