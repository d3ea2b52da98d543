"""Tests for exchange.audit.note: C2SP signed notes, checkpoints and the signing key file."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from exchange.audit.note import (
    Checkpoint,
    NoteError,
    Signature,
    checkpoint_body,
    key_id,
    parse_checkpoint,
    parse_note,
    public_key_from_raw,
    public_key_raw,
    sign_checkpoint,
    sign_note,
    verify_checkpoint,
    verify_note,
)
from exchange.keyfiles import load_or_create_signing_key

DASH = "\u2014"
KEY_A = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KEY_B = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
KEY_C = Ed25519PrivateKey.from_private_bytes(bytes(range(64, 96)))
PUB_A, PUB_B, PUB_C = KEY_A.public_key(), KEY_B.public_key(), KEY_C.public_key()
ORIGIN = "exchange.example/audit"
ROOT = hashlib.sha256(b"root").digest()
BODY = checkpoint_body(ORIGIN, 42, ROOT)


def _sig_line(name: str, raw: bytes) -> str:
    """A signature line carrying raw (key ID || signature) bytes."""
    return f"{DASH} {name} {base64.b64encode(raw).decode()}\n"


# ---------------------------------------------------------------------------------------
# Known answers from other implementations
# ---------------------------------------------------------------------------------------

# golang.org/x/mod/sumdb/note example: Ed25519 is deterministic, so signing with the same
# seed must reproduce Go's note byte for byte.
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n" + f"{DASH} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgY"
    "N1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
# The example of c2sp.org/signed-note.
SPEC_VERIFIER = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    f"{DASH} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOB"
    "H3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def _verifier_key(vkey: str) -> tuple[str, bytes, bytes]:
    """Split a Go-style verifier key into name, key ID and raw public key."""
    name, kid_hex, b64 = vkey.split("+", 2)
    raw = base64.b64decode(b64)
    assert raw[0] == 1  # Ed25519
    return name, bytes.fromhex(kid_hex), raw[1:]


def test_go_sumdb_note_known_answer() -> None:
    seed = base64.b64decode(GO_SIGNER.split("+", 4)[4])[1:]
    private = Ed25519PrivateKey.from_private_bytes(seed)
    name, kid, raw = _verifier_key(GO_VERIFIER)
    assert public_key_raw(private) == raw
    assert key_id(name, raw) == kid == bytes.fromhex("c74f20a3")
    assert sign_note(GO_TEXT, [(name, private)]) == GO_NOTE
    assert verify_note(GO_NOTE, {name: public_key_from_raw(raw)}) == GO_TEXT


def test_c2sp_spec_example_verifies() -> None:
    name, kid, raw = _verifier_key(SPEC_VERIFIER)
    assert key_id(name, raw) == kid
    assert verify_note(SPEC_NOTE, [(name, public_key_from_raw(raw))]) == (
        "This is an example message.\n"
    )


def test_key_id_formula_by_hand() -> None:
    name = "审计.example/log"
    raw = public_key_raw(KEY_A)
    by_hand = hashlib.sha256(name.encode("utf-8") + bytes([0x0A, 0x01]) + raw).digest()[:4]
    assert key_id(name, raw) == by_hand
    assert len(by_hand) == 4
    assert key_id(name + "x", raw) != by_hand
    with pytest.raises(NoteError):
        key_id(name, raw[:31])


def test_public_key_helpers() -> None:
    raw = public_key_raw(KEY_A)
    assert len(raw) == 32
    assert public_key_raw(PUB_A) == raw
    assert public_key_raw(public_key_from_raw(raw)) == raw
    with pytest.raises(NoteError):
        public_key_from_raw(raw + b"\x00")


# ---------------------------------------------------------------------------------------
# Signing and verification
# ---------------------------------------------------------------------------------------


def test_sign_note_format() -> None:
    note = sign_note(BODY, [(ORIGIN, KEY_A)])
    assert note.startswith(BODY + "\n" + f"{DASH} {ORIGIN} ")
    assert note.endswith("\n")
    body, sigs = parse_note(note)
    assert body == BODY
    assert len(sigs) == 1
    sig = sigs[0]
    assert sig.key_name == ORIGIN
    assert sig.key_id == key_id(ORIGIN, public_key_raw(KEY_A))
    assert len(sig.signature) == 64
    PUB_A.verify(sig.signature, BODY.encode())  # signs the body bytes exactly


def test_round_trip_and_rotation() -> None:
    note = sign_note(BODY, [(ORIGIN, KEY_A), ("exchange.example/audit-2026", KEY_B)])
    assert note.count(DASH) == 2
    assert verify_note(note, {ORIGIN: PUB_A}) == BODY
    assert verify_note(note, {"exchange.example/audit-2026": PUB_B}) == BODY
    assert verify_note(note, [(ORIGIN, PUB_A), ("exchange.example/audit-2026", PUB_B)]) == BODY


def test_rotation_under_one_name() -> None:
    # Pairs (unlike a mapping) let one key name carry the old and the new key at once.
    note = sign_note(BODY, [(ORIGIN, KEY_A), (ORIGIN, KEY_B)])
    assert verify_note(note, [(ORIGIN, PUB_A)]) == BODY
    assert verify_note(note, [(ORIGIN, PUB_B)]) == BODY
    assert verify_note(note, [(ORIGIN, PUB_A), (ORIGIN, PUB_B)]) == BODY


def test_tampered_body_is_rejected() -> None:
    note = sign_note(BODY, [(ORIGIN, KEY_A)])
    tampered = note.replace("\n42\n", "\n43\n", 1)
    assert tampered != note
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(tampered, {ORIGIN: PUB_A})


def test_wrong_key_is_rejected() -> None:
    note = sign_note(BODY, [(ORIGIN, KEY_A)])
    with pytest.raises(NoteError, match="not signed by any known key"):
        verify_note(note, {ORIGIN: PUB_C})
    with pytest.raises(NoteError, match="not signed by any known key"):
        verify_note(note, {"other.example/log": PUB_A})
    with pytest.raises(NoteError, match="not signed by any known key"):
        verify_note(note, {})


def test_known_key_with_bad_signature_fails_the_note() -> None:
    good = sign_note(BODY, [(ORIGIN, KEY_A)])
    # Same name and key ID as A, but signed by B: A's identity vouches for bad bytes.
    forged = _sig_line(ORIGIN, key_id(ORIGIN, public_key_raw(KEY_A)) + KEY_B.sign(BODY.encode()))
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(good + forged, {ORIGIN: PUB_A})


def test_truncated_signature_is_rejected() -> None:
    note = sign_note(BODY, [(ORIGIN, KEY_A)])
    body, (sig,) = parse_note(note)
    kid = sig.key_id
    for cut in (1, 32, 63):
        short = body + "\n" + _sig_line(ORIGIN, kid + sig.signature[:cut])
        with pytest.raises(NoteError, match="does not verify"):
            verify_note(short, {ORIGIN: PUB_A})
    long = body + "\n" + _sig_line(ORIGIN, kid + sig.signature + b"\x00")
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(long, {ORIGIN: PUB_A})
    # Chopping characters off the base64 breaks its padding: a parse error.
    line = note[len(body) + 1 :]
    with pytest.raises(NoteError):
        parse_note(body + "\n" + line[:-3] + "\n")
    # Only a key ID and no signature bytes at all.
    with pytest.raises(NoteError):
        parse_note(body + "\n" + _sig_line(ORIGIN, kid))


def test_unknown_key_lines_are_ignored() -> None:
    note = sign_note(BODY, [(ORIGIN, KEY_A)])
    witness = _sig_line("witness.example/w1", b"\x01\x02\x03\x04" + b"\xff" * 64)
    # Same name as a known key but another key ID (another key): ignored too.
    same_name = _sig_line(ORIGIN, b"\x00\x00\x00\x00" + b"\x00" * 64)
    for extra in (witness, same_name, witness + same_name):
        assert verify_note(note + extra, {ORIGIN: PUB_A}) == BODY
        body, sigs = parse_note(note + extra)
        assert body == BODY
        assert len(sigs) == 1 + extra.count(DASH)
    only_unknown = BODY + "\n" + witness
    with pytest.raises(NoteError, match="not signed by any known key"):
        verify_note(only_unknown, {ORIGIN: PUB_A})


def test_body_with_blank_lines_splits_at_the_last_one() -> None:
    body = "line one\n\nline three\n\n"
    note = sign_note(body, [(ORIGIN, KEY_A)])
    assert parse_note(note)[0] == body
    assert verify_note(note, {ORIGIN: PUB_A}) == body


def test_parse_note_returns_signatures() -> None:
    note = sign_note(BODY, [(ORIGIN, KEY_A), ("b.example", KEY_B)])
    _, sigs = parse_note(note)
    assert [s.key_name for s in sigs] == [ORIGIN, "b.example"]
    assert sigs[1] == Signature(
        "b.example", key_id("b.example", public_key_raw(KEY_B)), KEY_B.sign(BODY.encode())
    )


GOOD_LINE = _sig_line(ORIGIN, b"\x00" * 68)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(BODY + GOOD_LINE, id="no-blank-line"),
        pytest.param(BODY + "\n", id="no-signatures"),
        pytest.param(BODY + "\n" + GOOD_LINE[:-1], id="no-final-newline"),
        pytest.param(BODY + "\n" + GOOD_LINE + "\n", id="trailing-blank-line"),
        pytest.param(BODY + "\n" + GOOD_LINE.replace(DASH, "-"), id="hyphen-not-em-dash"),
        pytest.param(BODY + "\n" + GOOD_LINE.replace(DASH, "\u2013"), id="en-dash"),
        pytest.param(BODY + "\n" + GOOD_LINE.replace(f"{DASH} ", DASH), id="no-space-after-dash"),
        pytest.param(BODY + "\n" + GOOD_LINE.replace(" ", "  ", 1), id="two-spaces-after-dash"),
        pytest.param(BODY + "\n" + GOOD_LINE.replace(f"{ORIGIN} ", f"{ORIGIN}  "), id="two-spaces"),
        pytest.param(BODY + "\n" + GOOD_LINE.replace(f" {ORIGIN}", " "), id="empty-name"),
        pytest.param(BODY + "\n" + GOOD_LINE.replace(ORIGIN, "a+b"), id="plus-in-name"),
        pytest.param(BODY + "\n" + GOOD_LINE.replace(ORIGIN, "a\u00a0b"), id="nbsp-in-name"),
        pytest.param(BODY + "\n" + f"{DASH} {ORIGIN}\n", id="no-signature"),
        pytest.param(BODY + "\n" + f"{DASH} {ORIGIN} \n", id="empty-signature"),
        pytest.param(BODY + "\n" + f"{DASH} {ORIGIN} !!!!\n", id="bad-base64"),
        pytest.param(BODY + "\n" + f"{DASH} {ORIGIN} AAAAAAA\n", id="unpadded-base64"),
        pytest.param(BODY + "\n" + f"{DASH} {ORIGIN} AAAAAAB=\n", id="non-canonical-base64"),
        pytest.param(BODY + "\n" + GOOD_LINE + "garbage\n", id="garbage-line"),
        pytest.param(BODY + "\n" + GOOD_LINE.replace("\n", " x\n"), id="trailing-field"),
        pytest.param(BODY.replace("\n", "\r\n") + "\n" + GOOD_LINE, id="crlf"),
        pytest.param("a\tb\n\n" + GOOD_LINE, id="tab-in-body"),
        pytest.param("a\x00b\n\n" + GOOD_LINE, id="nul-in-body"),
        pytest.param("a\ud800b\n\n" + GOOD_LINE, id="lone-surrogate"),
        pytest.param("", id="empty"),
        pytest.param(BODY + "\n" + GOOD_LINE * 101, id="too-many-signatures"),
    ],
)
def test_malformed_notes_are_rejected(text: str) -> None:
    with pytest.raises(NoteError):
        parse_note(text)
    with pytest.raises(NoteError):
        verify_note(text, {ORIGIN: PUB_A})


def test_sign_note_rejects_bad_input() -> None:
    with pytest.raises(NoteError):
        sign_note("no final newline", [(ORIGIN, KEY_A)])
    with pytest.raises(NoteError):
        sign_note(BODY, [])
    with pytest.raises(NoteError):
        sign_note(BODY, [("has space", KEY_A)])
    with pytest.raises(NoteError):
        sign_note(BODY, [("has+plus", KEY_A)])
    with pytest.raises(NoteError):
        sign_note("bell\a\n", [(ORIGIN, KEY_A)])


def test_many_signatures_within_the_limit_verify() -> None:
    # C2SP: verifiers MUST accept at least 16 signatures.
    keys = [Ed25519PrivateKey.from_private_bytes(bytes([i]) * 32) for i in range(16)]
    note = sign_note(BODY, [(f"w{i}.example", k) for i, k in enumerate(keys)])
    assert verify_note(note, {"w15.example": keys[15].public_key()}) == BODY


# ---------------------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------------------


def test_checkpoint_body_and_parse() -> None:
    assert checkpoint_body(ORIGIN, 42, ROOT) == f"{ORIGIN}\n42\n{ROOT_B64}\n"
    assert parse_checkpoint(BODY) == Checkpoint(ORIGIN, 42, ROOT)
    empty = checkpoint_body(ORIGIN, 0, hashlib.sha256(b"").digest())
    assert empty.split("\n")[1] == "0"
    assert parse_checkpoint(empty).size == 0
    big = checkpoint_body(ORIGIN, 2**64 - 1, ROOT)
    assert parse_checkpoint(big).size == 2**64 - 1


def test_checkpoint_extension_lines_are_accepted() -> None:
    cp = parse_checkpoint(BODY + "ext one\next two\n")
    assert (cp.origin, cp.size, cp.root) == (ORIGIN, 42, ROOT)
    assert cp.extension_lines == ("ext one", "ext two")


def test_sign_and_verify_checkpoint() -> None:
    note = sign_checkpoint(ORIGIN, 42, ROOT, [(ORIGIN, KEY_A)])
    assert note.startswith(BODY + "\n")
    assert verify_checkpoint(note, {ORIGIN: PUB_A}) == Checkpoint(ORIGIN, 42, ROOT)
    with pytest.raises(NoteError):
        verify_checkpoint(note, {ORIGIN: PUB_B})


ROOT_B64 = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"{ORIGIN}\n42\n{ROOT_B64}", id="no-final-newline"),
        pytest.param(f"{ORIGIN}\n42\n", id="no-root"),
        pytest.param(f"\n42\n{ROOT_B64}\n", id="empty-origin"),
        pytest.param(f"{ORIGIN}\n042\n{ROOT_B64}\n", id="leading-zero"),
        pytest.param(f"{ORIGIN}\n00\n{ROOT_B64}\n", id="double-zero"),
        pytest.param(f"{ORIGIN}\n+42\n{ROOT_B64}\n", id="plus-sign"),
        pytest.param(f"{ORIGIN}\n-1\n{ROOT_B64}\n", id="negative"),
        pytest.param(f"{ORIGIN}\n 42\n{ROOT_B64}\n", id="space"),
        pytest.param(f"{ORIGIN}\n4_2\n{ROOT_B64}\n", id="underscore"),
        pytest.param(f"{ORIGIN}\n\u0664\u0662\n{ROOT_B64}\n", id="arabic-digits"),
        pytest.param(f"{ORIGIN}\n\n{ROOT_B64}\n", id="empty-size"),
        pytest.param(f"{ORIGIN}\n{2**64}\n{ROOT_B64}\n", id="size-over-64-bits"),
        pytest.param(f"{ORIGIN}\n42\n{base64.b64encode(ROOT[:31]).decode()}\n", id="root-31"),
        pytest.param(f"{ORIGIN}\n42\n{base64.b64encode(ROOT + b'x').decode()}\n", id="root-33"),
        pytest.param(f"{ORIGIN}\n42\n{ROOT_B64.rstrip('=')}\n", id="root-unpadded"),
        pytest.param(f"{ORIGIN}\n42\n{ROOT.hex()}\n", id="root-hex"),
        pytest.param(f"{ORIGIN}\n42\n{ROOT_B64}\n\n", id="empty-extension-line"),
        pytest.param(f"{ORIGIN}\n42\n{ROOT_B64}\r\n", id="crlf"),
    ],
)
def test_malformed_checkpoints_are_rejected(body: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(body)


def test_non_canonical_root_base64_is_rejected() -> None:
    # The last base64 character of 32 bytes carries 2 padding bits; set one of them.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = ROOT_B64[-2]
    bumped = alphabet[alphabet.index(last) ^ 1]
    assert base64.b64decode(ROOT_B64[:-2] + bumped + "=") == ROOT
    with pytest.raises(NoteError):
        parse_checkpoint(f"{ORIGIN}\n42\n{ROOT_B64[:-2]}{bumped}=\n")


@pytest.mark.parametrize(
    ("origin", "size", "root"),
    [("", 1, ROOT), ("a\nb", 1, ROOT), (ORIGIN, -1, ROOT), (ORIGIN, 2**64, ROOT), (ORIGIN, 1, b"")],
)
def test_checkpoint_body_rejects_bad_input(origin: str, size: int, root: bytes) -> None:
    with pytest.raises(NoteError):
        checkpoint_body(origin, size, root)


# ---------------------------------------------------------------------------------------
# Signing key file
# ---------------------------------------------------------------------------------------


def test_key_file_created_0600_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "nested" / "audit-log.pem"
    old_umask = os.umask(0)  # even a permissive umask must not widen the key file
    try:
        key = load_or_create_signing_key(path)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert sorted(p.name for p in path.parent.iterdir()) == ["audit-log.pem"]  # no temp left
    again = load_or_create_signing_key(path)
    assert public_key_raw(again) == public_key_raw(key)
    assert again.private_bytes_raw() == key.private_bytes_raw()
    note = sign_note(BODY, [(ORIGIN, key)])
    assert verify_note(note, {ORIGIN: again.public_key()}) == BODY


def test_key_file_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    first = load_or_create_signing_key(path)
    mtime = path.stat().st_mtime_ns
    assert public_key_raw(load_or_create_signing_key(path)) == public_key_raw(first)
    assert path.stat().st_mtime_ns == mtime


def test_losing_the_creation_race_loads_the_winner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "k.pem"
    winner = load_or_create_signing_key(path)
    # Pretend the file appeared between our existence check and our link.
    monkeypatch.setattr(Path, "exists", lambda self: False)
    loser = load_or_create_signing_key(path)
    monkeypatch.undo()
    assert public_key_raw(loser) == public_key_raw(winner)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.pem"]


def test_key_file_of_another_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ec.pem"
    ec = generate_private_key(SECP256R1())
    path.write_bytes(
        ec.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ValueError, match="Ed25519"):
        load_or_create_signing_key(path)


def test_public_key_type() -> None:
    assert isinstance(public_key_from_raw(public_key_raw(KEY_A)), Ed25519PublicKey)
