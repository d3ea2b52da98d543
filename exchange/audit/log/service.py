"""The audit spine: services record entries; the unit of work appends them before commit.

Every state change commits together with its audit entries or not at all. Entries are
appended at commit time, under the log-head lock, so the lock is held only briefly.
(Reading, proving and checking the log is in `exchange.audit.transparency`: `record` here is
the core's audit hook, installed by `exchange.wiring`, so this module stays free of the
services that import the context.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Delete, Insert, Update
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

from exchange import metrics
from exchange.audit import merkle
from exchange.audit.log import repository as audit_repository
from exchange.audit.log.entry import EntryDraft, leaf_bytes, to_json_value
from exchange.audit.log.errors import AuditLogDamaged
from exchange.audit.log.models import STORED_NODE_MIN_LEVEL, AuditHalt
from exchange.clock import Clock, rfc3339
from exchange.database import add_pre_commit_hook, release_locks_before_flush

_PENDING = "audit_pending"
_SETUP = "audit_setup"
_CHANGED = "audit_state_changed"
_RECORDED = "audit_recorded"
_APPENDED = "audit_appended"
# The log's own tables: writing them is the append (or a derived checkpoint), not a change
# to the market that would need an entry of its own.
_EXEMPT_TABLES = frozenset(
    {"audit_entries", "audit_head", "audit_nodes", "audit_checkpoints", "audit_halts"}
)


class ForkRefused(RuntimeError):
    """The log head moved under an append that should have held its lock."""


def record(
    session: AsyncSession,
    *,
    clock: Clock,
    origin: str,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
) -> None:
    """Queue an audit entry to be appended when this unit of work commits."""
    draft = EntryDraft(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        payload=to_json_value(payload),  # type: ignore[arg-type]
    )
    session.info.setdefault(_PENDING, []).append(draft)
    session.info[_SETUP] = (clock, origin)
    session.info[_RECORDED] = True
    add_pre_commit_hook(session, "audit", append_pending)


async def append_pending(session: AsyncSession) -> None:
    """Append the queued entries to the log, extending the chain and the Merkle tree."""
    drafts: list[EntryDraft] = session.info.pop(_PENDING, [])
    if not drafts:
        return
    clock, origin = session.info[_SETUP]
    await session.flush()
    head = await audit_repository.lock_head(session)
    release_locks_before_flush(session)
    # Fail closed: nothing is appended to a log that failed verification (every writer --
    # requests, the command line, simulations -- appends here, under the head's lock).
    halt = await audit_repository.active_halt(session)
    if halt is not None:
        raise log_damaged(halt)
    session.info[_APPENDED] = drafts
    await append_drafts(
        session,
        head_size=head.size,
        head_hash=head.head_hash,
        frontier=head.frontier,
        last_logged_at=head.last_logged_at,
        drafts=drafts,
        clock=clock,
        origin=origin,
    )


def log_damaged(halt: AuditHalt) -> AuditLogDamaged:
    """The refusal a halt gives every state change."""
    where = "" if halt.first_bad_index is None else f" at entry {halt.first_bad_index}"
    return AuditLogDamaged(
        f"The audit log failed verification{where} ({halt.detail}); no state change is "
        "accepted until an admin inspects the log and acknowledges "
        "(POST /v1/audit/halt/acknowledge or `exchange audit acknowledge`). Reads still work.",
        first_bad_index=halt.first_bad_index,
        halted_since=rfc3339(halt.detected_at),
    )


async def append_drafts(
    session: AsyncSession,
    *,
    head_size: int,
    head_hash: bytes,
    frontier: bytes,
    last_logged_at: datetime | None,
    drafts: list[EntryDraft],
    clock: Clock,
    origin: str,
) -> None:
    """Write entries after a locked head: leaves, subtree hashes and the new head."""
    size = head_size
    prev = head_hash
    stack = list(merkle.decode_frontier(frontier, head_size))
    now = clock.now()
    # logged_at never decreases with seq, even if the clock is set back.
    logged_at = now if last_logged_at is None or now >= last_logged_at else last_logged_at
    stamp = rfc3339(logged_at)
    sha256 = hashlib.sha256
    entry_rows: list[tuple[Any, ...]] = []
    node_rows: list[tuple[int, int, bytes]] = []
    for draft in drafts:
        leaf = leaf_bytes(origin=origin, seq=size, stamp=stamp, draft=draft, prev_hex=prev.hex())
        leaf_hash = sha256(b"\x00" + leaf).digest()
        entry_rows.append(
            (
                size,
                leaf,
                leaf_hash,
                prev,
                logged_at,
                draft.actor,
                draft.action,
                draft.subject_type,
                draft.subject_id,
            )
        )
        # merkle.frontier_append, inlined: each set low bit of size is a same-level subtree
        # that merges with the new one (binary carry); every merge completes a stored node.
        node, level, index = leaf_hash, 0, size
        while (size >> level) & 1:
            node = sha256(b"\x01" + stack.pop() + node).digest()
            level += 1
            index >>= 1
            if level >= STORED_NODE_MIN_LEVEL:
                node_rows.append((level, index, node))
        stack.append(node)
        prev = leaf_hash
        size += 1
    await audit_repository.insert_entries(session, entry_rows)
    await audit_repository.insert_nodes(session, node_rows)
    moved = await audit_repository.advance_head(
        session,
        old_size=head_size,
        size=size,
        head_hash=prev,
        frontier=merkle.encode_frontier(stack),
        last_logged_at=logged_at,
    )
    if not moved:
        raise ForkRefused("the audit log head moved during an append; nothing was written")


@sa_event.listens_for(Session, "after_flush")
def _note_orm_changes(session: Session, _flush_context: Any) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not getattr(obj, "__audit_exempt__", False):
            session.info[_CHANGED] = True
            return


@sa_event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state: ORMExecuteState) -> None:
    stmt = state.statement
    if isinstance(stmt, Insert | Update | Delete):
        mapper = state.bind_mapper
        if mapper is not None and getattr(mapper.class_, "__audit_exempt__", False):
            return
        table = getattr(stmt, "table", None)
        if getattr(table, "name", None) not in _EXEMPT_TABLES:
            state.session.info[_CHANGED] = True


@sa_event.listens_for(Session, "before_commit")
def _refuse_unaudited_commit(session: Session) -> None:
    # The other half of the spine: no state change may commit without its entry.
    if session.info.get(_CHANGED) and not session.info.get(_RECORDED):
        raise RuntimeError("a state change is being committed without an audit entry")
    if session.info.get(_PENDING):
        raise RuntimeError("audit entries were recorded but not appended before commit")


@sa_event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    # Counted once the entries are durable: settlements by trade mode, the log's size.
    appended: list[EntryDraft] = session.info.get(_APPENDED, [])
    for draft in appended:
        if draft.action == "trading.trade_settled" and isinstance(draft.payload, dict):
            metrics.SETTLEMENTS.labels(str(draft.payload.get("mode", "unknown"))).inc()
    if appended:
        metrics.AUDIT_APPENDED.inc(len(appended))


@sa_event.listens_for(Session, "after_commit")
@sa_event.listens_for(Session, "after_rollback")
def _reset(session: Session) -> None:
    for key in (_PENDING, _CHANGED, _RECORDED, _SETUP, _APPENDED):
        session.info.pop(key, None)


async def log_root(session: AsyncSession) -> tuple[bytes, int]:
    """The log's Merkle root and size, from the head's frontier (read without locking)."""
    head = await audit_repository.get_head(session)
    size = int(head.size)
    return merkle.frontier_root(merkle.decode_frontier(bytes(head.frontier), size)), size


async def leaves(session: AsyncSession) -> AsyncIterator[bytes]:
    """Every entry's canonical leaf (RFC 8785 JSON), in log order."""
    async for rows in audit_repository.iter_leaves(session):
        for _seq, leaf, _digest in rows:
            yield bytes(leaf)


async def activity(
    session: AsyncSession, actor_ids: Sequence[str]
) -> dict[str, tuple[dict[str, int], datetime | None]]:
    """Each actor's entries counted by action, and when it last acted."""
    if not actor_ids:
        return {}
    out: dict[str, tuple[dict[str, int], datetime | None]] = {}
    for actor, action, count, last in await audit_repository.actor_activity(session, actor_ids):
        counts, latest = out.get(actor, ({}, None))
        counts[action] = int(count)
        if last is not None and (latest is None or last > latest):
            latest = last
        out[actor] = (counts, latest)
    return out


@dataclass(frozen=True, slots=True)
class LoggedEntry:
    """An entry as its leaf says, with its index in the log (what an inclusion proof names)."""

    index: int
    logged_at: str
    actor: str
    action: str
    subject_type: str
    subject_id: str
    payload: dict[str, Any]


async def entries_about(
    session: AsyncSession, *, subjects: Mapping[str, Sequence[str]], limit: int, offset: int
) -> tuple[list[LoggedEntry], int]:
    """The entries about any of these subjects (subject type -> ids), newest first, read from
    their leaves, and how many there are."""
    rows, total = await audit_repository.subject_entries_page(
        session, subjects=subjects, limit=limit, offset=offset
    )
    found = []
    for seq, leaf in rows:
        entry = json.loads(bytes(leaf))
        found.append(
            LoggedEntry(
                index=int(seq),
                logged_at=entry["logged_at"],
                actor=entry["actor"],
                action=entry["action"],
                subject_type=entry["subject"]["type"],
                subject_id=entry["subject"]["id"],
                payload=entry["payload"],
            )
        )
    return found, total


async def entry_indexes(
    session: AsyncSession,
    *,
    subject_type: str,
    subject_ids: Sequence[str],
    action: str | None = None,
) -> dict[str, list[int]]:
    """The log indexes of the entries about each of these subjects (of one action, if given):
    the evidence a supervision alert or case points at."""
    found: dict[str, list[int]] = {}
    for batch_start in range(0, len(subject_ids), 500):
        batch = subject_ids[batch_start : batch_start + 500]
        for subject_id, seq in await audit_repository.indexes_about(
            session, subject_type=subject_type, subject_ids=batch, action=action
        ):
            found.setdefault(subject_id, []).append(int(seq))
    return found
