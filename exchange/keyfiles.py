"""Ed25519 signing key files (PKCS8 PEM, mode 0600): read, or create atomically (file I/O).

The audit log's checkpoint keys (`exchange.audit.transparency.keyring`) and the asset
registry's certificate key are kept this way, outside the repository.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """Load an Ed25519 private key from a PKCS8 PEM file."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def load_or_create_signing_key(path: Path) -> Ed25519PrivateKey:
    """Load the Ed25519 signing key at path, creating it (mode 0600) if it does not exist."""
    if path.exists():
        return load_signing_key(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Write a private temp file (created 0600 atomically by O_EXCL, so the key is never
    # readable by others), then link it into place: link fails if the target exists, so
    # two processes starting at once agree on one key and nobody reads a half-written file.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            # The umask can only clear bits; set the mode explicitly so it is exactly 0600.
            os.fchmod(f.fileno(), 0o600)
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return load_signing_key(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(path.parent)
    return key


def _fsync_dir(directory: Path) -> None:
    """Flush a directory entry so a freshly created key survives a crash."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
