"""The offline verifier's own code: its hashing and proofs agree with merkle.py and the
RFC 6962 vectors; its note checks agree with note.py; its entry checks catch every rule."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from test_merkle import _b64, _vector_params

from exchange.audit import merkle
from exchange.audit.log.entry import EntryDraft, build_leaf, canonical_json
from exchange.audit.note import key_id, public_key_raw, sign_checkpoint
from exchange.audit.verifier.checker import CHUNK, LogChecker
from exchange.audit.verifier.errors import VerificationError
from exchange.audit.verifier.notes import VerifierKey, parse_public_key, verify_checkpoint
from exchange.audit.verifier.proofs import (
    audit_path_ranges,
    locate_bad_subtree,
    range_root,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

ORIGIN = "sandbox.gd-data-exchange.cn/audit"
START = datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=UTC)
PROPERTY = settings(database=None, deadline=None, max_examples=200)


def make_log(n: int, *, payload: dict | None = None, origin: str = ORIGIN) -> list[bytes]:
    """n canonical leaves, chained, as the spine writes them."""
    leaves = []
    prev = bytes(32)
    for seq in range(n):
        draft = EntryDraft(
            actor="3f1e2d4c-1111-4222-8333-444455556666",
            action="ledger.posted",
            subject_type="journal",
            subject_id=f"journal-{seq}",
            payload=payload if payload is not None else {"memo": f"转账 {seq}", "amount_fen": seq},
        )
        leaf = build_leaf(
            origin=origin,
            seq=seq,
            logged_at=START + timedelta(milliseconds=seq // 3),
            draft=draft,
            prev=prev,
        )
        leaves.append(leaf)
        prev = merkle.leaf_hash(leaf)
    return leaves


def check(leaves: list[bytes], **options: object) -> LogChecker:
    checker = LogChecker(ORIGIN, **options)  # type: ignore[arg-type]
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    checker.add(list(range(len(leaves))), leaves, hashes)
    checker.finish()
    return checker


# ---------------------------------------------------------------------------------------
# Hashing and proofs: independent code, same answers
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", _vector_params("inclusion"))
def test_inclusion_vectors(path: Path) -> None:
    v = json.loads(path.read_text())
    proof = [_b64(p) for p in v["proof"] or []]
    ok = verify_inclusion(_b64(v["leafHash"]), v["leafIdx"], v["treeSize"], proof, _b64(v["root"]))
    assert ok is (not v["wantErr"]), v["desc"]


@pytest.mark.parametrize("path", _vector_params("consistency"))
def test_consistency_vectors(path: Path) -> None:
    v = json.loads(path.read_text())
    proof = [_b64(p) for p in v["proof"] or []]
    ok = verify_consistency(v["size1"], v["size2"], _b64(v["root1"]), _b64(v["root2"]), proof)
    assert ok is (not v["wantErr"]), v["desc"]


@PROPERTY
@given(st.integers(min_value=1, max_value=70), st.data())
def test_verifier_agrees_with_merkle_module(size: int, data: st.DataObject) -> None:
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    root = merkle.mth_reference(leaves)
    assert tree_root(leaves) == root
    assert range_root(b"".join(leaves), 0, size) == root
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = merkle.inclusion_proof_reference(leaves, index)
    assert verify_inclusion(leaves[index], index, size, proof, root)
    if proof:
        assert not verify_inclusion(leaves[index], index, size, proof[:-1], root)
    ranges = audit_path_ranges(index, size)
    assert [range_root(b"".join(leaves), a, b) for a, b in ranges] == proof
    first = data.draw(st.integers(min_value=1, max_value=size))
    consistency = merkle.consistency_proof_reference(leaves, first, size)
    first_root = merkle.mth_reference(leaves[:first])
    assert verify_consistency(first, size, first_root, root, consistency)
    assert not verify_consistency(first, size, root, first_root, consistency) or (first == size)


def test_locating_a_bad_served_subtree() -> None:
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(27)]
    proof = merkle.inclusion_proof_reference(leaves, 0)
    proof[2] = bytes(32)  # the hash of entries [4, 8)
    assert locate_bad_subtree(b"".join(leaves), 0, 27, proof) == [(4, 8)]


# ---------------------------------------------------------------------------------------
# Checkpoints (C2SP notes) and keys
# ---------------------------------------------------------------------------------------

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))


def test_checkpoints_signed_by_the_server_verify_here() -> None:
    root = merkle.leaf_hash(b"root")
    note = sign_checkpoint(ORIGIN, 42, root, [(ORIGIN, KEY), (ORIGIN, OTHER)])
    key = VerifierKey(ORIGIN, public_key_raw(KEY))
    assert key.key_id == key_id(ORIGIN, public_key_raw(KEY))
    checkpoint = verify_checkpoint(note, [key])
    assert (checkpoint.origin, checkpoint.size, checkpoint.root) == (ORIGIN, 42, root)
    with pytest.raises(VerificationError, match="not signed by any known key"):
        verify_checkpoint(note, [VerifierKey("other", public_key_raw(KEY))])
    forged = note.replace("\n42\n", "\n43\n")
    with pytest.raises(VerificationError, match="invalid"):
        verify_checkpoint(forged, [key])
    with pytest.raises(VerificationError):
        verify_checkpoint(note.split("\n\n")[0] + "\n\n", [key])


def test_public_keys_parse_from_vkeys_and_raw_base64() -> None:
    import base64

    raw = public_key_raw(KEY)
    encoded = base64.b64encode(b"\x01" + raw).decode()
    vkey = f"{ORIGIN}+{key_id(ORIGIN, raw).hex()}+{encoded}"
    assert parse_public_key(vkey) == VerifierKey(ORIGIN, raw)
    plain = base64.b64encode(raw).decode()
    assert parse_public_key(plain, ORIGIN) == VerifierKey(ORIGIN, raw)
    with pytest.raises(VerificationError):
        parse_public_key(vkey.replace("+", "+0", 1))
    with pytest.raises(VerificationError):
        parse_public_key(base64.b64encode(raw[:31]).decode(), ORIGIN)


# ---------------------------------------------------------------------------------------
# Entry rules
# ---------------------------------------------------------------------------------------


def test_an_honest_log_passes_and_gives_the_root() -> None:
    leaves = make_log(50)
    checker = check(leaves, snapshot_sizes=range(51))
    assert checker.ok, checker.problems
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    for size in range(51):
        assert checker.root_at(size) == merkle.mth_reference(hashes[:size])


def test_chunks_snapshots_and_subtrees_across_many_leaves() -> None:
    n = CHUNK * 2 + 1234
    leaves = make_log(n)
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    sizes = [0, 1, 5, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, n]
    checker = LogChecker(ORIGIN, snapshot_sizes=sizes, collect_nodes=True)
    rng = random.Random(7)
    pos = 0
    while pos < n:  # uneven batches: the tree does not depend on how entries arrive
        step = min(n - pos, rng.randint(1, 9000))
        checker.add(
            list(range(pos, pos + step)), leaves[pos : pos + step], hashes[pos : pos + step]
        )
        pos += step
    root = checker.finish()
    assert checker.ok, checker.problems[:3]
    assert root == merkle.root_from_leaf_hashes(hashes)
    for size in sizes:
        snapshot = checker.snapshots[size]
        assert snapshot.root == merkle.root_from_leaf_hashes(hashes[:size])
        assert snapshot.frontier == merkle.frontier_from_leaf_hashes(hashes[:size])
    stored: dict[tuple[int, int], bytes] = {}
    frontier: merkle.Frontier = merkle.EMPTY_FRONTIER
    for i, h in enumerate(hashes):
        frontier, completed = merkle.frontier_append(frontier, i, h)
        stored.update({(lv, ix): d for lv, ix, d in completed if lv >= 1})
    collected = {
        (level, first + k): h
        for level, first, group in checker.drain_nodes()
        for k, h in enumerate(group)
    }
    assert collected == stored


def test_payload_mentioning_prev_and_logged_at_is_not_confused() -> None:
    tricky = {
        "prev": "0" * 64,
        "seq": 0,
        "subject": {"id": "x", "type": "y"},
        "note": '","logged_at":"1999-01-01T00:00:00.000000Z',
        "nested": {"logged_at": "2000-01-01T00:00:00.000000Z", "prev": "ab"},
    }
    checker = check(make_log(30, payload=tricky))
    assert checker.ok, checker.problems


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        (lambda e: e.update(seq=e["seq"] + 1), "seq"),
        (lambda e: e.update(prev="f" * 64), "prev"),
        (lambda e: e.update(v=2), "v is not 1"),
        (lambda e: e.update(origin="elsewhere"), "origin"),
        (lambda e: e.update(logged_at="2026-11-23T09:00:00.12Z"), "RFC 3339"),
        (lambda e: e.update(logged_at="2026-13-23T09:00:00.000000Z"), "RFC 3339"),
        (lambda e: e.update(logged_at="2026-11-23T08:00:00.000000Z"), "earlier"),
        (lambda e: e.update(subject={"id": "x", "type": "y", "extra": "z"}), "subject"),
        (lambda e: e.update(payload=[1]), "payload"),
        (lambda e: e.pop("actor"), "fields"),
    ],
)
def test_each_entry_rule_is_checked(change: object, detail: str) -> None:
    leaves = make_log(12)
    entry = json.loads(leaves[7])
    change(entry)  # type: ignore[operator]
    leaves[7] = canonical_json(entry)
    checker = check(leaves)
    assert not checker.ok
    assert checker.first_bad_index == 7
    assert any(detail in p.detail for p in checker.problems if p.index == 7), checker.problems


def test_non_canonical_bytes_are_refused() -> None:
    leaves = make_log(5)
    leaves[3] = json.dumps(json.loads(leaves[3]), indent=1).encode()
    checker = check(leaves)
    assert checker.first_bad_index == 3
    assert any("canonical" in p.detail for p in checker.problems)


def test_a_gap_and_a_claimed_hash_mismatch_are_named() -> None:
    leaves = make_log(10)
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    checker = LogChecker(ORIGIN)
    keep = [i for i in range(10) if i != 4]
    claimed = [hashes[i] for i in keep]
    claimed[7] = bytes(32)
    checker.add(keep, [leaves[i] for i in keep], claimed)
    assert checker.first_bad_index == 4
    assert {p.index for p in checker.problems} >= {4, 5, keep[7]}


@PROPERTY
@given(st.integers(min_value=0, max_value=15), st.integers(min_value=0, max_value=400))
def test_any_single_flipped_byte_is_caught(which: int, offset: int) -> None:
    leaves = make_log(16)
    leaf = bytearray(leaves[which])
    leaf[offset % len(leaf)] ^= 0x01
    leaves[which] = bytes(leaf)
    checker = LogChecker(ORIGIN)
    original = make_log(16)
    # The verifier is given the recorded leaf hashes (as the listing serves them).
    checker.add(list(range(16)), leaves, [merkle.leaf_hash(x) for x in original])
    assert checker.first_bad_index == which
