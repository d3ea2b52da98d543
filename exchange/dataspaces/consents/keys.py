"""The platform's Ed25519 key that signs consent receipts (授权凭证), kept like the registry's
certificate key: a PKCS8 file (mode 0600) in the key directory, made on first use."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from exchange.config import Settings
from exchange.context import Runtime, Slot
from exchange.keyfiles import load_or_create_signing_key
from exchange.kit.signed import key_id, public_key_raw

CONSENT_KEY_FILE = "consent-ed25519.pem"
_CONSENT_KEY: Slot[ConsentKey] = Slot("dataspaces.consent_key")


@dataclass(frozen=True, slots=True)
class ConsentKey:
    """The key that signs consent receipts, with its published parts."""

    private_key: Ed25519PrivateKey
    public_key: Ed25519PublicKey
    public_raw: bytes
    key_id: str


def load_consent_key(settings: Settings) -> ConsentKey:
    """Load the consent key from the key directory, creating it (mode 0600) the first time."""
    private = load_or_create_signing_key(settings.resolved_key_dir() / CONSENT_KEY_FILE)
    raw = public_key_raw(private)
    return ConsentKey(private, private.public_key(), raw, key_id(raw))


def consent_key(runtime: Runtime) -> ConsentKey:
    """The consent key, loaded lazily once per runtime and cached on it."""
    return runtime.cache.get_or_make(_CONSENT_KEY, lambda: load_consent_key(runtime.settings))
