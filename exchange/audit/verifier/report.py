"""Pure: what a verification found, as the command line prints it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exchange.audit.verifier.checker import LogChecker, Problem
from exchange.audit.verifier.notes import Checkpoint


@dataclass(slots=True)
class Report:
    """What a verification found."""

    ok: bool = False
    origin: str = ""
    size: int = 0
    root: bytes = b""
    entries: int = 0
    proofs_checked: int = 0
    trusted_size: int | None = None
    consistent_with_trusted: bool | None = None
    keys: list[str] = field(default_factory=list)
    first_bad_index: int | None = None
    # Where the first entry that differs from what was signed lies, [start, end), when the
    # evidence bounds it (end == start + 1: exactly that entry).
    first_bad_range: tuple[int, int] | None = None
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    checkpoint: Checkpoint | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "origin": self.origin,
            "size": self.size,
            "root": self.root.hex(),
            "entries": self.entries,
            "proofs_checked": self.proofs_checked,
            "trusted_size": self.trusted_size,
            "consistent_with_trusted": self.consistent_with_trusted,
            "keys": self.keys,
            "first_bad_index": self.first_bad_index,
            "first_bad_range": list(self.first_bad_range) if self.first_bad_range else None,
            "problem_count": self.problem_count,
            "problems": [p.as_json() for p in self.problems],
        }


def finish_report(report: Report, checker: LogChecker) -> Report:
    report.problems = checker.problems
    report.problem_count = checker.problem_count
    report.first_bad_index = checker.first_bad_index
    located = checker.located
    report.first_bad_range = (located.start, located.end) if located else None
    report.entries = checker.next_index
    report.ok = checker.ok
    return report
