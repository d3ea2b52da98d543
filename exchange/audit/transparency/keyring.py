"""The checkpoint signing keys (签名密钥): Ed25519 PEM files outside the repository.

`<key dir>/audit-<n>.pem` is an active key (mode 0600); every active key signs each new
checkpoint, so after a rotation the old and the new key sign side by side until the old one
is retired (renamed `audit-<n>.pem.retired`, kept for the record). The directory is the
shared state: every worker re-reads its listing, so a rotation by the command line is seen
by running servers at their next checkpoint.
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from exchange.audit.note import key_id, public_key_raw
from exchange.audit.transparency.errors import LastSigningKey, SigningKeyNotFound
from exchange.keyfiles import load_or_create_signing_key, load_signing_key

_ACTIVE_RE = re.compile(r"audit-([1-9][0-9]{0,8})\.pem")
_RETIRED_RE = re.compile(r"audit-([1-9][0-9]{0,8})\.pem\.retired")
RETIRED_SUFFIX = ".retired"


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One Ed25519 signing key of the log, as the checkpoint note names it."""

    number: int
    name: str
    private_key: Ed25519PrivateKey
    public_key: bytes
    key_id: bytes
    retired: bool = False


_Listing = tuple[tuple[str, int, int], ...]


class KeyRing:
    """The log's signing keys in one directory, created on first use."""

    def __init__(self, directory: Path, key_name: str) -> None:
        self.directory = directory
        self.key_name = key_name
        self._lock = threading.Lock()
        self._listing: _Listing | None = None
        self._keys: tuple[SigningKey, ...] = ()

    def _scan(self) -> _Listing:
        """The key files with their change times: a cheap fingerprint of the directory."""
        if not self.directory.is_dir():
            return ()
        found = []
        with os.scandir(self.directory) as entries:
            for entry in entries:
                if _ACTIVE_RE.fullmatch(entry.name) or _RETIRED_RE.fullmatch(entry.name):
                    stat = entry.stat()
                    found.append((entry.name, stat.st_mtime_ns, stat.st_ino))
        return tuple(sorted(found))

    def _load(self, listing: _Listing) -> tuple[SigningKey, ...]:
        keys = []
        for name, _, _ in listing:
            active = _ACTIVE_RE.fullmatch(name)
            match = active or _RETIRED_RE.fullmatch(name)
            assert match is not None
            # Load only: a file renamed away since the scan must not be re-created here.
            private = load_signing_key(self.directory / name)
            raw = public_key_raw(private)
            keys.append(
                SigningKey(
                    number=int(match.group(1)),
                    name=self.key_name,
                    private_key=private,
                    public_key=raw,
                    key_id=key_id(self.key_name, raw),
                    retired=active is None,
                )
            )
        return tuple(sorted(keys, key=lambda k: (k.number, k.retired)))

    def all_keys(self) -> tuple[SigningKey, ...]:
        """Every key file, active and retired, oldest first (creates the first key if none)."""
        with self._lock:
            listing = self._scan()
            if not any(_ACTIVE_RE.fullmatch(name) for name, _, _ in listing):
                self._create_next(listing)
                listing = self._scan()
            if listing != self._listing:
                try:
                    self._keys = self._load(listing)
                except FileNotFoundError:
                    # Retired by another process between the scan and the load: rescan.
                    listing = self._scan()
                    self._keys = self._load(listing)
                self._listing = listing
            return self._keys

    def active(self) -> tuple[SigningKey, ...]:
        """The keys that sign new checkpoints, oldest first."""
        return tuple(k for k in self.all_keys() if not k.retired)

    def _create_next(self, listing: _Listing) -> Path:
        numbers = [
            int(m.group(1))
            for name, _, _ in listing
            if (m := _ACTIVE_RE.fullmatch(name) or _RETIRED_RE.fullmatch(name))
        ]
        path = self.directory / f"audit-{max(numbers, default=0) + 1}.pem"
        # Atomic and race-free across processes: two creators agree on one key file.
        load_or_create_signing_key(path)
        return path

    def rotate(self) -> SigningKey:
        """Add a new key that signs alongside the current ones."""
        self.all_keys()
        with self._lock:
            path = self._create_next(self._scan())
        number = int(path.name.removeprefix("audit-").removesuffix(".pem"))
        return next(k for k in self.all_keys() if k.number == number and not k.retired)

    def retire(self, key_id_hex: str | None = None) -> SigningKey:
        """Stop signing with a key (the oldest active one unless named by its hex key ID)."""
        active = self.active()
        if key_id_hex is None:
            target = active[0]
        else:
            matches = [k for k in active if k.key_id.hex() == key_id_hex.lower()]
            if not matches:
                raise SigningKeyNotFound(f"No active signing key with key ID {key_id_hex!r}.")
            target = matches[0]
        if len(active) <= 1:
            raise LastSigningKey(
                "Rotate first (exchange audit rotate-key): the log must keep one signing key."
            )
        path = self.directory / f"audit-{target.number}.pem"
        os.replace(path, path.with_name(path.name + RETIRED_SUFFIX))
        return dataclasses.replace(target, retired=True)
