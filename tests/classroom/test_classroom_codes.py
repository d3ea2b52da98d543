"""Join codes and the order in which students take seats (pure)."""

from __future__ import annotations

from exchange.classroom import codes


def test_codes_are_unambiguous_and_typed_forgivingly() -> None:
    made = {codes.new_join_code() for _ in range(200)}
    assert len(made) > 190
    assert all(len(c) == codes.CODE_LENGTH and set(c) <= set(codes.ALPHABET) for c in made)
    assert not set("01OIL") & set(codes.ALPHABET)
    assert codes.normalize_code(" k7p-3qx ") == "K7P3QX"


def test_arrival_order_alternates_roles_and_continues_when_one_runs_out() -> None:
    seats = [
        ("buyer-0001", "buyer"),
        ("buyer-0002", "buyer"),
        ("buyer-0003", "buyer"),
        ("provider-0001", "provider"),
        ("broker-0001", "broker"),
    ]
    assert codes.arrival_order(seats, ["buyer", "provider"]) == [
        "buyer-0001",
        "provider-0001",
        "buyer-0002",
        "buyer-0003",
    ]
    assert codes.arrival_order(seats, ["provider"]) == ["provider-0001"]
