"""One self-contained HTML report an instructor can open or project (charts embedded)."""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from exchange.simulation.results import Results, RunRecord

YUAN = 100

_STYLE = """
body{font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",
sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1a202c;line-height:1.5}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #e2e8f0}
.sub{color:#4a5568}.note{background:#f7fafc;border-left:4px solid #2b6cb0;padding:.6rem 1rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #e2e8f0;border-radius:8px;
padding:.6rem 1rem;min-width:9rem}.card b{display:block;font-size:1.35rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.92rem}
th,td{border:1px solid #e2e8f0;padding:.25rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}img{max-width:100%;margin:.4rem 0}
code{background:#edf2f7;padding:0 .3rem;border-radius:3px;word-break:break-all}
"""


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _yuan(fen: int) -> str:
    return f"{fen / YUAN:,.2f}"


def _table(columns: Sequence[tuple[str, str]], rows: Sequence[Mapping[str, Any]]) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in columns)
    body = []
    for row in rows:
        cells = []
        for key, _ in columns:
            value = row.get(key)
            if key.endswith("_fen") and isinstance(value, int):
                text = _yuan(value)
            elif isinstance(value, float):
                text = f"{value:.3f}"
            elif value is None:
                text = "–"
            else:
                text = str(value)
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in text.strip().split("\n\n") if b.strip()]
    return "".join(f"<p>{html.escape(b)}</p>" for b in blocks)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def run_report(
    path: Path,
    record: RunRecord,
    results: Results,
    charts: Sequence[Path],
    *,
    parameters: str = "",
) -> Path:
    """Write the HTML report of one run (offline or a live class)."""
    s = results.summary
    w = s["welfare"]
    eff = w["efficiency"]
    cards = [
        ("成交 trades", f"{s['trades']:,}"),
        ("成交额 turnover (yuan)", _yuan(s["turnover_fen"])),
        ("配置效率 efficiency", f"{eff:.1%}" if eff is not None else "–"),
        ("基尼系数 Gini of payoffs", f"{s['gini_payoffs']:.3f}"),
        ("参与者 agents", f"{s['agents']:,}"),
        ("轮次 rounds", f"{s['rounds']:,}"),
    ]
    card_html = "".join(
        f'<div class="card">{html.escape(k)}<b>{html.escape(v)}</b></div>' for k, v in cards
    )
    exchanges = [{"exchange": ex, **vals} for ex, vals in sorted(s["by_exchange"].items())]
    welfare_rows = [
        {"item": "需方剩余 buyer surplus", "amount_fen": w["buyer_surplus_fen"]},
        {"item": "供方剩余 provider surplus", "amount_fen": w["seller_surplus_fen"]},
        {"item": "交易所手续费 exchange fees", "amount_fen": w["fees_fen"]},
        {"item": "经纪佣金 broker commissions", "amount_fen": w["commissions_fen"]},
        {"item": "实现的交易收益 realised gains", "amount_fen": w["realised_gains_fen"]},
        {"item": "最优可实现收益 best achievable gains", "amount_fen": w["best_gains_fen"]},
    ]
    top = sorted(results.participants, key=lambda p: (-int(p["payoff_fen"]), str(p["key"])))
    students = [p for p in results.participants if p.get("human")]
    chart_html = "".join(_img(p, p.stem) for p in charts)
    body = [
        f"<h1>{html.escape(record.title or record.scenario)}</h1>",
        f'<div class="sub">scenario <code>{html.escape(record.scenario)}</code> · '
        f"variant <code>{html.escape(record.label)}</code> · seed {record.seed}</div>",
    ]
    if record.note:
        body.append(
            f'<h2>教学说明 Teaching note</h2><div class="note">{_paragraphs(record.note)}</div>'
        )
    body += [
        "<h2>概览 Overview</h2>",
        f'<div class="cards">{card_html}</div>',
        "<h2>交易所 Exchanges</h2>",
        _table(
            [
                ("exchange", "exchange"),
                ("trades", "trades"),
                ("turnover_fen", "turnover (yuan)"),
                ("market_share", "share"),
                ("fees_fen", "fees (yuan)"),
            ],
            exchanges,
        ),
        "<h2>福利 Welfare</h2>",
        _table([("item", "item"), ("amount_fen", "yuan")], welfare_rows),
        "<h2>图表 Charts</h2>",
        chart_html,
    ]
    if results.customs:
        body += [
            "<h2>数据海关 Data customs</h2>",
            _table(
                [("outcome", "outcome"), ("cases", "cases")],
                [{"outcome": k, "cases": v} for k, v in sorted(s["customs"].items())],
            ),
        ]
    if record.surveilled:
        body += [
            "<h2>交易监测 Surveillance alerts</h2>",
            "<p>At the end of the run the market-regulation agency scanned every trade, auction "
            "and transfer of the run (POST /v1/supervision/alerts/scan)"
            + (": it raised the alerts below.</p>" if record.alerts else ": it raised none.</p>"),
            _table(
                [
                    ("kind", "pattern"),
                    ("severity", "severity"),
                    ("parties", "agents"),
                    ("trades", "trades"),
                    ("auctions", "auctions"),
                    ("entries", "log entries"),
                ],
                [{**asdict(a), "parties": ", ".join(a.parties)} for a in record.alerts],
            ),
        ]
    if students:
        body += [
            "<h2>学生 Students</h2>",
            _table(
                [
                    ("name", "name"),
                    ("role", "role"),
                    ("trades", "trades"),
                    ("payoff_fen", "payoff (yuan)"),
                ],
                sorted(students, key=lambda p: (-int(p["payoff_fen"]), str(p["name"]))),
            ),
        ]
    body += [
        "<h2>收益最高的参与者 Top payoffs</h2>",
        _table(
            [
                ("key", "agent"),
                ("role", "role"),
                ("strategy", "strategy"),
                ("trades", "trades"),
                ("payoff_fen", "payoff (yuan)"),
            ],
            top[:15],
        ),
        "<h2>可验证性 Verifiability</h2>",
        f"<p>Audit log: {s['audit_size']:,} entries; Merkle root (SHA-256) "
        f"<code>{html.escape(str(s['audit_root']))}</code>. The same scenario and seed give "
        "the same root.</p>",
    ]
    if parameters:
        body.append(f"<h2>参数 Parameters</h2><pre>{html.escape(parameters)}</pre>")
    path.write_text(_page(record.title or record.scenario, "".join(body)), encoding="utf-8")
    return path


def sweep_report(
    path: Path,
    *,
    title: str,
    key: str,
    rows: Sequence[Mapping[str, Any]],
    chart: Path,
    note: str = "",
) -> Path:
    """Write the HTML comparison of a sweep: one row per value, the chart, links to each run."""
    columns = [
        ("value", key),
        ("trades", "trades"),
        ("turnover_yuan", "turnover (yuan)"),
        ("efficiency", "efficiency"),
        ("gini_payoffs", "Gini"),
        ("audit_root", "audit root"),
    ]
    shares = sorted(k for k in (rows[0] if rows else {}) if k.startswith("share_"))
    columns[4:4] = [(k, k.replace("share_", "share ")) for k in shares]
    links = "".join(
        f'<li><a href="{html.escape(str(r["dir"]))}/report.html">'
        f"{html.escape(str(r['value']))}</a></li>"
        for r in rows
    )
    body = [
        f"<h1>{html.escape(title)}</h1>",
        f'<div class="sub">sweep over <code>{html.escape(key)}</code></div>',
    ]
    if note:
        body.append(f'<h2>教学说明 Teaching note</h2><div class="note">{_paragraphs(note)}</div>')
    body += [
        "<h2>比较 Comparison</h2>",
        _table(columns, rows),
        _img(chart, "sweep"),
        f"<h2>各次运行 Runs</h2><ul>{links}</ul>",
    ]
    path.write_text(_page(title, "".join(body)), encoding="utf-8")
    return path
