"""Reads kept for the rest of a unit of work while nothing they came from is written.

An offline simulation plays a round as one unit of work on a database no one else writes (its
own SQLite file, one connection): what a round reads — an offer, an asset and its certificate,
the subjects of measures in force — can change mid-round only by the round's own statements.
`RoundReads` keeps such reads keyed by what was asked, each with the tables it came from, and
forgets them exactly when they may have changed: a statement writing one of those tables
(seen on the connection, whatever issued it: ORM flush, Core or raw SQL), any statement it
cannot read the table of, a savepoint or transaction rolled back, and the unit's end. It is
off unless a market installs it on its own engine and hands it to its sessions
(`session.info`); the served app never does, so other writers are never a question.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncSession

READS = "round_reads"  # the key of a session's RoundReads in `session.info`
MISSING: Any = object()
_READ_ONLY = ("SELECT", "SAVEPOINT", "RELEASE", "BEGIN", "PRAGMA")


class RoundReads:
    """Reads by key, each with the tables it depends on."""

    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[frozenset[str], Any]] = {}
        self.hits = 0

    def get(self, key: Hashable) -> Any:
        """The value kept under `key`, or MISSING."""
        found = self._entries.get(key)
        if found is None:
            return MISSING
        self.hits += 1
        return found[1]

    def put(self, key: Hashable, tables: frozenset[str], value: Any) -> None:
        """Keep `value` until one of `tables` is written (or the unit ends)."""
        self._entries[key] = (tables, value)

    def clear(self) -> None:
        self._entries.clear()

    def written(self, statement: str) -> None:
        """Forget what a statement may have changed (everything, if it cannot tell)."""
        if not self._entries or statement.lstrip()[:9].upper().startswith(_READ_ONLY):
            return
        table = written_table(statement)
        if table is None:
            self._entries.clear()
            return
        stale = [key for key, (tables, _) in self._entries.items() if table in tables]
        for key in stale:
            del self._entries[key]

    def install(self, engine: Engine) -> None:
        """Watch every statement and transaction end on `engine` (a market's own engine)."""

        def before_cursor_execute(
            conn: Connection, cursor: Any, statement: str, *args: Any
        ) -> None:
            self.written(statement)

        def ended(conn: Connection, *args: Any) -> None:
            self.clear()

        event.listen(engine, "before_cursor_execute", before_cursor_execute)
        for name in ("commit", "rollback", "rollback_savepoint", "begin"):
            event.listen(engine, name, ended)


def written_table(statement: str) -> str | None:
    """The table an INSERT, UPDATE, DELETE or REPLACE writes; None if not one of those."""
    words = statement.split(None, 5)
    upper = [w.upper() for w in words]
    if not upper:
        return None
    i = 1
    if upper[0] == "UPDATE":
        if len(upper) > 2 and upper[1] == "OR":
            i = 3
    elif upper[0] in ("INSERT", "REPLACE", "DELETE"):
        if len(upper) > 2 and upper[1] == "OR":
            i = 3
        if len(upper) > i and upper[i] in ("INTO", "FROM"):
            i += 1
        else:
            return None
    else:
        return None
    if len(words) <= i:
        return None
    name = words[i].split("(", 1)[0].strip('"`[]')
    return name or None


def reads_of(session: AsyncSession) -> RoundReads | None:
    """The session's RoundReads, if its market keeps them."""
    found = session.info.get(READS)
    return found if isinstance(found, RoundReads) else None
