"""Verifying files: exports (JSON Lines of the leaves) checked offline, and the trusted
checkpoint a run keeps between runs.
"""

from __future__ import annotations

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


def _origin_of_first_leaf(path: Path) -> str:
    for page in _read_export(path, batch=1):
        try:
            origin = json.loads(page[0]["leaf"])["origin"]
        except (ValueError, KeyError, TypeError):
            raise VerificationError("the first entry names no origin") from None
        return str(origin)
    return ""


def verify_file(
    path: Path,
    *,
    checkpoint_note: str | None = None,
    public_keys: Sequence[str] = (),
    origin: str | None = None,
) -> Report:
    """Verify an export; with a checkpoint (and the keys to check it) also its root."""
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
        log_origin = origin or (checkpoint.origin if checkpoint else _origin_of_first_leaf(path))
        sizes = {checkpoint.size} if checkpoint else set()
        checker = LogChecker(log_origin, snapshot_sizes=sizes)
        for page in _read_export(path):
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
    except VerificationError as exc:
        checker.report(None, "fetch", str(exc))
    return finish_report(report, checker)
