"""Pure: the registry's rules on what may be registered (drafts and their sources)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from exchange.assets.labels import GRADE_LABELS
from exchange.assets.registry.errors import (
    CORE_DATA_RULE,
    GRADE_RULE,
    SCENARIO_RULE,
    CoreDataRefused,
    GradeBelowSource,
    ScenarioRequired,
    UnknownSourceItem,
)
from exchange.dataspaces.rules import check_lawful_basis
from exchange.dataspaces.vocabulary import LawfulBasis
from exchange.operation.vocabulary import Purpose
from exchange.vocabulary import DataGrade, DataRight, ProductForm, Role


@dataclass(frozen=True, slots=True)
class AssetDraft:
    """The description of an asset that an application asks to register."""

    name: str
    description: str
    product_form: ProductForm
    right: DataRight
    scenario: str | None
    grade: DataGrade
    personal_information: bool
    fingerprint: str
    source_legality: str
    personal_information_basis: str | None = None
    source_catalog_item_ids: tuple[str, ...] = ()
    # The purpose (授权用途) of a product derived from public data under an operating agreement.
    purpose: Purpose | None = None
    # The structured lawful basis (个人信息处理依据) and the consents a consent basis relies on.
    lawful_basis: LawfulBasis | None = None
    consent_ids: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The draft as a JSON object (stored with the application, recorded in the log).

        The purpose, the lawful basis and the consents appear only when stated, so a
        description without them is recorded byte for byte as before they existed.
        """
        stated: dict[str, Any] = {}
        if self.purpose is not None:
            stated["purpose"] = self.purpose.value
        if self.lawful_basis is not None:
            stated["lawful_basis"] = self.lawful_basis.value
        if self.consent_ids:
            stated["consent_ids"] = list(self.consent_ids)
        return {
            "name": self.name,
            "description": self.description,
            "product_form": self.product_form.value,
            "right": self.right.value,
            "scenario": self.scenario,
            "grade": self.grade.value,
            "personal_information": self.personal_information,
            "fingerprint": self.fingerprint,
            "source_legality": self.source_legality,
            "personal_information_basis": self.personal_information_basis,
            "source_catalog_item_ids": list(self.source_catalog_item_ids),
            **stated,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AssetDraft:
        """A draft from `as_json` output."""
        return cls(
            name=data["name"],
            description=data["description"],
            product_form=ProductForm(data["product_form"]),
            right=DataRight(data["right"]),
            scenario=data["scenario"],
            grade=DataGrade(data["grade"]),
            personal_information=bool(data["personal_information"]),
            fingerprint=data["fingerprint"],
            source_legality=data["source_legality"],
            personal_information_basis=data.get("personal_information_basis"),
            source_catalog_item_ids=tuple(data.get("source_catalog_item_ids", ())),
            purpose=Purpose(data["purpose"]) if data.get("purpose") else None,
            lawful_basis=LawfulBasis(basis) if (basis := data.get("lawful_basis")) else None,
            consent_ids=tuple(data.get("consent_ids", ())),
        )

    def changed(self, **changes: Any) -> AssetDraft:
        """A copy with some fields replaced."""
        return replace(self, **changes)


def check_draft(draft: AssetDraft, *, holder_role: Role | None = None) -> None:
    """Refuse a description the registry may never register (no partial checks: all rules):
    core data, no scenario, or personal information without a lawful basis the registry
    accepts from this holder (the consents themselves are checked by the registry's service).
    """
    if draft.grade is DataGrade.CORE:
        raise CoreDataRefused(
            f"Refused automatically under the rule {CORE_DATA_RULE}.", rule=CORE_DATA_RULE
        )
    if draft.scenario is None or not draft.scenario.strip():
        raise ScenarioRequired(
            f"An application must name its application scenario ({SCENARIO_RULE}).",
            rule=SCENARIO_RULE,
        )
    check_lawful_basis(
        personal_information=draft.personal_information,
        basis=draft.lawful_basis,
        consent_ids=draft.consent_ids,
        note=draft.personal_information_basis,
        holder_role=holder_role,
    )


GRADE_RANK = {DataGrade.GENERAL: 0, DataGrade.IMPORTANT: 1, DataGrade.CORE: 2}


@dataclass(frozen=True, slots=True)
class SourceItem:
    """A catalog item an asset derives from, as the catalog grades it."""

    id: str
    name: str
    grade: DataGrade


def check_sources(draft: AssetDraft, sources: Mapping[str, SourceItem]) -> None:
    """Refuse a draft naming an unknown catalog item, deriving from core data (核心数据), or
    graded below an item it derives from; `sources` holds the items the catalog found."""
    items = []
    for item_id in draft.source_catalog_item_ids:
        item = sources.get(item_id)
        if item is None:
            raise UnknownSourceItem(
                f"The catalog has no item {item_id!r} for source_catalog_item_ids.",
                catalog_item_id=item_id,
            )
        items.append(item)
    if not items:
        return
    highest = max(items, key=lambda item: GRADE_RANK[item.grade])
    facts = {"catalog_item_id": highest.id, "catalog_item_grade": highest.grade.value}
    if highest.grade is DataGrade.CORE:
        raise CoreDataRefused(
            f"Derived from catalog item {highest.id} ({highest.name}), which is "
            f"{GRADE_LABELS[highest.grade]} (core): refused automatically under the rule "
            f"{CORE_DATA_RULE}.",
            rule=CORE_DATA_RULE,
            **facts,
        )
    if GRADE_RANK[draft.grade] < GRADE_RANK[highest.grade]:
        raise GradeBelowSource(
            f"The asset is graded {draft.grade.value} ({GRADE_LABELS[draft.grade]}), but it "
            f"derives from catalog item {highest.id} ({highest.name}), graded "
            f"{highest.grade.value} ({GRADE_LABELS[highest.grade]}); grade it at least "
            f"{highest.grade.value} ({GRADE_RULE}).",
            rule=GRADE_RULE,
            **facts,
        )
