"""The server-side SVG charts: escaped labels, proportional bars, lines, shares, empty data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from exchange.web.charts import bar_chart, line_chart, plain, share_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    """The chart as XML (it must be well-formed to be inline SVG)."""
    return ET.fromstring(str(markup))


def test_bar_lengths_follow_the_values_and_labels_are_escaped() -> None:
    svg = bar_chart(
        [("广州数据交易所", 300.0), ("<script>alert(1)</script> & co", 150.0), ("零", 0)],
        title="成交额 <by exchange>",
        fmt=lambda v: f"¥{v:,.0f}",
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "成交额 <by exchange>"
    desc = root.find(f"{SVG}desc").text
    assert desc == "广州数据交易所: ¥300; <script>alert(1)</script> & co: ¥150; 零: ¥0"
    widths = [float(r.get("width", "0")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] == 2 * widths[1] and widths[2] == 0


def test_line_chart_draws_each_series_over_sorted_days() -> None:
    svg = line_chart(
        {
            "全市场 market": [("2026-11-25", 104.0), ("2026-11-23", 100.0), ("2026-11-24", 98.5)],
            "数据集 dataset": [("2026-11-24", 101.0)],
        },
        title="价格指数 price index",
    )
    root = parse(svg)
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 1  # the one-point series is a dot, not a line
    xs = [float(p.split(",")[0]) for p in lines[0].get("points", "").split()]
    assert xs == sorted(xs)  # drawn left to right by day
    ys = [float(p.split(",")[1]) for p in lines[0].get("points", "").split()]
    assert ys[1] > ys[0] > ys[2]  # 98.5 lowest on screen is the largest y; 104 the smallest
    assert len(list(root.iter(f"{SVG}circle"))) == 4
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "2026-11-23" in labels and "2026-11-25" in labels and "数据集 dataset" in labels


def test_a_flat_or_single_point_line_still_has_a_y_range() -> None:
    root = parse(line_chart({"x": [("d1", 100.0)]}, title="t"))
    (dot,) = root.iter(f"{SVG}circle")
    assert 0 < float(dot.get("cy", "0")) < float(root.get("viewBox", "").split()[3])


def test_shares_add_up_and_show_percents() -> None:
    root = parse(share_chart([("数据集", 3), ("API", 1)], title="份额"))
    assert root.find(f"{SVG}desc").text == "数据集: 75.0%; API: 25.0%"
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    widths = [float(r.get("width", "0")) for r in bars]
    assert abs(widths[0] - 3 * widths[1]) < 0.2


def test_no_data_says_so_instead_of_drawing_nothing() -> None:
    for svg in (
        bar_chart([], title="t", empty="暂无成交 no trades yet"),
        line_chart({"a": []}, title="t", empty="暂无成交 no trades yet"),
        share_chart([("a", 0)], title="t", empty="暂无成交 no trades yet"),
    ):
        assert "暂无成交 no trades yet" in svg
        parse(svg)


def test_two_charts_get_distinct_ids_and_numbers_read_plainly() -> None:
    a, b = bar_chart([("a", 1)], title="one"), bar_chart([("a", 2)], title="one")
    assert re.search(r'id="([^"]+)-t"', a).group(1) != re.search(r'id="([^"]+)-t"', b).group(1)
    assert plain(1200.0) == "1,200" and plain(99.5) == "99.50"
