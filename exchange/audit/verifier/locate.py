"""Pure: where a log first differs from what was signed -- the first bad index, and how sure.

A signed checkpoint vouches for the root of a prefix of the log, not for each entry. When the
entries no longer give a signed root, this module looks for the first entry that differs
from what was signed, using only evidence that is itself checked against a signed root or
was checked earlier:

1. a witness: the leaf hashes a previous successful verification saw (the remote verifier's
   `--trusted` file and its `.leaves` companion; the server's file in its data directory).
   They were checked against a signed root then, so the first leaf hash that differs from
   the witness is exactly the first changed entry;
2. the signed checkpoints: if the first k-1 roots still match and the k-th does not, the
   first changed entry lies in [s_{k-1}, s_k);
3. a descent of the Merkle tree of that checkpoint: at each node whose (authentic) hash is
   known, candidate hashes of its two children are tried -- the current entries', the ones
   the `prev` chain records (each entry's `prev` states the hash its predecessor had when
   it was appended), and hashes claimed by stored subtrees (the server's audit_nodes) --
   and a pair that hashes to the parent's known hash is authentic (SHA-256 is collision
   resistant). The descent goes into the child whose current hash differs, down to one
   entry, or stops where no pair of candidates is authentic: then only a range is known.

What that means for each kind of edit (the module docstring of `exchange.audit.verifier`
and the tamper tests say which modes have which evidence):
- altered bytes, deleted or swapped entries: exact (the entry rules already name them);
- a leaf rewritten with its hash recomputed, the rest untouched: exact (its successor's
  `prev` still records the signed hash);
- a leaf rewritten and every later `prev` and hash recomputed (a re-linked tail): exact with
  a witness that covers the entry; otherwise the chain carries no memory of the original,
  so only the checkpoints and stored subtree hashes bound it, and the range is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from exchange.audit.verifier.proofs import HASH_SIZE, node_hash, range_root


@dataclass(frozen=True, slots=True)
class Located:
    """The first entry that differs from what was signed lies in [start, end)."""

    start: int
    end: int
    checkpoint_size: int | None
    evidence: str

    @property
    def exact(self) -> bool:
        return self.end == self.start + 1

    def describe(self) -> str:
        against = (
            f"the checkpoint of size {self.checkpoint_size}"
            if self.checkpoint_size is not None
            else "what an earlier verification saw"
        )
        if self.exact:
            return f"entry {self.start} differs from {against} ({self.evidence})"
        return (
            f"the first entry that differs from {against} is in [{self.start}, {self.end}); "
            f"entries before {self.start} are intact ({self.evidence})"
        )


def _split(n: int) -> int:
    """RFC 9162: the largest power of two smaller than n."""
    return 1 << ((n - 1).bit_length() - 1)


def first_difference(a: bytes | bytearray, b: bytes | bytearray) -> int | None:
    """The first index (of 32-byte hashes) at which two hash lists differ, within both."""
    n = min(len(a), len(b)) // HASH_SIZE
    if a[: n * HASH_SIZE] == b[: n * HASH_SIZE]:
        return None
    lo, hi = 0, n  # the first difference is in [lo, hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[lo * HASH_SIZE : mid * HASH_SIZE] == b[lo * HASH_SIZE : mid * HASH_SIZE]:
            lo = mid
        else:
            hi = mid
    return lo


class _Tree:
    """Candidate hashes of leaf ranges: the current entries', the chain's, the stored ones."""

    def __init__(
        self,
        current: bytes | bytearray,
        stated_prev: Mapping[int, bytes],
        claimed: Mapping[tuple[int, int], bytes],
    ) -> None:
        self.current = current
        self.count = len(current) // HASH_SIZE
        self.claimed = claimed
        self.chained: bytes | bytearray | None = None
        if stated_prev:
            # Leaf j as its successor recorded it when it was appended.
            chained = bytearray(current)
            for position, digest in stated_prev.items():
                if 0 < position <= self.count and len(digest) == HASH_SIZE:
                    j = position - 1
                    chained[j * HASH_SIZE : (j + 1) * HASH_SIZE] = digest
            self.chained = chained
        self._memo: dict[tuple[str, int, int], bytes | None] = {}

    def leaves(self, source: str, a: int, b: int) -> bytes | None:
        """MTH of [a, b) from the current or the chained leaf hashes."""
        if b > self.count:
            return None
        key = (source, a, b)
        if key not in self._memo:
            hashes = self.current if source == "current" else self.chained
            self._memo[key] = None if hashes is None else range_root(hashes, a, b)
        return self._memo[key]

    def mixed(self, source: str, a: int, b: int) -> bytes | None:
        """MTH of [a, b) taking each subtree from the claimed hashes where there is one."""
        got = self.claimed.get((a, b))
        if got is not None:
            return got
        if b - a == 1:
            return self.leaves(source, a, b)
        if not self.claimed:
            return self.leaves(source, a, b)
        m = a + _split(b - a)
        left, right = self.mixed(source, a, m), self.mixed(source, m, b)
        return None if left is None or right is None else node_hash(left, right)

    def candidates(self, a: int, b: int) -> Iterator[bytes]:
        seen: set[bytes] = set()
        for source in ("current", "chained", "claimed", "mixed-current", "mixed-chained"):
            if source == "claimed":
                got = self.claimed.get((a, b))
            elif source.startswith("mixed-"):
                got = self.mixed(source.removeprefix("mixed-"), a, b)
            else:
                got = self.leaves(source, a, b)
            if got is not None and got not in seen:
                seen.add(got)
                yield got


def locate(
    current: bytes | bytearray,
    signed: Sequence[tuple[int, bytes]],
    *,
    root_at: Callable[[int], bytes | None],
    stated_prev: Mapping[int, bytes] | None = None,
    claimed: Mapping[tuple[int, int], bytes] | None = None,
    witness: bytes | bytearray = b"",
) -> Located | None:
    """The first entry (by position) that differs from what was signed, or None.

    current: the leaf hashes of the entries as they are now, concatenated, in log order;
    signed: (size, root) of checkpoints whose signatures were checked;
    root_at: the root of the first `size` current entries (None if there are fewer);
    stated_prev: position -> the `prev` that entry states, where it is not the hash of
    the entry before it now; claimed: unauthenticated hashes of leaf ranges [a, b);
    witness: leaf hashes an earlier verification checked against a signed root.
    """
    count = len(current) // HASH_SIZE
    seen = len(witness) // HASH_SIZE
    if seen:
        at = first_difference(current, witness)
        if at is None and count < seen:
            at = count  # entries the earlier run saw are gone
        if at is not None:
            return Located(at, at + 1, None, "leaf hash differs from the one seen before")
    intact = min(seen, count)  # every entry before this is proven as signed
    broken: tuple[int, bytes] | None = None
    for size, root in sorted(signed):
        if size == 0:
            continue
        if root_at(size) == root:
            intact = max(intact, size)
        else:
            broken = (size, root)
            break
    if broken is None:
        return None
    size, root = broken
    tree = _Tree(current, stated_prev or {}, claimed or {})
    a, b, known = 0, size, root
    evidence = "signed checkpoints"
    while b - a > 1:
        m = a + _split(b - a)
        pair = next(
            (
                (left, right)
                for left in tree.candidates(a, m)
                for right in tree.candidates(m, b)
                if node_hash(left, right) == known
            ),
            None,
        )
        if pair is None:
            break
        evidence = "signed checkpoint, prev chain and stored subtree hashes"
        left, right = pair
        if tree.leaves("current", a, m) != left:
            b, known = m, left
        else:
            a, known = m, right
    start = min(max(a, intact), b - 1)
    return Located(start, b, size, evidence)
