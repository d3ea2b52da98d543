"""Refusals of authorized operation (授权运营), each with its own problem type."""

from __future__ import annotations

from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound

OPERATION_RULE = (
    "公共数据授权运营: a product derived from public data that is not unconditionally open "
    "(无条件开放) exists only under a live operating agreement (授权运营协议) covering the item, "
    "the product's purpose and its form — or, for a department's own use, an approved sharing "
    "request (共享申请)"
)
RAW_RECORDS_RULE = (
    "不予开放的数据不以原始记录形式运营: public data that is not open (不予开放) never leaves "
    "as the raw records (dataset); only products, models, indicators, reports and the like"
)
EXCLUSIVE_RULE = (
    "独家授权排他: an exclusive operating agreement holds its items alone for its term; no other "
    "agreement over them may overlap it"
)
SHARE_RULE = "收益分成比例在 0–100% 之间: a revenue share is 0 to 10000 basis points"


class AgreementNotFound(NotFound):
    slug = "operating-agreement-not-found"
    title = "No such operating agreement"


class AgreementStateConflict(Conflict):
    slug = "operating-agreement-state"
    title = "The operating agreement's state does not allow this"


class RevenueShareOutOfRange(InvalidInput):
    slug = "revenue-share-out-of-range"
    title = "A revenue share is between 0 and 100% (0–10000 basis points)"


class AgreementTermInvalid(InvalidInput):
    slug = "operating-agreement-term-invalid"
    title = "An operating agreement's term must end after it starts, in the future, within 10 years"


class AgreementItemsInvalid(InvalidInput):
    slug = "operating-agreement-items-invalid"
    title = "The agreement's items or fields are not what the catalog holds"


class ItemOpenToAll(Conflict):
    slug = "item-unconditionally-open"
    title = "The item is unconditionally open (无条件开放): it needs no operating agreement"


class RawRecordsRefused(Conflict):
    slug = "raw-records-not-open"
    title = "Public data that is not open never leaves as raw records (不予开放数据不得原样运营)"


class DepartmentWithoutAccount(Conflict):
    slug = "department-without-account"
    title = "A responsible department has no participant (and account) to be paid its share"


class ExclusiveOperationConflict(Conflict):
    slug = "exclusive-operation-conflict"
    title = "An exclusive operating agreement over the item overlaps this one (独家授权排他)"


class NotDataAuthority(Forbidden):
    slug = "not-data-authority"
    title = "Only the data authority (数据主管部门) of the items' division may do this"


class GrantRequired(Conflict):
    slug = "operation-grant-required"
    title = "Deriving from public data that is not open needs an operating agreement (授权运营)"


class AgreementNotLive(Conflict):
    slug = "operating-agreement-not-live"
    title = "The operating agreement is not in force (not active: suspended, expired or ended)"


class PurposeRequired(InvalidInput):
    slug = "operation-purpose-required"
    title = "A product derived under an operating agreement names its purpose (授权用途)"


class PurposeNotGranted(Conflict):
    slug = "operation-purpose-not-granted"
    title = "The product's purpose is outside the operating agreement (超出授权用途)"


class FormNotGranted(Conflict):
    slug = "operation-form-not-granted"
    title = "The product's form is outside the operating agreement (超出授权产品形态)"
