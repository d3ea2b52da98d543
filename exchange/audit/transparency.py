"""The transparency side of the audit log (审计日志): checkpoints, proofs, checks, reconciliation.

- Signed checkpoints (C2SP tlog-checkpoint notes, 签名树头) with Ed25519 keys that rotate;
  a fresh checkpoint covers every entry committed more than a second ago.
- Entries (filtered, paged) and RFC 9162 inclusion and consistency proofs, read from the
  stored perfect subtrees: O(log n) hashes in one query, never a rebuild.
- The server's own re-check of the whole log, and reconciliation (对账) of the live balances
  against the log's `ledger.posted` payloads.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit import merkle
from exchange.audit import repository as audit_repository
from exchange.audit.errors import (
    AuditStoreCorrupt,
    ConsistencyFromEmptyTree,
    IndexOutOfRange,
    SizesOutOfOrder,
    TreeSizeNotCheckpointed,
)
from exchange.audit.keyring import KeyRing, SigningKey
from exchange.audit.models import STORED_NODE_MIN_LEVEL, ZERO_HASH, AuditCheckpoint, AuditHead
from exchange.audit.note import (
    NoteError,
    checkpoint_body,
    public_key_from_raw,
    sign_checkpoint,
    verify_note,
)
from exchange.audit.schemas import (
    BalanceDifference,
    ConsistencyProof,
    EntryPage,
    EntryProofPage,
    EntryRead,
    EntryWithProof,
    InclusionProof,
    PublicKeyItem,
    PublicKeys,
    ReconcileReport,
    VerifyProblem,
    VerifyReport,
)
from exchange.audit.verifier import LogChecker, export_line
from exchange.clock import rfc3339
from exchange.config import Settings
from exchange.context import Context, Runtime, Slot
from exchange.database import unit_of_work
from exchange.participants import ledger
from exchange.participants import repository as participants_repository

log = logging.getLogger("exchange.audit")


# ---------------------------------------------------------------------------------------
# Signing keys and checkpoints (签名树头)
# ---------------------------------------------------------------------------------------

# A fresh checkpoint covers every entry committed more than this long ago.
CHECKPOINT_FRESHNESS = timedelta(seconds=1)
_KEYRING: Slot[KeyRing] = Slot("audit.keyring")


def keyring_for(settings: Settings) -> KeyRing:
    """The signing keys in the configured key directory (outside the repository)."""
    return KeyRing(settings.resolved_key_dir(), settings.audit_origin)


def runtime_keyring(runtime: Runtime) -> KeyRing:
    """The runtime's signing keys (one ring per runtime, re-reading the key directory)."""
    return runtime.cache.get_or_make(_KEYRING, lambda: keyring_for(runtime.settings))


def keyring(ctx: Context) -> KeyRing:
    """The signing keys of the context's runtime."""
    return runtime_keyring(ctx.runtime)


def public_keys(ctx: Context) -> PublicKeys:
    """The log's origin and every key that signs new checkpoints."""
    return PublicKeys(
        origin=ctx.settings.audit_origin,
        keys=[
            PublicKeyItem(
                key_name=k.name,
                public_key=base64.b64encode(k.public_key).decode("ascii"),
                key_id=k.key_id.hex(),
            )
            for k in keyring(ctx).active()
        ],
    )


def _needs_signing(
    latest: AuditCheckpoint | None, head_size: int, key_ids: str, now: datetime
) -> bool:
    if latest is None or latest.key_ids != key_ids:
        return True
    if head_size <= latest.size:
        return False
    age = now - latest.created_at
    # A clock set back (simulations) must not freeze the checkpoint until it catches up.
    return age >= CHECKPOINT_FRESHNESS or age < timedelta(0)


async def latest_checkpoint(ctx: Context) -> AuditCheckpoint:
    """The latest signed checkpoint, signing a new one if it is stale or the keys changed."""
    signers = keyring(ctx).active()
    key_ids = ",".join(k.key_id.hex() for k in signers)
    now = ctx.clock.now()
    latest = await audit_repository.latest_checkpoint(ctx.session)
    head = await audit_repository.get_head(ctx.session)
    if latest is not None and not _needs_signing(latest, head.size, key_ids, now):
        return latest
    return await _sign_checkpoint(ctx, signers, key_ids)


async def _sign_checkpoint(
    ctx: Context, signers: Sequence[SigningKey], key_ids: str
) -> AuditCheckpoint:
    # A checkpoint is derived state made on a read: it gets its own short write transaction,
    # serialized across processes, and re-checks staleness under the lock.
    async with unit_of_work(ctx.runtime.sessionmaker) as session:
        await audit_repository.lock_checkpoint_signing(session)
        now = ctx.clock.now()
        latest = await audit_repository.latest_checkpoint(session)
        head = await audit_repository.get_head(session)
        if latest is not None and not _needs_signing(latest, head.size, key_ids, now):
            return latest
        try:
            root = merkle.frontier_root(merkle.decode_frontier(head.frontier, head.size))
            extends = latest is None or await _extends(session, latest, head.size, root)
        except merkle.MerkleError as exc:
            log.error("audit head is damaged, not signing a checkpoint: %s", exc)
            extends = False
        if not extends:
            # Never vouch for a head that does not extend what was already signed.
            if latest is None:
                raise AuditStoreCorrupt("The log head is damaged; no checkpoint can be signed.")
            log.error("audit head does not extend checkpoint %s; serving it unchanged", latest.id)
            return latest
        note = sign_checkpoint(
            ctx.settings.audit_origin, head.size, root, [(k.name, k.private_key) for k in signers]
        )
        checkpoint = AuditCheckpoint(
            size=head.size, root=root, note=note, key_ids=key_ids, created_at=now
        )
        session.add(checkpoint)
    return checkpoint


async def _extends(session: AsyncSession, latest: AuditCheckpoint, size: int, root: bytes) -> bool:
    """Whether the tree of this size and root extends the signed checkpoint (stored nodes)."""
    if size < latest.size:
        return False
    if size == latest.size or latest.size == 0:
        return size > latest.size or root == latest.root
    nodes = merkle.consistency_proof_nodes(latest.size, size)
    fetched = await audit_repository.fetch_subtrees(session, merkle.required_subtrees(nodes))
    proof = merkle.assemble(nodes, fetched)
    return merkle.verify_consistency(latest.size, size, latest.root, root, proof)


# ---------------------------------------------------------------------------------------
# Proofs over the stored subtrees: O(log n) hashes in one query
# ---------------------------------------------------------------------------------------


_CHECKPOINTED: Slot[int] = Slot("audit.checkpointed_size")


async def _provable_size(ctx: Context, tree_size: int | None) -> int:
    """The tree size to prove against: given, or the latest checkpoint's; never beyond it."""
    # Checkpoints only grow, so a size once seen signed stays provable: proofs against a
    # size the client holds (the usual case) skip the checkpoint query.
    known = ctx.runtime.cache.get(_CHECKPOINTED) or 0
    if tree_size is not None and tree_size <= known:
        return tree_size
    limit = await audit_repository.latest_checkpoint_size(ctx.session)
    ctx.runtime.cache.set(_CHECKPOINTED, limit)
    if tree_size is None:
        return limit
    if tree_size > limit:
        raise TreeSizeNotCheckpointed(
            f"Tree size {tree_size} is beyond the latest signed checkpoint ({limit}); "
            "fetch GET /v1/audit/checkpoint and prove against its size.",
            checkpoint_size=limit,
        )
    return tree_size


def _assemble(
    nodes: Sequence[merkle.NodeRef], fetched: dict[tuple[int, int], bytes]
) -> list[bytes]:
    try:
        return merkle.assemble(nodes, fetched)
    except merkle.MerkleError as exc:
        raise AuditStoreCorrupt(
            f"A stored subtree hash is missing or damaged ({exc}); GET /v1/audit/verify."
        ) from exc


def _path_or_none(
    nodes: Sequence[merkle.NodeRef], fetched: dict[tuple[int, int], bytes]
) -> list[str] | None:
    try:
        return [h.hex() for h in merkle.assemble(nodes, fetched)]
    except merkle.MerkleError:
        return None


async def inclusion_proof(ctx: Context, *, index: int, tree_size: int | None) -> InclusionProof:
    """The audit path of one entry in a checkpointed tree."""
    size = await _provable_size(ctx, tree_size)
    if index >= size:
        raise IndexOutOfRange(f"Entry {index} is not in the tree of size {size}.", tree_size=size)
    nodes = merkle.inclusion_proof_nodes(index, size)
    fetched = await audit_repository.fetch_subtrees(
        ctx.session, [(0, index), *merkle.required_subtrees(nodes)]
    )
    path = _assemble(nodes, fetched)
    leaf = _assemble([(0, index)], fetched)[0]
    return InclusionProof(
        index=index, tree_size=size, leaf_hash=leaf.hex(), audit_path=[h.hex() for h in path]
    )


async def consistency_proof(ctx: Context, *, first: int, second: int | None) -> ConsistencyProof:
    """The proof that the tree of size first is a prefix of the tree of size second."""
    if second is not None and first > second:
        raise SizesOutOfOrder(f"First size {first} is larger than second size {second}.")
    size = await _provable_size(ctx, second)
    if first > size:
        raise SizesOutOfOrder(f"First size {first} is larger than second size {size}.")
    if first == 0:
        raise ConsistencyFromEmptyTree(
            "RFC 9162 defines no consistency proof from the empty tree (every tree extends "
            "it); ask from size 1 or more."
        )
    nodes = merkle.consistency_proof_nodes(first, size)
    fetched = await audit_repository.fetch_subtrees(ctx.session, merkle.required_subtrees(nodes))
    proof = _assemble(nodes, fetched)
    return ConsistencyProof(first=first, second=size, proof=[h.hex() for h in proof])


# ---------------------------------------------------------------------------------------
# Entries (filtered, paged, optionally each with its inclusion proof)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """What a regulator looks for: by actor, action, subject or time range (logged_at)."""

    actor: str | None = None
    action: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def leaf_text(leaf: bytes) -> str:
    """The leaf bytes as text (they are UTF-8; damaged bytes show as U+FFFD, and then no
    longer hash to the leaf hash, which is how a verifier notices)."""
    return leaf.decode("utf-8", "replace")


async def list_entries(
    ctx: Context,
    *,
    start: int,
    limit: int,
    where: EntryFilter,
    proofs: bool = False,
    tree_size: int | None = None,
) -> EntryPage | EntryProofPage:
    """A page of entries from index start on; with proofs, each provable in tree_size."""
    filters = dataclasses.asdict(where)
    if not proofs:
        rows = await audit_repository.list_entries(
            ctx.session, start=start, limit=limit + 1, **filters
        )
        more = len(rows) > limit
        rows = rows[:limit]
        return EntryPage(
            entries=[
                EntryRead(index=seq, leaf=leaf_text(leaf), leaf_hash=digest.hex())
                for seq, leaf, digest in rows
            ],
            next_start=rows[-1][0] + 1 if more else None,
        )
    size = await _provable_size(ctx, tree_size)
    rows = await audit_repository.list_entries(
        ctx.session, start=start, limit=limit + 1, end=size, **filters
    )
    more = len(rows) > limit
    rows = rows[:limit]
    plans = [merkle.inclusion_proof_nodes(seq, size) for seq, _, _ in rows]
    needed = merkle.required_subtrees(node for plan in plans for node in plan)
    fetched = await audit_repository.fetch_subtrees(ctx.session, needed)
    checkpoint = await audit_repository.checkpoint_at(ctx.session, size)
    return EntryProofPage(
        entries=[
            EntryWithProof(
                index=seq,
                leaf=leaf_text(leaf),
                leaf_hash=digest.hex(),
                audit_path=_path_or_none(plan, fetched),
            )
            for (seq, leaf, digest), plan in zip(rows, plans, strict=True)
        ],
        next_start=rows[-1][0] + 1 if more else None,
        tree_size=size,
        checkpoint=checkpoint.note if checkpoint is not None else None,
    )


# ---------------------------------------------------------------------------------------
# The server's own re-check of the whole log
# ---------------------------------------------------------------------------------------

VERIFY_BATCH = 16_384
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


@asynccontextmanager
async def _snapshot(ctx: Context) -> AsyncIterator[AsyncSession]:
    """A read-only session seeing one snapshot across many queries (a log being appended
    to must look the same from the first batch to the head and the checkpoints)."""
    engine = ctx.runtime.engine
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    async with AsyncSession(engine, expire_on_commit=False, autoflush=False) as session:
        try:
            yield session
        finally:
            await session.rollback()


def _json_str(text: str) -> bytes:
    if _NEEDS_ESCAPE.search(text) is None:
        return b'"' + text.encode("utf-8") + b'"'
    return json.dumps(text, ensure_ascii=False).encode("utf-8")


class _LogAudit:
    """Server-side checks on top of the contract's: the stored columns, subtrees and head."""

    def __init__(self, ctx: Context, session: AsyncSession, head_size: int) -> None:
        self.ctx = ctx
        self.session = session
        self.head_size = head_size
        self.last_hash = ZERO_HASH
        self.checker: LogChecker

    def check_columns(self, rows: Sequence[Any], hashes: list[bytes]) -> None:
        """The query columns (used by filters) must say what the leaf says."""
        checker = self.checker
        prev = self.last_hash
        for row, digest in zip(rows, hashes, strict=True):
            seq, leaf, _, stored_prev, logged_at, actor, action, subject_type, subject_id = row
            if bytes(stored_prev) != prev:
                checker.report(seq, "entry", "the stored prev column is not the previous leaf hash")
            head = (
                b'{"action":'
                + _json_str(action)
                + b',"actor":'
                + _json_str(actor)
                + b',"logged_at":"'
                + rfc3339(logged_at).encode()
                + b'"'
            )
            tail = (
                b',"subject":{"id":'
                + _json_str(subject_id)
                + b',"type":'
                + _json_str(subject_type)
                + b'},"v":1}'
            )
            leaf = bytes(leaf)
            if not (leaf.startswith(head) and leaf.endswith(tail)):
                checker.report(
                    seq, "entry", "the actor/action/subject/logged_at columns differ from the leaf"
                )
            prev = digest
        self.last_hash = prev

    async def check_nodes(self) -> None:
        """Stored subtree hashes must be the ones the entries give (within the head)."""
        checker = self.checker
        wanted = []
        for level, first, hashes in checker.drain_nodes():
            count = min(len(hashes), (self.head_size >> level) - first)
            if count > 0 and level >= STORED_NODE_MIN_LEVEL:
                wanted.append((level, first, hashes[:count]))
        if not wanted:
            return
        stored = await audit_repository.node_ranges(
            self.session, [(level, first, len(hashes)) for level, first, hashes in wanted]
        )
        for level, first, hashes in wanted:
            for offset, digest in enumerate(hashes):
                index = first + offset
                if stored.get((level, index)) == digest:
                    continue
                start, end = merkle.subtree_range(level, index)
                if checker.has_bad_entry_in(start, end):
                    continue
                what = "missing" if (level, index) not in stored else "wrong"
                checker.report(
                    start, "tree", f"stored subtree hash for entries [{start}, {end}) is {what}"
                )


async def verify_log(ctx: Context) -> VerifyReport:
    """Re-check every entry, the chain, the stored subtrees, the head and the checkpoints."""
    known_keys = [(k.name, public_key_from_raw(k.public_key)) for k in keyring(ctx).all_keys()]
    async with _snapshot(ctx) as session:
        head = await audit_repository.get_head(session)
        checkpoints = await audit_repository.list_checkpoints(session)
        sizes = {head.size, *(c.size for c in checkpoints)}
        checker = LogChecker(ctx.settings.audit_origin, snapshot_sizes=sizes, collect_nodes=True)
        audit = _LogAudit(ctx, session, head.size)
        audit.checker = checker
        last_in_head = ZERO_HASH
        start = 0
        while True:
            rows = await audit_repository.entry_batch(session, start=start, limit=VERIFY_BATCH)
            if not rows:
                break
            indexes = [row[0] for row in rows]
            hashes = checker.add(indexes, [bytes(r[1]) for r in rows], [bytes(r[2]) for r in rows])
            audit.check_columns(rows, hashes)
            for index, digest in zip(indexes, hashes, strict=True):
                if index == head.size - 1:
                    last_in_head = digest
            await audit.check_nodes()
            start = indexes[-1] + 1
        checker.finish()
        await audit.check_nodes()
        stored_nodes = await audit_repository.count_nodes(session)
        _check_head(checker, head, last_in_head, stored_nodes)
        _check_checkpoints(checker, checkpoints, head.size, known_keys, ctx.settings.audit_origin)
        size = head.size
    root = checker.root_at(size) or checker.finish()
    return VerifyReport(
        ok=checker.ok,
        size=size,
        root=root.hex(),
        first_bad_index=checker.first_bad_index,
        problems=[
            VerifyProblem(index=p.index, kind=p.kind, detail=p.detail) for p in checker.problems
        ],
    )


def _check_head(checker: LogChecker, head: AuditHead, last_hash: bytes, stored_nodes: int) -> None:
    if checker.next_index > head.size:
        checker.report(
            head.size,
            "entry",
            f"entries from {head.size} on are beyond the log head (written without the "
            "append lock: no tree head covers them)",
        )
    elif checker.next_index < head.size:
        checker.report(
            checker.next_index,
            "entry",
            f"the head counts {head.size} entries but only {checker.next_index} are stored",
        )
    snapshot = checker.snapshots.get(head.size)
    if head.head_hash != (last_hash if head.size else ZERO_HASH):
        checker.report(None, "head", "the head's hash is not the leaf hash of the last entry")
    if snapshot is not None and head.frontier != b"".join(snapshot.frontier):
        checker.report(None, "head", "the head's Merkle frontier does not match the entries")
    expected_nodes = sum(
        head.size >> level for level in range(STORED_NODE_MIN_LEVEL, head.size.bit_length())
    )
    if stored_nodes != expected_nodes:
        checker.report(
            None,
            "tree",
            f"{stored_nodes} subtree hashes are stored; a log of {head.size} has {expected_nodes}",
        )


def _check_checkpoints(
    checker: LogChecker,
    checkpoints: Sequence[AuditCheckpoint],
    head_size: int,
    known_keys: Sequence[tuple[str, Any]],
    origin: str,
) -> None:
    good_below = 0
    for checkpoint in sorted(checkpoints, key=lambda c: (c.size, c.id)):
        label = f"checkpoint {checkpoint.id} (size {checkpoint.size})"
        if checkpoint.note.split("\n\n")[0] + "\n" != checkpoint_body(
            origin, checkpoint.size, checkpoint.root
        ):
            checker.report(
                None, "checkpoint", f"{label}: its note does not state its size and root"
            )
        snapshot = checker.snapshots.get(checkpoint.size)
        if checkpoint.size > head_size:
            checker.report(head_size, "checkpoint", f"{label} is beyond the log's head")
        elif snapshot is None:
            checker.report(None, "checkpoint", f"{label}: fewer entries are stored than it covers")
        elif snapshot.root != checkpoint.root:
            checker.report(
                good_below,
                "checkpoint",
                f"{label}: the entries no longer give its root (history rewritten after "
                f"entry {good_below})",
            )
        else:
            good_below = checkpoint.size
    if checkpoints:
        try:
            verify_note(checkpoints[-1].note, known_keys)
        except NoteError as exc:
            checker.report(None, "checkpoint", f"latest checkpoint signature: {exc}")


# ---------------------------------------------------------------------------------------
# Reconciliation (对账): balances rebuilt from the log vs the live accounts
# ---------------------------------------------------------------------------------------

# The canonical leaf of a ledger entry holds this exact run of bytes (RFC 8785: no spaces),
# so most leaves are skipped without parsing; the parsed leaf still has the final word.
_LEDGER_MARK = b'"action":"' + ledger.LEDGER_POSTED.encode() + b'"'


async def reconcile(ctx: Context) -> ReconcileReport:
    """Replay every `ledger.posted` payload and list accounts whose live balance differs.

    Entries are chosen by the action inside each leaf, not by the stored `action` column, so
    editing that column cannot hide a posting from the replay.
    """
    replayed = 0
    unreadable: list[int] = []
    from_log: dict[str, int] = {}
    async with _snapshot(ctx) as session:
        size = (await audit_repository.get_head(session)).size
        async for rows in audit_repository.iter_leaves(session):
            for seq, stored, _digest in rows:
                leaf = bytes(stored)
                if seq >= size or _LEDGER_MARK not in leaf:
                    continue
                try:
                    entry = json.loads(leaf)
                    if entry.get("action") != ledger.LEDGER_POSTED:
                        continue
                    legs = ledger.replay_legs(entry.get("payload"))
                except (ValueError, AttributeError):
                    unreadable.append(seq)
                    continue
                for account_id, amount in legs:
                    from_log[account_id] = from_log.get(account_id, 0) + amount
                replayed += 1
            if rows and rows[-1][0] + 1 >= size:
                break
        live = await participants_repository.all_balances(session)
    differences = [
        BalanceDifference(
            account_id=account_id,
            log_balance_fen=from_log.get(account_id, 0),
            live_balance_fen=live.get(account_id, 0),
            difference_fen=live.get(account_id, 0) - from_log.get(account_id, 0),
        )
        for account_id in sorted(set(from_log) | set(live))
        if from_log.get(account_id, 0) != live.get(account_id, 0)
    ]
    return ReconcileReport(
        ok=not differences and not unreadable,
        log_size=size,
        entries_replayed=replayed,
        accounts_checked=len(set(from_log) | set(live)),
        differences=differences,
        unreadable_entries=unreadable[:100],
    )


# ---------------------------------------------------------------------------------------
# Export (JSON Lines of the leaves, straight from the database)
# ---------------------------------------------------------------------------------------


async def export_lines(session: AsyncSession) -> AsyncIterator[str]:
    """Every entry as a JSON Lines record {"index", "leaf", "leaf_hash"}, in order."""
    async for rows in audit_repository.iter_leaves(session):
        for seq, leaf, digest in rows:
            yield export_line(seq, bytes(leaf), bytes(digest))
