"""The lawful basis of processing personal information, as the other domains rely on it:
registering, listing, selling, delivering and exporting a data product made from people's
(or companies') records under their consents (授权用数).

Every check holds a shared lock on the consents it relies on until its unit of work ends,
so it commits before a racing revocation or sees it; a revoked or expired consent stops
each of those uses at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from exchange.context import Context
from exchange.dataspaces import rules
from exchange.dataspaces.consents import repository
from exchange.dataspaces.consents.errors import (
    EXPORT_CONSENT_RULE,
    ConsentNotHeld,
    ExportNotConsented,
    PersonalInformationBasisRequired,
    PurposeNotConsented,
)
from exchange.dataspaces.consents.models import Consent
from exchange.dataspaces.vocabulary import ConsentPurpose, ConsentUse, LawfulBasis


async def consents_for_use(
    ctx: Context,
    *,
    consent_ids: Sequence[str],
    processor_id: str,
    purpose: ConsentPurpose,
    what: str,
) -> list[Consent]:
    """The consents, each granted to `processor_id`, in force and covering `purpose`, held
    under a shared lock until the unit of work ends; refused as a whole otherwise."""
    ordered = list(dict.fromkeys(consent_ids))
    found = await repository.get_consents(ctx.session, ordered, lock="share")
    now = ctx.clock.now()
    consents = []
    for consent_id in ordered:
        consent = found.get(consent_id)
        if consent is None or consent.grantee_id != processor_id:
            raise ConsentNotHeld(
                f"Participant {processor_id} holds no consent {consent_id!r}.",
                consent_id=consent_id,
            )
        rules.check_in_force(consent, now=now, purpose=purpose, what=what)
        consents.append(consent)
    return consents


async def require_lawful_use(
    ctx: Context,
    *,
    processor_id: str,
    personal_information: bool,
    basis: LawfulBasis | None,
    consent_ids: Sequence[str],
    what: str,
) -> list[Consent]:
    """Refuse a use of a registered product that its lawful basis no longer supports: one
    with personal information but no basis (registered before bases were structured), or one
    made under consents that are revoked, expired, or do not cover making data products.
    The consents relied on (none for another basis)."""
    if personal_information and basis is None:
        raise PersonalInformationBasisRequired(
            f"The product contains personal information but was registered without a lawful "
            f"basis; {what} is refused until a change application states one."
        )
    if basis is not LawfulBasis.CONSENT:
        return []
    return await consents_for_use(
        ctx,
        consent_ids=consent_ids,
        processor_id=processor_id,
        purpose=ConsentPurpose.PRODUCT_DEVELOPMENT,
        what=what,
    )


async def require_export_consent(
    ctx: Context, *, processor_id: str, basis: LawfulBasis | None, consent_ids: Sequence[str]
) -> list[Consent]:
    """A product made under consents leaves mainland China only if every consent is in force
    and covers cross-border provision (个人信息出境单独同意); other bases are for the regulator
    to judge on the declared export basis."""
    if basis is not LawfulBasis.CONSENT:
        return []
    try:
        return await consents_for_use(
            ctx,
            consent_ids=consent_ids,
            processor_id=processor_id,
            purpose=ConsentPurpose.CROSS_BORDER_PROVISION,
            what="export",
        )
    except PurposeNotConsented as exc:
        raise ExportNotConsented(
            f"{exc.detail} Refused under the rule {EXPORT_CONSENT_RULE}.",
            rule=EXPORT_CONSENT_RULE,
            **exc.extra,
        ) from None


def record_use(
    ctx: Context, consents: Sequence[Consent], *, use: ConsentUse, reference: Mapping[str, Any]
) -> None:
    """Record in the log, against each consent, a product made from the records it covers
    (its data subject sees these as who used its data)."""
    for consent in consents:
        ctx.audit(
            "consent.relied_on",
            subject_type="consent",
            subject_id=consent.id,
            payload={
                "use": use,
                "subject_id": consent.subject_id,
                "grantee_id": consent.grantee_id,
                **reference,
            },
        )
