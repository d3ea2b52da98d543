"""Pure: C2SP signed notes (c2sp.org/signed-note) and tlog checkpoints with Ed25519 signatures.

No I/O: the signing key files are read and created by `exchange.keyfiles`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ROOT_SIZE = 32
KEY_ID_SIZE = 4
ED25519_SIGNATURE_SIZE = 64
ED25519_SIGNATURE_TYPE = b"\x01"
# C2SP requires accepting at least 16 signatures; the cap bounds work on hostile input.
MAX_SIGNATURES = 100
SIGNATURE_PREFIX = "\u2014 "  # EM DASH, space

# ASCII decimal only: str.isdigit and \d would also accept other Unicode digits.
_TREE_SIZE_RE = re.compile(r"0|[1-9][0-9]*")
_CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f]")
_MAX_TREE_SIZE = 2**64 - 1


class NoteError(ValueError):
    """A malformed, unsigned or wrongly signed note or checkpoint."""


@dataclass(frozen=True, slots=True)
class Signature:
    """One parsed signature line: key name, 4-byte key ID and the raw signature."""

    key_name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A parsed tlog checkpoint body."""

    origin: str
    size: int
    root: bytes
    extension_lines: tuple[str, ...] = ()


def _b64encode(data: bytes) -> str:
    """Standard base64 with padding."""
    return base64.b64encode(data).decode("ascii")


def _b64decode_strict(text: str) -> bytes | None:
    """Decode canonical standard base64, or None if it is not exactly that."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None
    # b64decode tolerates non-zero padding bits; a re-encode round trip rejects them so
    # every value has one accepted spelling.
    if _b64encode(raw) != text:
        return None
    return raw


def _check_text(text: str, what: str) -> None:
    """Raise NoteError unless text is valid UTF-8 without control characters but newline."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError(f"{what} is not valid UTF-8") from None
    if _CONTROL_RE.search(text):
        raise NoteError(f"{what} contains a control character other than newline")


def _check_key_name(name: str) -> None:
    """Raise NoteError unless name is a valid C2SP key name."""
    if not isinstance(name, str) or not name:
        raise NoteError("key name must be a non-empty string")
    # str.isspace covers the Unicode spaces C2SP forbids, including newline.
    if any(c.isspace() or c == "+" for c in name):
        raise NoteError(f"key name {name!r} contains a space or '+'")
    _check_text(name, "key name")


def public_key_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of the Ed25519 public key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_from_raw(raw: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from its 32 raw bytes."""
    if len(raw) != 32:
        raise NoteError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def key_id(key_name: str, public_key_raw: bytes) -> bytes:
    """SHA-256(key name || 0x0A || 0x01 || public key)[:4], the C2SP Ed25519 key ID."""
    if len(public_key_raw) != 32:
        raise NoteError("an Ed25519 public key is 32 bytes")
    digest = hashlib.sha256(
        key_name.encode("utf-8") + b"\n" + ED25519_SIGNATURE_TYPE + public_key_raw
    ).digest()
    return digest[:KEY_ID_SIZE]


def _check_body(body: str) -> None:
    """Raise NoteError unless body is a valid note text."""
    if not isinstance(body, str) or not body.endswith("\n"):
        raise NoteError("note text must end with a newline")
    _check_text(body, "note text")


def sign_note(body: str, signers: Sequence[tuple[str, Ed25519PrivateKey]]) -> str:
    """The signed note: body, a blank line, and one Ed25519 signature line per signer."""
    _check_body(body)
    if not signers:
        raise NoteError("a signed note needs at least one signer")
    if len(signers) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signers")
    message = body.encode("utf-8")
    lines = []
    for name, private_key in signers:
        _check_key_name(name)
        kid = key_id(name, public_key_raw(private_key))
        sig = private_key.sign(message)
        lines.append(f"{SIGNATURE_PREFIX}{name} {_b64encode(kid + sig)}\n")
    return body + "\n" + "".join(lines)


def parse_note(text: str) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and signatures, strictly; NoteError if malformed."""
    if not isinstance(text, str):
        raise NoteError("note must be a string")
    _check_text(text, "note")
    # The text may itself contain blank lines; C2SP separates at the last one.
    split = text.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    body, sig_block = text[: split + 1], text[split + 2 :]
    if not sig_block or not sig_block.endswith("\n"):
        raise NoteError("note has no signature lines or does not end with a newline")
    lines = sig_block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")
    signatures = []
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"malformed signature line {line!r}")
        name, sep, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if not sep or not encoded:
            raise NoteError(f"malformed signature line {line!r}")
        _check_key_name(name)
        raw = _b64decode_strict(encoded)
        if raw is None or len(raw) <= KEY_ID_SIZE:
            raise NoteError(f"malformed signature for key {name!r}")
        signatures.append(Signature(name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:]))
    return body, signatures


def _ed25519_verifies(public_key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    """True if signature is a valid Ed25519 signature of message by public_key."""
    if len(signature) != ED25519_SIGNATURE_SIZE:
        return False
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


KnownKeys = Mapping[str, Ed25519PublicKey] | Iterable[tuple[str, Ed25519PublicKey]]


def verify_note(text: str, known_keys: KnownKeys) -> str:
    """The note text if a known key's signature verifies and none fails; else NoteError."""
    body, signatures = parse_note(text)
    pairs = known_keys.items() if isinstance(known_keys, Mapping) else known_keys
    # A key is identified by name AND key ID; a list of pairs lets one name carry
    # several keys during rotation.
    by_identity: dict[tuple[str, bytes], Ed25519PublicKey] = {}
    for name, public_key in pairs:
        by_identity[(name, key_id(name, public_key_raw(public_key)))] = public_key
    message = body.encode("utf-8")
    verified = False
    for sig in signatures:
        public_key = by_identity.get((sig.key_name, sig.key_id))
        if public_key is None:
            # C2SP: signatures from unknown keys (witnesses, rotated-out keys) are ignored.
            continue
        if not _ed25519_verifies(public_key, sig.signature, message):
            # A known key vouching for different bytes means tampering, not noise.
            raise NoteError(f"signature by known key {sig.key_name!r} does not verify")
        verified = True
    if not verified:
        raise NoteError("note is not signed by any known key")
    return body


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    """The tlog-checkpoint note text: origin, tree size and base64 root, one per line."""
    if not isinstance(origin, str) or not origin or "\n" in origin:
        raise NoteError("checkpoint origin must be a non-empty single line")
    _check_text(origin, "checkpoint origin")
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= _MAX_TREE_SIZE:
        raise NoteError(f"checkpoint size must be an integer in [0, 2^64), got {size!r}")
    if not isinstance(root, bytes) or len(root) != ROOT_SIZE:
        raise NoteError(f"checkpoint root must be {ROOT_SIZE} bytes")
    return f"{origin}\n{size}\n{_b64encode(root)}\n"


def parse_checkpoint(body: str) -> Checkpoint:
    """Parse a checkpoint note text strictly; extension lines are kept but not interpreted."""
    _check_body(body)
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("checkpoint needs origin, size and root lines")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise NoteError("checkpoint origin is empty")
    if not _TREE_SIZE_RE.fullmatch(size_text):
        raise NoteError(f"checkpoint size {size_text!r} is not a canonical decimal")
    size = int(size_text)
    if size > _MAX_TREE_SIZE:
        raise NoteError("checkpoint size does not fit in 64 bits")
    root = _b64decode_strict(root_text)
    if root is None or len(root) != ROOT_SIZE:
        raise NoteError(f"checkpoint root must be base64 of {ROOT_SIZE} bytes")
    if any(not line for line in extensions):
        raise NoteError("checkpoint extension lines must be non-empty")
    return Checkpoint(origin, size, root, tuple(extensions))


def sign_checkpoint(
    origin: str, size: int, root: bytes, signers: Sequence[tuple[str, Ed25519PrivateKey]]
) -> str:
    """A signed checkpoint note for this tree head."""
    return sign_note(checkpoint_body(origin, size, root), signers)


def verify_checkpoint(text: str, known_keys: KnownKeys) -> Checkpoint:
    """The checkpoint of a signed note after verify_note; NoteError otherwise."""
    return parse_checkpoint(verify_note(text, known_keys))
