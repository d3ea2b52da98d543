"""Pure: the rules of an item (consistency, classification) and its publishable document."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exchange.catalog.errors import ClassificationRule, InvalidItem
from exchange.catalog.vocabulary import DataType, FieldRole, MaskingRule, usage_methods
from exchange.vocabulary import (
    Grade,
    Opening,
    Sharing,
)

if TYPE_CHECKING:  # types only: this module does no I/O
    from exchange.catalog.elements.models import DataElement
    from exchange.catalog.items.models import CatalogItem
    from exchange.catalog.items.schemas import ItemCreate


@dataclass(frozen=True, slots=True)
class ResolvedField:
    """A field with its data element looked up and its defaults applied."""

    code: str
    name_zh: str
    name_en: str
    element: DataElement | None
    role: FieldRole | None
    required: bool
    masking: MaskingRule

    def document(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "element_code": self.element.code if self.element else None,
            "element_version": self.element.version if self.element else None,
            "role": self.role,
            "required": self.required,
            "masking": self.masking,
        }

    def row(self, item_id: str, position: int) -> dict[str, Any]:
        return {
            "item_id": item_id,
            "position": position,
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "element_id": self.element.id if self.element else None,
            "element_version": self.element.version if self.element else None,
            "role": self.role,
            "required": self.required,
            "masking": self.masking,
        }


def check_item(spec: ItemCreate, fields: Sequence[ResolvedField]) -> None:
    codes = {f.code for f in fields}
    problems: list[str] = []
    missing_key = [k for k in spec.unique_key if k not in codes]
    if missing_key:
        problems.append(f"unique_key names unknown fields: {', '.join(missing_key)}")
    if spec.timeliness_field is not None:
        found = next((f for f in fields if f.code == spec.timeliness_field), None)
        if found is None:
            problems.append(f"timeliness_field {spec.timeliness_field!r} is not a field")
        elif found.element is not None and found.element.data_type not in {
            DataType.DATE,
            DataType.DATETIME,
        }:
            problems.append(
                f"timeliness_field {spec.timeliness_field!r} must hold dates or date-times, "
                f"but its element {found.element.code} is {found.element.data_type}"
            )
    if spec.sharing is Sharing.CONDITIONAL and not spec.sharing_conditions:
        problems.append("conditional sharing (有条件共享) needs sharing_conditions")
    if spec.opening is Opening.CONDITIONAL and not spec.opening_conditions:
        problems.append("conditional opening (有条件开放) needs opening_conditions")
    if problems:
        raise InvalidItem("The item is inconsistent: " + "; ".join(problems) + ".")
    broken: list[str] = []
    if spec.grade is Grade.CORE:
        if spec.sharing is Sharing.UNCONDITIONAL:
            broken.append("core data (核心数据) cannot be shared unconditionally")
        if spec.opening is not Opening.NOT_OPEN:
            broken.append("core data (核心数据) cannot be opened")
    if spec.grade is Grade.IMPORTANT and spec.opening is Opening.UNCONDITIONAL:
        broken.append("important data (重要数据) cannot be opened unconditionally")
    if spec.personal_information and spec.opening is Opening.UNCONDITIONAL:
        broken.append("personal information (个人信息) cannot be opened unconditionally")
    if broken:
        raise ClassificationRule("Refused: " + "; ".join(broken) + ".", rules=broken)


def item_document(values: dict[str, Any], fields: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The publishable content of one version (stored with the version and audited)."""
    return {
        **{key: values[key] for key in DOCUMENT_KEYS},
        "usage_methods": [m.value for m in usage_methods(values["usage_mask"])],
        "unique_key": list(values["unique_key"]),
        "fields": list(fields),
    }


DOCUMENT_KEYS = (
    "id",
    "code",
    "version",
    "department_id",
    "level",
    "city_code",
    "name_zh",
    "name_en",
    "description",
    "source_system",
    "update_frequency",
    "update_method",
    "grade",
    "personal_info",
    "sharing",
    "sharing_conditions",
    "opening",
    "opening_conditions",
    "completeness_min_pct",
    "timeliness_field",
)


# Stored, hashed and audited version documents keep the column's name for this key.
DOCUMENT_ATTRIBUTES = {"personal_info": "personal_information"}


def document_values(item: CatalogItem) -> dict[str, Any]:
    return {
        **{key: getattr(item, DOCUMENT_ATTRIBUTES.get(key, key)) for key in DOCUMENT_KEYS},
        "usage_mask": item.usage_mask,
        "unique_key": item.unique_key,
    }


def encode_json(value: Any) -> str:
    """A value as sorted, compact UTF-8 JSON (how documents are stored and hashed)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def json_digest(value: Any) -> str:
    """SHA-256 of a value as sorted, compact UTF-8 JSON."""
    return hashlib.sha256(encode_json(value).encode()).hexdigest()


ATTRS = (
    "name_zh",
    "name_en",
    "description",
    "source_system",
    "update_frequency",
    "update_method",
    "grade",
    "personal_information",
    "sharing",
    "sharing_conditions",
    "opening",
    "opening_conditions",
    "completeness_min_pct",
    "timeliness_field",
)
