"""Deterministic random streams: one per (seed, role, index), independent of every other.

Each agent draws only from its own stream, so adding an agent (or a whole role) never changes
the draws of the others, and no global random state is ever touched.
"""

from __future__ import annotations

import hashlib
import random


def stream_seed(seed: int, role: str, index: int) -> int:
    """The 256-bit seed of the stream for (seed, role, index)."""
    material = f"gdx-sim/v1\x00{seed}\x00{role}\x00{index}".encode()
    return int.from_bytes(hashlib.sha256(material).digest(), "big")


def stream(seed: int, role: str, index: int) -> random.Random:
    """A private random stream for one agent (or one engine purpose) of a run."""
    return random.Random(stream_seed(seed, role, index))


def stream_bytes(seed: int, role: str, index: int, size: int = 32) -> bytes:
    """Deterministic bytes for (seed, role, index), e.g. key material of a simulated registry."""
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(
            f"gdx-sim/bytes\x00{seed}\x00{role}\x00{index}\x00{counter}".encode()
        ).digest()
        counter += 1
    return out[:size]
