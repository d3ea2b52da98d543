"""Errors of data-asset registration (数据资产登记): what may be registered, and asset state."""

from __future__ import annotations

from exchange.dataspaces.consents.errors import (
    PersonalInformationBasisRequired as PersonalInformationBasisRequired,
)
from exchange.errors import Conflict, InvalidInput, NotFound

CORE_DATA_RULE = "核心数据不得登记交易: core data (核心数据) can never be registered for trading"
SCENARIO_RULE = "无场景不登记: no application scenario, no registration"
REGISTRATION_RULE = "无登记不交易: no registration, no trading"
GRADE_RULE = (
    "分级就高从严: an asset is graded no lower than the highest grade of the data it derives from"
)


class AssetNotFound(NotFound):
    slug = "asset-not-found"
    title = "No such data asset"


class ScenarioRequired(InvalidInput):
    slug = "scenario-required"
    title = "No application scenario, no registration (无场景不登记)"


class UnknownSourceItem(InvalidInput):
    slug = "unknown-source-catalog-item"
    title = "No such source catalog item"


class GradeBelowSource(Conflict):
    slug = "grade-below-source"
    title = "An asset cannot be graded below the catalog items it derives from"


class CoreDataRefused(Conflict):
    slug = "core-data-refused"
    title = "Core data (核心数据) can never be registered for trading"


class NoChange(Conflict):
    slug = "no-change"
    title = "The change application changes nothing"


class ApplicationOpen(Conflict):
    slug = "application-open"
    title = "The asset already has an open application"


class AssetStateConflict(Conflict):
    slug = "asset-state"
    title = "The asset's state does not allow this"


class AssetNotRegistered(Conflict):
    slug = "asset-not-registered"
    title = "The asset is not registered (无登记不交易)"


class NotAssetHolder(Conflict):
    slug = "not-asset-holder"
    title = "The participant does not hold this asset"
