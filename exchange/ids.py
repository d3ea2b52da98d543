"""Identifier factory: random by default, seeded for reproducible simulations."""

from __future__ import annotations

import random
import secrets
import uuid


class IdFactory:
    """Makes UUID-shaped identifiers; a seeded factory gives the same sequence every run."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng: random.Random | None = random.Random(seed) if seed is not None else None

    def new(self) -> str:
        """A fresh identifier (UUID version 4 layout)."""
        bits = self._rng.getrandbits(128) if self._rng is not None else secrets.randbits(128)
        return str(uuid.UUID(int=bits, version=4))
