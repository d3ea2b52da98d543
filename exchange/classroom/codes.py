"""Join codes and seat order for live classes (pure functions)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

# No 0/O, 1/I/L: a code read off a projector must not be ambiguous.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6


def new_join_code() -> str:
    """A fresh join code, e.g. K7P3QX."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """A typed code as stored: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in text.upper() if ch not in " -_")


def arrival_order(agent_keys: Sequence[tuple[str, str]], roles: Sequence[str]) -> list[str]:
    """The seats students take in arrival order: the given roles in turn, each in key order.

    `agent_keys` are (agent key, role) pairs; with roles (buyer, provider) the first student
    gets the first buyer seat, the second the first provider seat, the third the second buyer
    seat, and so on; when one role runs out the others continue.
    """
    queues = [[k for k, r in agent_keys if r == role] for role in roles]
    order: list[str] = []
    while any(queues):
        for queue in queues:
            if queue:
                order.append(queue.pop(0))
    return order
