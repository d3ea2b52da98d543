"""Certificates as pure functions: canonical JSON, signing and offline verification."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from exchange.assets.certificates.signing import (
    CanonicalJSONError,
    CertificateFacts,
    Revocation,
    RevocationListError,
    add_years,
    canonical_json,
    certificate_document,
    certificate_number,
    check_revocation_list,
    encode_signature,
    key_id,
    public_key_raw,
    revocation_list_document,
    sign_document,
    verify_certificate_offline,
)

ISSUED = datetime(2026, 11, 30, 9, 0, 0, 123456, tzinfo=UTC)
KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()
PUBLIC = public_key_raw(KEY)


def document(**changes: Any) -> dict[str, Any]:
    facts = CertificateFacts(
        number=certificate_number(2026, 1),
        asset_id="0b7c8d52-5a0e-4f1e-9a41-6f3f2d6c0e11",
        asset_name="中山市医保参保缴费数据产品",
        asset_version=1,
        holder_id="5d1f4b7e-2c3a-4e8f-8b6d-1a2b3c4d5e6f",
        holder_name="中山市医疗保障局",
        right="processing_use",
        right_label="数据加工使用权",
        product_form="api",
        product_form_label="数据接口",
        scenario="惠民医保",
        grade="important",
        grade_label="重要数据",
        personal_information=True,
        fingerprint="ab" * 32,
        valuation={"method": "cost", "value_fen": 1_234_567, "conclusion": "valued"},
        issued_at=ISSUED,
        expires_at=add_years(ISSUED, 3),
        key_id=key_id(PUBLIC),
    )
    doc = certificate_document(facts)
    doc.update(changes)
    return doc


def signed(doc: dict[str, Any] | None = None) -> tuple[dict[str, Any], str]:
    doc = doc or document()
    _, signature = sign_document(doc, KEY)
    return doc, encode_signature(signature)


NOW = ISSUED + timedelta(days=1)

json_scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_canonical_json_is_rfc8785(value: Any) -> None:
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(CanonicalJSONError):
            canonical_json(value)
        return
    assert canonical_json(value) == expected


@given(st.dictionaries(st.text(alphabet=st.characters(max_codepoint=127)), json_values, max_size=6))
def test_canonical_json_fast_path_is_rfc8785(value: dict[str, Any]) -> None:
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        return
    assert canonical_json(value) == expected


def test_canonical_json_of_a_certificate_matches_rfc8785() -> None:
    doc = document(scenario='惠民医保\n\t"引号"\\ \u2028 \x01 \U0001f600')
    assert canonical_json(doc) == rfc8785.dumps(doc)


@pytest.mark.parametrize(
    "value",
    [
        1.0,
        {"a": 0.5},
        [1, 2.5],
        {"n": 2**53},
        {"n": -(2**53)},
        {1: "x"},
        ("tuple",),
        "\ud800",
        b"x",
    ],
)
def test_canonical_json_refuses_what_it_cannot_carry(value: Any) -> None:
    with pytest.raises(CanonicalJSONError):
        canonical_json(value)


def test_canonical_json_refuses_deep_nesting() -> None:
    value: Any = "leaf"
    for _ in range(100):
        value = [value]
    with pytest.raises(CanonicalJSONError):
        canonical_json(value)


def test_a_signed_certificate_verifies_offline_with_any_key_form() -> None:
    doc, signature = signed()
    for public in (KEY.public_key(), PUBLIC, base64.b64encode(PUBLIC).decode()):
        result = verify_certificate_offline(doc, signature, public, now=NOW)
        assert result.status == "valid" and result.accepted
        assert result.number == "GDDA-2026-00000001"
    raw_signature = base64.b64decode(signature)
    assert verify_certificate_offline(doc, raw_signature, PUBLIC, now=NOW).accepted


def _tamper(doc: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    changed = copy.deepcopy(doc)
    target = changed
    for key in path[:-1]:
        target = target[key]
    value = target[path[-1]]
    if isinstance(value, bool):
        target[path[-1]] = not value
    elif isinstance(value, int):
        target[path[-1]] = value + 1
    elif value is None:
        target[path[-1]] = "x"
    else:
        target[path[-1]] = value + "x"
    return changed


def _leaf_paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaf_paths(v, (*prefix, k))]
    return [prefix]


def test_any_changed_field_is_a_bad_signature() -> None:
    doc, signature = signed()
    paths = _leaf_paths(doc)
    assert len(paths) > 20
    for path in paths:
        result = verify_certificate_offline(_tamper(doc, path), signature, PUBLIC, now=NOW)
        assert result.status == "bad_signature", path
        assert not result.accepted
    extra = {**doc, "note": "added"}
    assert verify_certificate_offline(extra, signature, PUBLIC, now=NOW).status == "bad_signature"
    missing = {k: v for k, v in doc.items() if k != "valuation"}
    assert verify_certificate_offline(missing, signature, PUBLIC, now=NOW).status == "bad_signature"


def test_another_keys_signature_is_refused() -> None:
    doc = document()
    _, foreign = sign_document(doc, OTHER_KEY)
    result = verify_certificate_offline(doc, encode_signature(foreign), PUBLIC, now=NOW)
    assert result.status == "bad_signature" and not result.accepted
    # And the genuine signature does not verify under the other key either.
    _, signature = signed(doc)
    assert verify_certificate_offline(
        doc, signature, public_key_raw(OTHER_KEY), now=NOW
    ).status == ("bad_signature")


@pytest.mark.parametrize("cut", [1, 4, 32, 63])
def test_truncated_signatures_are_refused(cut: int) -> None:
    doc, signature = signed()
    raw = base64.b64decode(signature)
    for presented in (encode_signature(raw[:-cut]), raw[:-cut], signature[:-cut]):
        result = verify_certificate_offline(doc, presented, PUBLIC, now=NOW)
        assert result.status == "bad_signature" and not result.accepted


def test_non_canonical_base64_signature_is_refused() -> None:
    doc, signature = signed()
    assert signature.endswith("==")
    bent = signature[:-3] + chr(ord(signature[-3]) ^ 1) + "=="
    assert verify_certificate_offline(doc, bent, PUBLIC, now=NOW).status == "bad_signature"
    assert verify_certificate_offline(doc, "not base64!", PUBLIC, now=NOW).status == "bad_signature"


def test_expiry() -> None:
    doc, signature = signed()
    expires = add_years(ISSUED, 3)
    before = verify_certificate_offline(
        doc, signature, PUBLIC, now=expires - timedelta(microseconds=1)
    )
    assert before.status == "valid"
    at = verify_certificate_offline(doc, signature, PUBLIC, now=expires)
    assert at.status == "expired" and not at.accepted


def test_malformed_documents() -> None:
    _, signature = signed()
    for doc in (None, [], "certificate", 42):
        assert verify_certificate_offline(doc, signature, PUBLIC, now=NOW).status == "malformed"
    floaty = document(valuation={"method": "cost", "value_fen": 1.5})
    assert verify_certificate_offline(floaty, signature, PUBLIC, now=NOW).status == "malformed"
    # A genuine signature over something that is not a certificate is still not one.
    other = {"type": "something-else", "number": "X"}
    _, sig = sign_document(other, KEY)
    result = verify_certificate_offline(other, encode_signature(sig), PUBLIC, now=NOW)
    assert result.status == "malformed" and not result.accepted


def test_bad_public_keys_are_refused() -> None:
    doc, signature = signed()
    for bad in (PUBLIC[:31], "AAAA", ""):
        with pytest.raises(ValueError):
            verify_certificate_offline(doc, signature, bad, now=NOW)


def test_add_years_handles_leap_days() -> None:
    assert add_years(datetime(2028, 2, 29, tzinfo=UTC), 3) == datetime(2031, 2, 28, tzinfo=UTC)
    assert add_years(datetime(2026, 11, 30, tzinfo=UTC), 3) == datetime(2029, 11, 30, tzinfo=UTC)


def test_certificate_numbers() -> None:
    assert certificate_number(2026, 1) == "GDDA-2026-00000001"
    assert certificate_number(2026, 28_000) == "GDDA-2026-00028000"


REVOKED_AT = ISSUED + timedelta(hours=5)


def revocation_list(
    *entries: Revocation, key: Ed25519PrivateKey = KEY, **changes: Any
) -> tuple[dict[str, Any], str]:
    doc = revocation_list_document(issued_at=NOW, key_id=key_id(PUBLIC), revoked=entries)
    doc.update(changes)
    _, signature = sign_document(doc, key)
    return doc, encode_signature(signature)


REVOKED = (
    Revocation(certificate_number(2026, 7), REVOKED_AT, "转让 transferred"),
    Revocation(certificate_number(2026, 1), REVOKED_AT, "撤销登记 权属争议"),
)


def test_the_revocation_list_is_sorted_signed_canonical_json() -> None:
    doc, signature = revocation_list(*REVOKED)
    assert doc["issuer"] == {
        "name": document()["issuer"]["name"],
        "algorithm": "ed25519",
        "key_id": key_id(PUBLIC),
    }
    assert doc["issued_at"] == "2026-12-01T09:00:00.123456Z"
    assert doc["revoked"] == [
        {
            "number": "GDDA-2026-00000001",
            "revoked_at": "2026-11-30T14:00:00.123456Z",
            "reason": "撤销登记 权属争议",
        },
        {
            "number": "GDDA-2026-00000007",
            "revoked_at": "2026-11-30T14:00:00.123456Z",
            "reason": "转让 transferred",
        },
    ]
    KEY.public_key().verify(base64.b64decode(signature), rfc8785.dumps(doc))
    checked = check_revocation_list(doc, signature, PUBLIC)
    assert checked.issued_at == NOW and sorted(checked.revoked) == [
        "GDDA-2026-00000001",
        "GDDA-2026-00000007",
    ]


def test_offline_with_the_revocation_list_reports_revocation() -> None:
    doc, signature = signed()
    crl = revocation_list(*REVOKED)
    for presented in (crl, check_revocation_list(*crl, PUBLIC)):
        result = verify_certificate_offline(
            doc, signature, PUBLIC, now=NOW, revocation_list=presented
        )
        assert result.status == "revoked" and not result.accepted
        assert result.revocation_reason == "撤销登记 权属争议"
        assert result.revocations_as_of == NOW
        assert "2026-11-30T14:00:00.123456Z" in result.detail
    # Revoked outranks expired, as at the registry.
    late = add_years(ISSUED, 4)
    assert verify_certificate_offline(
        doc, signature, PUBLIC, now=late, revocation_list=crl
    ).status == ("revoked")
    # A certificate not on the list is valid as of the list's issue.
    clean = revocation_list(REVOKED[0])
    result = verify_certificate_offline(doc, signature, PUBLIC, now=NOW, revocation_list=clean)
    assert result.status == "valid" and result.accepted and result.revocations_as_of == NOW
    assert "not on the revocation list issued at 2026-12-01T09:00:00.123456Z" in result.detail
    # Without one, the signature verifies but revocation is unknown.
    alone = verify_certificate_offline(doc, signature, PUBLIC, now=NOW)
    assert alone.status == "valid" and alone.revocations_as_of is None
    assert "unknown" in alone.detail


def test_a_bad_revocation_list_is_never_accepted() -> None:
    doc, signature = signed()
    crl_doc, crl_signature = revocation_list(*REVOKED)
    paths = [path for path in _leaf_paths(crl_doc) if path != ("revoked",)]
    bad: list[tuple[Any, Any]] = [(_tamper(crl_doc, path), crl_signature) for path in paths]
    for entry in range(len(REVOKED)):
        for name in ("number", "revoked_at", "reason"):
            changed = copy.deepcopy(crl_doc)
            changed["revoked"][entry][name] += "x"
            bad.append((changed, crl_signature))
    bad += [
        ({**crl_doc, "revoked": []}, crl_signature),  # the certificate taken off the list
        revocation_list(*REVOKED, key=OTHER_KEY),
        (crl_doc, crl_signature[:-4]),
        (crl_doc, ""),
        (doc, signature),  # a certificate is not a revocation list
        revocation_list(type="gd-data-asset-certificate"),
        revocation_list(revoked=[{"number": "GDDA-2026-00000001"}]),
        revocation_list(revoked="GDDA-2026-00000001"),
        revocation_list(issued_at="yesterday"),
        ([crl_doc], crl_signature),
    ]
    for presented in bad:
        result = verify_certificate_offline(
            doc, signature, PUBLIC, now=NOW, revocation_list=presented
        )
        assert result.status == "bad_revocation_list" and not result.accepted, presented
        with pytest.raises(RevocationListError):
            check_revocation_list(*presented, PUBLIC)
    # A list checked under another key does not vouch for this issuer's certificates.
    foreign = check_revocation_list(*revocation_list(key=OTHER_KEY), public_key_raw(OTHER_KEY))
    result = verify_certificate_offline(doc, signature, PUBLIC, now=NOW, revocation_list=foreign)
    assert result.status == "bad_revocation_list" and not result.accepted
    # A bad certificate stays a bad certificate, whatever list comes with it.
    tampered = {**doc, "scenario": "个人信贷"}
    crl = (crl_doc, crl_signature)
    assert verify_certificate_offline(
        tampered, signature, PUBLIC, now=NOW, revocation_list=crl
    ).status == ("bad_signature")
