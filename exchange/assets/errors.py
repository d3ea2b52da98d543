"""Errors of data-asset registration, certificates and pledges."""

from __future__ import annotations

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


class CertificateNotFound(NotFound):
    slug = "certificate-not-found"
    title = "No such certificate"


class PledgeNotFound(NotFound):
    slug = "pledge-not-found"
    title = "No such pledge"


class ObjectionNotFound(NotFound):
    slug = "objection-not-found"
    title = "No such objection"


class ScenarioRequired(InvalidInput):
    slug = "scenario-required"
    title = "No application scenario, no registration (无场景不登记)"


class PersonalInformationBasisRequired(InvalidInput):
    slug = "personal-information-basis-required"
    title = "Personal information needs a stated legal basis (个人信息处理依据)"


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


class NoOpenApplication(Conflict):
    slug = "no-open-application"
    title = "The asset has no application in this stage"


class SelfReview(Conflict):
    slug = "self-review"
    title = "A participant cannot review its own application"


class AlreadyReviewed(Conflict):
    slug = "already-reviewed"
    title = "This reviewer has already reviewed the application"


class AssetStateConflict(Conflict):
    slug = "asset-state"
    title = "The asset's state does not allow this"


class AssetNotRegistered(Conflict):
    slug = "asset-not-registered"
    title = "The asset is not registered (无登记不交易)"


class NotAssetHolder(Conflict):
    slug = "not-asset-holder"
    title = "The participant does not hold this asset"


class PublicityClosed(Conflict):
    slug = "publicity-closed"
    title = "The publicity period (公示期) is over"


class PublicityNotOver(Conflict):
    slug = "publicity-not-over"
    title = "The publicity period (公示期) has not ended"


class ObjectionOpen(Conflict):
    slug = "objection-open"
    title = "An objection (异议) is still open"


class OwnAssetObjection(Conflict):
    slug = "own-asset-objection"
    title = "A holder cannot object to its own application"


class ObjectionDecided(Conflict):
    slug = "objection-decided"
    title = "The objection has already been decided"


class CertificateNotValid(Conflict):
    slug = "certificate-not-valid"
    title = "The certificate is revoked or expired"


class CertificatePledged(Conflict):
    slug = "certificate-pledged"
    title = "The certificate is pledged (质押中)"


class CertificateAlreadyPledged(Conflict):
    slug = "certificate-already-pledged"
    title = "The certificate is already pledged"


class PledgeStateConflict(Conflict):
    slug = "pledge-state"
    title = "The pledge's state does not allow this"
