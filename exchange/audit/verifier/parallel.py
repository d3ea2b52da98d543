"""Checking a large export on several cores (an export is a file of whole pages).

Worker processes each read a page's bytes from the file, decode them (`exports.read_page`)
and check them with a fresh `LogChecker` started at the page's first index and the prev its
first entry states; they return the leaf hashes, the first and last timestamps and, for a
full chunk, the subtree root. The parent adopts the pages in order (`LogChecker.adopt`:
their index, prev and first timestamp must continue the log), which gives exactly what
feeding their entries would: every check is made, and the tree is the same. A page that a
worker did not pass (a problem, an error) is fed again in the parent, so that problems and
errors are named as one process names them; a page that a text reader would split into
other lines hands the rest of the file to that reader.
"""

from __future__ import annotations

import io
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from exchange.audit.verifier.checker import CHUNK, CheckedRun, LogChecker
from exchange.audit.verifier.errors import VerificationError
from exchange.audit.verifier.exports import read_page, text_pages

# Below this many bytes left to check, one process is faster than starting workers.
MIN_PARALLEL_BYTES = 8 << 20
_BLOCK = 8 << 20


@dataclass(frozen=True, slots=True)
class _Task:
    path: str
    start: int  # byte offsets of the page in the file
    end: int
    first_index: int  # the position of its first entry in the export
    first_line: int
    origin: str


@dataclass(frozen=True, slots=True)
class _Result:
    task: _Task
    plain: bool  # False: a text reader would see other lines from here on
    run: CheckedRun | None  # None: not passed on its own (the parent feeds it again)


def cores() -> int:
    """The processor cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Workers are forked: a spawned one would re-run the command that started it."""
    return "fork" in multiprocessing.get_all_start_methods()


def _read(path: str, start: int, end: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(start)
        return fh.read(end - start)


def _check(task: _Task) -> _Result:
    data = _read(task.path, task.start, task.end)
    try:
        page = read_page(data, task.first_index, task.first_line, Path(task.path))
        if page is None:
            return _Result(task, False, None)
        indexes, leaves, claimed = page.decode()
    except VerificationError:
        return _Result(task, True, None)
    checker = LogChecker(task.origin, keep_leaf_hashes=True)
    checker.start_at(task.first_index, leaves[0])
    checker.add(indexes, leaves, claimed)
    return _Result(task, True, checker.checked_run())


def _pages(path: str, start: int, page: int) -> Iterator[tuple[int, int]]:
    """Byte ranges of `page` lines each from start (the last may be shorter)."""
    with open(path, "rb") as fh:
        fh.seek(start)
        page_start, offset, need = start, start, page
        while block := fh.read(_BLOCK):
            at = 0
            while block.count(b"\n", at) >= need:
                for _ in range(need):
                    at = block.index(b"\n", at) + 1
                yield page_start, offset + at
                page_start, need = offset + at, page
            need -= block.count(b"\n", at)
            offset += len(block)
        if page_start < offset:
            yield page_start, offset


def feed(
    checker: LogChecker,
    path: Path,
    *,
    start: int,
    first_line: int,
    workers: int,
    page: int = CHUNK,
) -> None:
    """Feed the checker the export from byte offset start on (the entry at position
    checker.fed, line first_line), checking pages in `workers` processes."""
    first = checker.fed

    def tasks() -> Iterator[_Task]:
        for k, (begin, end) in enumerate(_pages(str(path), start, page)):
            line = first_line + k * page
            yield _Task(str(path), begin, end, first + k * page, line, checker.origin)

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for result in pool.imap(_check, tasks()):
            task = result.task
            if not result.plain:
                pool.terminate()
                with path.open("rb") as fh:
                    fh.seek(task.start)
                    with io.TextIOWrapper(fh, encoding="utf-8") as text:
                        for rest in text_pages(text, path, task.first_line, page):
                            checker.add(*rest.decode())
                return
            if result.run is not None and checker.adopt(result.run):
                continue
            data = _read(task.path, task.start, task.end)
            again = read_page(data, task.first_index, task.first_line, path)
            if again is None:  # pragma: no cover - the worker read the same bytes
                raise VerificationError(f"{path}: the export changed while it was read")
            checker.add(*again.decode())
