"""Pure: a registered CSV table read a chunk at a time (UTF-8, RFC 4180 quoting).

`RecordReader` takes a package's bytes piece by piece and hands back whole records: a
piece is cut after the last line break that lies outside quotes (an even number of `"`
before it), so a quoted field that spans a chunk boundary is never split. Memory stays at
about one chunk, whatever the table's size.
"""

from __future__ import annotations

import codecs
import csv
import io
import math


class RecordReader:
    """Feed bytes in, take complete CSV records out."""

    def __init__(self) -> None:
        self._decode = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self._text = ""

    def feed(self, data: bytes, *, final: bool = False) -> list[list[str]]:
        """The records completed by these bytes (all that remain when `final`)."""
        text = self._text + self._decode.decode(data, final)
        cut = len(text) if final else _safe_cut(text)
        block, self._text = text[:cut], text[cut:]
        if not block:
            return []
        return list(filter(None, csv.reader(io.StringIO(block))))


def _safe_cut(text: str) -> int:
    """Just after the last line break outside quotes (0 if there is none)."""
    end = text.rfind("\n")
    while end >= 0:
        if text.count('"', 0, end) % 2 == 0:
            return end + 1
        end = text.rfind("\n", 0, end)
    return 0


def header_of(prefix: bytes) -> list[str] | None:
    """A table's column names from its first bytes (None if no full first line is there)."""
    reader = RecordReader()
    records = reader.feed(prefix, final=b"\n" not in prefix)
    if not records:
        return None
    return [name.strip() for name in records[0]]


def sample_of(prefix: bytes) -> list[list[str]]:
    """The whole records in a table's first bytes, header first."""
    return RecordReader().feed(prefix)


def number(text: str) -> float | None:
    """A cell as a finite number (thousands separators allowed), or None."""
    try:
        value = float(text.replace(",", "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None
