"""The live class view's SVG charts and the rank a student is shown (pure functions)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from exchange.classroom.reports import rank_in_role
from exchange.web.class_charts import HEIGHT, TOP, gains_against_benchmark, price_lines

BOTTOM_OF_PLOT = HEIGHT - 40


def bars(svg: str) -> list[tuple[float, float, str]]:
    """(y, height, fill) of every bar."""
    root = ET.fromstring(svg)
    return [
        (float(r.get("y", 0)), float(r.get("height", 0)), r.get("fill", ""))
        for r in root.iter("{http://www.w3.org/2000/svg}rect")
        if r.find("{http://www.w3.org/2000/svg}title") is not None
    ]


def test_realised_gains_stand_against_the_benchmark_on_one_scale() -> None:
    svg = str(
        gains_against_benchmark(
            [(1, 50_000, 100_000), (2, 100_000, 100_000), (3, -5_000, 80_000)],
            realised="实现收益",
            benchmark="基准",
            title="效率",
        )
    )
    drawn = bars(svg)
    assert len(drawn) == 6
    (b1, r1), (b2, r2), (b3, r3) = drawn[0:2], drawn[2:4], drawn[4:6]
    assert b1[2] != r1[2]  # benchmark and realised look different
    assert abs(r1[1] * 2 - b1[1]) < 0.2  # half the benchmark is half as tall
    assert abs(r2[1] - b2[1]) < 0.01  # the benchmark reached
    assert r3[1] == 0 < b3[1]  # a loss draws no bar below the axis
    for y, h, _ in drawn:
        assert y >= TOP and y + h <= BOTTOM_OF_PLOT + 0.01
    assert "<title>效率</title>" in svg and "¥1,000" in svg  # the axis in yuan


def test_price_lines_skip_rounds_without_trades_and_escape_names() -> None:
    svg = str(
        price_lines(
            {"深圳 <szdex>": [(1, 15_000), (2, None), (3, 18_000)], "广州": [(1, None)]},
            rounds=3,
            title="价格",
        )
    )
    ET.fromstring(svg)  # well-formed: the name was escaped
    assert "深圳 &lt;szdex&gt;" in svg
    assert len(re.findall(r"<circle", svg)) == 2
    assert svg.count("<polyline") == 1


def test_a_rank_is_among_the_players_of_ones_role_and_ties_share_it() -> None:
    people = [
        {"key": "buyer-0001", "role": "buyer", "payoff_fen": 500},
        {"key": "buyer-0002", "role": "buyer", "payoff_fen": 900},
        {"key": "buyer-0003", "role": "buyer", "payoff_fen": 500},
        {"key": "provider-0001", "role": "provider", "payoff_fen": 10_000},
    ]
    assert rank_in_role(people, "buyer-0002") == (1, 3)
    assert rank_in_role(people, "buyer-0001") == (2, 3)
    assert rank_in_role(people, "buyer-0003") == (2, 3)
    assert rank_in_role(people, "provider-0001") == (1, 1)
