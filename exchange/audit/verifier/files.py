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

import itertools
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from exchange.audit.verifier.checker import CHUNK, LogChecker, decode_page
from exchange.audit.verifier.errors import VerificationError
from exchange.audit.verifier.notes import (
    Checkpoint,
    parse_checkpoint_body,
    parse_checkpoint_note,
    parse_public_key,
    verify_checkpoint,
)
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


def _read_export(path: Path, batch: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    with path.open(encoding="utf-8") as fh:
        page: list[dict[str, Any]] = []
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                page.append(json.loads(line))
            except ValueError:
                raise VerificationError(f"{path}:{number}: not a JSON line") from None
            if len(page) >= batch:
                yield page
                page = []
        if page:
            yield page


def _origin_of(page: list[dict[str, Any]]) -> str:
    if not page:
        return ""
    try:
        return str(json.loads(page[0]["leaf"])["origin"])
    except (ValueError, KeyError, TypeError):
        raise VerificationError("the first entry names no origin") from None


def verify_file(
    path: Path,
    *,
    checkpoint_note: str | None = None,
    public_keys: Sequence[str] = (),
    origin: str | None = None,
    trusted: Path | None = None,
) -> Report:
    """Verify an export; with a checkpoint (and the keys to check it) also its root.

    With `trusted` (a checkpoint file an earlier `verify --trusted` run kept, and its
    witness), entries that run saw are compared with it too, which locates any change.
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
        pages = _read_export(path)
        first = next(pages, [])
        log_origin = origin or (checkpoint.origin if checkpoint else _origin_of(first))
        earlier = read_checkpoint_file(trusted) if trusted is not None else None
        witness = read_witness(trusted, earlier) if trusted and earlier else b""
        sizes = {checkpoint.size} if checkpoint else set()
        sizes |= {earlier.size} if earlier else set()
        checker = LogChecker(log_origin, snapshot_sizes=sizes, keep_leaf_hashes=True)
        for page in itertools.chain([first] if first else [], pages):
            checker.add(*decode_page(page))
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
