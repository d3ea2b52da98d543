"""Reading an export fast (`verifier.exports`) and checking it on several processes
(`verifier.parallel`) give exactly what a line-by-line reader on one process gives."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from test_audit_verifier import ORIGIN, make_log

from exchange.audit import merkle
from exchange.audit.note import key_id, public_key_raw, sign_checkpoint
from exchange.audit.verifier.checker import decode_page
from exchange.audit.verifier.errors import VerificationError
from exchange.audit.verifier.exports import read_page
from exchange.audit.verifier.files import export_line, verify_file

PAGE = 64


def _lines(leaves: list[bytes]) -> list[str]:
    return [export_line(i, leaf, merkle.leaf_hash(leaf)) for i, leaf in enumerate(leaves)]


def _json_page(lines: list[str]) -> tuple[list[int], list[bytes], list[bytes]]:
    return decode_page([json.loads(line) for line in lines])


def _as_lists(triple: tuple) -> tuple[list[int], list[bytes], list[bytes]]:
    return list(triple[0]), list(triple[1]), list(triple[2])


ODD_PAYLOADS = [
    {"memo": 'a "quoted" word and a \\ backslash'},
    {"memo": "a\nnewline\tand tab"},
    {"memo": '\\"'},
    {"memo": "控制 \u0001 char"},
    {"memo": "\u2028 line separator and emoji 😀"},
    {"memo": '", "leaf_hash": "'},
]


@pytest.mark.parametrize("payload", [None, *ODD_PAYLOADS])
def test_a_page_reads_as_json_does(payload: dict | None, tmp_path: Path) -> None:
    lines = _lines(make_log(150, payload=payload))
    page = read_page("".join(line + "\n" for line in lines).encode(), 0, 1, tmp_path)
    assert page is not None
    assert _as_lists(page.decode()) == _json_page(lines)


def _replace(old: str, new: str) -> Callable[[str], str]:
    return lambda line: line.replace(old, new, 1)


DAMAGES: list[Callable[[str], str]] = [
    _replace('", "leaf_hash"', '"x", "leaf_hash"'),  # an unescaped quote inside the leaf
    _replace('{\\"action', '{\\\\"action'),  # a backslash escaped, then a bare quote
    _replace('", "leaf_hash": "', '\\", "leaf_hash": "'),  # the leaf ends in a backslash
    _replace('"index": 3', '"index": 03'),  # not JSON
    _replace('"index": 3', '"index": 4'),  # a repeated index
    _replace('"index": 3,', '"index": "3",'),  # a malformed entry
    _replace('"leaf_hash": "', '"leaf_hash": "A'),  # a hash one digit too long
    _replace(', "leaf_hash"', ',  "leaf_hash"'),  # other spacing (still JSON)
    _replace("ledger", "led\u0002ger"),  # a raw control character
    lambda line: line.upper().replace('"INDEX"', '"index"'),
    _replace("ledger", "led\\'ger"),  # not a JSON escape
    _replace("ledger", "led\\x41ger"),  # not a JSON escape
    _replace("ledger", "led\\u0041ger"),  # a JSON escape other than \"
    _replace("ledger", "led\\nger"),  # an escaped newline
]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_page_reads_or_fails_as_json_does(
    damage: Callable[[str], str], tmp_path: Path
) -> None:
    lines = _lines(make_log(20))
    lines[3] = damage(lines[3])
    data = "".join(line + "\n" for line in lines).encode()
    try:
        expected: object = _json_page(lines)
    except (ValueError, VerificationError) as exc:
        expected = type(exc)
    try:
        page = read_page(data, 0, 1, tmp_path)
        assert page is not None
        got: object = _as_lists(page.decode())
    except VerificationError as exc:
        got = type(exc)
    if expected is json.JSONDecodeError:
        expected = VerificationError  # named with its line: "not a JSON line"
    assert got == expected


def _signed(leaves: list[bytes]) -> tuple[str, str]:
    private = Ed25519PrivateKey.generate()
    raw = public_key_raw(private)
    root = merkle.root_from_leaf_hashes([merkle.leaf_hash(leaf) for leaf in leaves])
    encoded = base64.b64encode(b"\x01" + raw).decode()
    key = f"{ORIGIN}+{key_id(ORIGIN, raw).hex()}+{encoded}"
    return sign_checkpoint(ORIGIN, len(leaves), root, [(ORIGIN, private)]), key


TAMPERS: dict[str, Callable[[list[str]], list[str]]] = {
    "untouched": lambda lines: lines,
    "altered leaf": lambda lines: [*lines[:300], lines[300].replace("转账", "转帐"), *lines[301:]],
    "deleted entry": lambda lines: lines[:500] + lines[501:],
    "swapped entries": lambda lines: [*lines[:200], lines[201], lines[200], *lines[202:]],
    "blank and CRLF lines": lambda lines: [*lines[:250], "", lines[250] + "\r", *lines[251:]],
    "not JSON": lambda lines: [*lines[:400], "{oops", *lines[401:]],
    "odd payload": lambda lines: [
        *lines[:130],
        _lines(make_log(131, payload=ODD_PAYLOADS[0]))[130],
        *lines[131:],
    ],
}


@pytest.mark.parametrize("tamper", TAMPERS)
def test_several_processes_report_what_one_does(tamper: str, tmp_path: Path) -> None:
    leaves = make_log(1000)
    note, key = _signed(leaves)
    export = tmp_path / "export.jsonl"
    lines = TAMPERS[tamper](_lines(leaves))
    export.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    reports = [
        verify_file(export, checkpoint_note=note, public_keys=[key], workers=w, page=PAGE)
        for w in (1, 2)
    ]
    one, several = (r.as_json() for r in reports)
    assert several == one
    assert one["ok"] is (tamper in ("untouched", "blank and CRLF lines"))
