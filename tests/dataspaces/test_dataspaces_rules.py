"""The pure rules: lawful bases, a consent's force and purposes, disclosed fields, receipts
signed and checked offline, and the synthetic records' determinism."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from exchange.dataspaces import rules
from exchange.dataspaces.consents.errors import (
    ConsentExpired,
    ConsentIdsRequired,
    ConsentRevoked,
    LawfulBasisNotAccepted,
    PersonalInformationBasisRequired,
    PurposeNotConsented,
)
from exchange.dataspaces.consents.receipts import (
    ReceiptFacts,
    ReceiptRecord,
    ReceiptStatus,
    receipt_document,
    verify_consent_receipt_offline,
)
from exchange.dataspaces.vocabulary import ConsentPurpose, LawfulBasis, RecordType
from exchange.kit.signed import encode_signature, key_id, public_key_raw, sign_document
from exchange.seed.records import Source, id_number, plan_records, uscc
from exchange.vocabulary import Role

NoteRequired = PersonalInformationBasisRequired
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@dataclass
class FakeConsent:
    id: str = "c-1"
    status: str = "active"
    expires_at: datetime = NOW + timedelta(days=1)
    revoked_at: datetime | None = None
    purposes: list[str] = field(default_factory=lambda: ["credit_decision"])


def test_a_consent_is_in_force_for_its_purposes_until_revoked_or_expired() -> None:
    consent = FakeConsent()
    rules.check_in_force(consent, now=NOW, purpose=ConsentPurpose.CREDIT_DECISION)
    with pytest.raises(PurposeNotConsented):
        rules.check_in_force(consent, now=NOW, purpose=ConsentPurpose.RESEARCH)
    with pytest.raises(ConsentExpired):
        rules.check_in_force(
            consent, now=consent.expires_at, purpose=ConsentPurpose.CREDIT_DECISION
        )
    revoked = FakeConsent(status="revoked", revoked_at=NOW)
    with pytest.raises(ConsentRevoked):
        rules.check_in_force(revoked, now=NOW, purpose=ConsentPurpose.CREDIT_DECISION)
    # Revocation wins over expiry: the subject's act is what the grantee is told.
    assert rules.consent_status(revoked, NOW + timedelta(days=9)).value == "revoked"


def test_disclosed_fields_are_the_consented_ones() -> None:
    fields = {"person_name": "陈小明", "tax_year": "2025", "income_fen": 1}
    assert rules.disclosed_fields(fields, []) == fields
    assert rules.disclosed_fields(fields, ["tax_year", "absent"]) == {"tax_year": "2025"}


@pytest.mark.parametrize(
    ("pi", "basis", "ids", "note", "role", "error"),
    [
        (True, None, (), "说明", Role.ENTERPRISE, PersonalInformationBasisRequired),
        (False, None, ("c",), None, Role.ENTERPRISE, ConsentIdsRequired),
        (True, LawfulBasis.CONSENT, (), None, Role.ENTERPRISE, ConsentIdsRequired),
        (True, LawfulBasis.PUBLICLY_DISCLOSED, ("c",), "x", Role.ENTERPRISE, ConsentIdsRequired),
        (True, LawfulBasis.PUBLICLY_DISCLOSED, (), " ", Role.ENTERPRISE, NoteRequired),
        (True, LawfulBasis.LEGAL_DUTY, (), "依法履职", Role.ENTERPRISE, LawfulBasisNotAccepted),
        (True, LawfulBasis.CONTRACT, (), "合同", Role.DEPARTMENT, LawfulBasisNotAccepted),
        (True, LawfulBasis.NEWS_REPORTING, (), "报道", Role.ENTERPRISE, LawfulBasisNotAccepted),
        (True, LawfulBasis.CONSENT, ("c",), None, Role.ENTERPRISE, None),
        (True, LawfulBasis.LEGAL_DUTY, (), "依法履职", Role.DEPARTMENT, None),
        (True, LawfulBasis.PUBLICLY_DISCLOSED, (), "已公开", Role.ENTERPRISE, None),
        (False, LawfulBasis.CONSENT, ("c",), None, Role.ENTERPRISE, None),  # company records
        (False, None, (), None, Role.ENTERPRISE, None),
    ],
)
def test_the_lawful_bases_the_registry_accepts(
    pi: bool,
    basis: LawfulBasis | None,
    ids: tuple[str, ...],
    note: str | None,
    role: Role,
    error: type[Exception] | None,
) -> None:
    def check() -> None:
        rules.check_lawful_basis(
            personal_information=pi, basis=basis, consent_ids=ids, note=note, holder_role=role
        )

    if error is None:
        check()
    else:
        with pytest.raises(error):
            check()


def _facts(key: Ed25519PrivateKey) -> ReceiptFacts:
    return ReceiptFacts(
        consent_id="c-1",
        subject_id="p-1",
        subject_name="陈小明 Chen Xiaoming",
        subject_kind="个人",
        grantee_id="bank",
        grantee_name="粤信银行",
        purposes=[ConsentPurpose.CREDIT_DECISION],
        records=[ReceiptRecord("r-1", RecordType.TAX, "2025年度个人所得税纳税记录", "i", "d")],
        fields=[],
        certificates=False,
        granted_at=NOW,
        expires_at=NOW + timedelta(days=30),
        key_id=key_id(public_key_raw(key)),
    )


def test_a_receipt_verifies_under_its_key_only() -> None:
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    document = receipt_document(_facts(key))
    canonical, signature = sign_document(document, key)
    public = public_key_raw(key)
    found = verify_consent_receipt_offline(document, encode_signature(signature), public, now=NOW)
    assert found.status is ReceiptStatus.VALID and found.consent_id == "c-1"
    foreign = verify_consent_receipt_offline(
        document, encode_signature(signature), public_key_raw(other), now=NOW
    )
    assert foreign.status is ReceiptStatus.BAD_SIGNATURE
    # Every byte counts: flipping any one of the canonical document breaks it.
    for position in range(0, len(canonical), 37):
        changed = bytearray(canonical)
        changed[position] ^= 0x01
        try:
            tampered = json.loads(bytes(changed))
        except ValueError:
            continue
        status = verify_consent_receipt_offline(tampered, signature, public, now=NOW).status
        assert status in (ReceiptStatus.BAD_SIGNATURE, ReceiptStatus.MALFORMED), position
    # A document of another kind, signed by the same key, is not a receipt.
    other_kind = {**document, "type": "gd-data-asset-certificate"}
    _, other_signature = sign_document(other_kind, key)
    assert (
        verify_consent_receipt_offline(other_kind, other_signature, public, now=NOW).status
        is ReceiptStatus.MALFORMED
    )
    assert verify_consent_receipt_offline(["not", "a", "receipt"], signature, public).status is (
        ReceiptStatus.MALFORMED
    )


SOURCES = {kind: Source(f"item-{kind.value}", "dept", kind.value) for kind in RecordType}


def test_synthetic_records_are_deterministic_and_well_formed() -> None:
    person = plan_records(kind=Role.INDIVIDUAL, name="陈小明 Chen", as_of=NOW, sources=SOURCES)
    again = plan_records(kind=Role.INDIVIDUAL, name="陈小明 Chen", as_of=NOW, sources=SOURCES)
    assert person == again
    other = plan_records(kind=Role.INDIVIDUAL, name="李华 Li", as_of=NOW, sources=SOURCES)
    assert person != other
    assert {r.record_type for r in person} == {
        RecordType.SOCIAL_INSURANCE,
        RecordType.TAX,
        RecordType.CREDIT,
    }
    assert [r.period for r in person if r.record_type is RecordType.SOCIAL_INSURANCE][:2] == [
        "2026-11",
        "2026-10",
    ]
    assert all(r.fields["person_name"] == "陈小明" for r in person)
    company = plan_records(kind=Role.ENTERPRISE, name="某公司 Co", as_of=NOW, sources=SOURCES)
    assert {r.record_type for r in company} == set(RecordType)
    # A type without a source is left out.
    partial = {RecordType.TAX: SOURCES[RecordType.TAX]}
    only = plan_records(kind=Role.ENTERPRISE, name="x", as_of=NOW, sources=partial)
    assert {r.record_type for r in only} == {RecordType.TAX}


def test_identity_numbers_and_credit_codes_carry_valid_checks() -> None:
    rng = random.Random(7)
    for _ in range(50):
        number = id_number(rng, born=1990)
        weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        total = sum(int(d) * w for d, w in zip(number[:17], weights, strict=True))
        assert len(number) == 18 and number[17] == "10X98765432"[total % 11]
        code = uscc(rng)
        chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        weights2 = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
        total = sum(chars.index(c) * w for c, w in zip(code[:17], weights2, strict=True))
        assert len(code) == 18 and code[17] == chars[(31 - total % 31) % 31]
