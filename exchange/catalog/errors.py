"""Errors of the catalog, each with its own problem type."""

from __future__ import annotations

from exchange.errors import Conflict, ExchangeError, Forbidden, InvalidInput, NotFound


class DivisionNotFound(InvalidInput):
    slug = "unknown-division"
    title = "Unknown administrative division"


class DepartmentNotFound(NotFound):
    slug = "department-not-found"
    title = "No such department"


class DataElementNotFound(NotFound):
    slug = "data-element-not-found"
    title = "No such data element"


class ItemNotFound(NotFound):
    slug = "catalog-item-not-found"
    title = "No such catalog item"


class VersionNotFound(NotFound):
    slug = "catalog-item-version-not-found"
    title = "No such version of the catalog item"


class ConflictNotFound(NotFound):
    slug = "source-conflict-not-found"
    title = "No such source conflict"


class ShareRequestNotFound(NotFound):
    slug = "share-request-not-found"
    title = "No such sharing request"


class SampleNotFound(NotFound):
    slug = "sample-not-found"
    title = "No sample records stored for this item"


class UnknownDataElement(InvalidInput):
    slug = "unknown-data-element"
    title = "Unknown data element"


class InvalidPattern(InvalidInput):
    slug = "invalid-pattern"
    title = "Pattern is not an acceptable regular expression"


class InvalidConstraints(InvalidInput):
    slug = "invalid-constraints"
    title = "Data element constraints are inconsistent"


class InvalidItem(InvalidInput):
    slug = "invalid-catalog-item"
    title = "Catalog item is inconsistent"


class HierarchyInvalid(InvalidInput):
    slug = "invalid-hierarchy"
    title = "Department hierarchy is invalid"


class CircularHierarchy(InvalidInput):
    slug = "circular-hierarchy"
    title = "Department would become its own ancestor"


class BadSample(InvalidInput):
    slug = "bad-sample"
    title = "Sample records cannot be read"


class SampleEncoding(BadSample):
    slug = "bad-encoding"
    title = "Upload is not UTF-8"


class SampleColumns(BadSample):
    slug = "wrong-columns"
    title = "Columns do not match the item's fields"


class RecordBreaksRule(InvalidInput):
    slug = "record-breaks-rule"
    title = "A record breaks the item's standard"


class UnsupportedSampleType(ExchangeError):
    status = 415
    slug = "unsupported-sample-format"
    title = "Send samples as application/json or text/csv"


class NotYourDepartment(Forbidden):
    slug = "not-your-department"
    title = "A department acts for its own department only"


class DepartmentNotBound(Forbidden):
    slug = "department-not-bound"
    title = "Participant is not linked to a catalog department"


class SampleNotVisible(Forbidden):
    slug = "sample-not-visible"
    title = "The sample of this item is not available to this participant"


class SecondAuthoritativeSource(Conflict):
    slug = "second-authoritative-source"
    title = "The data element already has an authoritative source"


class ClassificationRule(Conflict):
    slug = "classification-rule"
    title = "Grade and personal information limit sharing and opening"


class StaleVersion(Conflict):
    slug = "stale-version"
    title = "The item changed since the version the update was based on"


class DepartmentInUse(Conflict):
    slug = "participant-already-bound"
    title = "The participant is already linked to another department"


class DataAuthorityTaken(Conflict):
    slug = "data-authority-taken"
    title = "The division already has a data authority (数据主管部门)"


class DuplicateCode(Conflict):
    slug = "duplicate-code"
    title = "The code is already taken"


class NotShareable(Conflict):
    slug = "not-shareable"
    title = "Only conditionally shared items take sharing requests"


class ShareAlreadyAnswered(Conflict):
    slug = "share-request-answered"
    title = "The sharing request has already been answered"


class ConflictState(Conflict):
    slug = "source-conflict-state"
    title = "The source conflict is not in a state that allows this"


class CatalogAlreadyGenerated(Conflict):
    slug = "catalog-already-generated"
    title = "A synthetic catalog with these codes already exists"
