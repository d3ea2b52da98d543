"""Locating the first entry that differs from what was signed (the verifier's pure `locate`)."""

from __future__ import annotations

from collections.abc import Callable

from exchange.audit.verifier.locate import first_difference, locate
from exchange.audit.verifier.proofs import leaf_hash, range_root


def _log(n: int) -> bytearray:
    return bytearray(b"".join(leaf_hash(b"entry %d" % i) for i in range(n)))


def _relink(hashes: bytearray, start: int) -> bytearray:
    """Entry `start` rewritten and every later hash changed with it (a re-linked tail)."""
    out = bytearray(hashes)
    for j in range(start, len(hashes) // 32):
        out[j * 32 : (j + 1) * 32] = leaf_hash(b"forged %d" % j)
    return out


def _signed(original: bytearray, *sizes: int) -> list[tuple[int, bytes]]:
    return [(size, range_root(original, 0, size)) for size in sizes]


def _root_at(hashes: bytearray) -> Callable[[int], bytes | None]:
    return lambda size: range_root(hashes, 0, size) if size <= len(hashes) // 32 else None


def test_an_unchanged_log_has_nothing_to_locate() -> None:
    log = _log(35)
    assert locate(log, _signed(log, 16, 35), root_at=_root_at(log)) is None


def test_a_recomputed_leaf_is_exact_through_its_successors_prev() -> None:
    original = _log(35)
    now = bytearray(original)
    now[10 * 32 : 11 * 32] = leaf_hash(b"forged")
    # Entry 11 still states the hash entry 10 had when 11 was appended.
    found = locate(
        now,
        _signed(original, 35),
        root_at=_root_at(now),
        stated_prev={11: bytes(original[10 * 32 : 11 * 32])},
    )
    assert found is not None and (found.start, found.end) == (10, 11) and found.exact


def test_a_relinked_tail_is_exact_against_a_witness_and_bounded_without_one() -> None:
    original = _log(48)
    now = _relink(original, 20)
    signed = _signed(original, 48)
    root_at = _root_at(now)

    witness = bytes(original[: 35 * 32])  # what a passing run saw when 35 were signed
    found = locate(now, signed, root_at=root_at, witness=witness)
    assert found is not None and (found.start, found.end) == (20, 21)

    # Without: the checkpoint alone bounds nothing, the stored subtree hashes (authentic
    # because they hash to the signed root) narrow it to the 16 entries of [16, 32).
    alone = locate(now, signed, root_at=root_at)
    assert alone is not None and (alone.start, alone.end) == (0, 48)
    stored = {(a, b): range_root(original, a, b) for a, b in [(0, 32), (32, 48), (0, 16), (16, 32)]}
    bounded = locate(now, signed, root_at=root_at, claimed=stored)
    assert bounded is not None and (bounded.start, bounded.end) == (16, 32)
    assert "is in [16, 32)" in bounded.describe()

    # Forged stored hashes are not evidence: they do not hash to the signed root.
    forged = {**stored, (16, 32): leaf_hash(b"x"), (0, 32): leaf_hash(b"y")}
    assert locate(now, signed, root_at=root_at, claimed=forged) == alone


def test_earlier_checkpoints_bound_the_first_change() -> None:
    original = _log(40)
    now = _relink(original, 20)
    found = locate(now, _signed(original, 8, 17, 23, 40), root_at=_root_at(now))
    assert found is not None and (found.start, found.end) == (17, 23)


def test_entries_gone_since_the_witness_are_named() -> None:
    original = _log(20)
    found = locate(original[: 12 * 32], [], root_at=_root_at(original), witness=original)
    assert found is not None and found.start == 12


def test_first_difference() -> None:
    a = _log(100)
    b = bytearray(a)
    b[57 * 32 + 5] ^= 1
    assert first_difference(a, b) == 57
    assert first_difference(a, a) is None
    assert first_difference(a, a[:64]) is None
