"""Pure: RFC 6962 / RFC 9162 Merkle tree hashing and proof checks, written from the contract."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32
ZERO_HASH = bytes(HASH_SIZE)
EMPTY_ROOT = hashlib.sha256(b"").digest()
LEAF_PREFIX = b"\x00"
_NODE = b"\x01"


def leaf_hash(leaf: bytes) -> bytes:
    """SHA-256(0x00 ‖ leaf)."""
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(_NODE + left + right).digest()


def tree_levels(hashes: list[bytes]) -> list[list[bytes]]:
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
    return tree_levels(list(hashes))[-1][0]


def fold(parts: Sequence[bytes]) -> bytes:
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
    return fold(parts)


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
