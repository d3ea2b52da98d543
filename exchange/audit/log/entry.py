"""Pure: audit entries as the contract defines them, RFC 8785 canonical JSON leaf bytes."""

from __future__ import annotations

import enum
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import rfc8785

from exchange.clock import rfc3339

ENTRY_VERSION = 1
MAX_SAFE_INTEGER = 2**53 - 1

JSONValue = None | bool | int | str | list["JSONValue"] | dict[str, "JSONValue"]


class PayloadError(ValueError):
    """A payload value the audit contract cannot carry (floats, huge integers, ...)."""


class _Unfit(Exception):
    """A value that cannot be normalized; `where` grows as the error leaves each level."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.where = ""


def to_json_value(value: Any, path: str = "payload") -> JSONValue:
    """Normalize a payload to the contract's JSON: no floats, integers within ±(2^53−1)."""
    try:
        return _normalize(value)
    except _Unfit as unfit:
        raise PayloadError(f"{path}{unfit.where}: {unfit.message}") from None


def _normalize(value: Any) -> JSONValue:
    kind = type(value)
    # Exact-type fast paths for what payloads are made of; subclasses take the long way.
    # The path to a bad value is only spelled out when there is one (on the way out).
    if kind is str or value is None or kind is bool:
        return value  # type: ignore[no-any-return]
    if kind is int:
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise _Unfit(f"integer {value} is outside ±(2^53−1)")
        return value  # type: ignore[no-any-return]
    if kind is dict:
        out: dict[str, JSONValue] = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _Unfit(f"object keys must be strings, got {key!r}")
            item_kind = type(item)
            if item_kind is str or (
                item_kind is int and -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER
            ):
                out[key] = item
                continue
            try:
                out[key] = _normalize(item)
            except _Unfit as unfit:
                unfit.where = f".{key}{unfit.where}"
                raise
        return out
    if kind is list or kind is tuple:
        items: list[JSONValue] = []
        for i, item in enumerate(value):
            try:
                items.append(_normalize(item))
            except _Unfit as unfit:
                unfit.where = f"[{i}]{unfit.where}"
                raise
        return items
    return _normalize_other(value)


def _normalize_other(value: Any) -> JSONValue:
    if isinstance(value, bool | str):
        return value
    if isinstance(value, enum.Enum):
        return _normalize(value.value)
    if isinstance(value, int):
        return _normalize(int(value))
    if isinstance(value, float):
        raise _Unfit("floats are not allowed in audit payloads")
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        return _normalize(dict(value))
    if isinstance(value, list | tuple):
        return _normalize(list(value))
    raise _Unfit(f"{type(value).__name__} is not a JSON value")


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """What a service records; the spine adds seq, time, origin and prev when it appends.

    The payload is already normalized by `to_json_value` (record() does it).
    """

    actor: str
    action: str
    subject_type: str
    subject_id: str
    payload: dict[str, JSONValue]


def _plain(value: Any) -> bool:
    """Whether the C encoder's output for value is RFC 8785's: no floats, no huge integers,
    and object keys that sort the same by code point as by UTF-16 code unit.

    RFC 8785 orders keys by UTF-16 code units, Python by code points; the two orders differ
    only when a key holds a character at or above U+D800 (surrogate pairs sort below
    U+E000..U+FFFF in UTF-16).
    """
    if isinstance(value, dict):
        return all(
            isinstance(key, str) and (key.isascii() or max(key) < "\ud800") and _plain(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    if isinstance(value, float):
        return False
    if isinstance(value, int) and not isinstance(value, bool):
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    return True


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON (UTF-8) of a contract value (no floats).

    The C JSON encoder with sorted keys and no whitespace writes exactly RFC 8785 for
    strings, integers, booleans, null, arrays and objects whose keys sort alike in UTF-16
    (same escapes: quote, backslash, \\b \\f \\n \\r \\t, other controls as lowercase
    \\u00xx; everything else raw UTF-8), about five times faster than the pure-Python
    encoder, which remains the reference for everything else.
    """
    if _plain(value):
        try:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            return text.encode("utf-8")
        except (UnicodeEncodeError, TypeError):
            pass  # lone surrogates, non-JSON types: let the reference encoder decide
    return bytes(rfc8785.dumps(value))


def leaf_bytes(*, origin: str, seq: int, stamp: str, draft: EntryDraft, prev_hex: str) -> bytes:
    """The leaf bytes for a normalized draft, given logged_at already in RFC 3339 form.

    The entry's own keys are fixed ASCII, so RFC 8785 puts them in this order; only the
    payload needs the general encoder. Strings are escaped by the JSON module's own C
    escaper, which is RFC 8785's escaping (see canonical_json).
    """
    try:
        payload = _ENCODER.encode(draft.payload)
        text = _LEAF_TEMPLATE % (
            _string(draft.action),
            _string(draft.actor),
            stamp,
            _string(origin),
            payload,
            prev_hex,
            seq,
            _string(draft.subject_id),
            _string(draft.subject_type),
        )
        data = text.encode("utf-8")
    except (TypeError, UnicodeEncodeError):
        data = b""
    # A normalized payload holds no floats or huge integers, so only its key order can
    # differ from RFC 8785, and only if some character is at or above U+E000: in UTF-8
    # those, and only those, start with a byte 0xEE..0xF4 (surrogates cannot be encoded).
    if data and (data.isascii() or _HIGH_PLANE.search(data) is None or _plain(draft.payload)):
        return data
    entry: dict[str, Any] = {
        "v": ENTRY_VERSION,
        "origin": origin,
        "seq": seq,
        "logged_at": stamp,
        "actor": draft.actor,
        "action": draft.action,
        "subject": {"type": draft.subject_type, "id": draft.subject_id},
        "payload": draft.payload,
        "prev": prev_hex,
    }
    return bytes(rfc8785.dumps(entry))  # the reference encoder decides (and reports)


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_string = json.encoder.encode_basestring
_HIGH_PLANE = re.compile(rb"[\xee-\xf4]")
_LEAF_TEMPLATE = (
    '{"action":%s,"actor":%s,"logged_at":"%s","origin":%s,"payload":%s,"prev":"%s",'
    '"seq":%d,"subject":{"id":%s,"type":%s},"v":1}'
)


def build_leaf(
    *, origin: str, seq: int, logged_at: datetime, draft: EntryDraft, prev: bytes
) -> bytes:
    """The leaf bytes: the canonical JSON of the entry object, UTF-8."""
    return leaf_bytes(
        origin=origin, seq=seq, stamp=rfc3339(logged_at), draft=draft, prev_hex=prev.hex()
    )
