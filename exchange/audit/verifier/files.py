"""Verifying files: exports (JSON Lines of the leaves) checked offline, and the trusted
checkpoint a run keeps between runs, with its witness (the `.leaves` file beside it: the leaf
hashes of the entries that checkpoint covers, as that run checked them).

An export holds only the leaves and their hashes: `verify_file` finds altered bytes,
deleted, swapped and re-chained entries, and names the first entry that differs from the
checkpoint's root -- exactly, except for a leaf rewritten with its whole tail re-linked,
which needs a witness (`trusted`) covering it, else only a range is known. The server's query
columns, stored subtree hashes and head are not in an export: `GET /v1/audit/verify` checks
those.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from exchange.audit.verifier.checker import CHUNK, LogChecker
from exchange.audit.verifier.errors import VerificationError
from exchange.audit.verifier.exports import read_export
from exchange.audit.verifier.notes import (
    Checkpoint,
    parse_checkpoint_body,
    parse_checkpoint_note,
    parse_public_key,
    verify_checkpoint,
)
from exchange.audit.verifier.parallel import MIN_PARALLEL_BYTES, can_fork, cores, feed
from exchange.audit.verifier.proofs import HASH_SIZE, range_root
from exchange.audit.verifier.report import Report, finish_report


def read_checkpoint_file(path: Path) -> Checkpoint:
    """A checkpoint stored by an earlier run (trusted as stored: its signature was checked then)."""
    note = path.read_text(encoding="utf-8")
    body, _ = parse_checkpoint_note(note)
    origin, size, root = parse_checkpoint_body(body)
    return Checkpoint(origin, size, root, note)


def write_checkpoint_file(path: Path, checkpoint: Checkpoint) -> None:
    """Store a verified checkpoint atomically (write aside, then rename over)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(checkpoint.note, encoding="utf-8")
    os.replace(tmp, path)


def witness_path(trusted: Path) -> Path:
    """Where the leaf hashes behind a trusted checkpoint file are kept."""
    return trusted.with_name(trusted.name + ".leaves")


def read_witness(trusted: Path, checkpoint: Checkpoint) -> bytes:
    """The leaf hashes kept with a trusted checkpoint, if they give its root (else none)."""
    try:
        data = witness_path(trusted).read_bytes()
    except OSError:
        return b""
    size = checkpoint.size
    if not size or len(data) != size * HASH_SIZE or range_root(data, 0, size) != checkpoint.root:
        return b""
    return data


def write_witness(trusted: Path, hashes: bytes | bytearray, size: int) -> None:
    """Keep the leaf hashes of the first size entries beside the trusted checkpoint."""
    path = witness_path(trusted)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(bytes(hashes[: size * HASH_SIZE]))
    os.replace(tmp, path)


def export_line(index: int, leaf: bytes, leaf_hash_value: bytes) -> str:
    """One JSON Lines record of an export, the same shape as an entries-listing item."""
    text = leaf.decode("utf-8", "replace")
    return json.dumps(
        {"index": index, "leaf": text, "leaf_hash": leaf_hash_value.hex()}, ensure_ascii=False
    )


def _processes(fh: BinaryIO, workers: int | None) -> tuple[int, int]:
    """Where the rest of the export starts and how many processes check it."""
    try:
        start = fh.tell()
        info = os.fstat(fh.fileno())
    except OSError:
        return 0, 1
    if not stat.S_ISREG(info.st_mode) or not can_fork():
        return start, 1
    if workers is not None:
        return start, workers
    if info.st_size - start < MIN_PARALLEL_BYTES:
        return start, 1
    return start, cores()


def verify_file(
    path: Path,
    *,
    checkpoint_note: str | None = None,
    public_keys: Sequence[str] = (),
    origin: str | None = None,
    trusted: Path | None = None,
    workers: int | None = None,
    page: int = CHUNK,
) -> Report:
    """Verify an export; with a checkpoint (and the keys to check it) also its root.

    With `trusted` (a checkpoint file an earlier `verify --trusted` run kept, and its
    witness), entries that run saw are compared with it too, which locates any change.
    A large export (a regular file) is checked on every core (`parallel`), or on `workers`
    processes; `page` entries at a time (tests use small pages).
    """
    report = Report()
    checker = LogChecker(origin or "")
    try:
        checkpoint = None
        if checkpoint_note is not None:
            if not public_keys:
                raise VerificationError("a checkpoint needs --public-key to check its signature")
            body, _ = parse_checkpoint_note(checkpoint_note)
            cp_origin = parse_checkpoint_body(body)[0]
            keys = [parse_public_key(k, cp_origin) for k in public_keys]
            checkpoint = verify_checkpoint(checkpoint_note, keys)
            report.keys = sorted({f"{k.name} {k.key_id.hex()}" for k in keys})
        # Read once, front to back: the export may be a pipe (`verify-file <(exchange audit
        # export)`), so the first page gives the origin and is then checked with the rest.
        with path.open("rb") as fh:
            pages = read_export(fh, path, page)
            first = next(pages, None)
            log_origin = origin or (
                checkpoint.origin if checkpoint else (first.origin() if first else "")
            )
            earlier = read_checkpoint_file(trusted) if trusted is not None else None
            witness = read_witness(trusted, earlier) if trusted and earlier else b""
            sizes = {checkpoint.size} if checkpoint else set()
            sizes |= {earlier.size} if earlier else set()
            checker = LogChecker(log_origin, snapshot_sizes=sizes, keep_leaf_hashes=True)
            if first is not None:
                checker.add(*first.decode())
                if first.raw and len(first) == page:
                    start, processes = _processes(fh, workers)
                    if processes > 1:
                        feed(
                            checker,
                            path,
                            start=start,
                            first_line=page + 1,
                            workers=processes,
                            page=page,
                        )
                        pages = iter(())
            for rest in pages:
                checker.add(*rest.decode())
        root = checker.finish()
        report.origin = log_origin
        if checkpoint is None:
            report.size, report.root = checker.size, root
        else:
            report.size, report.root, report.checkpoint = (
                checkpoint.size,
                checkpoint.root,
                checkpoint,
            )
            at = checker.root_at(checkpoint.size)
            if at is None:
                checker.report(
                    checker.next_index,
                    "entry",
                    f"the export holds {checker.next_index} entries; the checkpoint covers "
                    f"{checkpoint.size}",
                )
            elif at != checkpoint.root:
                checker.report(None, "checkpoint", "the entries do not give the signed root")
        signed = [(checkpoint.size, checkpoint.root)] if checkpoint else []
        if earlier is not None and earlier.origin == log_origin:
            signed.append((earlier.size, earlier.root))
        checker.locate_changes(signed, witness=witness)
    except VerificationError as exc:
        checker.report(None, "fetch", str(exc))
    return finish_report(report, checker)
