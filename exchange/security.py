"""Principals, API keys and role checks, as FastAPI dependencies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.context import Context, Principal
from exchange.dependencies import RuntimeDep, SessionDep
from exchange.errors import Forbidden, Unauthenticated
from exchange.hooks import HOOKS, NotWired
from exchange.middleware import participant_id
from exchange.vocabulary import Role

KEY_PREFIX = "gdx"


# Offline simulations must replay a byte-identical audit log, and `api_key.issued` entries
# name the key id: inside `seeded_api_keys(rng)` keys come from that seeded stream instead.
# A context variable confines it to the simulation's own task; served keys stay random.
_seeded_keys: ContextVar[random.Random | None] = ContextVar("seeded_api_keys", default=None)


@contextmanager
def seeded_api_keys(rng: random.Random) -> Iterator[None]:
    """Draw API keys from `rng` in this context (offline simulations only: keys are guessable)."""
    token = _seeded_keys.set(rng)
    try:
        yield
    finally:
        _seeded_keys.reset(token)


def new_api_key() -> tuple[str, str, str]:
    """A fresh key: (key id, full secret key shown once, digest to store)."""
    rng = _seeded_keys.get()
    if rng is None:
        key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    else:
        key_id = f"{rng.getrandbits(64):016x}"
        secret = base64.urlsafe_b64encode(rng.randbytes(32)).rstrip(b"=").decode()
    key = f"{KEY_PREFIX}_{key_id}_{secret}"
    return key_id, key, key_digest(key)


def key_digest(key: str) -> str:
    """SHA-256 of a key; keys carry 256 random bits, so a slow KDF adds nothing."""
    return hashlib.sha256(key.encode()).hexdigest()


def parse_key_id(key: str) -> str | None:
    """The public key id inside a presented key, or None if it is not of our form."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 16:
        return None
    return parts[1]


# Documents the scheme in OpenAPI (so /docs has an Authorize button); a missing or non-Bearer
# header gives None, and the 401 below.
_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    description="An API key (gdx_…), sent as Authorization: Bearer <key>.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]


async def current_principal(credentials: Credentials, session: SessionDep) -> Principal:
    """Authenticate the Bearer key; every failure looks the same to the caller."""
    return await authenticate(credentials, session)


async def authenticate(
    credentials: HTTPAuthorizationCredentials | None, session: AsyncSession
) -> Principal:
    """The participant a Bearer key authenticates (401 for any failure, 403 if suspended)."""
    token = credentials.credentials.strip() if credentials is not None else None
    return await principal_of_key(session, token or None)


async def principal_of_key(
    session: AsyncSession, token: str | None, *, key_id: str | None = None
) -> Principal:
    """The participant a presented key (`token`) authenticates, or, for a key already checked
    once (a console session holds its id, never the key), the holder of `key_id` while the key
    stays unrevoked. 401 for any failure, 403 if the participant is suspended."""
    failure = Unauthenticated("A valid API key is required: Authorization: Bearer <key>.")
    if token is not None:
        key_id = parse_key_id(token)
    if key_id is None:
        raise failure
    find = HOOKS.find_key
    if find is None:
        raise NotWired("find_key")
    stored = await find(session, key_id)
    if stored is None or stored.revoked:
        raise failure
    if token is not None and not hmac.compare_digest(stored.digest, key_digest(token)):
        raise failure
    if not stored.active:
        raise Forbidden("This participant is suspended.")
    participant_id.set(stored.principal.id)
    return stored.principal


CurrentParticipant = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Any:
    """A dependency that admits only the given roles (403 for the others)."""
    allowed = frozenset(roles)

    async def check(principal: CurrentParticipant) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"Role {principal.role.value!r} may not do this (allowed: {names}).")
        return principal

    return Depends(check)


async def actor_context(
    principal: CurrentParticipant, session: SessionDep, runtime: RuntimeDep
) -> Context:
    """The unit-of-work context for an authenticated participant."""
    return runtime.context(session, principal)


ActorContext = Annotated[Context, Depends(actor_context)]


def context_for(*roles: Role) -> Any:
    """A context dependency admitting only the given roles."""
    checker = require_roles(*roles)

    async def build(
        session: SessionDep, runtime: RuntimeDep, principal: Principal = checker
    ) -> Context:
        return runtime.context(session, principal)

    return Depends(build)


def principal_apart(*roles: Role) -> Any:
    """A participant of the given roles, authenticated in a unit of work of its own.

    For operations that run several units of work themselves (moving the clock, then the
    due work it sets off): they hold no request session, so nothing waits on one.
    """
    allowed = frozenset(roles)

    async def check(credentials: Credentials, runtime: RuntimeDep) -> Principal:
        async with runtime.unit_of_work(write=False) as session:
            principal = await authenticate(credentials, session)
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"Role {principal.role.value!r} may not do this (allowed: {names}).")
        return principal

    return Depends(check)


NOT_REGULATOR = tuple(r for r in Role if r is not Role.REGULATOR)


async def public_context(session: SessionDep, runtime: RuntimeDep) -> Context:
    """A context with no actor, for the few endpoints anyone may call without a key
    (certificate verification and the revocation list). Services behind it must not treat a
    missing actor as the system: they only read what is public."""
    return runtime.context(session)


PublicContext = Annotated[Context, Depends(public_context)]
