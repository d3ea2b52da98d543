"""Pure: comparing the rows the log rebuilds (replay.py) with the live tables, field by field."""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from exchange.audit.transparency.replay import (
    DEFAULTS_FOR_UNLOGGED,
    HANDLERS,
    JOURNALS,
    POSTINGS,
    Finding,
    RebuiltJournal,
    RebuiltRow,
)
from exchange.clock import rfc3339

ACTION_MARK = re.compile(
    b'"action":"(' + b"|".join(re.escape(a.encode()) for a in sorted(HANDLERS)) + b')"'
)


# ---------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A live column value as the log's JSON writes it (enums by value, times RFC 3339)."""
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def same(expected: Any, live: Any) -> bool:
    """Equal as JSON values (True is not 1, 1 is not "1")."""
    if type(expected) is not type(live):
        return False
    if isinstance(expected, list | dict):
        return json.dumps(expected, sort_keys=True) == json.dumps(live, sort_keys=True)
    return bool(expected == live)


def compare_row(table: str, rebuilt: RebuiltRow | None, live: Mapping[str, Any]) -> list[Finding]:
    """How a live row (with its "id") differs from the rebuilt one (None: no entry made it)."""
    row_id = str(live["id"])
    if rebuilt is None:
        defaults = DEFAULTS_FOR_UNLOGGED.get(table)
        if defaults is None:
            return [Finding(table, row_id, None, "unlogged", None, None, plain(dict(live)))]
        rebuilt = RebuiltRow(-1, {k: (v, None) for k, v in defaults.items()})
    findings = []
    for column, (expected, index) in rebuilt.cells.items():
        if column not in live:
            continue
        value = plain(live[column])
        if not same(expected, value):
            findings.append(Finding(table, row_id, column, "changed", index, expected, value))
    return findings


def missing_rows(table: str, rows: Mapping[str, RebuiltRow]) -> list[Finding]:
    """Rows the log made (or changed) that the live table lacks."""
    return [
        Finding(
            table,
            row_id,
            None,
            "missing",
            row.made_by,
            {column: value for column, (value, _) in row.cells.items()},
            None,
        )
        for row_id, row in rows.items()
    ]


def compare_journal(journal: RebuiltJournal, live: Mapping[str, Any] | None) -> list[Finding]:
    """How a live journal (kind, memo, initiated_by, postings in id order) differs from its
    `ledger.posted` entry; None: the journal is gone."""
    index = journal.entry_index
    if live is None:
        return [
            Finding(
                JOURNALS,
                journal.journal_id,
                None,
                "missing",
                index,
                {"kind": journal.kind, "memo": journal.memo, "postings": len(journal.postings)},
            )
        ]
    findings = [
        Finding(JOURNALS, journal.journal_id, column, "changed", index, expected, live[column])
        for column, expected in (
            ("kind", journal.kind),
            ("memo", journal.memo),
            ("initiated_by", journal.initiated_by),
        )
        if not same(expected, live[column])
    ]
    postings: Sequence[Mapping[str, Any]] = live["postings"]
    for position, expected_leg in enumerate(journal.postings):
        if position >= len(postings):
            account_id, amount, balance = expected_leg
            findings.append(
                Finding(
                    POSTINGS,
                    f"{journal.journal_id}#{position}",
                    None,
                    "missing",
                    index,
                    {
                        "journal_id": journal.journal_id,
                        "account_id": account_id,
                        "amount_fen": amount,
                        "balance_after_fen": balance,
                    },
                )
            )
            continue
        posting = postings[position]
        for column, expected in zip(
            ("account_id", "amount_fen", "balance_after_fen"), expected_leg, strict=True
        ):
            if not same(expected, posting[column]):
                findings.append(
                    Finding(
                        POSTINGS, posting["id"], column, "changed", index, expected, posting[column]
                    )
                )
    for posting in postings[len(journal.postings) :]:
        findings.append(
            Finding(
                POSTINGS,
                posting["id"],
                None,
                "unlogged",
                None,
                None,
                {"journal_id": journal.journal_id, **posting},
            )
        )
    return findings
