"""Reconciliation (对账): the live balances against the log's `ledger.posted` payloads."""

from __future__ import annotations

import json

from exchange.audit.log import repository as log_repository
from exchange.audit.transparency.schemas import (
    BalanceDifference,
    ReconcileReport,
)
from exchange.audit.transparency.service import snapshot
from exchange.context import Context
from exchange.participants import ledger
from exchange.participants import service as participants_service

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
    async with snapshot(ctx) as session:
        size = (await log_repository.get_head(session)).size
        async for rows in log_repository.iter_leaves(session):
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
        live = await participants_service.balances(session)
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
