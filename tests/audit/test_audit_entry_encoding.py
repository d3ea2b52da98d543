"""The fast canonical encoder writes exactly what the RFC 8785 reference writes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from exchange.audit.log.entry import (
    MAX_SAFE_INTEGER,
    EntryDraft,
    PayloadError,
    build_leaf,
    canonical_json,
    to_json_value,
)

PROPERTY = settings(database=None, deadline=None, max_examples=500)

# Every code point but lone surrogates (which no UTF-8 leaf can hold), keys included.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
    | TEXT
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@PROPERTY
@given(JSON)
def test_fast_encoder_matches_the_reference(value: object) -> None:
    assert canonical_json(value) == bytes(rfc8785.dumps(value))


def test_keys_are_sorted_by_utf16_code_units() -> None:
    # Code point order would put U+E000 first; UTF-16 puts the surrogate pair first.
    value = {"\ue000": 1, "\U0001f600": 2, "a": {"\uffff": 3, "\U00010000": 4}}
    assert canonical_json(value) == bytes(rfc8785.dumps(value))
    assert canonical_json(value).index("😀".encode()) < canonical_json(value).index(
        "\ue000".encode()
    )


def test_controls_escapes_and_chinese_text() -> None:
    value = {"备注": '转账\n\t"\\\x00\x1f\x7f\u2028', "n": -(2**53 - 1)}
    assert canonical_json(value) == bytes(rfc8785.dumps(value))
    assert "转账".encode() in canonical_json(value)


@PROPERTY
@given(TEXT, TEXT, TEXT, TEXT, st.dictionaries(TEXT, JSON, max_size=5), st.integers(0, 10**12))
def test_leaves_are_the_reference_encoding_of_the_entry(
    actor: str, action: str, subject_type: str, subject_id: str, payload: dict, seq: int
) -> None:
    draft = EntryDraft(actor, action, subject_type, subject_id, to_json_value(payload))
    when = datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=UTC)
    prev = bytes(range(32))
    entry = {
        "v": 1,
        "origin": "sandbox.gd-data-exchange.cn/audit",
        "seq": seq,
        "logged_at": "2026-11-23T09:00:00.123456Z",
        "actor": actor,
        "action": action,
        "subject": {"type": subject_type, "id": subject_id},
        "payload": draft.payload,
        "prev": prev.hex(),
    }
    leaf = build_leaf(
        origin="sandbox.gd-data-exchange.cn/audit", seq=seq, logged_at=when, draft=draft, prev=prev
    )
    assert leaf == bytes(rfc8785.dumps(entry))


class Colour(StrEnum):
    RED = "red"


def test_payload_normalization_names_the_bad_value() -> None:
    when = datetime(2026, 11, 23, 9, 0, 0, 5, tzinfo=UTC)
    ident = uuid.UUID(int=7)
    assert to_json_value(
        {"c": Colour.RED, "t": when, "u": ident, "b": b"\x01", "l": (1, [True, None])}
    ) == {"c": "red", "t": "2026-11-23T09:00:00.000005Z", "u": str(ident), "b": "01",
          "l": [1, [True, None]]}  # fmt: skip
    with pytest.raises(PayloadError, match=r"^payload\.postings\[1\]\.amount: floats"):
        to_json_value({"postings": [{"amount": 1}, {"amount": 1.5}]})
    with pytest.raises(PayloadError, match=r"^payload\.n: integer 9007199254740992 is outside"):
        to_json_value({"n": 2**53})
    with pytest.raises(PayloadError, match="keys must be strings"):
        to_json_value({1: "x"})
