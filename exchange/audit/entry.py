"""Audit entries as the contract defines them: RFC 8785 canonical JSON leaf bytes."""

from __future__ import annotations

import enum
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


def to_json_value(value: Any, path: str = "payload") -> JSONValue:
    """Normalize a payload to the contract's JSON: no floats, integers within ±(2^53−1)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, enum.Enum):
        return to_json_value(value.value, path)
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise PayloadError(f"{path}: integer {value} is outside ±(2^53−1)")
        return value
    if isinstance(value, float):
        raise PayloadError(f"{path}: floats are not allowed in audit payloads")
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        out: dict[str, JSONValue] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise PayloadError(f"{path}: object keys must be strings, got {key!r}")
            out[key] = to_json_value(item, f"{path}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [to_json_value(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise PayloadError(f"{path}: {type(value).__name__} is not a JSON value")


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """What a service records; the spine adds seq, time, origin and prev when it appends."""

    actor: str
    action: str
    subject_type: str
    subject_id: str
    payload: dict[str, JSONValue]


def build_leaf(
    *, origin: str, seq: int, logged_at: datetime, draft: EntryDraft, prev: bytes
) -> bytes:
    """The leaf bytes: the canonical JSON of the entry object, UTF-8."""
    entry: dict[str, Any] = {
        "v": ENTRY_VERSION,
        "origin": origin,
        "seq": seq,
        "logged_at": rfc3339(logged_at),
        "actor": draft.actor,
        "action": draft.action,
        "subject": {"type": draft.subject_type, "id": draft.subject_id},
        "payload": draft.payload,
        "prev": prev.hex(),
    }
    return bytes(rfc8785.dumps(entry))
