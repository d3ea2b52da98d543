"""Tests for exchange.audit.merkle: public vectors, frontier, proof planning, verification."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exchange.audit.merkle import (
    EMPTY_FRONTIER,
    EMPTY_ROOT,
    HASH_SIZE,
    CompletedSubtree,
    Ephemeral,
    Frontier,
    MerkleError,
    NodeRef,
    assemble,
    consistency_proof_nodes,
    consistency_proof_reference,
    decode_frontier,
    decompose_range,
    encode_frontier,
    frontier_append,
    frontier_from_leaf_hashes,
    frontier_root,
    inclusion_proof_nodes,
    inclusion_proof_reference,
    leaf_hash,
    mth_reference,
    node_hash,
    required_subtrees,
    root_from_inclusion_proof,
    root_from_leaf_hashes,
    subtree_range,
    verify_consistency,
    verify_inclusion,
)

# No example database: the suite must not write .hypothesis/ into the repository.
PROPERTY = settings(database=None, deadline=None, max_examples=300)


def _vectors_dir() -> Path:
    """The RFC 6962 vectors: $EXCHANGE_RFC6962_VECTORS, else the copy kept beside this test
    (from ../shared/testdata/rfc6962, Apache-2.0, LICENSE alongside)."""
    override = os.environ.get("EXCHANGE_RFC6962_VECTORS")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent / "vectors" / "rfc6962"


VECTORS = _vectors_dir()
MISSING = (
    f"RFC 6962 test vectors not found at {VECTORS}; "
    "set EXCHANGE_RFC6962_VECTORS to the directory holding reference-tree.json"
)


def _vector_params(kind: str) -> list[Any]:
    """One pytest param per JSON vector of this kind (inclusion/consistency), recursively."""
    base = VECTORS / "testdata" / kind
    if not base.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="missing")]
    files = sorted(base.rglob("*.json"))
    return [pytest.param(f, id=str(f.relative_to(base))) for f in files]


def _b64(text: str) -> bytes:
    """Strict base64 decoding of a vector field."""
    return base64.b64decode(text, validate=True)


@cache
def _reference_tree() -> tuple[list[bytes], list[bytes]]:
    """Leaf hashes and roots by size of reference-tree.json (empty lists if it is missing)."""
    if not (VECTORS / "reference-tree.json").is_file():
        return [], []
    data = json.loads((VECTORS / "reference-tree.json").read_text())
    leaves = [leaf_hash(bytes.fromhex(x)) for x in data["leaf_inputs_hex"]]
    roots = [bytes.fromhex(x) for x in data["root_by_size_hex"]]
    return leaves, roots


# ---------------------------------------------------------------------------------------
# Public vectors
# ---------------------------------------------------------------------------------------


def test_vector_corpus_is_complete() -> None:
    if not VECTORS.is_dir():
        pytest.skip(MISSING)
    for kind in ("inclusion", "consistency"):
        base = VECTORS / "testdata" / kind
        happy = sorted(p.parent.name for p in base.glob("[0-9]*/happy-path.json"))
        # A silently empty glob would make every parametrized test vanish, not fail.
        assert happy == ["0", "1", "2", "3", "4"], (kind, happy)
        assert len(list(base.rglob("*.json"))) > 40
        assert (base / "additional").is_dir()


def test_reference_tree_roots() -> None:
    leaves, roots = _reference_tree()
    if not roots:
        pytest.skip(MISSING)
    assert len(roots) == len(leaves) + 1 == 9
    assert roots[0] == EMPTY_ROOT
    frontier: Frontier = EMPTY_FRONTIER
    for n, expected in enumerate(roots):
        assert root_from_leaf_hashes(leaves[:n]) == expected, n
        assert mth_reference(leaves[:n]) == expected, n
        assert frontier_root(frontier) == expected, n
        assert frontier_root(frontier_from_leaf_hashes(leaves[:n])) == expected, n
        if n < len(leaves):
            frontier, _ = frontier_append(frontier, n, leaves[n])


@pytest.mark.parametrize("path", _vector_params("inclusion"))
def test_inclusion_vector(path: Path) -> None:
    v = json.loads(path.read_text())
    proof = [_b64(p) for p in v["proof"] or []]
    leaf, root = _b64(v["leafHash"]), _b64(v["root"])
    ok = verify_inclusion(leaf, v["leafIdx"], v["treeSize"], proof, root)
    assert ok is (not v["wantErr"]), v["desc"]
    if v["wantErr"]:
        return
    assert root_from_inclusion_proof(leaf, v["leafIdx"], v["treeSize"], proof) == root
    # Happy paths over the reference tree must also be what we generate, byte for byte.
    leaves, roots = _reference_tree()
    size = v["treeSize"]
    if size < len(roots) and roots[size] == root:
        assert inclusion_proof_reference(leaves[:size], v["leafIdx"]) == proof
        nodes = inclusion_proof_nodes(v["leafIdx"], size)
        assert assemble(nodes, _store(leaves, size)) == proof


@pytest.mark.parametrize("path", _vector_params("consistency"))
def test_consistency_vector(path: Path) -> None:
    v = json.loads(path.read_text())
    proof = [_b64(p) for p in v["proof"] or []]
    root1, root2 = _b64(v["root1"]), _b64(v["root2"])
    ok = verify_consistency(v["size1"], v["size2"], root1, root2, proof)
    assert ok is (not v["wantErr"]), v["desc"]
    if v["wantErr"]:
        return
    leaves, roots = _reference_tree()
    size1, size2 = v["size1"], v["size2"]
    if size2 < len(roots) and (roots[size1], roots[size2]) == (root1, root2):
        assert consistency_proof_reference(leaves, size1, size2) == proof
        nodes = consistency_proof_nodes(size1, size2)
        assert assemble(nodes, _store(leaves, size2)) == proof


# ---------------------------------------------------------------------------------------
# Frontier
# ---------------------------------------------------------------------------------------

MAX_N = 300
LEAVES = [leaf_hash(i.to_bytes(4, "big")) for i in range(MAX_N)]


@cache
def _appends() -> tuple[list[Frontier], list[list[CompletedSubtree]]]:
    """Frontiers after 0..MAX_N appends and the subtrees each append completed."""
    frontiers: list[Frontier] = [EMPTY_FRONTIER]
    completed: list[list[CompletedSubtree]] = []
    for i, h in enumerate(LEAVES):
        frontier, done = frontier_append(frontiers[-1], i, h)
        frontiers.append(frontier)
        completed.append(done)
    return frontiers, completed


def _store(leaves: list[bytes], size: int) -> dict[tuple[int, int], bytes]:
    """Exactly the perfect subtrees a log of size leaves has stored, built by appending."""
    store: dict[tuple[int, int], bytes] = {}
    frontier: Frontier = EMPTY_FRONTIER
    for i in range(size):
        frontier, done = frontier_append(frontier, i, leaves[i])
        store.update(((level, index), h) for level, index, h in done)
    return store


def _store_at(size: int) -> dict[tuple[int, int], bytes]:
    """The stored subtrees of the LEAVES log at size, from the cached appends."""
    _, completed = _appends()
    return {(lvl, idx): h for done in completed[:size] for lvl, idx, h in done}


def test_frontier_root_matches_mth_for_every_size() -> None:
    frontiers, _ = _appends()
    for n in range(MAX_N + 1):
        expected = root_from_leaf_hashes(LEAVES[:n])
        assert mth_reference(LEAVES[:n]) == expected, n
        assert frontier_root(frontiers[n]) == expected, n
        assert len(frontiers[n]) == n.bit_count(), n
        assert frontier_from_leaf_hashes(LEAVES[:n]) == frontiers[n], n


def test_frontier_is_the_decomposition_of_the_size() -> None:
    frontiers, _ = _appends()
    for n in range(1, MAX_N + 1):
        parts = decompose_range(0, n)
        expected = [root_from_leaf_hashes(LEAVES[slice(*subtree_range(*p))]) for p in parts]
        assert list(frontiers[n]) == expected, n


def test_completed_subtrees_hash_the_ranges_they_cover() -> None:
    _, completed = _appends()
    for i, done in enumerate(completed):
        assert done[0] == (0, i, LEAVES[i])
        # Appending leaf i completes one subtree per trailing one bit of i, plus the leaf.
        assert len(done) == (~i & (i + 1)).bit_length()
        for level, index, h in done:
            start, end = subtree_range(level, index)
            assert end == i + 1
            assert end - start == 1 << level
            assert h == root_from_leaf_hashes(LEAVES[start:end]), (level, index)


def test_store_holds_every_perfect_subtree() -> None:
    for n in (0, 1, 2, 3, 7, 8, 100, MAX_N):
        store = _store_at(n)
        expected = {(lvl, i) for lvl in range(10) for i in range(n >> lvl)}
        assert set(store) == expected


def test_frontier_encoding_round_trip() -> None:
    frontiers, _ = _appends()
    for n, frontier in enumerate(frontiers):
        data = encode_frontier(frontier)
        assert len(data) == HASH_SIZE * n.bit_count()
        assert decode_frontier(data) == frontier
        assert decode_frontier(data, n) == frontier
    assert encode_frontier(EMPTY_FRONTIER) == b""
    assert decode_frontier(b"", 0) == ()


def test_frontier_rejects_bad_input() -> None:
    frontiers, _ = _appends()
    h = LEAVES[0]
    with pytest.raises(MerkleError):
        decode_frontier(b"\x00" * 33)
    with pytest.raises(MerkleError):
        decode_frontier(encode_frontier(frontiers[3]), 4)
    with pytest.raises(MerkleError):
        frontier_append(frontiers[3], 4, h)  # size and frontier disagree
    with pytest.raises(MerkleError):
        frontier_append(frontiers[3], -1, h)
    with pytest.raises(MerkleError):
        frontier_append(frontiers[3], 3, h[:31])
    with pytest.raises(MerkleError):
        frontier_append((h[:31],), 1, h)
    with pytest.raises(MerkleError):
        encode_frontier((h + b"\x00",))


def test_root_from_leaf_hashes_rejects_bad_lengths() -> None:
    with pytest.raises(MerkleError):
        root_from_leaf_hashes([LEAVES[0], b"short"])
    with pytest.raises(MerkleError):
        root_from_leaf_hashes([LEAVES[0] + b"x"])


def test_hash_primitives() -> None:
    left, right = b"L" * 32, b"R" * 32
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()


# ---------------------------------------------------------------------------------------
# Proof planning
# ---------------------------------------------------------------------------------------


def test_inclusion_plan_shape() -> None:
    # Size 7, leaf 0: siblings leaf 1, subtree [2,4), and the non-perfect range [4,7).
    assert inclusion_proof_nodes(0, 7) == [(0, 1), (1, 1), Ephemeral(4, 7, ((1, 2), (0, 6)))]
    assert inclusion_proof_nodes(6, 7) == [(1, 2), (2, 0)]
    assert inclusion_proof_nodes(0, 1) == []
    assert consistency_proof_nodes(6, 7) == [(1, 2), (0, 6), (2, 0)]
    assert consistency_proof_nodes(4, 8) == [(2, 1)]
    assert consistency_proof_nodes(3, 3) == []
    assert consistency_proof_nodes(0, 0) == []


def test_required_subtrees_are_distinct_and_sorted() -> None:
    nodes: list[NodeRef] = [(0, 1), Ephemeral(4, 7, ((1, 2), (0, 6))), (1, 2), (0, 1)]
    assert required_subtrees(nodes) == [(0, 1), (0, 6), (1, 2)]


def test_assemble_reports_missing_or_corrupt_hashes() -> None:
    nodes = inclusion_proof_nodes(0, 7)
    store = _store_at(7)
    assert assemble(nodes, store) == inclusion_proof_reference(LEAVES[:7], 0)
    del store[(0, 6)]
    with pytest.raises(MerkleError, match="missing"):
        assemble(nodes, store)
    store[(0, 6)] = b"\x00" * 31
    with pytest.raises(MerkleError, match="corrupt"):
        assemble(nodes, store)


def test_decompose_range() -> None:
    assert decompose_range(0, 7) == ((2, 0), (1, 2), (0, 6))
    assert decompose_range(8, 9) == ((0, 8),)
    assert decompose_range(8, 16) == ((3, 1),)
    for start, end in ((3, 3), (4, 2), (-1, 2), (1, 3)):
        with pytest.raises(MerkleError):
            decompose_range(start, end)


@pytest.mark.parametrize(
    ("index", "size"), [(0, 0), (1, 1), (5, 3), (-1, 4), (0, -1), (True, 3), (2**64 - 1, 8)]
)
def test_inclusion_plan_rejects_bad_arguments(index: int, size: int) -> None:
    with pytest.raises(MerkleError):
        inclusion_proof_nodes(index, size)
    if size >= 0:
        with pytest.raises(MerkleError):
            inclusion_proof_reference(LEAVES[:size], index)


@pytest.mark.parametrize(("first", "second"), [(2, 1), (0, 1), (-1, 3), (1, -1), (9, 8)])
def test_consistency_plan_rejects_bad_arguments(first: int, second: int) -> None:
    with pytest.raises(MerkleError):
        consistency_proof_nodes(first, second)
    with pytest.raises(MerkleError):
        consistency_proof_reference(LEAVES, first, second)


def test_consistency_reference_needs_enough_leaves() -> None:
    with pytest.raises(MerkleError):
        consistency_proof_reference(LEAVES[:4], 2, 5)


size_and_index = st.integers(1, MAX_N).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(0, n - 1))
)
first_and_second = st.integers(1, MAX_N).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n)))


def _flip(proof: list[bytes], which: int, bit: int) -> list[bytes]:
    """A copy of proof with one bit of one element flipped."""
    out = list(proof)
    element = bytearray(out[which])
    element[bit // 8] ^= 1 << (bit % 8)
    out[which] = bytes(element)
    return out


@PROPERTY
@given(si=size_and_index, data=st.data())
def test_inclusion_proofs_match_reference_and_verify(
    si: tuple[int, int], data: st.DataObject
) -> None:
    size, index = si
    nodes = inclusion_proof_nodes(index, size)
    # Built only from subtrees a log of exactly this size has stored: a plan that asked
    # for a not-yet-complete subtree would fail here with "missing".
    proof = assemble(nodes, _store_at(size))
    assert proof == inclusion_proof_reference(LEAVES[:size], index)
    root = root_from_leaf_hashes(LEAVES[:size])
    leaf = LEAVES[index]
    assert verify_inclusion(leaf, index, size, proof, root)
    assert root_from_inclusion_proof(leaf, index, size, proof) == root
    assert not verify_inclusion(LEAVES[(index + 1) % MAX_N], index, size, proof, root)
    assert not verify_inclusion(leaf, index, size, proof, node_hash(root, root))
    assert not verify_inclusion(leaf, index, size, [*proof, root], root)
    # Over-long and short-element proofs are malformed, not merely a different root.
    assert root_from_inclusion_proof(leaf, index, size, [*proof, root]) is None
    assert root_from_inclusion_proof(leaf, index, size, [*proof[:-1], root[:31]]) is None
    assert not verify_inclusion(leaf, index, size, [root, *proof], root)
    if proof:
        assert not verify_inclusion(leaf, index, size, proof[:-1], root)
        which = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 8 * HASH_SIZE - 1))
        assert not verify_inclusion(leaf, index, size, _flip(proof, which, bit), root)
        other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index))
        assert not verify_inclusion(leaf, other, size, proof, root)
    assert not verify_inclusion(leaf, size, size, proof, root)


@PROPERTY
@given(fs=first_and_second, data=st.data())
def test_consistency_proofs_match_reference_and_verify(
    fs: tuple[int, int], data: st.DataObject
) -> None:
    first, second = fs
    nodes = consistency_proof_nodes(first, second)
    proof = assemble(nodes, _store_at(second))
    assert proof == consistency_proof_reference(LEAVES, first, second)
    root1 = root_from_leaf_hashes(LEAVES[:first])
    root2 = root_from_leaf_hashes(LEAVES[:second])
    assert verify_consistency(first, second, root1, root2, proof)
    if first == second:
        assert proof == []
        assert not verify_consistency(first, second, root1, root2, [root1])
        return
    assert proof
    assert not verify_consistency(first, second, root2, root1, proof)
    assert not verify_consistency(first, second, root1, node_hash(root2, root2), proof)
    assert not verify_consistency(first, second, node_hash(root1, root1), root2, proof)
    assert not verify_consistency(first, second, root1, root2, proof[:-1])
    assert not verify_consistency(first, second, root1, root2, [*proof, root2])
    assert not verify_consistency(first, second, root1, root2, [root1, *proof])
    assert not verify_consistency(second, first, root2, root1, proof)
    which = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 8 * HASH_SIZE - 1))
    assert not verify_consistency(first, second, root1, root2, _flip(proof, which, bit))


# ---------------------------------------------------------------------------------------
# Verification never raises
# ---------------------------------------------------------------------------------------

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.binary(max_size=40),
    st.text(max_size=5),
    st.lists(st.binary(min_size=30, max_size=34), max_size=4),
)


@PROPERTY
@given(
    leaf=junk,
    index=junk,
    size=junk,
    proof=st.one_of(junk, st.lists(junk, max_size=4)),
    root=junk,
)
def test_verify_inclusion_never_raises(
    leaf: Any, index: Any, size: Any, proof: Any, root: Any
) -> None:
    assert verify_inclusion(leaf, index, size, proof, root) in (True, False)
    result = root_from_inclusion_proof(leaf, index, size, proof)
    assert result is None or len(result) == HASH_SIZE


@PROPERTY
@given(
    first=junk,
    second=junk,
    root1=junk,
    root2=junk,
    proof=st.one_of(junk, st.lists(junk, max_size=4)),
)
def test_verify_consistency_never_raises(
    first: Any, second: Any, root1: Any, root2: Any, proof: Any
) -> None:
    assert verify_consistency(first, second, root1, root2, proof) in (True, False)


def test_verify_edge_cases() -> None:
    r = LEAVES[0]
    assert verify_inclusion(r, 0, 1, [], r)
    assert verify_inclusion(r, 0, 1, (), r)
    assert not verify_inclusion(r, 0, 0, [], r)
    assert not verify_inclusion(r, 0, 1, None, r)  # type: ignore[arg-type]
    assert not verify_inclusion(r, True, 2, [r], r)
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert not verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])
    assert not verify_consistency(0, 0, r, r, [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, r, [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, r, [r])
    assert verify_consistency(3, 3, r, r, [])
    assert not verify_consistency(3, 3, r, r, [r])
    assert not verify_consistency(3, 3, r, LEAVES[1], [])
    assert not verify_consistency(3, 4, r, LEAVES[1], None)  # type: ignore[arg-type]
