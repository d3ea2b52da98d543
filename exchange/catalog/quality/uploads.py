"""Pure: parsing uploaded sample records (UTF-8 JSON or CSV) against an item's standard."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from exchange.catalog.quality.checks import MAX_RECORDS, ItemStandard


class SampleProblem(ValueError):
    """An upload that cannot be read as records of the item (encoding, format, columns)."""

    def __init__(self, kind: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.extra = extra


def decode_utf8(data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); anything else is refused, naming the first bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = ""
        try:
            data.decode("gb18030")
            hint = " It looks like GBK/GB18030; save the file as UTF-8."
        except UnicodeDecodeError:
            pass
        raise SampleProblem(
            "encoding",
            f"The upload is not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} "
            f"is invalid.{hint}",
            offset=exc.start,
        ) from None


def _column_map(standard: ItemStandard) -> dict[str, str]:
    names: dict[str, str] = {}
    for spec in standard.fields:
        names[spec.code.lower()] = spec.code
        names.setdefault(spec.name.strip().lower(), spec.code)
    return names


def resolve_columns(
    columns: Sequence[str], standard: ItemStandard, *, all_needed: bool
) -> list[str]:
    """Map column names (field codes or Chinese names) to field codes, refusing wrong ones."""
    lookup = _column_map(standard)
    codes: list[str] = []
    unknown: list[str] = []
    for column in columns:
        code = lookup.get(column.strip().lower())
        if code is None:
            unknown.append(column)
        else:
            codes.append(code)
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    missing = [f.code for f in standard.fields if f.code not in codes] if all_needed else []
    if unknown or duplicated or missing:
        parts = []
        if unknown:
            parts.append("unknown columns: " + ", ".join(repr(u) for u in unknown[:20]))
        if duplicated:
            parts.append("columns given twice: " + ", ".join(duplicated))
        if missing:
            parts.append("missing columns: " + ", ".join(missing))
        expected = ", ".join(f"{f.code} ({f.name})" for f in standard.fields)
        raise SampleProblem(
            "columns",
            "The columns do not match the item's fields: "
            + "; ".join(parts)
            + f". Expected: {expected}.",
            unknown_columns=unknown[:20],
            duplicated_columns=duplicated,
            missing_columns=missing,
        )
    return codes


def parse_csv(data: bytes, standard: ItemStandard) -> list[dict[str, Any]]:
    """Records from UTF-8 CSV text whose header names every field (code or Chinese name)."""
    text = decode_utf8(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise SampleProblem("format", f"The CSV cannot be read: {exc}.") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise SampleProblem("format", "The CSV is empty: a header row naming the fields is needed.")
    header, body = rows[0], rows[1:]
    codes = resolve_columns(header, standard, all_needed=True)
    if len(body) > MAX_RECORDS:
        raise SampleProblem("format", f"At most {MAX_RECORDS} records may be checked at once.")
    records: list[dict[str, Any]] = []
    for line, row in enumerate(body, start=2):
        if len(row) != len(codes):
            raise SampleProblem(
                "columns",
                f"CSV row {line} has {len(row)} cells but the header has {len(codes)} columns.",
                row=line,
            )
        records.append(
            {code: (cell if cell.strip() else None) for code, cell in zip(codes, row, strict=True)}
        )
    return records


def parse_json(data: bytes, standard: ItemStandard) -> list[dict[str, Any]]:
    """Records from a UTF-8 JSON array of objects (or {"records": [...]})."""
    text = decode_utf8(data)
    try:
        parsed = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = (
            f" (line {exc.lineno}, column {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise SampleProblem("format", f"The body is not valid JSON{where}.") from None
    return records_from_json(parsed, standard)


def records_from_json(parsed: Any, standard: ItemStandard) -> list[dict[str, Any]]:
    """Validate the shape of already-parsed JSON records and map keys to field codes."""
    if isinstance(parsed, dict) and set(parsed) == {"records"}:
        parsed = parsed["records"]
    if not isinstance(parsed, list):
        raise SampleProblem("format", "Records must be a JSON array of objects.")
    if len(parsed) > MAX_RECORDS:
        raise SampleProblem("format", f"At most {MAX_RECORDS} records may be checked at once.")
    lookup = _column_map(standard)
    records: list[dict[str, Any]] = []
    unknown: dict[str, None] = {}
    for number, record in enumerate(parsed, start=1):
        if not isinstance(record, dict):
            raise SampleProblem("format", f"Record {number} is not a JSON object.", record=number)
        mapped: dict[str, Any] = {}
        for key, value in record.items():
            code = lookup.get(str(key).strip().lower())
            if code is None:
                unknown[str(key)] = None
            else:
                mapped[code] = value
        records.append(mapped)
    if unknown:
        resolve_columns(list(unknown), standard, all_needed=False)
    return records
