"""A signed report as CSV (one row per figure) and as a printable HTML page."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from exchange.supervision.reports.service import SignedReport
from exchange.supervision.rules import ALERT_LABELS, MEASURE_LABELS, AlertKind, MeasureKind

_ENV = Environment(
    loader=PackageLoader("exchange.supervision.reports", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _rows(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        out = []
        for key, child in value.items():
            out += _rows(f"{prefix}.{key}" if prefix else str(key), child)
        return out
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return [(prefix, ";".join("" if v is None else str(v) for v in value))]
        out = []
        for i, child in enumerate(value):
            out += _rows(f"{prefix}[{i}]", child)
        return out
    if value is None:
        return [(prefix, "")]
    return [(prefix, json.dumps(value) if isinstance(value, bool) else str(value))]


def to_csv(report: SignedReport) -> str:
    """Every figure of the report as `section,field,value`, then its signature."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "field", "value"])
    for section, value in report.document.items():
        for field, text in _rows("", value) if isinstance(value, dict | list) else [("", value)]:
            writer.writerow([section, field, text])
    writer.writerow(["signature", "ed25519", report.signature])
    writer.writerow(["signature", "key_id", report.key_id])
    return out.getvalue()


def to_html(report: SignedReport) -> str:
    """A page to read and print (no script, style or font from elsewhere)."""
    return _ENV.get_template("report.html").render(
        r=report.document,
        signature=report.signature,
        key_id=report.key_id,
        public_key=report.public_key,
        canonical=json.dumps(report.document, ensure_ascii=False, sort_keys=True, indent=1),
        alert_label=lambda k: ALERT_LABELS[AlertKind(k)],
        measure_label=lambda k: MEASURE_LABELS[MeasureKind(k)],
        yuan=lambda fen: f"{fen / 100:,.2f}",
    )
