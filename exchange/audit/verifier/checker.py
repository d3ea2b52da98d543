"""Pure: the log checker -- every entry rule and the Merkle tree, fed the log in order.

`LogChecker` is the pure part of the verifier; the server's `/v1/audit/verify` runs the same
checker.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import add, getitem
from typing import Any, cast

from exchange.audit.verifier.errors import VerificationError
from exchange.audit.verifier.locate import Located, locate
from exchange.audit.verifier.proofs import (
    EMPTY_ROOT,
    HASH_SIZE,
    LEAF_PREFIX,
    fold,
    node_hash,
    range_root,
    tree_levels,
)

ENTRY_FIELDS = frozenset(
    {"v", "origin", "seq", "logged_at", "actor", "action", "subject", "payload", "prev"}
)
MAX_SAFE_INTEGER = 2**53 - 1
_PREV = b'"prev":"'
_LOGGED = b'","logged_at":"'
_START = b'{"action":"'
_END = b'"},"v":1}'
_TS_SHAPE = b"0000-00-00T00:00:00.000000Z"
_TS_LEN = len(_TS_SHAPE)
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_HOUR_RE = re.compile(
    rb"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3])"
)
_TS_RE = re.compile(
    r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{6}Z"
)
_TS_BYTES_RE = re.compile(_TS_RE.pattern.encode())
# operator.getitem typed for the one use here: slicing bytes (in bulk, through map).
_cut = cast(Callable[[bytes, slice], bytes], getitem)
# Leaves are hashed in chunks of 2^CHUNK_LEVEL: each chunk is a perfect subtree of the log.
CHUNK_LEVEL = 14
CHUNK = 1 << CHUNK_LEVEL
# Entries per page of the entries listing that a verifier asks for (the server's maximum).
DEFAULT_PAGE_SIZE = 1000
# Entries are checked in slices this long (about 128 KiB of leaves: hot in the CPU cache).
FAST_BATCH = 256


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: the first entry index it concerns (if any), its kind, and what is wrong.

    Kinds: `entry` (a leaf or its place in the chain), `tree` (a served or stored subtree
    hash), `head` (the log head), `checkpoint` (a signed tree head), `fetch` (transport).
    """

    index: int | None
    kind: str
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "kind": self.kind, "detail": self.detail}


def _json_string(text: str) -> bytes:
    """A string as RFC 8785 writes it (Python's escaping of controls, quote and backslash)."""
    return json.dumps(text, ensure_ascii=False).encode("utf-8")


def _canonical(value: Any, path: str = "entry") -> str:
    """RFC 8785 JSON of a parsed entry (keys by UTF-16 code units); ValueError if impossible."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValueError(f"{path}: integer outside ±(2^53−1)")
        return str(value)
    if isinstance(value, float):
        raise ValueError(f"{path}: floats are not allowed")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(_canonical(v, f"{path}[]") for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        items = (
            json.dumps(k, ensure_ascii=False) + ":" + _canonical(value[k], f"{path}.{k}")
            for k in keys
        )
        return "{" + ",".join(items) + "}"
    raise ValueError(f"{path}: not a JSON value")


def _digit_runs(start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split [start, end) where the decimal width of the index changes."""
    while start < end:
        bound = min(end, 10 ** len(str(start)))
        yield start, bound
        start = bound


@dataclass(frozen=True, slots=True)
class CheckedRun:
    """A run of entries a checker found sound on its own, from the state it started at:
    the first entry's index, stated prev (hex) and timestamp, the last timestamp, the leaf
    hashes (concatenated) and, for a full chunk, its root."""

    first_index: int
    first_prev: bytes
    first_ts: bytes
    last_ts: bytes
    leaf_hashes: bytes
    root: bytes | None


@dataclass(slots=True)
class Snapshot:
    """The tree at one size: its perfect subtrees left to right, and its root."""

    frontier: tuple[bytes, ...]
    root: bytes


class LogChecker:
    """Feed it the log in order; it checks every entry rule and builds the Merkle tree.

    The hot path reads the fixed fields straight from the canonical bytes instead of parsing
    JSON. That is safe because RFC 8785 puts the keys in a fixed order (action, actor,
    logged_at, origin, payload, prev, seq, subject{id, type}, v) and a JSON string can never
    contain an unescaped quote: so the first `","logged_at":"` is the top-level field (only
    the action and actor strings come before it) and the last `"prev":"` is the top-level
    prev (after it come only seq and the subject's id and type strings). Each batch is then
    compared byte for byte with what the canonical layout must hold there (prev = hex of the
    previous leaf hash, seq = index, the timestamp's shape, the origin, the start and end).
    A batch that does not match exactly is re-checked leaf by leaf with full JSON parsing,
    which also names the problem; so the fast path can only ever accept canonical entries.
    """

    def __init__(
        self,
        origin: str,
        *,
        snapshot_sizes: Iterable[int] = (),
        keep_leaf_hashes: bool = False,
        collect_nodes: bool = False,
        max_problems: int = 100,
    ) -> None:
        self.origin = origin
        self._origin_part = b'","origin":' + _json_string(origin) + b',"payload":{'
        head = _LOGGED + _TS_SHAPE + self._origin_part
        self._head_width = len(head)
        self._head_template = head.translate(_DIGITS_TO_ZERO)
        # Digits of the origin itself are zeroed by the shape check; these pin them exactly.
        self._origin_digits = [
            (len(_LOGGED) + _TS_LEN + i, bytes([b]))
            for i, b in enumerate(self._origin_part)
            if 0x30 <= b <= 0x39
        ]
        self.size = 0  # leaves in the tree so far
        self.next_index = 0  # the index the next entry should carry
        self.fed = 0  # leaves fed so far (their positions in leaf_hashes)
        # position -> the prev an entry states, where it is not its predecessor's hash now:
        # the hash that predecessor had when this entry was appended.
        self.stated_prev: dict[int, bytes] = {}
        self.located: Located | None = None
        self._prev_hex = b"0" * 64
        self._last_ts = b""
        self.problems: list[Problem] = []
        self.problem_count = 0
        self.max_problems = max_problems
        self._bad_entries: list[int] = []  # sorted
        self._first_other: int | None = None
        self._pending: list[bytes] = []
        self._frontier: list[tuple[int, bytes]] = []  # (level, hash), perfect subtrees
        self._snapshot_sizes = sorted(set(snapshot_sizes))
        self.snapshots: dict[int, Snapshot] = {}
        if 0 in self._snapshot_sizes:
            self.snapshots[0] = Snapshot((), EMPTY_ROOT)
        self.leaf_hashes: bytearray | None = bytearray() if keep_leaf_hashes else None
        self._collect_nodes = collect_nodes
        self._nodes: list[tuple[int, int, list[bytes]]] = []
        self._root: bytes | None = None
        self._run_start: tuple[int, bytes] | None = None

    # -- findings -----------------------------------------------------------------------

    def report(self, index: int | None, kind: str, detail: str) -> None:
        """Record a problem (the first max_problems are kept; all are counted)."""
        self.problem_count += 1
        if index is not None:
            if kind == "entry":
                insort(self._bad_entries, index)
            elif self._first_other is None or index < self._first_other:
                self._first_other = index
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(index, kind, detail))

    def has_bad_entry_in(self, start: int, end: int) -> bool:
        """Whether an entry problem was reported for an index in [start, end)."""
        i = bisect_left(self._bad_entries, start)
        return i < len(self._bad_entries) and self._bad_entries[i] < end

    @property
    def first_bad_index(self) -> int | None:
        """The first bad entry; or, if every entry is sound, the first leaf of a bad subtree."""
        return self._bad_entries[0] if self._bad_entries else self._first_other

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    # -- feeding ------------------------------------------------------------------------

    def add(
        self,
        indexes: Sequence[int],
        leaves: Sequence[bytes],
        claimed_hashes: Sequence[bytes] | None = None,
    ) -> list[bytes]:
        """Check a batch of entries in log order; returns their computed leaf hashes."""
        sha = hashlib.sha256
        prefix = LEAF_PREFIX
        hashes: list[bytes] = []
        # Small slices keep the leaves in the CPU cache across the few passes over them.
        for s in range(0, len(leaves), FAST_BATCH):
            run = leaves[s : s + FAST_BATCH]
            run_indexes = indexes[s : s + FAST_BATCH]
            run_claimed = claimed_hashes[s : s + FAST_BATCH] if claimed_hashes is not None else None
            run_hashes = [sha(prefix + leaf).digest() for leaf in run]
            first, n = self.next_index, len(run)
            last_ts = None
            if (
                run_indexes[0] == first
                and run_indexes[-1] == first + n - 1
                and (n <= 2 or list(run_indexes) == list(range(first, first + n)))
                and (run_claimed is None or list(run_claimed) == run_hashes)
            ):
                last_ts = self._fast(run, run_hashes, first)
            if last_ts is not None:
                self._prev_hex = run_hashes[-1].hex().encode()
                self._last_ts = last_ts
                self.next_index = first + n
            else:
                self._slow(run_indexes, run, run_hashes, run_claimed, self.fed)
            self.fed += n
            hashes += run_hashes
        self._push(hashes)
        return hashes

    def _fast(self, leaves: Sequence[bytes], hashes: list[bytes], first: int) -> bytes | None:
        """The last timestamp if the whole batch is exactly canonical and chained, else None."""
        n = len(leaves)
        if not all(map(bytes.startswith, leaves, repeat(_START))):
            return None
        if not all(map(bytes.endswith, leaves, repeat(_END))):
            return None
        # prev and seq: `"prev":"<hex>","seq":<index>,"subject":{"id":"` at the last "prev".
        prev_hex = self._prev_hex + b"".join(hashes[:-1]).hex().encode()
        for start, end in _digit_runs(first, first + n):
            run = leaves[start - first : end - first]
            digits = len(str(start))
            width = len(_PREV) + 64 + 8 + digits + 18
            ps = list(map(bytes.rfind, run, repeat(_PREV)))
            got = b"".join(map(_cut, run, map(slice, ps, map(add, ps, repeat(width)))))
            template = _PREV + b"0" * 64 + b'","seq":' + b"0" * digits + b',"subject":{"id":"'
            want = bytearray(template * len(run))
            hexes = prev_hex[(start - first) * 64 : (end - first) * 64]
            # Fill the columns in bulk: 64 strided copies beat one small format per entry.
            for c in range(64):
                want[8 + c :: width] = hexes[c::64]
            seqs = "".join(map(str, range(start, end))).encode()
            for c in range(digits):
                want[80 + c :: width] = seqs[c::digits]
            if got != want:
                return None
        # logged_at and origin: `","logged_at":"<ts>","origin":"<origin>","payload":{`.
        width = self._head_width
        qs = list(map(bytes.find, leaves, repeat(_LOGGED)))
        heads = list(map(_cut, leaves, map(slice, qs, map(add, qs, repeat(width)))))
        joined = b"".join(heads)
        if joined.translate(_DIGITS_TO_ZERO) != self._head_template * n:
            return None
        for offset, digit in self._origin_digits:
            if joined[offset::width] != digit * n:
                return None
        ts_at = len(_LOGGED)
        # Records share prefix and suffix, so record order is timestamp order.
        first_ts, last_ts = heads[0][ts_at : ts_at + _TS_LEN], heads[-1][ts_at : ts_at + _TS_LEN]
        if first_ts < self._last_ts or heads != sorted(heads):
            return None
        # The shape check above pinned every digit position; the calendar and clock ranges
        # remain. Sorted fixed-width timestamps whose first and last agree up to the tens of
        # seconds all share that prefix, so checking those two covers the slice.
        if not (_TS_BYTES_RE.fullmatch(first_ts) and _TS_BYTES_RE.fullmatch(last_ts)):
            return None
        if first_ts[:18] != last_ts[:18]:
            hours = set(map(_cut, heads, repeat(slice(ts_at, ts_at + 13))))
            if not all(_HOUR_RE.fullmatch(h) for h in hours):
                return None
            for offset in (ts_at + 14, ts_at + 17):  # tens of minutes and of seconds: 0-5
                if joined[offset::width].translate(None, b"012345"):
                    return None
        return last_ts

    def _slow(
        self,
        indexes: Sequence[int],
        leaves: Sequence[bytes],
        hashes: list[bytes],
        claimed_hashes: Sequence[bytes] | None,
        position: int,
    ) -> None:
        """Check entries one by one with full JSON parsing, naming each problem."""
        for k, (index, leaf, digest) in enumerate(zip(indexes, leaves, hashes, strict=True)):
            if index > self.next_index:
                missing = f"{self.next_index}" + (
                    f"..{index - 1}" if index - 1 > self.next_index else ""
                )
                self.report(self.next_index, "entry", f"entry {missing} is missing")
            elif index < self.next_index:
                self.report(index, "entry", f"entry {index} appears again or out of order")
            self.next_index = index + 1
            if claimed_hashes is not None and claimed_hashes[k] != digest:
                self.report(
                    index, "entry", "leaf bytes do not hash to the recorded leaf_hash (altered)"
                )
            self._check_entry(index, leaf, position + k)
            self._prev_hex = digest.hex().encode()

    def _check_entry(self, index: int, leaf: bytes, position: int) -> None:
        try:
            entry = json.loads(leaf)
        except (UnicodeDecodeError, ValueError):
            self.report(index, "entry", "leaf is not valid UTF-8 JSON")
            return
        if not isinstance(entry, dict) or set(entry) != ENTRY_FIELDS:
            self.report(
                index, "entry", "leaf is not an entry object with exactly the contract's fields"
            )
            return
        wrong = []
        if entry["v"] != 1 or isinstance(entry["v"], bool):
            wrong.append("v is not 1")
        if entry["origin"] != self.origin:
            wrong.append(f"origin {entry['origin']!r} is not {self.origin!r}")
        if entry["seq"] != index or isinstance(entry["seq"], bool):
            wrong.append(f"seq {entry['seq']!r} is not its index {index}")
        if entry["prev"] != self._prev_hex.decode():
            if isinstance(entry["prev"], str) and re.fullmatch("[0-9a-f]{64}", entry["prev"]):
                self.stated_prev[position] = bytes.fromhex(entry["prev"])
            wrong.append(
                "prev is not the leaf hash of the previous entry"
                if index
                else "prev of entry 0 is not 64 zeros"
            )
        logged_at = entry["logged_at"]
        if not isinstance(logged_at, str) or not _TS_RE.fullmatch(logged_at):
            wrong.append(f"logged_at {logged_at!r} is not RFC 3339 UTC with 6 digits and Z")
        else:
            ts = logged_at.encode()
            if ts < self._last_ts:
                wrong.append(f"logged_at {logged_at} is earlier than the previous entry's")
            self._last_ts = max(self._last_ts, ts)
        subject = entry["subject"]
        if not (
            isinstance(subject, dict)
            and set(subject) == {"type", "id"}
            and all(isinstance(v, str) for v in subject.values())
        ):
            wrong.append("subject is not {type, id} strings")
        if not (isinstance(entry["actor"], str) and isinstance(entry["action"], str)):
            wrong.append("actor and action must be strings")
        if not isinstance(entry["payload"], dict):
            wrong.append("payload is not an object")
        if not wrong:
            try:
                canonical = _canonical(entry).encode("utf-8")
            except (ValueError, UnicodeEncodeError) as exc:
                wrong.append(str(exc))
            else:
                if canonical != leaf:
                    wrong.append("leaf bytes are not the RFC 8785 canonical JSON of the entry")
        for what in wrong:
            self.report(index, "entry", what)

    # -- the tree -----------------------------------------------------------------------

    def _push(self, hashes: list[bytes]) -> None:
        if self.leaf_hashes is not None:
            self.leaf_hashes += b"".join(hashes)
        pending = self._pending
        pending.extend(hashes)
        while len(pending) >= CHUNK:
            chunk = pending[:CHUNK]
            del pending[:CHUNK]
            self._chunk(chunk)

    def _chunk(self, chunk: list[bytes]) -> bytes:
        """Hash one chunk (full, or the last partial one); returns its MTH."""
        start = self.size
        count = len(chunk)
        levels = tree_levels(chunk)
        if self._collect_nodes:
            for level in range(1, len(levels)):
                complete = count >> level
                if complete:
                    self._nodes.append((level, start >> level, levels[level][:complete]))
        lo = bisect_left(self._snapshot_sizes, start + 1)
        for size in self._snapshot_sizes[lo:]:
            if size > start + count:
                break
            subtrees = list(self._frontier)
            offset = 0
            length = size - start
            for level in range(length.bit_length() - 1, -1, -1):
                if length >> level & 1:
                    subtrees.append((level, levels[level][offset >> level]))
                    offset += 1 << level
                    # A full chunk can pair with the frontier's last subtree (a carry).
                    while len(subtrees) > 1 and subtrees[-2][0] == subtrees[-1][0]:
                        (lv, left), (_, right) = subtrees[-2], subtrees[-1]
                        subtrees[-2:] = [(lv + 1, node_hash(left, right))]
            parts = [h for _, h in subtrees]
            self.snapshots[size] = Snapshot(tuple(parts), fold(parts))
        self.size += count
        root = levels[-1][0]
        if count == CHUNK:
            self._merge(root, start)
        return root

    def _merge(self, root: bytes, start: int) -> None:
        """Add the root of the full chunk starting at leaf start to the frontier."""
        level, h, index = CHUNK_LEVEL, root, start >> CHUNK_LEVEL
        while self._frontier and self._frontier[-1][0] == level:
            h = node_hash(self._frontier.pop()[1], h)
            level += 1
            index >>= 1
            if self._collect_nodes:
                self._nodes.append((level, index, [h]))
        self._frontier.append((level, h))

    # -- runs checked elsewhere (exports checked in parallel) ---------------------------

    def start_at(self, index: int, first_leaf: bytes) -> None:
        """Check a run of the log from index on its own, taking the prev its first entry
        (first_leaf) states; whoever adopts the run checks that prev and its first time."""
        self.next_index = index
        self._run_start = (index, first_leaf)
        # If the leaf is canonical, its last "prev" is its own (see the class docstring);
        # if not, the entry is reported whatever is read here.
        p = first_leaf.rfind(_PREV) + len(_PREV)
        self._prev_hex = first_leaf[p : p + 64]

    def checked_run(self) -> CheckedRun | None:
        """This run (see `start_at`) as another checker can adopt it, if every entry was
        sound; needs keep_leaf_hashes."""
        if not self.ok or self.leaf_hashes is None or not self.fed or self._run_start is None:
            return None
        first_index, first_leaf = self._run_start
        # A sound entry is canonical: its last "prev" and first "logged_at" are its own.
        p = first_leaf.rfind(_PREV) + len(_PREV)
        t = first_leaf.find(_LOGGED) + len(_LOGGED)
        return CheckedRun(
            first_index=first_index,
            first_prev=first_leaf[p : p + 64],
            first_ts=first_leaf[t : t + _TS_LEN],
            last_ts=self._last_ts,
            leaf_hashes=bytes(self.leaf_hashes),
            root=self.finish() if self.fed == CHUNK else None,
        )

    def adopt(self, run: CheckedRun) -> bool:
        """Take a run another checker found sound on its own (`start_at`) if it continues
        this log: its first index, stated prev and first timestamp follow the entries fed so
        far. Then the result is what feeding the run's entries here would give; else False,
        and the caller feeds them."""
        if (
            run.first_index != self.next_index
            or run.first_prev != self._prev_hex
            or run.first_ts < self._last_ts
        ):
            return False
        data = run.leaf_hashes
        count = len(data) // HASH_SIZE
        start = self.size
        later = self._snapshot_sizes[bisect_left(self._snapshot_sizes, start + 1) :]
        snapshot_inside = bool(later) and later[0] <= start + count
        if (
            run.root is not None
            and count == CHUNK
            and start % CHUNK == 0
            and not self._pending
            and not self._collect_nodes
            and not snapshot_inside
        ):
            if self.leaf_hashes is not None:
                self.leaf_hashes += data
            self.size += count
            self._merge(run.root, start)
        else:
            self._push([data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)])
        self._prev_hex = data[-HASH_SIZE:].hex().encode()
        self._last_ts = run.last_ts
        self.next_index += count
        self.fed += count
        return True

    def add_snapshot(self, size: int) -> None:
        """Also record the tree at size, if that part of the log is not hashed yet."""
        if size >= self.size and size not in self._snapshot_sizes:
            self._snapshot_sizes = sorted({*self._snapshot_sizes, size})

    def drain_nodes(self) -> list[tuple[int, int, list[bytes]]]:
        """Perfect subtrees completed since the last call: (level, first index, hashes)."""
        nodes, self._nodes = self._nodes, []
        return nodes

    def finish(self) -> bytes:
        """Hash what is left and return the root over every entry fed."""
        if self._root is None:
            parts = [h for _, h in self._frontier]
            if self._pending:
                chunk, self._pending = self._pending, []
                parts.append(self._chunk(chunk))
            self._root = fold(parts)
        return self._root

    def locate_changes(
        self,
        signed: Sequence[tuple[int, bytes]],
        *,
        claimed: Mapping[tuple[int, int], bytes] | None = None,
        witness: bytes | bytearray = b"",
    ) -> Located | None:
        """Report the first entry that differs from what was signed (`locate`), if any.

        Needs the leaf hashes (keep_leaf_hashes) and the roots at the signed sizes.
        """
        if self.leaf_hashes is None:
            return None
        found = locate(
            self.leaf_hashes,
            signed,
            root_at=self.root_at,
            stated_prev=self.stated_prev,
            claimed=claimed,
            witness=witness,
        )
        if found is None:
            return None
        if not found.exact and self._bad_entries and self._bad_entries[0] < found.end:
            # The entry rules already name an entry within (or before) the range: that is
            # the sharper answer (a deleted, swapped or malformed entry).
            return None
        self.located = found
        self.report(found.start, "entry", found.describe())
        return found

    def root_at(self, size: int) -> bytes | None:
        """The root of the tree over the first size leaves, if known (snapshot or kept hashes)."""
        if size in self.snapshots:
            return self.snapshots[size].root
        if self.leaf_hashes is None or size > len(self.leaf_hashes) // HASH_SIZE:
            return None
        return range_root(self.leaf_hashes, 0, size)


def decode_page(entries: list[dict[str, Any]]) -> tuple[list[int], list[bytes], list[bytes]]:
    indexes, leaves, claimed = [], [], []
    for entry in entries:
        index, leaf, hexhash = entry.get("index"), entry.get("leaf"), entry.get("leaf_hash")
        if not isinstance(index, int) or not isinstance(leaf, str) or not isinstance(hexhash, str):
            raise VerificationError(f"malformed entry in the listing: {str(entry)[:120]}")
        indexes.append(index)
        # A lone surrogate cannot be the text of real UTF-8 bytes; it hashes as its escape.
        leaves.append(leaf.encode("utf-8", "backslashreplace"))
        try:
            claimed.append(bytes.fromhex(hexhash))
        except ValueError:
            claimed.append(b"")
    return indexes, leaves, claimed
