"""Pure: the one error of the offline verifier."""

from __future__ import annotations


class VerificationError(Exception):
    """The log, a checkpoint or a proof cannot be fetched or does not check out."""
