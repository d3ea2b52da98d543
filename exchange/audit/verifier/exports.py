"""Reading an export (JSON Lines of {"index", "leaf", "leaf_hash"}) a page at a time, fast.

A page is `CHUNK` entries (the last may be shorter), exactly as a line-by-line reader with
`json.loads` would group them: text lines, blank ones skipped. The bytes of a page are read
as they are: where every line is an export line as `export_line` writes it -- the index the
entry's position gives, a leaf whose only escapes are `\\"`, a 64-digit hex hash -- the
leaves are cut from the page with a handful of whole-page operations instead of one JSON
decoding per line; a page that is not exactly that is decoded line by line with `json.loads`,
which names its errors as before. A page whose lines a text reader would split or skip
differently (a carriage return, a blank line, bytes that are not UTF-8) hands the rest of
the file over to that text reader.
"""

from __future__ import annotations

import codecs
import io
import itertools
import json
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import getitem
from pathlib import Path
from typing import IO, Any, cast

from exchange.audit.verifier.checker import CHUNK, decode_page
from exchange.audit.verifier.errors import VerificationError

_cut = cast(Callable[[bytes, slice], bytes], getitem)
_TAIL = b'", "leaf_hash": "'
_TAIL_LEN = len(_TAIL) + 64 + 2  # the tail, the hex hash, and '"}'
_QUOTES_OUTSIDE_LEAF = 10  # five in '{"index": N, "leaf": "', five in the tail
# JSON forbids raw control characters in strings; a line holds none but its newline.
_BACKSLASH_AND_CONTROLS = b"\\" + bytes(range(0x20)).replace(b"\n", b"")


@dataclass(slots=True)
class Page:
    """One page: the entries as decoded triples (fast path) or as JSON objects (decoded later,
    so that errors come in the order a line-by-line reader gives them)."""

    triple: tuple[Sequence[int], list[bytes], list[bytes]] | None = None
    objects: list[dict[str, Any]] | None = None
    raw: bool = True  # read from the bytes as they are (False: by the text reader)

    def __len__(self) -> int:
        return len(self.triple[1]) if self.triple is not None else len(self.objects or ())

    def decode(self) -> tuple[Sequence[int], list[bytes], list[bytes]]:
        """Indexes, leaf bytes and claimed leaf hashes (`decode_page` for JSON objects)."""
        return self.triple if self.triple is not None else decode_page(self.objects or [])

    def origin(self) -> str:
        """The origin the first entry names."""
        try:
            if self.triple is not None:
                return str(json.loads(self.triple[1][0].decode("utf-8"))["origin"])
            return str(json.loads((self.objects or [])[0]["leaf"])["origin"])
        except (ValueError, KeyError, TypeError, IndexError):
            raise VerificationError("the first entry names no origin") from None


def _fast(data: bytes, first_index: int) -> Page | None:
    """The page's entries if every line is exactly an export line (see the module); else None.

    Why it is exact: the heads and tails are compared byte for byte and hold no backslash;
    every backslash is followed by a quote, no leaf ends in a backslash (so each `\\"` lies
    inside a leaf), the quotes outside the escaped ones are exactly the heads' and tails',
    and no raw control character is there -- so each leaf's text is a JSON string body whose
    only escape is `\\"`, which is what `json.loads` of the line would return, unescaped.
    """
    if not data.endswith(b"\n"):
        data += b"\n"
    if b"\\'" in data or b"\\" + _TAIL in data:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # escapes Python does not know: rejected just below
        unescaped = codecs.escape_decode(data)[0]
    # Equal only if every backslash starts a `\\"` (or a `\\'`, excluded above) and no
    # raw control character but the newlines is there: any other escape or control leaves
    # a backslash or a control character in the decoded bytes, or makes them shorter.
    if unescaped != data.translate(None, _BACKSLASH_AND_CONTROLS):
        return None
    rows = unescaped.split(b"\n")
    rows.pop()  # after the final newline
    n = len(rows)
    escaped = len(data) - len(unescaped)
    if data.count(b'"') != escaped + _QUOTES_OUTSIDE_LEAF * n:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    leaves: list[bytes] = []
    for start, end in _digit_runs(first_index, first_index + n):
        run = rows[start - first_index : end - first_index]
        width = len(b'{"index": , "leaf": "') + len(str(start))
        if min(map(len, run)) < width + _TAIL_LEN:
            return None
        want = '{"index": ' + ', "leaf": "{"index": '.join(map(str, range(start, end)))
        heads = b"".join(map(_cut, run, repeat(slice(0, width))))
        if heads != (want + ', "leaf": "').encode():
            return None
        leaves += map(_cut, run, repeat(slice(width, -_TAIL_LEN)))
    tails = b"".join(map(_cut, rows, repeat(slice(-_TAIL_LEN, None))))
    closing = ((_TAIL_LEN - 2, ord('"')), (_TAIL_LEN - 1, ord("}")))
    for column, byte in itertools.chain(enumerate(_TAIL), closing):
        if tails[column::_TAIL_LEN] != bytes([byte]) * n:
            return None
    hexes = b"".join(map(_cut, rows, repeat(slice(-_TAIL_LEN + len(_TAIL), -2))))
    try:
        hashes = bytes.fromhex(hexes.decode("ascii"))
    except ValueError:
        return None
    if len(hashes) != 32 * n:
        return None
    claimed = [hashes[i : i + 32] for i in range(0, 32 * n, 32)]
    return Page(triple=(range(first_index, first_index + n), leaves, claimed))


def _digit_runs(start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split [start, end) where the decimal width of the index changes."""
    while start < end:
        bound = min(end, 10 ** len(str(start)))
        yield start, bound
        start = bound


def read_page(data: bytes, first_index: int, first_line: int, path: Path) -> Page | None:
    """The page in `data` (whole lines), or None if a text reader would see other lines.

    `first_index` is the position of its first entry in the export, `first_line` the number
    of its first line (for error messages).
    """
    page = _fast(data, first_index)
    if page is not None:
        return page
    lines = data.split(b"\n")
    if not lines[-1]:
        lines.pop()
    if b"\r" in data or not all(line[:1] == b"{" for line in lines):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    objects = []
    for number, line in enumerate(lines, first_line):
        try:
            objects.append(json.loads(line.decode("utf-8")))
        except ValueError:
            raise VerificationError(f"{path}:{number}: not a JSON line") from None
    return Page(objects=objects)


def text_pages(
    lines: Iterable[str], path: Path, first_line: int = 1, batch: int = CHUNK
) -> Iterator[Page]:
    """Pages of text lines decoded one by one (blank lines skipped), numbered from first_line."""
    objects: list[dict[str, Any]] = []
    for number, line in enumerate(lines, first_line):
        if not line.strip():
            continue
        try:
            objects.append(json.loads(line))
        except ValueError:
            raise VerificationError(f"{path}:{number}: not a JSON line") from None
        if len(objects) >= batch:
            yield Page(objects=objects, raw=False)
            objects = []
    if objects:
        yield Page(objects=objects, raw=False)


def read_export(fh: IO[bytes], path: Path, batch: int = CHUNK) -> Iterator[Page]:
    """Every page of an export opened in binary mode, front to back (it may be a pipe)."""
    position, line = 0, 1
    while lines := list(itertools.islice(fh, batch)):
        data = b"".join(lines)
        page = read_page(data, position, line, path)
        if page is None:
            # The rest as text, from this page on (it ends at a newline or at the end).
            rest = io.TextIOWrapper(fh, encoding="utf-8")
            try:
                here = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
                yield from text_pages(itertools.chain(here, rest), path, line, batch)
            finally:
                rest.detach()  # the caller closes the file
            return
        yield page
        position += len(page)
        line += len(lines)
