"""Random streams per (seed, role, index): adding an agent never changes another's draws."""

from __future__ import annotations

from pathlib import Path

from support_simulation import SMALL, write

from exchange.simulation import loader
from exchange.simulation.rng import stream
from exchange.simulation.world import build_world


def draws(seed: int, role: str, index: int, n: int = 5) -> list[int]:
    rng = stream(seed, role, index)
    return [rng.randrange(1_000_000) for _ in range(n)]


def test_streams_repeat_and_differ_by_seed_role_and_index() -> None:
    assert draws(1, "buyer", 1) == draws(1, "buyer", 1)
    assert draws(1, "buyer", 1) != draws(2, "buyer", 1)
    assert draws(1, "buyer", 1) != draws(1, "provider", 1)
    assert draws(1, "buyer", 1) != draws(1, "buyer", 2)


def test_adding_agents_leaves_the_others_as_they_were(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    small = build_world(loader.load(path).scenario)
    bigger = build_world(
        loader.load(
            path,
            overrides=[("agents.buyers.count", 20), ("agents.providers.count", 5)],
        ).scenario
    )
    for before, after in zip(small.products, bigger.products, strict=False):
        assert (before.key, before.form, before.grade, before.unit_cost_fen) == (
            after.key,
            after.form,
            after.grade,
            after.unit_cost_fen,
        )
    first = {b.key: b for b in small.buyers}
    for buyer in bigger.buyers:
        if buyer.key in first:
            assert [buyer.rng.random() for _ in range(3)] == [
                first[buyer.key].rng.random() for _ in range(3)
            ]
    assert len(bigger.products) == 10 and len(small.products) == 6


def test_buyers_are_spread_over_brokers_and_jurisdictions(tmp_path: Path) -> None:
    text = SMALL.replace('jurisdictions = ["HK"]', 'jurisdictions = ["HK", "SG"]')
    world = build_world(loader.load(write(tmp_path, text)).scenario)
    abroad = [b for b in world.buyers if b.group == "cross_border_buyer"]
    assert [b.jurisdiction for b in abroad] == ["HK", "SG", "HK"]
    assert {b.broker for b in world.buyers} == {"broker-0001"}
