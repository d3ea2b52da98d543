"""The offline verifier of the audit log (审计日志离线验证), written from the contract alone.

It depends only on "The audit log contract" (ARCHITECTURE.md) and on httpx, hashlib, json,
base64 and cryptography -- never on the server's own modules -- so that a regulator can read
it, rewrite it from the contract, and run it without trusting the platform. It has its own
RFC 6962 / 9162 hashing and proof checks and its own C2SP note verification.

What it checks (`verify_remote`, `verify_file`):
- every leaf hash SHA-256(0x00 ‖ leaf) against the served `leaf_hash`;
- the entry rules: canonical layout, `v`, `origin`, `seq` = index, `prev` = previous leaf
  hash, `logged_at` in the exact RFC 3339 form and never decreasing;
- the tree root over all entries against the signed checkpoint, the checkpoint's signature
  against the published (or pinned) Ed25519 keys, a consistency proof from a trusted earlier
  checkpoint, and every served inclusion proof (`all_proofs`, the default: together they
  pass by every stored subtree hash) or, with `all_proofs=False`, one spot check per page;
- that entries listed but not yet in the checkpoint are covered by a checkpoint signed more
  than a second later (the contract's freshness promise): a row appended behind the log's
  lock never gets a tree head and shows up here.

`LogChecker` is the pure part; the server's `/v1/audit/verify` runs the same checker.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import json
import os
import re
from bisect import bisect_left, insort
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import add, getitem
from pathlib import Path
from typing import Any, cast

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HASH_SIZE = 32
ZERO_HASH = bytes(HASH_SIZE)
EMPTY_ROOT = hashlib.sha256(b"").digest()
API_PREFIX = "/v1/audit"
DEFAULT_PAGE_SIZE = 1000
# The contract promises that a checkpoint fetched later than this covers an entry.
FRESHNESS_SECONDS = 1.0
_LEAF = b"\x00"
_NODE = b"\x01"


class VerificationError(Exception):
    """The log, a checkpoint or a proof cannot be fetched or does not check out."""


# ---------------------------------------------------------------------------------------
# RFC 6962 / RFC 9162 Merkle tree hashing and proofs
# ---------------------------------------------------------------------------------------


def leaf_hash(leaf: bytes) -> bytes:
    """SHA-256(0x00 ‖ leaf)."""
    return hashlib.sha256(_LEAF + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(_NODE + left + right).digest()


def _levels(hashes: list[bytes]) -> list[list[bytes]]:
    """Level-by-level reduction: level L lists the MTHs of 2^L-leaf blocks (last one partial)."""
    sha = hashlib.sha256
    prefix = _NODE
    levels = [hashes]
    level = hashes
    while len(level) > 1:
        pairs = len(level) // 2
        nxt = [
            sha(prefix + left + right).digest()
            for left, right in zip(level[0 : 2 * pairs : 2], level[1 : 2 * pairs : 2], strict=True)
        ]
        # An odd last node is promoted unchanged: exactly the RFC's left-balanced tree.
        if len(level) & 1:
            nxt.append(level[-1])
        levels.append(nxt)
        level = nxt
    return levels


def tree_root(hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash (RFC 9162 §2.1.1) of the leaves with these hashes."""
    if not hashes:
        return EMPTY_ROOT
    return _levels(list(hashes))[-1][0]


def _fold(parts: Sequence[bytes]) -> bytes:
    """The MTH of a tree whose perfect subtrees, left to right, have these hashes."""
    if not parts:
        return EMPTY_ROOT
    acc = parts[-1]
    for h in reversed(parts[:-1]):
        acc = node_hash(h, acc)
    return acc


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def root_from_inclusion_proof(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes | None:
    """The root an audit path leads to (RFC 9162 §2.1.3.2), or None if it is malformed."""
    if not (0 <= index < size) or not _is_hash(leaf) or not all(map(_is_hash, proof)):
        return None
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """True if proof shows leaf (a leaf hash) at index in the tree of size with root."""
    return root_from_inclusion_proof(leaf, index, size, proof) == root and _is_hash(root)


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True if proof shows the tree of size first is a prefix of size second (RFC 9162 §2.1.4.2)."""
    if not (0 <= first <= second) or not all(map(_is_hash, proof)):
        return False
    if first == second:
        # Nothing to prove but equality; the empty tree's root is fixed.
        empty_ok = first > 0 or first_root == EMPTY_ROOT
        return not proof and first_root == second_root and empty_ok
    if first == 0 or not proof or not (_is_hash(first_root) and _is_hash(second_root)):
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path = [first_root, *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


def audit_path_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges [start, end) whose MTHs form the audit path of index, leaf upwards."""
    ranges = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = 1 << ((hi - lo - 1).bit_length() - 1)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


# ---------------------------------------------------------------------------------------
# C2SP signed notes and tlog checkpoints (Ed25519)
# ---------------------------------------------------------------------------------------

_SIGNATURE_PREFIX = "\u2014 "  # EM DASH, space
_SIZE_RE = re.compile(r"0|[1-9][0-9]{0,19}")


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A public Ed25519 key of the log, under the key name its signatures carry."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        """SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] (C2SP)."""
        return hashlib.sha256(self.name.encode() + b"\n\x01" + self.public_key).digest()[:4]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A verified checkpoint: the origin, tree size and root hash, and the note itself."""

    origin: str
    size: int
    root: bytes
    note: str


def _b64(text: str) -> bytes:
    """Strict standard base64 (one accepted spelling per value)."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise VerificationError(f"not base64: {text[:40]!r}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise VerificationError(f"not canonical base64: {text[:40]!r}")
    return raw


def parse_public_key(text: str, default_name: str = "") -> VerifierKey:
    """A key from a C2SP verifier key `name+hexid+base64(0x01 ‖ key)` or base64 of 32 bytes."""
    text = text.strip()
    parts = text.split("+", 2)  # a key name never holds "+"; base64 may
    if len(parts) == 3 and re.fullmatch(r"[0-9a-fA-F]{8}", parts[1]):
        name, hex_id, encoded = parts
        raw = _b64(encoded)
        if len(raw) != 33 or raw[0] != 1:
            raise VerificationError("verifier key is not an Ed25519 key (type 0x01)")
        key = VerifierKey(name, raw[1:])
        if key.key_id.hex() != hex_id.lower():
            raise VerificationError(f"verifier key {name!r}: key ID does not match the key")
        return key
    raw = _b64(text)
    if len(raw) != 32:
        raise VerificationError("an Ed25519 public key is 32 bytes")
    if not default_name:
        raise VerificationError("a plain base64 key needs a key name")
    return VerifierKey(default_name, raw)


def parse_checkpoint_note(note: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """Split a signed note into its body and (key name, key ID, signature) triples."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise VerificationError("checkpoint is not a signed note (no blank line or final newline)")
    body, block = note[: split + 1], note[split + 2 : -1]
    signatures = []
    for line in block.split("\n") if block else []:
        if not line.startswith(_SIGNATURE_PREFIX):
            raise VerificationError(f"malformed signature line {line[:60]!r}")
        name, _, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
        raw = _b64(encoded)
        if not name or len(raw) <= 4:
            raise VerificationError(f"malformed signature line {line[:60]!r}")
        signatures.append((name, raw[:4], raw[4:]))
    if not signatures:
        raise VerificationError("checkpoint carries no signature")
    return body, signatures


def parse_checkpoint_body(body: str) -> tuple[str, int, bytes]:
    """Origin, size and root of a checkpoint body `<origin>\\n<size>\\n<base64 root>\\n`."""
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "" or not lines[0]:
        raise VerificationError("checkpoint body needs origin, size and root lines")
    if not _SIZE_RE.fullmatch(lines[1]):
        raise VerificationError(f"checkpoint size {lines[1]!r} is not a decimal")
    root = _b64(lines[2])
    if len(root) != HASH_SIZE:
        raise VerificationError("checkpoint root is not 32 bytes")
    return lines[0], int(lines[1]), root


def verify_checkpoint(note: str, keys: Sequence[VerifierKey]) -> Checkpoint:
    """The checkpoint if a known key signed it and no known key's signature fails."""
    body, signatures = parse_checkpoint_note(note)
    known = {(k.name, k.key_id): k for k in keys}
    verified = []
    for name, kid, signature in signatures:
        key = known.get((name, kid))
        if key is None:
            continue  # C2SP: signatures by unknown keys (witnesses, retired keys) are ignored
        try:
            Ed25519PublicKey.from_public_bytes(key.public_key).verify(signature, body.encode())
        except (InvalidSignature, ValueError):
            raise VerificationError(f"signature by key {name!r} ({kid.hex()}) is invalid") from None
        verified.append(name)
    if not verified:
        raise VerificationError("checkpoint is not signed by any known key")
    origin, size, root = parse_checkpoint_body(body)
    return Checkpoint(origin, size, root, note)


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


# ---------------------------------------------------------------------------------------
# Checking the entries themselves (pure: no I/O)
# ---------------------------------------------------------------------------------------

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
        prefix = _LEAF
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
                self._slow(run_indexes, run, run_hashes, run_claimed)
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
            self._check_entry(index, leaf)
            self._prev_hex = digest.hex().encode()

    def _check_entry(self, index: int, leaf: bytes) -> None:
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
        levels = _levels(chunk)
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
            self.snapshots[size] = Snapshot(tuple(parts), _fold(parts))
        self.size += count
        root = levels[-1][0]
        if count == CHUNK:
            level, h, index = CHUNK_LEVEL, root, start >> CHUNK_LEVEL
            while self._frontier and self._frontier[-1][0] == level:
                h = node_hash(self._frontier.pop()[1], h)
                level += 1
                index >>= 1
                if self._collect_nodes:
                    self._nodes.append((level, index, [h]))
            self._frontier.append((level, h))
        return root

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
            self._root = _fold(parts)
        return self._root

    def root_at(self, size: int) -> bytes | None:
        """The root of the tree over the first size leaves, if known (snapshot or kept hashes)."""
        if size in self.snapshots:
            return self.snapshots[size].root
        if self.leaf_hashes is None or size > len(self.leaf_hashes) // HASH_SIZE:
            return None
        return range_root(self.leaf_hashes, 0, size)


def range_root(leaf_hashes: bytes | bytearray, start: int, end: int) -> bytes:
    """The MTH of leaves [start, end) given all leaf hashes concatenated."""
    parts = []
    pos = start
    length = end - start
    for level in range(length.bit_length() - 1, -1, -1):
        if length >> level & 1:
            block = leaf_hashes[pos * HASH_SIZE : (pos + (1 << level)) * HASH_SIZE]
            parts.append(
                tree_root(
                    [bytes(block[i : i + HASH_SIZE]) for i in range(0, len(block), HASH_SIZE)]
                )
            )
            pos += 1 << level
    return _fold(parts)


def locate_bad_subtree(
    leaf_hashes: bytes | bytearray, index: int, size: int, served: Sequence[bytes]
) -> list[tuple[int, int]]:
    """The leaf ranges whose served audit-path hash differs from the one the leaves give."""
    ranges = audit_path_ranges(index, size)
    if len(served) != len(ranges):
        return [(0, size)]
    return [
        (a, b)
        for (a, b), got in zip(ranges, served, strict=True)
        if range_root(leaf_hashes, a, b) != got
    ]


# ---------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------


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
            "problem_count": self.problem_count,
            "problems": [p.as_json() for p in self.problems],
        }


def _finish_report(report: Report, checker: LogChecker) -> Report:
    report.problems = checker.problems
    report.problem_count = checker.problem_count
    report.first_bad_index = checker.first_bad_index
    report.entries = checker.next_index
    report.ok = checker.ok
    return report


# ---------------------------------------------------------------------------------------
# Verifying a live log over HTTP
# ---------------------------------------------------------------------------------------


async def _get(
    client: httpx.AsyncClient,
    path: str,
    params: dict[str, Any] | None = None,
    key: str | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        response = await client.get(API_PREFIX + path, params=params, headers=headers)
    except httpx.HTTPError as exc:
        raise VerificationError(f"GET {path}: {exc}") from exc
    if response.status_code != 200:
        detail = response.text[:300]
        with contextlib.suppress(ValueError):
            detail = str(response.json().get("detail", detail))
        raise VerificationError(f"GET {path} answered {response.status_code}: {detail}")
    return response


async def fetch_public_keys(client: httpx.AsyncClient) -> tuple[str, list[VerifierKey]]:
    """The log's origin and published keys, each key ID checked against its key."""
    body = (await _get(client, "/public-key")).json()
    keys = []
    for item in body.get("keys", []):
        if item.get("algorithm") != "ed25519":
            continue
        key = VerifierKey(str(item["key_name"]), _b64(str(item["public_key"])))
        if len(key.public_key) != 32 or key.key_id.hex() != item.get("key_id"):
            raise VerificationError(f"published key {key.name!r}: key ID does not match the key")
        keys.append(key)
    return str(body.get("origin", "")), keys


async def fetch_checkpoint(client: httpx.AsyncClient, keys: Sequence[VerifierKey]) -> Checkpoint:
    """The latest checkpoint, its signature checked."""
    return verify_checkpoint((await _get(client, "/checkpoint")).text, keys)


async def iter_entry_pages(
    client: httpx.AsyncClient,
    key: str,
    *,
    start: int = 0,
    stop: int | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    proofs_at: int | None = None,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Pages of entries from index start on (up to stop), following next_start."""
    next_start: int | None = start
    while next_start is not None and (stop is None or next_start < stop):
        params: dict[str, Any] = {"start": next_start, "limit": page_size}
        if proofs_at is not None:
            params.update(proofs="true", tree_size=proofs_at)
        body = (await _get(client, "/entries", params, key)).json()
        entries = body["entries"]
        if stop is not None:
            entries = [e for e in entries if e["index"] < stop]
        if entries:
            yield entries
        following = body.get("next_start")
        if following is not None and following <= next_start:
            raise VerificationError("entries paging does not advance")
        next_start = following


def _decode_page(entries: list[dict[str, Any]]) -> tuple[list[int], list[bytes], list[bytes]]:
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


@dataclass(slots=True)
class _ProofFailure:
    index: int
    size: int
    path: list[bytes]


Wait = Callable[[float], Awaitable[None]]
Progress = Callable[[int, int], None]


class RemoteVerification:
    """One run of the verifier against a server."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        api_key: str,
        *,
        trusted: Path | None = None,
        public_keys: Sequence[str] = (),
        all_proofs: bool = True,
        page_size: int = DEFAULT_PAGE_SIZE,
        wait: Wait = asyncio.sleep,
        progress: Progress | None = None,
    ) -> None:
        self.client = client
        self.api_key = api_key
        self.trusted = trusted
        self.pinned = list(public_keys)
        self.all_proofs = all_proofs
        self.page_size = page_size
        self.wait = wait
        self.progress = progress
        self.report = Report()
        self.failures: list[_ProofFailure] = []
        self.checker: LogChecker | None = None

    async def run(self) -> Report:
        report = self.report
        try:
            await self._run()
        except (VerificationError, ValueError, KeyError, TypeError) as exc:
            checker = self.checker or LogChecker("")
            checker.report(None, "fetch", str(exc))
            _finish_report(report, checker)
        return report

    async def _keys(self) -> list[VerifierKey]:
        origin, published = await fetch_public_keys(self.client)
        if not self.pinned:
            return published
        return [parse_public_key(text, origin) for text in self.pinned]

    async def _run(self) -> None:
        report = self.report
        keys = await self._keys()
        checkpoint = await fetch_checkpoint(self.client, keys)
        report.keys = sorted({f"{k.name} {k.key_id.hex()}" for k in keys})
        trusted = None
        if self.trusted is not None and self.trusted.exists():
            trusted = read_checkpoint_file(self.trusted)
            report.trusted_size = trusted.size
        sizes = {checkpoint.size} | ({trusted.size} if trusted else set())
        checker = LogChecker(checkpoint.origin, snapshot_sizes=sizes, keep_leaf_hashes=True)
        self.checker = checker
        await self._download(checker, checkpoint, start=0)
        signed = [checkpoint]
        if checker.next_index > checkpoint.size:
            checkpoint = await self._cover_extension(checker, checkpoint, keys)
            signed.append(checkpoint)
        checker.finish()
        for each in signed:
            self._check_root(checker, each)
        if trusted is not None:
            await self._check_trusted(checker, trusted, checkpoint)
        self._locate_failures(checker)
        report.origin = checkpoint.origin
        report.size = checkpoint.size
        report.root = checkpoint.root
        report.checkpoint = checkpoint
        _finish_report(report, checker)
        if report.ok and self.trusted is not None:
            write_checkpoint_file(self.trusted, checkpoint)

    async def _cover_extension(
        self, checker: LogChecker, checkpoint: Checkpoint, keys: Sequence[VerifierKey]
    ) -> Checkpoint:
        """Entries listed beyond the checkpoint must be in one signed a second later."""
        await self.wait(FRESHNESS_SECONDS + 0.1)
        later = await fetch_checkpoint(self.client, keys)
        if later.origin != checkpoint.origin:
            checker.report(None, "checkpoint", "the origin changed between two checkpoints")
            return checkpoint
        if later.size < checkpoint.size:
            checker.report(
                later.size, "checkpoint", f"the log shrank from {checkpoint.size} to {later.size}"
            )
            return checkpoint
        if later.size > checkpoint.size:
            checker.add_snapshot(later.size)
            if later.size > checker.next_index:
                await self._download(checker, later, start=checker.next_index, stop=later.size)
            params = {"first": checkpoint.size, "second": later.size}
            if checkpoint.size and not verify_consistency(
                checkpoint.size,
                later.size,
                checkpoint.root,
                later.root,
                await self._proof(params),
            ):
                checker.report(None, "checkpoint", "two successive checkpoints are not consistent")
        if checker.next_index > later.size and checker.ok:
            checker.report(
                later.size,
                "entry",
                f"entries from {later.size} on are listed, but no checkpoint signed "
                f"{FRESHNESS_SECONDS:g} s later covers them (appended outside the log)",
            )
        return later

    async def _proof(self, params: dict[str, Any]) -> list[bytes]:
        body = (await _get(self.client, "/proof/consistency", params, self.api_key)).json()
        try:
            return [bytes.fromhex(h) for h in body.get("proof", [])]
        except (TypeError, ValueError):
            return []

    def _check_root(self, checker: LogChecker, checkpoint: Checkpoint) -> None:
        root = checker.root_at(checkpoint.size)
        if root is None:
            checker.report(
                checker.next_index,
                "entry",
                f"the log lists {checker.next_index} entries; the checkpoint claims "
                f"{checkpoint.size}",
            )
        elif root != checkpoint.root:
            checker.report(
                None,
                "checkpoint",
                f"the root of the first {checkpoint.size} entries is not the signed root",
            )

    async def _download(
        self, checker: LogChecker, checkpoint: Checkpoint, *, start: int, stop: int | None = None
    ) -> None:
        """Fetch and check entries from start on; proofs for those the checkpoint covers."""
        if self.all_proofs and checkpoint.size > start:
            # Listings with proofs end at the checkpoint; the rest is fetched plainly below.
            await self._pages(checker, checkpoint, start, stop, proofs=True)
            start = checker.next_index
        await self._pages(checker, checkpoint, start, stop, proofs=False)

    async def _pages(
        self,
        checker: LogChecker,
        checkpoint: Checkpoint,
        start: int,
        stop: int | None,
        *,
        proofs: bool,
    ) -> None:
        async for entries in iter_entry_pages(
            self.client,
            self.api_key,
            start=start,
            stop=stop,
            page_size=self.page_size,
            proofs_at=checkpoint.size if proofs else None,
        ):
            indexes, leaves, claimed = _decode_page(entries)
            hashes = checker.add(indexes, leaves, claimed)
            if proofs:
                for entry, index, digest in zip(entries, indexes, hashes, strict=True):
                    self._check_path(entry.get("audit_path"), index, digest, checkpoint)
            elif indexes[0] < checkpoint.size:
                await self._spot_check(indexes[0], hashes[0], checkpoint)
            if self.progress is not None:
                self.progress(checker.next_index, checkpoint.size)

    def _check_path(self, path: object, index: int, digest: bytes, checkpoint: Checkpoint) -> None:
        if index >= checkpoint.size:
            return
        try:
            hashes = [bytes.fromhex(h) for h in cast(list[str], path)]
        except (TypeError, ValueError):
            hashes = []
        self.report.proofs_checked += 1
        if not verify_inclusion(digest, index, checkpoint.size, hashes, checkpoint.root):
            self.failures.append(_ProofFailure(index, checkpoint.size, hashes))

    async def _spot_check(self, index: int, digest: bytes, checkpoint: Checkpoint) -> None:
        params = {"index": index, "tree_size": checkpoint.size}
        try:
            body = (await _get(self.client, "/proof/inclusion", params, self.api_key)).json()
        except VerificationError as exc:
            assert self.checker is not None
            self.checker.report(index, "tree", f"no inclusion proof for entry {index}: {exc}")
            return
        self._check_path(body.get("audit_path"), index, digest, checkpoint)

    def _check_extension(self, checker: LogChecker, old: Checkpoint, new: Checkpoint) -> None:
        if new.origin != old.origin:
            checker.report(None, "checkpoint", "the origin changed between two checkpoints")
        elif new.size < old.size:
            checker.report(new.size, "checkpoint", f"the log shrank from {old.size} to {new.size}")

    async def _check_trusted(
        self, checker: LogChecker, trusted: Checkpoint, checkpoint: Checkpoint
    ) -> None:
        report = self.report
        if trusted.origin != checkpoint.origin:
            checker.report(None, "checkpoint", "the trusted checkpoint is of another log")
            report.consistent_with_trusted = False
            return
        if trusted.size > checkpoint.size:
            checker.report(
                checkpoint.size,
                "checkpoint",
                f"the log shrank: trusted size {trusted.size}, now {checkpoint.size}",
            )
            report.consistent_with_trusted = False
            return
        consistent = True
        if 0 < trusted.size < checkpoint.size:
            proof = await self._proof({"first": trusted.size, "second": checkpoint.size})
            if not verify_consistency(
                trusted.size, checkpoint.size, trusted.root, checkpoint.root, proof
            ):
                consistent = False
                checker.report(
                    None,
                    "checkpoint",
                    f"no valid consistency proof from the trusted size {trusted.size}",
                )
        elif trusted.size == checkpoint.size and trusted.root != checkpoint.root:
            consistent = False
            checker.report(None, "checkpoint", "same size as the trusted checkpoint, other root")
        root = checker.root_at(trusted.size)
        if trusted.size and root is not None and root != trusted.root:
            consistent = False
            checker.report(
                None,
                "checkpoint",
                f"the first {trusted.size} entries no longer give the trusted root: "
                "history was rewritten",
            )
        report.consistent_with_trusted = consistent

    def _locate_failures(self, checker: LogChecker) -> None:
        """Name the subtree behind each failing inclusion proof (first few only)."""
        leaf_hashes = checker.leaf_hashes
        assert leaf_hashes is not None
        known = len(leaf_hashes) // HASH_SIZE
        for failure in self.failures[:3]:
            if failure.size > known:
                continue
            bad = locate_bad_subtree(leaf_hashes, failure.index, failure.size, failure.path)
            for start, end in bad:
                if checker.has_bad_entry_in(start, end):
                    continue
                checker.report(
                    start,
                    "tree",
                    f"served subtree hash for entries [{start}, {end}) is wrong "
                    f"(inclusion proof of entry {failure.index})",
                )
            if not bad and not checker.has_bad_entry_in(failure.index, failure.index + 1):
                checker.report(
                    None, "checkpoint", f"inclusion proof of entry {failure.index} fails"
                )
        if len(self.failures) > 3:
            checker.report(None, "tree", f"{len(self.failures)} inclusion proofs fail in all")


async def verify_remote(client: httpx.AsyncClient, api_key: str, **options: Any) -> Report:
    """Verify the log served at client's base URL (the regulator's API key reads entries).

    Options are RemoteVerification's: trusted, public_keys, all_proofs, page_size, wait,
    progress.
    """
    return await RemoteVerification(client, api_key, **options).run()


# ---------------------------------------------------------------------------------------
# Exports (JSON Lines of {"index", "leaf", "leaf_hash"}) checked offline
# ---------------------------------------------------------------------------------------


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
            checker.add(*_decode_page(page))
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
    return _finish_report(report, checker)
