"""Every query of the audit log's own tables: entries, the head, subtree hashes."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Row,
    SmallInteger,
    Table,
    and_,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit import merkle
from exchange.audit.log.models import (
    STORED_NODE_MIN_LEVEL,
    AuditEntry,
    AuditHalt,
    AuditHead,
    AuditNode,
)

_HEAD = cast(Table, AuditHead.__table__)
# Built once: every write request locks and moves the head.
_LOCK_HEAD = select(AuditHead).where(AuditHead.id == 1).with_for_update()
_ADVANCE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1, _HEAD.c.size == bindparam("old_size", type_=_HEAD.c.size.type))
    .values(
        size=bindparam("new_size", type_=_HEAD.c.size.type),
        head_hash=bindparam("new_head_hash", type_=_HEAD.c.head_hash.type),
        frontier=bindparam("new_frontier", type_=_HEAD.c.frontier.type),
        last_logged_at=bindparam("new_last_logged_at", type_=_HEAD.c.last_logged_at.type),
    )
)


async def lock_head(session: AsyncSession) -> AuditHead:
    """Read the log head, locking it until commit (PostgreSQL row lock; SQLite's is the
    write transaction the session already holds)."""
    head = (await session.execute(_LOCK_HEAD)).scalar_one()
    return head


async def get_head(session: AsyncSession) -> AuditHead:
    """Read the log head without locking it."""
    return (await session.execute(select(AuditHead).where(AuditHead.id == 1))).scalar_one()


# ---------------------------------------------------------------------------------------
# Halts: a log that failed verification takes no appends
# ---------------------------------------------------------------------------------------

_ACTIVE_HALT = (
    select(AuditHalt).where(AuditHalt.acknowledged_at.is_(None)).order_by(AuditHalt.id).limit(1)
)


async def active_halt(session: AsyncSession) -> AuditHalt | None:
    """The oldest halt not yet acknowledged, if any."""
    return (await session.scalars(_ACTIVE_HALT)).first()


async def active_halts(session: AsyncSession) -> Sequence[AuditHalt]:
    """Every halt not yet acknowledged, oldest first (several workers may each record one)."""
    stmt = select(AuditHalt).where(AuditHalt.acknowledged_at.is_(None)).order_by(AuditHalt.id)
    return (await session.scalars(stmt)).all()


async def add_halt(
    session: AsyncSession,
    *,
    first_bad_index: int | None,
    detail: str,
    detected_by: str,
    detected_at: datetime,
) -> AuditHalt:
    """Record a halt."""
    halt = AuditHalt(
        first_bad_index=first_bad_index,
        detail=detail,
        detected_by=detected_by,
        detected_at=detected_at,
    )
    session.add(halt)
    await session.flush()
    return halt


ENTRY_COLUMNS = (
    "seq",
    "leaf",
    "leaf_hash",
    "prev",
    "logged_at",
    "actor",
    "action",
    "subject_type",
    "subject_id",
)
NODE_COLUMNS = ("level", "index", "hash")
_ENTRIES = cast(Table, AuditEntry.__table__)
_NODES = cast(Table, AuditNode.__table__)


@functools.cache
def _insert_sql(dialect: Dialect, table: Table, columns: tuple[str, ...]) -> str:
    """The driver-level INSERT for these columns, in the dialect's own parameter style."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    assert tuple(compiled.positiontup or ()) == columns, compiled.positiontup
    return str(compiled)


async def _insert_many(
    session: AsyncSession, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    # Straight to the driver's executemany: appends are the log's hot path, and per-value
    # processing in the ORM would cost more than the database's own work. Callers pass
    # values the driver takes as they are (ints, bytes, str; datetimes converted here).
    connection = await session.connection()
    await connection.exec_driver_sql(_insert_sql(connection.dialect, table, columns), list(rows))


async def insert_entries(session: AsyncSession, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert new leaves (tuples in ENTRY_COLUMNS order) in one statement."""
    connection = await session.connection()
    to_db = AuditEntry.__table__.c.logged_at.type.bind_processor(connection.dialect)
    if to_db is not None:
        # One append shares one logged_at: convert each distinct value once.
        converted = {when: to_db(when) for when in {row[4] for row in rows}}
        rows = [(*row[:4], converted[row[4]], *row[5:]) for row in rows]
    await _insert_many(session, _ENTRIES, ENTRY_COLUMNS, rows)


async def insert_nodes(session: AsyncSession, rows: Sequence[tuple[int, int, bytes]]) -> None:
    """Insert completed subtree hashes (level, index, hash) in one statement."""
    if rows:
        await _insert_many(session, _NODES, NODE_COLUMNS, rows)


async def advance_head(
    session: AsyncSession,
    *,
    old_size: int,
    size: int,
    head_hash: bytes,
    frontier: bytes,
    last_logged_at: datetime,
) -> bool:
    """Move the head forward; false if another writer moved it first (a missed lock)."""
    params = {
        "old_size": old_size,
        "new_size": size,
        "new_head_hash": head_hash,
        "new_frontier": frontier,
        "new_last_logged_at": last_logged_at,
    }
    result = await session.execute(_ADVANCE_HEAD, params)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------
# Reading the log: subtree hashes, entries
# ---------------------------------------------------------------------------------------

_LEAVES = select(
    literal(0, SmallInteger).label("level"),
    AuditEntry.__table__.c.seq.label("index"),
    AuditEntry.__table__.c.leaf_hash.label("hash"),
).where(AuditEntry.__table__.c.seq.in_(bindparam("leaves", expanding=True)))

# Many nodes (a page of entries with proofs): two INs, not a row-value IN. SQLite answers
# `(level, index) IN (...)` with a full scan, but the cross product of two short lists with
# primary-key seeks; the extra pairs it returns are dropped by the caller's lookups.
_SUBTREES = union_all(
    _LEAVES,
    select(
        AuditNode.__table__.c.level, AuditNode.__table__.c.index, AuditNode.__table__.c.hash
    ).where(
        AuditNode.__table__.c.level.in_(bindparam("levels", expanding=True)),
        AuditNode.__table__.c.index.in_(bindparam("indexes", expanding=True)),
    ),
)

# Up to this many stored nodes (one proof needs at most two per level), each is sought by
# its own key: `(level = ? AND index = ?) OR ...` is one primary-key seek per node on both
# databases, where the cross product above seeks (and returns) levels x indexes pairs.
PAIRED_NODES = 64


@functools.lru_cache(maxsize=PAIRED_NODES + 1)
def _subtrees_by_pairs(count: int) -> Any:
    """Leaves and `count` stored nodes (bind parameters l0/i0, l1/i1, ...), built once per
    count, so a proof only binds values."""
    if count == 0:
        return _LEAVES
    node = AuditNode.__table__.c
    return union_all(
        _LEAVES,
        select(node.level, node.index, node.hash).where(
            or_(
                *(
                    and_(
                        node.level == bindparam(f"l{i}", type_=SmallInteger),
                        node.index == bindparam(f"i{i}", type_=BigInteger),
                    )
                    for i in range(count)
                )
            )
        ),
    )


async def fetch_subtrees(
    session: AsyncSession, refs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """Hashes of perfect subtrees (level, index), read in one query.

    Level 0 is a leaf hash (audit_entries.leaf_hash); levels from STORED_NODE_MIN_LEVEL
    up are in audit_nodes; the levels between are recomputed from their (at most 8) leaves.
    A subtree missing from the store is missing from the answer.
    """
    wanted = set(refs)
    leaves: set[int] = set()
    stored: list[tuple[int, int]] = []
    for level, index in wanted:
        if level >= STORED_NODE_MIN_LEVEL:
            stored.append((level, index))
        else:
            leaves.update(range(index << level, (index + 1) << level))
    if not wanted:
        return {}
    params: dict[str, Any] = {"leaves": sorted(leaves)}
    if len(stored) <= PAIRED_NODES:
        stored.sort()
        stmt = _subtrees_by_pairs(len(stored))
        for i, (level, index) in enumerate(stored):
            params[f"l{i}"], params[f"i{i}"] = level, index
    else:
        stmt = _SUBTREES
        params["levels"] = sorted({level for level, _ in stored})
        params["indexes"] = sorted({index for _, index in stored})
    rows = (await session.execute(stmt, params)).all()
    found = {(int(level), int(index)): bytes(digest) for level, index, digest in rows}
    for level, index in wanted:
        if 0 < level < STORED_NODE_MIN_LEVEL:
            first = index << level
            hashes = [found.get((0, seq)) for seq in range(first, first + (1 << level))]
            if all(h is not None and len(h) == merkle.HASH_SIZE for h in hashes):
                found[(level, index)] = merkle.root_from_leaf_hashes(hashes)  # type: ignore[arg-type]
    return found


async def list_entries(
    session: AsyncSession,
    *,
    start: int,
    limit: int,
    end: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Sequence[Row[int, bytes, bytes]]:
    """Entries from index start on, oldest first, filtered; at most limit rows."""
    stmt = select(AuditEntry.seq, AuditEntry.leaf, AuditEntry.leaf_hash).where(
        AuditEntry.seq >= start
    )
    if end is not None:
        stmt = stmt.where(AuditEntry.seq < end)
    if actor is not None:
        stmt = stmt.where(AuditEntry.actor == actor)
    if action is not None:
        stmt = stmt.where(AuditEntry.action == action)
    if subject_type is not None:
        stmt = stmt.where(AuditEntry.subject_type == subject_type)
    if subject_id is not None:
        stmt = stmt.where(AuditEntry.subject_id == subject_id)
    if since is not None:
        stmt = stmt.where(AuditEntry.logged_at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.logged_at < until)
    stmt = stmt.order_by(AuditEntry.seq).limit(limit)
    return (await session.execute(stmt)).all()


async def entry_batch(
    session: AsyncSession, *, start: int, limit: int
) -> Sequence[Row[int, bytes, bytes, bytes, datetime, str, str, str, str]]:
    """Entries with every stored column, from index start on (for verification)."""
    stmt = (
        select(
            AuditEntry.seq,
            AuditEntry.leaf,
            AuditEntry.leaf_hash,
            AuditEntry.prev,
            AuditEntry.logged_at,
            AuditEntry.actor,
            AuditEntry.action,
            AuditEntry.subject_type,
            AuditEntry.subject_id,
        )
        .where(AuditEntry.seq >= start)
        .order_by(AuditEntry.seq)
        .limit(limit)
    )
    return (await session.execute(stmt)).all()


async def node_ranges(
    session: AsyncSession, ranges: Sequence[tuple[int, int, int]]
) -> dict[tuple[int, int], bytes]:
    """Stored subtree hashes of levels >= 1 in the given (level, first index, count) ranges."""
    if not ranges:
        return {}
    stmt = select(AuditNode.level, AuditNode.index, AuditNode.hash).where(
        or_(
            *(
                and_(
                    AuditNode.level == level, AuditNode.index >= first, AuditNode.index < first + n
                )
                for level, first, n in ranges
            )
        )
    )
    rows = (await session.execute(stmt)).all()
    return {(int(level), int(index)): bytes(digest) for level, index, digest in rows}


async def count_nodes(session: AsyncSession) -> int:
    """How many subtree hashes are stored."""
    return int(await session.scalar(select(func.count()).select_from(AuditNode)) or 0)


async def iter_leaves(
    session: AsyncSession, *, batch: int = 10_000
) -> AsyncIterator[Sequence[Row[int, bytes, bytes]]]:
    """Every entry in order, in batches (for exports)."""
    start = 0
    while True:
        rows = await list_entries(session, start=start, limit=batch)
        if not rows:
            return
        yield rows
        start = rows[-1][0] + 1


async def entries_about(
    session: AsyncSession, *, subject_type: str, subject_ids: Sequence[str], end: int
) -> Sequence[Row[int, bytes]]:
    """(seq, leaf) of the entries below index end whose subject column is one of these."""
    if not subject_ids:
        return []
    stmt = (
        select(AuditEntry.seq, AuditEntry.leaf)
        .where(
            AuditEntry.subject_type == subject_type,
            AuditEntry.subject_id.in_(list(subject_ids)),
            AuditEntry.seq < end,
        )
        .order_by(AuditEntry.seq)
    )
    return (await session.execute(stmt)).all()


async def indexes_about(
    session: AsyncSession, *, subject_type: str, subject_ids: Sequence[str], action: str | None
) -> Sequence[Row[str, int]]:
    """(subject id, seq) of the entries about these subjects (of one action, if given)."""
    if not subject_ids:
        return []
    stmt = select(AuditEntry.subject_id, AuditEntry.seq).where(
        AuditEntry.subject_type == subject_type, AuditEntry.subject_id.in_(list(subject_ids))
    )
    if action is not None:
        stmt = stmt.where(AuditEntry.action == action)
    return (await session.execute(stmt.order_by(AuditEntry.seq))).all()


async def actor_activity(
    session: AsyncSession, actor_ids: Sequence[str]
) -> Sequence[Row[str, str, int, datetime | None]]:
    """(actor, action, entries, last logged_at) of these actors, one row per actor and action."""
    stmt = (
        select(
            AuditEntry.actor,
            AuditEntry.action,
            func.count(),
            func.max(AuditEntry.logged_at),
        )
        .where(AuditEntry.actor.in_(actor_ids))
        .group_by(AuditEntry.actor, AuditEntry.action)
    )
    return (await session.execute(stmt)).all()


def _about(subjects: Mapping[str, Sequence[str]]) -> ColumnElement[bool] | None:
    conditions = [
        and_(AuditEntry.subject_type == kind, AuditEntry.subject_id.in_(list(ids)))
        for kind, ids in subjects.items()
        if ids
    ]
    return or_(*conditions) if conditions else None


async def subject_entries_page(
    session: AsyncSession, *, subjects: Mapping[str, Sequence[str]], limit: int, offset: int
) -> tuple[Sequence[Row[int, bytes]], int]:
    """(seq, leaf) of the entries about any of these subjects (type -> ids), newest first,
    and how many there are."""
    about = _about(subjects)
    if about is None:
        return [], 0
    total = await session.scalar(select(func.count()).select_from(AuditEntry).where(about))
    rows = (
        await session.execute(
            select(AuditEntry.seq, AuditEntry.leaf)
            .where(about)
            .order_by(AuditEntry.seq.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return rows, int(total or 0)
