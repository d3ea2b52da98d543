"""Errors of consents (授权): each refusal with its own problem type."""

from __future__ import annotations

from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound

CONSENT_RULE = (
    "个人信息处理应取得个人同意: processing personal information needs the person's consent"
)
EXPORT_CONSENT_RULE = (
    "个人信息出境应取得单独同意: personal information leaves mainland China only with the "
    "persons' separate consent to cross-border provision (个人信息保护法第三十九条)"
)
BASIS_RULE = (
    "登记交易含个人信息的数据产品，须基于个人同意、依法公开的个人信息或政府部门依法履职: a "
    "product with personal information is registered on consent, on lawfully disclosed "
    "information, or (a department) on its legal duty"
)


class ConsentNotFound(NotFound):
    slug = "consent-not-found"
    title = "No such consent"


class ConsentRecordsNotYours(Forbidden):
    slug = "consent-records-not-yours"
    title = "A consent covers only the grantor's own records"


class ConsentNotHeld(Forbidden):
    slug = "consent-not-held"
    title = "The consent was not granted to this participant"


class PurposeNotConsented(Forbidden):
    slug = "purpose-not-consented"
    title = "The consent does not cover this purpose"


class ConsentRevoked(Conflict):
    slug = "consent-revoked"
    title = "The consent has been revoked (已撤回)"


class ConsentExpired(Conflict):
    slug = "consent-expired"
    title = "The consent has expired (已到期)"


class ExportNotConsented(Conflict):
    slug = "export-not-consented"
    title = "Personal information leaves mainland China only with separate consent"


class InvalidGrantee(InvalidInput):
    slug = "invalid-grantee"
    title = "A consent is granted to another participant that processes data"


class ConsentScopeInvalid(InvalidInput):
    slug = "consent-scope-invalid"
    title = "A consent names records (or certificates) and fields the grantor holds"


class ConsentTermInvalid(InvalidInput):
    slug = "consent-term-invalid"
    title = "A consent ends in the future, within five years"


class PersonalInformationBasisRequired(InvalidInput):
    slug = "personal-information-basis-required"
    title = "Personal information needs a stated legal basis (个人信息处理依据)"


class ConsentIdsRequired(InvalidInput):
    slug = "consent-ids-required"
    title = "A lawful basis of consent names the consents it relies on, and only then"


class LawfulBasisNotAccepted(Conflict):
    slug = "lawful-basis-not-accepted"
    title = "The registry does not accept this lawful basis for a data product"
