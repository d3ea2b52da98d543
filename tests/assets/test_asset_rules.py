"""The registry's rules as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from exchange.assets.registry.errors import (
    CoreDataRefused,
    GradeBelowSource,
    PersonalInformationBasisRequired,
    ScenarioRequired,
    UnknownSourceItem,
)
from exchange.assets.registry.rules import AssetDraft, SourceItem, check_draft, check_sources
from exchange.assets.review.rules import ReviewOutcome, publicity_ends_at, review_outcome
from exchange.dataspaces.vocabulary import LawfulBasis
from exchange.vocabulary import DataGrade, DataRight, ProductForm

DRAFT = AssetDraft(
    name="江门市医保结算数据",
    description="",
    product_form=ProductForm.DATASET,
    right=DataRight.HOLDING,
    scenario="惠民医保",
    grade=DataGrade.IMPORTANT,
    personal_information=True,
    fingerprint="0" * 64,
    source_legality="依法履职采集",
    personal_information_basis="医保部门依法履职采集，参保人授权",
    source_catalog_item_ids=("item-1",),
    lawful_basis=LawfulBasis.LEGAL_DUTY,
)


def test_a_complete_draft_passes_and_round_trips() -> None:
    check_draft(DRAFT)
    assert AssetDraft.from_json(DRAFT.as_json()) == DRAFT
    assert DRAFT.as_json()["grade"] == "important"


def test_core_data_is_refused_with_the_rule_named() -> None:
    with pytest.raises(CoreDataRefused) as caught:
        check_draft(DRAFT.changed(grade=DataGrade.CORE))
    assert "核心数据" in caught.value.extra["rule"]


@pytest.mark.parametrize("scenario", [None, "", "   "])
def test_no_scenario_no_registration(scenario: str | None) -> None:
    with pytest.raises(ScenarioRequired) as caught:
        check_draft(DRAFT.changed(scenario=scenario))
    assert "无场景不登记" in caught.value.extra["rule"]


@pytest.mark.parametrize("basis", [None, "", "  "])
def test_personal_information_needs_a_basis(basis: str | None) -> None:
    with pytest.raises(PersonalInformationBasisRequired):
        check_draft(DRAFT.changed(lawful_basis=None, personal_information_basis="参保人授权"))
    # A basis other than consent is explained in the note.
    with pytest.raises(PersonalInformationBasisRequired):
        check_draft(DRAFT.changed(personal_information_basis=basis))
    check_draft(
        DRAFT.changed(
            personal_information=False, lawful_basis=None, personal_information_basis=basis
        )
    )


@pytest.mark.parametrize(
    ("approvals", "rejections", "quorum", "outcome"),
    [
        (0, 0, 2, ReviewOutcome.PENDING),
        (1, 0, 2, ReviewOutcome.PENDING),
        (2, 0, 2, ReviewOutcome.APPROVED),
        (3, 0, 2, ReviewOutcome.APPROVED),
        (5, 1, 2, ReviewOutcome.REJECTED),
        (0, 1, 2, ReviewOutcome.REJECTED),
        (1, 0, 0, ReviewOutcome.APPROVED),  # a quorum below one still needs one approval
        (0, 0, 0, ReviewOutcome.PENDING),
    ],
)
def test_review_outcome(
    approvals: int, rejections: int, quorum: int, outcome: ReviewOutcome
) -> None:
    assert review_outcome(approvals=approvals, rejections=rejections, quorum=quorum) is outcome


@pytest.mark.parametrize(
    ("approved", "ends"),
    [
        (
            datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
            datetime(2026, 11, 30, 9, 30, tzinfo=UTC),
        ),  # Mon
        (
            datetime(2026, 11, 26, 16, 0, tzinfo=UTC),
            datetime(2026, 12, 3, 16, 0, tzinfo=UTC),
        ),  # Thu
        (
            datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
            datetime(2026, 12, 4, 10, 0, tzinfo=UTC),
        ),  # Sat
    ],
)
def test_publicity_is_five_working_days(approved: datetime, ends: datetime) -> None:
    assert publicity_ends_at(approved, 5) == ends


SOURCES = {
    "g": SourceItem("g", "定点医药机构名单", DataGrade.GENERAL),
    "i": SourceItem("i", "医保参保信息", DataGrade.IMPORTANT),
    "c": SourceItem("c", "医保基金结算核心数据", DataGrade.CORE),
}


def test_an_asset_is_graded_no_lower_than_its_sources() -> None:
    check_sources(DRAFT.changed(source_catalog_item_ids=()), SOURCES)
    check_sources(DRAFT.changed(source_catalog_item_ids=("g", "i")), SOURCES)
    with pytest.raises(GradeBelowSource) as caught:
        check_sources(
            DRAFT.changed(grade=DataGrade.GENERAL, source_catalog_item_ids=("g", "i")), SOURCES
        )
    assert caught.value.extra["catalog_item_id"] == "i"
    assert caught.value.extra["catalog_item_grade"] == "important"
    assert "医保参保信息" in caught.value.detail


@pytest.mark.parametrize("grade", [DataGrade.GENERAL, DataGrade.IMPORTANT])
def test_an_asset_derived_from_core_data_is_refused(grade: DataGrade) -> None:
    with pytest.raises(CoreDataRefused) as caught:
        check_sources(DRAFT.changed(grade=grade, source_catalog_item_ids=("g", "c")), SOURCES)
    assert "核心数据" in caught.value.extra["rule"]
    assert caught.value.extra["catalog_item_id"] == "c"


def test_unknown_source_items_are_named() -> None:
    with pytest.raises(UnknownSourceItem) as caught:
        check_sources(DRAFT.changed(source_catalog_item_ids=("g", "item-1")), SOURCES)
    assert caught.value.extra["catalog_item_id"] == "item-1"
    assert "'item-1'" in caught.value.detail
