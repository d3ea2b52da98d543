"""The transparency side of the audit log (审计日志): checkpoints, keys, proofs, entries, exports.

- Signed checkpoints (C2SP tlog-checkpoint notes, 签名树头) with Ed25519 keys that rotate;
  a fresh checkpoint covers every entry committed more than a second ago.
- Entries (filtered, paged) and RFC 9162 inclusion and consistency proofs, read from the
  stored perfect subtrees: O(log n) hashes in one query, never a rebuild.
- Exports of the whole log as JSON Lines.

The server's own re-check of the log is in `verify`, reconciliation (对账) in `reconcile`.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit import merkle
from exchange.audit.log import repository as log_repository
from exchange.audit.log.service import log_damaged
from exchange.audit.note import (
    sign_checkpoint,
)
from exchange.audit.transparency import repository
from exchange.audit.transparency.errors import (
    AuditStoreCorrupt,
    ConsistencyFromEmptyTree,
    IndexOutOfRange,
    SizesOutOfOrder,
    TreeSizeNotCheckpointed,
)
from exchange.audit.transparency.keyring import KeyRing, SigningKey
from exchange.audit.transparency.models import AuditCheckpoint
from exchange.audit.transparency.schemas import (
    ConsistencyProof,
    EntryPage,
    EntryProofPage,
    EntryRead,
    EntryWithProof,
    InclusionProof,
    PublicKeyItem,
    PublicKeys,
)
from exchange.audit.verifier.files import export_line
from exchange.config import Settings
from exchange.context import Context, Runtime, Slot
from exchange.database import unit_of_work

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
    latest = await repository.latest_checkpoint(ctx.session)
    head = await log_repository.get_head(ctx.session)
    if latest is not None and not _needs_signing(latest, head.size, key_ids, now):
        return latest
    return await _sign_checkpoint(ctx, signers, key_ids)


async def _sign_checkpoint(
    ctx: Context, signers: Sequence[SigningKey], key_ids: str
) -> AuditCheckpoint:
    # A checkpoint is derived state made on a read: it gets its own short write transaction,
    # serialized across processes, and re-checks staleness under the lock.
    async with unit_of_work(ctx.runtime.sessionmaker) as session:
        await repository.lock_checkpoint_signing(session)
        now = ctx.clock.now()
        latest = await repository.latest_checkpoint(session)
        head = await log_repository.get_head(session)
        if latest is not None and not _needs_signing(latest, head.size, key_ids, now):
            return latest
        halt = await log_repository.active_halt(session)
        if halt is not None:
            # A halted log failed verification: never vouch for what it holds now.
            if latest is None:
                raise log_damaged(halt)
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
    fetched = await log_repository.fetch_subtrees(session, merkle.required_subtrees(nodes))
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
    limit = await repository.latest_checkpoint_size(ctx.session)
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
    fetched = await log_repository.fetch_subtrees(
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
    fetched = await log_repository.fetch_subtrees(ctx.session, merkle.required_subtrees(nodes))
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
        rows = await log_repository.list_entries(
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
    rows = await log_repository.list_entries(
        ctx.session, start=start, limit=limit + 1, end=size, **filters
    )
    more = len(rows) > limit
    rows = rows[:limit]
    plans = [merkle.inclusion_proof_nodes(seq, size) for seq, _, _ in rows]
    needed = merkle.required_subtrees(node for plan in plans for node in plan)
    fetched = await log_repository.fetch_subtrees(ctx.session, needed)
    checkpoint = await repository.checkpoint_at(ctx.session, size)
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
# Whole-log reads (the server's re-check, reconciliation) see one snapshot
# ---------------------------------------------------------------------------------------


@asynccontextmanager
async def snapshot(ctx: Context) -> AsyncIterator[AsyncSession]:
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


# ---------------------------------------------------------------------------------------
# Export (JSON Lines of the leaves, straight from the database)
# ---------------------------------------------------------------------------------------


async def export_lines(session: AsyncSession) -> AsyncIterator[str]:
    """Every entry as a JSON Lines record {"index", "leaf", "leaf_hash"}, in order."""
    async for rows in log_repository.iter_leaves(session):
        for seq, leaf, digest in rows:
            yield export_line(seq, bytes(leaf), bytes(digest))
