"""Pure: the rules of consents and of the lawful basis for personal information.

A consent is in force while it is not revoked and the market clock has not reached its end;
it covers the purposes it names and no other. A data product with personal information
states its lawful basis: consent (naming the consents, checked by the platform), lawfully
disclosed information, or a department's legal duty (declared, for the reviewers to judge).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from exchange.clock import rfc3339
from exchange.dataspaces.consents.errors import (
    BASIS_RULE,
    CONSENT_RULE,
    ConsentExpired,
    ConsentIdsRequired,
    ConsentRevoked,
    LawfulBasisNotAccepted,
    PersonalInformationBasisRequired,
    PurposeNotConsented,
)
from exchange.dataspaces.vocabulary import (
    LAWFUL_BASIS_LABELS,
    PURPOSE_LABELS,
    ConsentPurpose,
    ConsentStatus,
    LawfulBasis,
)
from exchange.vocabulary import Role

MAX_CONSENT_YEARS = 5
"""The longest a consent may run (授权期限上限)."""

REGISTRABLE_BASES = frozenset(
    {LawfulBasis.CONSENT, LawfulBasis.PUBLICLY_DISCLOSED, LawfulBasis.LEGAL_DUTY}
)
"""The lawful bases on which the registry registers a product with personal information."""
DEPARTMENT_ONLY_BASES = frozenset({LawfulBasis.LEGAL_DUTY})


class ConsentFacts(Protocol):
    """A consent as the rules read it (the ORM row, or a plain row)."""

    @property
    def id(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def expires_at(self) -> datetime: ...

    @property
    def revoked_at(self) -> datetime | None: ...

    @property
    def purposes(self) -> list[str]: ...


def consent_status(consent: ConsentFacts, now: datetime) -> ConsentStatus:
    """active, revoked, or expired by the clock."""
    if consent.status == ConsentStatus.REVOKED:
        return ConsentStatus.REVOKED
    return ConsentStatus.ACTIVE if now < consent.expires_at else ConsentStatus.EXPIRED


def check_in_force(
    consent: ConsentFacts, *, now: datetime, purpose: ConsentPurpose, what: str = "This use"
) -> None:
    """Refuse a consent that is revoked or expired, or that does not cover `purpose`."""
    status = consent_status(consent, now)
    if status is ConsentStatus.REVOKED:
        when = rfc3339(consent.revoked_at) if consent.revoked_at is not None else "earlier"
        raise ConsentRevoked(
            f"Consent {consent.id} was revoked at {when}; {what} is refused ({CONSENT_RULE}).",
            consent_id=consent.id,
            rule=CONSENT_RULE,
        )
    if status is ConsentStatus.EXPIRED:
        raise ConsentExpired(
            f"Consent {consent.id} expired at {rfc3339(consent.expires_at)}; {what} is refused "
            f"({CONSENT_RULE}).",
            consent_id=consent.id,
            rule=CONSENT_RULE,
        )
    if purpose.value not in consent.purposes:
        allowed = ", ".join(f"{p} ({PURPOSE_LABELS[ConsentPurpose(p)]})" for p in consent.purposes)
        raise PurposeNotConsented(
            f"Consent {consent.id} covers {allowed}, not {purpose.value} "
            f"({PURPOSE_LABELS[purpose]}).",
            consent_id=consent.id,
            purpose=purpose.value,
            consented_purposes=list(consent.purposes),
        )


def disclosed_fields(fields: Mapping[str, Any], allowed: Sequence[str]) -> dict[str, Any]:
    """The fields of a record a consent discloses: all when `allowed` is empty, else those."""
    if not allowed:
        return dict(fields)
    return {name: value for name, value in fields.items() if name in allowed}


def check_lawful_basis(
    *,
    personal_information: bool,
    basis: LawfulBasis | None,
    consent_ids: Iterable[str],
    note: str | None,
    holder_role: Role | None,
) -> None:
    """Refuse a product description whose lawful basis the registry does not accept.

    Personal information needs a basis; `consent` names the consents it relies on (and
    consents are named only under it); the other accepted bases are explained in the note.
    A department may rely on its legal duty; nobody registers a product on the remaining
    bases of article 13. `holder_role` None skips the holder's role (a stored description).
    """
    ids = list(consent_ids)
    if basis is None:
        if personal_information:
            raise PersonalInformationBasisRequired(
                "Data containing personal information (个人信息) must state its lawful basis "
                "in lawful_basis (consent with consent_ids, publicly_disclosed, or legal_duty "
                "for a department), explained in personal_information_basis."
            )
        if ids:
            raise ConsentIdsRequired("consent_ids are given only with lawful_basis consent.")
        return
    label = f"{basis.value} ({LAWFUL_BASIS_LABELS[basis]})"
    if basis is LawfulBasis.CONSENT:
        if not ids:
            raise ConsentIdsRequired(
                "A lawful basis of consent names the consents it relies on in consent_ids."
            )
    elif ids:
        raise ConsentIdsRequired(
            f"consent_ids are given only with lawful_basis consent, not {label}."
        )
    if basis not in REGISTRABLE_BASES or (
        basis in DEPARTMENT_ONLY_BASES
        and holder_role is not None
        and holder_role is not Role.DEPARTMENT
    ):
        who = "a department's " if basis in DEPARTMENT_ONLY_BASES else ""
        raise LawfulBasisNotAccepted(
            f"The registry does not register a data product on {who}{label}: {BASIS_RULE}.",
            rule=BASIS_RULE,
            lawful_basis=basis.value,
        )
    if basis is not LawfulBasis.CONSENT and not (note or "").strip():
        raise PersonalInformationBasisRequired(
            f"A lawful basis of {label} is explained in personal_information_basis (which law "
            "or duty, or where the information was disclosed)."
        )
