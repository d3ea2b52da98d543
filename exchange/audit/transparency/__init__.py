"""The log made checkable: signed checkpoints, keys, proofs, the server's re-check, 对账."""
