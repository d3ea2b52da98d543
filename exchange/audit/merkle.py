"""Pure: RFC 6962 / RFC 9162 Merkle trees: hashing, frontiers, proof planning and verification."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# Domain-separation prefixes (RFC 9162 §2.1.1) so a leaf can never be passed off as a node.
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


class MerkleError(ValueError):
    """Bad arguments to tree building or proof generation, or missing/corrupt stored hashes."""


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash (MTH) of the leaves with these hashes."""
    level = list(hashes)
    if not level:
        return EMPTY_ROOT
    # One pass over the lengths is cheap next to the hashing and stops a truncated or
    # padded value from silently producing a plausible-looking root.
    if set(map(len, level)) != {HASH_SIZE}:
        raise MerkleError(f"leaf hashes must all be {HASH_SIZE} bytes")
    # Pairing level by level and promoting an odd last node unchanged builds exactly the
    # RFC 6962 left-balanced tree; the local bindings keep the inner loop close to the
    # speed of a bare hashlib loop, which matters when re-verifying ~1M leaves.
    sha256 = hashlib.sha256
    prefix = _NODE_PREFIX
    while len(level) > 1:
        odd = level[-1] if len(level) & 1 else None
        # strict=False on purpose: an odd last node has no partner and is promoted above.
        pairs = zip(level[::2], level[1::2], strict=False)
        nxt = [sha256(prefix + left + right).digest() for left, right in pairs]
        if odd is not None:
            nxt.append(odd)
        level = nxt
    return level[0]


# ---------------------------------------------------------------------------------------
# Frontier (compact range of an append-only tree)
# ---------------------------------------------------------------------------------------

Frontier = tuple[bytes, ...]
EMPTY_FRONTIER: Frontier = ()


# A perfect subtree (level, index): level L, index i covers leaves [i*2^L, (i+1)*2^L).
# Plain tuples so they are directly the keys of the storage layer's fetched mapping.
Subtree = tuple[int, int]
# A perfect subtree completed by an append: (level, index, hash).
CompletedSubtree = tuple[int, int, bytes]


def subtree_range(level: int, index: int) -> tuple[int, int]:
    """The leaf range [start, end) covered by the perfect subtree (level, index)."""
    return index << level, (index + 1) << level


def _check_frontier(frontier: Sequence[bytes], size: int) -> None:
    """Raise MerkleError unless frontier is a well-formed frontier of a tree of size."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise MerkleError(f"tree size must be a non-negative integer, got {size!r}")
    # The frontier holds one root per set bit of size; any other count means the stored
    # row and the size disagree, and appending would silently build a different tree.
    if len(frontier) != size.bit_count():
        raise MerkleError(
            f"frontier has {len(frontier)} hashes but a tree of size {size} needs "
            f"{size.bit_count()}"
        )
    for h in frontier:
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise MerkleError(f"frontier hashes must be {HASH_SIZE} bytes")


def frontier_append(
    frontier: Sequence[bytes], size: int, leaf_hash: bytes
) -> tuple[Frontier, list[CompletedSubtree]]:
    """Append a leaf to a tree of size leaves: the new frontier and every subtree completed."""
    _check_frontier(frontier, size)
    if not isinstance(leaf_hash, bytes) or len(leaf_hash) != HASH_SIZE:
        raise MerkleError(f"leaf hash must be {HASH_SIZE} bytes")
    stack = list(frontier)
    h = leaf_hash
    level = 0
    index = size
    completed: list[CompletedSubtree] = [(0, index, h)]
    # Like binary increment: each set low bit of size is a same-level subtree on the
    # right of the frontier that now merges with the new one (a carry).
    while (size >> level) & 1:
        h = node_hash(stack.pop(), h)
        level += 1
        index >>= 1
        completed.append((level, index, h))
    stack.append(h)
    return tuple(stack), completed


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """The MTH of the whole tree whose frontier this is."""
    if not frontier:
        return EMPTY_ROOT
    # MTH(n) = HASH(MTH(largest perfect left part), MTH(rest)), so fold right to left.
    acc = frontier[-1]
    for h in reversed(frontier[:-1]):
        acc = node_hash(h, acc)
    return acc


def frontier_from_leaf_hashes(hashes: Iterable[bytes]) -> Frontier:
    """The frontier of the tree over these leaf hashes."""
    frontier: Frontier = EMPTY_FRONTIER
    for size, h in enumerate(hashes):
        frontier, _ = frontier_append(frontier, size, h)
    return frontier


def encode_frontier(frontier: Sequence[bytes]) -> bytes:
    """The frontier as concatenated 32-byte hashes, for storage in one column."""
    for h in frontier:
        if len(h) != HASH_SIZE:
            raise MerkleError(f"frontier hashes must be {HASH_SIZE} bytes")
    return b"".join(frontier)


def decode_frontier(data: bytes, size: int | None = None) -> Frontier:
    """Split stored frontier bytes into hashes, checking the count against size if given."""
    if len(data) % HASH_SIZE:
        raise MerkleError(f"frontier length {len(data)} is not a multiple of {HASH_SIZE}")
    frontier = tuple(bytes(data[i : i + HASH_SIZE]) for i in range(0, len(data), HASH_SIZE))
    if size is not None:
        _check_frontier(frontier, size)
    return frontier


# ---------------------------------------------------------------------------------------
# Proof planning over stored perfect subtrees
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ephemeral:
    """The MTH of the non-perfect range [start, end): its perfect parts, folded right to left."""

    start: int
    end: int
    parts: tuple[Subtree, ...]


NodeRef = Subtree | Ephemeral


def decompose_range(start: int, end: int) -> tuple[Subtree, ...]:
    """The perfect subtrees, left to right, whose right-to-left fold is MTH(leaves[start:end])."""
    if not 0 <= start < end:
        raise MerkleError(f"invalid leaf range [{start}, {end})")
    parts: list[Subtree] = []
    pos = start
    remaining = end - start
    # MTH splits off the largest power of two first, so the parts are the binary
    # decomposition of the length, biggest first.
    for level in range(remaining.bit_length() - 1, -1, -1):
        if (remaining >> level) & 1:
            # Only aligned blocks are perfect subtrees of the log, i.e. rows that exist.
            if pos & ((1 << level) - 1):
                raise MerkleError(f"range [{start}, {end}) is not made of stored subtrees")
            parts.append((level, pos >> level))
            pos += 1 << level
    return tuple(parts)


def _range_ref(start: int, end: int) -> NodeRef:
    """A reference to MTH(leaves[start:end]): a stored subtree if perfect, else ephemeral."""
    parts = decompose_range(start, end)
    if len(parts) == 1:
        return parts[0]
    return Ephemeral(start, end, parts)


def _check_int(name: str, value: int) -> None:
    """Raise MerkleError unless value is a non-negative int."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MerkleError(f"{name} must be a non-negative integer, got {value!r}")


def inclusion_proof_nodes(index: int, size: int) -> list[NodeRef]:
    """The nodes of the RFC 9162 §2.1.3.1 audit path for leaf index in a tree of size."""
    _check_int("index", index)
    _check_int("size", size)
    if index >= size:
        raise MerkleError(f"leaf index {index} is not in a tree of size {size}")
    nodes: list[NodeRef] = []
    lo, hi = 0, size
    # Walk PATH(m, D[lo:hi]) top-down; the recursion emits the sibling after the sub-path,
    # so the top sibling is last and the list is reversed at the end.
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            nodes.append(_range_ref(mid, hi))
            hi = mid
        else:
            nodes.append(_range_ref(lo, mid))
            lo = mid
    nodes.reverse()
    return nodes


def _check_sizes(first: int, second: int) -> None:
    """Raise MerkleError unless a consistency proof from first to second is defined."""
    _check_int("first", first)
    _check_int("second", second)
    if first > second:
        raise MerkleError(f"first size {first} is larger than second size {second}")
    # RFC 9162 defines PROOF(m, D[n]) only for 0 < m; an empty first tree proves nothing.
    if first == 0 and second > 0:
        raise MerkleError("no consistency proof exists from the empty tree")


def consistency_proof_nodes(first: int, second: int) -> list[NodeRef]:
    """The nodes of the RFC 9162 §2.1.4.1 consistency proof from size first to second."""
    _check_sizes(first, second)
    if first == second:
        return []
    nodes: list[NodeRef] = []
    lo, hi = 0, second
    # b of SUBPROOF: true while the walked subtree is still a left spine, i.e. its hash
    # is derivable from the old root and must not be sent.
    b = True
    while True:
        m = first - lo
        if m == hi - lo:
            if not b:
                nodes.append(_range_ref(lo, hi))
            break
        mid = lo + _split(hi - lo)
        if m <= mid - lo:
            nodes.append(_range_ref(mid, hi))
            hi = mid
        else:
            nodes.append(_range_ref(lo, mid))
            lo = mid
            b = False
    nodes.reverse()
    return nodes


def required_subtrees(nodes: Iterable[NodeRef]) -> list[Subtree]:
    """Every distinct perfect subtree the nodes need, sorted, for a single fetch."""
    needed: set[Subtree] = set()
    for node in nodes:
        if isinstance(node, Ephemeral):
            needed.update(node.parts)
        else:
            needed.add(node)
    return sorted(needed)


def _fetch(fetched: Mapping[tuple[int, int], bytes], ref: Subtree) -> bytes:
    """The stored hash of ref, or MerkleError if it is missing or malformed."""
    try:
        h = fetched[ref]
    except KeyError:
        raise MerkleError(f"missing subtree hash (level, index) = {ref}") from None
    if len(h) != HASH_SIZE:
        raise MerkleError(f"stored subtree hash (level, index) = {ref} is corrupt")
    return bytes(h)


def assemble(nodes: Sequence[NodeRef], fetched: Mapping[tuple[int, int], bytes]) -> list[bytes]:
    """The proof hashes for planned nodes, given the fetched (level, index) -> hash map."""
    proof: list[bytes] = []
    for node in nodes:
        if not isinstance(node, Ephemeral):
            proof.append(_fetch(fetched, node))
            continue
        acc = _fetch(fetched, node.parts[-1])
        for part in reversed(node.parts[:-1]):
            acc = node_hash(_fetch(fetched, part), acc)
        proof.append(acc)
    return proof


# ---------------------------------------------------------------------------------------
# Reference implementations straight from RFC 9162 (for cross-checking in tests)
# ---------------------------------------------------------------------------------------


def mth_reference(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH per RFC 9162 §2.1.1, recursively, over leaf hashes."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = _split(n)
    return node_hash(mth_reference(leaf_hashes[:k]), mth_reference(leaf_hashes[k:]))


def inclusion_proof_reference(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(m, D[n]) per RFC 9162 §2.1.3.1, recursively, over leaf hashes."""

    def path(m: int, d: Sequence[bytes]) -> list[bytes]:
        n = len(d)
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*path(m, d[:k]), mth_reference(d[k:])]
        return [*path(m - k, d[k:]), mth_reference(d[:k])]

    _check_int("index", index)
    if index >= len(leaf_hashes):
        raise MerkleError(f"leaf index {index} is not in a tree of size {len(leaf_hashes)}")
    return path(index, leaf_hashes)


def consistency_proof_reference(
    leaf_hashes: Sequence[bytes], first: int, second: int
) -> list[bytes]:
    """PROOF(m, D[n]) per RFC 9162 §2.1.4.1, recursively, over the first second leaf hashes."""

    def subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
        n = len(d)
        if m == n:
            return [] if b else [mth_reference(d)]
        k = _split(n)
        if m <= k:
            return [*subproof(m, d[:k], b), mth_reference(d[k:])]
        return [*subproof(m - k, d[k:], False), mth_reference(d[:k])]

    _check_sizes(first, second)
    if second > len(leaf_hashes):
        raise MerkleError(f"second size {second} exceeds the {len(leaf_hashes)} leaves given")
    if first == second:
        return []
    return subproof(first, leaf_hashes[:second], True)


# ---------------------------------------------------------------------------------------
# Verification (RFC 9162 §2.1.3.2 and §2.1.4.2); never raises on malformed input
# ---------------------------------------------------------------------------------------


def _is_hash(value: object) -> bool:
    """True if value is a 32-byte bytes object."""
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_size(value: object) -> bool:
    """True if value is a non-negative int (bool excluded)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _as_hashes(proof: object) -> list[bytes] | None:
    """The proof as a list of 32-byte hashes, or None if it is not one."""
    if not isinstance(proof, list | tuple):
        return None
    items = list(proof)
    if not all(_is_hash(p) for p in items):
        return None
    return items


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes | None:
    """The root implied by an inclusion proof (RFC 9162 §2.1.3.2), or None if malformed."""
    if not (_is_hash(leaf_hash) and _is_size(index) and _is_size(size)):
        return None
    path = _as_hashes(proof)
    if path is None or index >= size:
        return None
    fn, sn = index, size - 1
    r = leaf_hash
    for p in path:
        # A proof longer than the tree is tall: reject rather than hash extra elements.
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            # On the right border the tree skips levels; climb until a real left sibling.
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    # sn != 0 means the proof was too short to reach the root.
    if sn != 0:
        return None
    return r


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """True if proof shows leaf_hash at index in the tree of size with this root."""
    computed = root_from_inclusion_proof(leaf_hash, index, size, proof)
    return computed is not None and _is_hash(root) and computed == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True if proof shows the tree of size first is a prefix of the tree of size second."""
    if not (_is_size(first) and _is_size(second)) or first > second:
        return False
    path = _as_hashes(proof)
    if path is None:
        return False
    if first == second:
        if path or not isinstance(first_root, bytes) or not isinstance(second_root, bytes):
            return False
        # The empty tree's root is fixed, so anything else claimed for size 0 is wrong.
        if first == 0:
            return first_root == EMPTY_ROOT and second_root == EMPTY_ROOT
        return first_root == second_root
    # RFC 9162 defines consistency proofs only for 0 < first: reject "from empty" claims.
    if first == 0 or not path:
        return False
    if not (_is_hash(first_root) and _is_hash(second_root)):
        return False
    # When first is a power of two the old root is itself a node on the path, so the
    # RFC omits it from the proof and the verifier supplies it.
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
