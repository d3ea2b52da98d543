"""Pure: C2SP signed notes and tlog checkpoints (Ed25519), checked against known keys."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from exchange.audit.verifier.errors import VerificationError
from exchange.audit.verifier.proofs import HASH_SIZE

_SIGNATURE_PREFIX = "\u2014 "  # EM DASH, space
_SIZE_RE = re.compile(r"0|[1-9][0-9]{0,19}")


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A public Ed25519 key of the log, under the key name its signatures carry."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        """SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] (C2SP)."""
        return hashlib.sha256(self.name.encode() + b"\n\x01" + self.public_key).digest()[:4]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A verified checkpoint: the origin, tree size and root hash, and the note itself."""

    origin: str
    size: int
    root: bytes
    note: str


def b64decode(text: str) -> bytes:
    """Strict standard base64 (one accepted spelling per value)."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise VerificationError(f"not base64: {text[:40]!r}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise VerificationError(f"not canonical base64: {text[:40]!r}")
    return raw


def parse_public_key(text: str, default_name: str = "") -> VerifierKey:
    """A key from a C2SP verifier key `name+hexid+base64(0x01 ‖ key)` or base64 of 32 bytes."""
    text = text.strip()
    parts = text.split("+", 2)  # a key name never holds "+"; base64 may
    if len(parts) == 3 and re.fullmatch(r"[0-9a-fA-F]{8}", parts[1]):
        name, hex_id, encoded = parts
        raw = b64decode(encoded)
        if len(raw) != 33 or raw[0] != 1:
            raise VerificationError("verifier key is not an Ed25519 key (type 0x01)")
        key = VerifierKey(name, raw[1:])
        if key.key_id.hex() != hex_id.lower():
            raise VerificationError(f"verifier key {name!r}: key ID does not match the key")
        return key
    raw = b64decode(text)
    if len(raw) != 32:
        raise VerificationError("an Ed25519 public key is 32 bytes")
    if not default_name:
        raise VerificationError("a plain base64 key needs a key name")
    return VerifierKey(default_name, raw)


def parse_checkpoint_note(note: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """Split a signed note into its body and (key name, key ID, signature) triples."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise VerificationError("checkpoint is not a signed note (no blank line or final newline)")
    body, block = note[: split + 1], note[split + 2 : -1]
    signatures = []
    for line in block.split("\n") if block else []:
        if not line.startswith(_SIGNATURE_PREFIX):
            raise VerificationError(f"malformed signature line {line[:60]!r}")
        name, _, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
        raw = b64decode(encoded)
        if not name or len(raw) <= 4:
            raise VerificationError(f"malformed signature line {line[:60]!r}")
        signatures.append((name, raw[:4], raw[4:]))
    if not signatures:
        raise VerificationError("checkpoint carries no signature")
    return body, signatures


def parse_checkpoint_body(body: str) -> tuple[str, int, bytes]:
    """Origin, size and root of a checkpoint body `<origin>\\n<size>\\n<base64 root>\\n`."""
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "" or not lines[0]:
        raise VerificationError("checkpoint body needs origin, size and root lines")
    if not _SIZE_RE.fullmatch(lines[1]):
        raise VerificationError(f"checkpoint size {lines[1]!r} is not a decimal")
    root = b64decode(lines[2])
    if len(root) != HASH_SIZE:
        raise VerificationError("checkpoint root is not 32 bytes")
    return lines[0], int(lines[1]), root


def verify_checkpoint(note: str, keys: Sequence[VerifierKey]) -> Checkpoint:
    """The checkpoint if a known key signed it and no known key's signature fails."""
    body, signatures = parse_checkpoint_note(note)
    known = {(k.name, k.key_id): k for k in keys}
    verified = []
    for name, kid, signature in signatures:
        key = known.get((name, kid))
        if key is None:
            continue  # C2SP: signatures by unknown keys (witnesses, retired keys) are ignored
        try:
            Ed25519PublicKey.from_public_bytes(key.public_key).verify(signature, body.encode())
        except (InvalidSignature, ValueError):
            raise VerificationError(f"signature by key {name!r} ({kid.hex()}) is invalid") from None
        verified.append(name)
    if not verified:
        raise VerificationError("checkpoint is not signed by any known key")
    origin, size, root = parse_checkpoint_body(body)
    return Checkpoint(origin, size, root, note)
