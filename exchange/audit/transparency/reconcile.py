"""Reconciliation (对账): every derived table the log's payloads rebuild, against the live
tables, each difference named by table, row and the entry index that made it.

What is rebuilt, and what an entry does not carry and so is not checked, is listed in
`replay`. The log is read a batch of leaves at a time; journals (the bulk of a log) are
compared batch by batch as they are replayed, since a posted journal never changes; the
other tables' rows are rebuilt in memory (one small record per row) and the live tables are
then read page by page. Nothing loads the whole log or a whole table at once.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.assets.certificates import service as certificates_service
from exchange.audit.log import repository as log_repository
from exchange.audit.transparency import compare
from exchange.audit.transparency import replay as rebuild
from exchange.audit.transparency.replay import Finding, RebuiltJournal, Replay
from exchange.audit.transparency.schemas import ReconcileDifference, ReconcileReport
from exchange.audit.transparency.service import snapshot
from exchange.context import Context
from exchange.participants import service as participants_service
from exchange.trading.brokerage import service as brokerage_service
from exchange.trading.customs import service as customs_service
from exchange.trading.licences import service as licences_service
from exchange.trading.listings import service as listings_service

MAX_DIFFERENCES = 1000
MAX_UNREADABLE = 100
_LOOKUP_CHUNK = 500  # journal ids per query

LiveRows = Callable[[AsyncSession], AsyncIterator[tuple[str, list[dict[str, Any]]]]]

# Each domain pages through its own tables, naming each page's table.
LIVE_SOURCES: tuple[LiveRows, ...] = (
    participants_service.accounts_for_reconcile,
    licences_service.all_for_reconcile,
    listings_service.all_for_reconcile,
    certificates_service.all_for_reconcile,
    brokerage_service.all_for_reconcile,
    customs_service.all_for_reconcile,
)
REBUILT_TABLES = (
    rebuild.ACCOUNTS,
    rebuild.JOURNALS,
    rebuild.POSTINGS,
    rebuild.LICENCES,
    rebuild.LISTINGS,
    rebuild.VENUES,
    rebuild.TIERS,
    rebuild.CERTIFICATES,
    rebuild.MANDATES,
    rebuild.CUSTOMS_CASES,
)


def _chunks(items: Sequence[RebuiltJournal]) -> list[Sequence[RebuiltJournal]]:
    return [items[i : i + _LOOKUP_CHUNK] for i in range(0, len(items), _LOOKUP_CHUNK)]


class _Reconciliation:
    """The state of one run: the replay, what was checked and what differs."""

    def __init__(self, session: AsyncSession, size: int) -> None:
        self.session = session
        self.size = size
        self.replay = Replay()
        self.findings: list[Finding] = []
        self.unreadable: list[int] = []
        self.rows_checked = dict.fromkeys(REBUILT_TABLES, 0)
        self.journals_found = 0

    async def replay_log(self) -> None:
        """Replay every entry below the head's size, comparing journals batch by batch.

        Entries are chosen by the action inside each leaf, not by the stored `action`
        column, so editing that column cannot hide an entry from the replay.
        """
        async for rows in log_repository.iter_leaves(self.session):
            journals: list[RebuiltJournal] = []
            for seq, stored, _digest in rows:
                leaf = bytes(stored)
                if seq >= self.size or compare.ACTION_MARK.search(leaf) is None:
                    continue
                try:
                    journal = self.replay.apply(seq, json.loads(leaf))
                except (ValueError, TypeError, KeyError):  # not JSON/UTF-8, or a bad shape
                    self.unreadable.append(seq)
                    continue
                if journal is not None:
                    journals.append(journal)
            await self.check_journals(journals)
            if rows and rows[-1][0] + 1 >= self.size:
                break

    async def check_journals(self, journals: Sequence[RebuiltJournal]) -> None:
        for chunk in _chunks(journals):
            live = await participants_service.journals_for_reconcile(
                self.session, [j.journal_id for j in chunk]
            )
            for journal in chunk:
                found = live.get(journal.journal_id)
                if found is not None:
                    self.journals_found += 1
                    self.rows_checked[rebuild.JOURNALS] += 1
                    self.rows_checked[rebuild.POSTINGS] += len(found["postings"])
                self.findings += compare.compare_journal(journal, found)

    async def unlogged_journals(self) -> None:
        """Journals no `ledger.posted` entry made (looked for only if the counts differ)."""
        if await participants_service.count_journals(self.session) <= self.journals_found:
            return
        async for ids in participants_service.journal_ids_for_reconcile(self.session):
            logged = set()
            for _seq, stored in await log_repository.entries_about(
                self.session, subject_type="journal", subject_ids=ids, end=self.size
            ):
                try:
                    entry = json.loads(bytes(stored))
                    if entry["action"] == "ledger.posted":
                        logged.add(entry["subject"]["id"])
                except (ValueError, TypeError, KeyError):
                    continue  # already reported as unreadable if it was a posting
            self.findings += [
                Finding(rebuild.JOURNALS, journal_id, None, "unlogged", None)
                for journal_id in ids
                if journal_id not in logged
            ]

    async def compare_tables(self) -> None:
        """Every live row of the other rebuilt tables, page by page, then what is missing."""
        tables = self.replay.tables
        for source in LIVE_SOURCES:
            async for table, rows in source(self.session):
                rebuilt = tables.get(table, {})
                self.rows_checked[table] = self.rows_checked.get(table, 0) + len(rows)
                for live in rows:
                    found = rebuilt.pop(str(live["id"]), None)
                    self.findings += compare.compare_row(table, found, live)
        for table, leftover in tables.items():
            self.findings += compare.missing_rows(table, leftover)

    def report(self) -> ReconcileReport:
        never = self.size + 1
        ordered = sorted(
            self.findings,
            key=lambda f: (
                never if f.entry_index is None else f.entry_index,
                f.table,
                f.row_id,
                f.column or "",
            ),
        )
        return ReconcileReport(
            ok=not ordered and not self.unreadable,
            log_size=self.size,
            entries_replayed=self.replay.replayed,
            accounts_checked=self.rows_checked[rebuild.ACCOUNTS],
            rows_checked=self.rows_checked,
            differences_total=len(ordered),
            differences=[
                ReconcileDifference(
                    table=f.table,
                    row_id=f.row_id,
                    column=f.column,
                    kind=f.kind,
                    entry_index=f.entry_index,
                    log_value=f.log_value,
                    live_value=f.live_value,
                )
                for f in ordered[:MAX_DIFFERENCES]
            ],
            unreadable_entries=self.unreadable[:MAX_UNREADABLE],
        )


async def reconcile(ctx: Context) -> ReconcileReport:
    """Replay the log's payloads and compare every table they rebuild with the live one.

    One read-only snapshot covers the log and the tables, so writes made meanwhile are
    either in both or in neither.
    """
    async with snapshot(ctx) as session:
        size = (await log_repository.get_head(session)).size
        run = _Reconciliation(session, size)
        await run.replay_log()
        await run.unlogged_journals()
        await run.compare_tables()
    return run.report()
