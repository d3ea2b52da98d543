"""The server's own re-check of the whole stored log: entries, chain, subtrees, head, checkpoints.

On top of the contract's checks (the verifier's pure `LogChecker`), the server checks what only
it stores: the query columns, the stored subtree hashes, the head and every checkpoint.

Where the entries no longer give a signed root, the first entry that differs from what was
signed is located (`exchange.audit.verifier.locate`) with the server's evidence: every
signed checkpoint (each bounds the damage to between two signed sizes), the stored subtree
hashes (audit_nodes, written at append time), each entry's `prev`, and a witness -- the leaf
hashes of the last successful verification, kept in the data directory, outside the
database. What it can and cannot locate:
- altered leaf bytes, deleted or swapped entries, a recomputed leaf hash with the rest
  untouched, edited query columns, a damaged stored subtree hash or head: exact (the column,
  subtree and head problems name the row, the subtree's first entry, or the head's entry);
- a rewritten leaf with every later `prev` and hash recomputed: exact if a verification
  passed since the entry was signed (the witness holds its hash); otherwise nothing in the
  database remembers the original, and the report gives the range that the checkpoints and
  the stored subtree hashes leave (`first_bad_range`), with `first_bad_index` its start.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit import merkle
from exchange.audit.log import repository as log_repository
from exchange.audit.log.models import STORED_NODE_MIN_LEVEL, ZERO_HASH, AuditHead
from exchange.audit.note import (
    NoteError,
    checkpoint_body,
    public_key_from_raw,
    verify_note,
)
from exchange.audit.transparency import repository
from exchange.audit.transparency.models import AuditCheckpoint
from exchange.audit.transparency.schemas import (
    VerifyProblem,
    VerifyReport,
)
from exchange.audit.transparency.service import keyring, snapshot
from exchange.audit.verifier.checker import LogChecker
from exchange.audit.verifier.proofs import HASH_SIZE, range_root
from exchange.clock import rfc3339
from exchange.context import Context

VERIFY_BATCH = 16_384
log = logging.getLogger("exchange.audit")
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


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
        stored = await log_repository.node_ranges(
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
                what = (
                    "is missing"
                    if (level, index) not in stored
                    else "differs from the hash the entries give"
                )
                checker.report(
                    start, "tree", f"stored subtree hash for entries [{start}, {end}) {what}"
                )


async def verify_log(ctx: Context) -> VerifyReport:
    """Re-check every entry, the chain, the stored subtrees, the head and the checkpoints."""
    known_keys = [(k.name, public_key_from_raw(k.public_key)) for k in keyring(ctx).all_keys()]
    async with snapshot(ctx) as session:
        head = await log_repository.get_head(session)
        checkpoints = await repository.list_checkpoints(session)
        sizes = {head.size, *(c.size for c in checkpoints)}
        checker = LogChecker(
            ctx.settings.audit_origin,
            snapshot_sizes=sizes,
            collect_nodes=True,
            keep_leaf_hashes=True,
        )
        audit = _LogAudit(ctx, session, head.size)
        audit.checker = checker
        last_in_head = ZERO_HASH
        start = 0
        while True:
            rows = await log_repository.entry_batch(session, start=start, limit=VERIFY_BATCH)
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
        stored_nodes = await log_repository.count_nodes(session)
        _check_head(checker, head, last_in_head, stored_nodes)
        _check_checkpoints(checker, checkpoints, head.size, known_keys, ctx.settings.audit_origin)
        await _locate(ctx, session, checker, checkpoints, known_keys)
        size = head.size
        signed_size = max((c.size for c in checkpoints), default=0)
    root = checker.root_at(size) or checker.finish()
    if checker.ok and signed_size:
        await _save_witness(ctx, checker, signed_size)
    located = checker.located
    return VerifyReport(
        ok=checker.ok,
        size=size,
        root=root.hex(),
        first_bad_index=checker.first_bad_index,
        first_bad_range=[located.start, located.end] if located else None,
        problems=[
            VerifyProblem(index=p.index, kind=p.kind, detail=p.detail) for p in checker.problems
        ],
    )


async def _locate(
    ctx: Context,
    session: AsyncSession,
    checker: LogChecker,
    checkpoints: Sequence[AuditCheckpoint],
    known_keys: Sequence[tuple[str, Any]],
) -> None:
    """Name the first entry that differs from what a checkpoint signed (if any does)."""
    if all(checker.root_at(c.size) == c.root for c in checkpoints):
        return
    signed = {(c.size, c.root) for c in checkpoints if _signed(c.note, known_keys)}
    if not signed:
        return
    # Evidence to descend the tree with: every stored subtree hash within the head.
    top = max(size for size, _ in signed)
    ranges = [(level, 0, top >> level) for level in range(STORED_NODE_MIN_LEVEL, top.bit_length())]
    stored = await log_repository.node_ranges(session, ranges)
    claimed = {merkle.subtree_range(lv, i): digest for (lv, i), digest in stored.items()}
    witness = await asyncio.to_thread(_read_witness, _witness_path(ctx), signed)
    checker.locate_changes(sorted(signed), claimed=claimed, witness=witness)


def _signed(note: str, known_keys: Sequence[tuple[str, Any]]) -> bool:
    try:
        verify_note(note, known_keys)
    except NoteError:
        return False
    return True


def _witness_path(ctx: Context) -> Path:
    """The witness file of this runtime's database (runtimes may share a data directory)."""
    which = hashlib.sha256(ctx.settings.resolved_database_url().encode()).hexdigest()[:16]
    return ctx.settings.data_dir / f"audit-witness-{which}.leaves"


def _read_witness(path: Path, signed: set[tuple[int, bytes]]) -> bytes:
    """Leaf hashes an earlier verification saw, if they still give a signed root."""
    try:
        data = path.read_bytes()
    except OSError:
        return b""
    size = len(data) // HASH_SIZE
    if not size or len(data) % HASH_SIZE or (size, range_root(data, 0, size)) not in signed:
        return b""
    return data


async def _save_witness(ctx: Context, checker: LogChecker, size: int) -> None:
    """Keep the leaf hashes of the latest checkpoint a passing verification checked."""
    hashes = checker.leaf_hashes
    if hashes is None or not size or len(hashes) < size * HASH_SIZE:
        return
    path = _witness_path(ctx)

    def write() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(bytes(hashes[: size * HASH_SIZE]))
        os.replace(tmp, path)

    try:
        await asyncio.to_thread(write)
    except OSError as exc:  # the witness only sharpens later reports; never fail for it
        log.warning("could not keep the audit witness at %s: %s", path, exc)


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
        checker.report(
            max(head.size - 1, 0),
            "head",
            f"the head's hash is not the leaf hash of the last entry ({head.size - 1})",
        )
    if snapshot is not None and head.frontier != b"".join(snapshot.frontier):
        first = _first_bad_frontier_entry(bytes(head.frontier), snapshot.frontier, head.size)
        checker.report(
            first,
            "head",
            f"the head's Merkle frontier does not match the entries (from entry {first} on)",
        )
    expected_nodes = sum(
        head.size >> level for level in range(STORED_NODE_MIN_LEVEL, head.size.bit_length())
    )
    if stored_nodes != expected_nodes:
        checker.report(
            None,
            "tree",
            f"{stored_nodes} subtree hashes are stored; a log of {head.size} has {expected_nodes}",
        )


def _first_bad_frontier_entry(stored: bytes, frontier: Sequence[bytes], size: int) -> int:
    """The first entry of the first perfect subtree whose hash the stored frontier gets wrong."""
    start, k = 0, 0
    for level in range(size.bit_length() - 1, -1, -1):
        if not size >> level & 1:
            continue
        if k >= len(frontier) or stored[k * HASH_SIZE : (k + 1) * HASH_SIZE] != frontier[k]:
            return start
        start += 1 << level
        k += 1
    return start


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
