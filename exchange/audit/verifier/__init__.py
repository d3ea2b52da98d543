"""The offline verifier of the audit log (审计日志离线验证), written from the contract alone.

It depends only on "The audit log contract" (ARCHITECTURE.md) and on httpx, hashlib, json,
base64 and cryptography -- never on the server's own modules -- so that a regulator can read
it, rewrite it from the contract, and run it without trusting the platform. It has its own
RFC 6962 / 9162 hashing and proof checks and its own C2SP note verification.

What it checks (`remote.verify_remote`, `files.verify_file`):
- every leaf hash SHA-256(0x00 ‖ leaf) against the served `leaf_hash`;
- the entry rules: canonical layout, `v`, `origin`, `seq` = index, `prev` = previous leaf
  hash, `logged_at` in the exact RFC 3339 form and never decreasing;
- the tree root over all entries against the signed checkpoint, the checkpoint's signature
  against the published (or pinned) Ed25519 keys, a consistency proof from a trusted earlier
  checkpoint, and every served inclusion proof (`all_proofs`, the default: together they
  pass by every stored subtree hash) or, with `all_proofs=False`, one spot check per page;
- that entries listed but not yet in the checkpoint are covered by a checkpoint signed more
  than a second later (the contract's freshness promise): a row appended behind the log's
  lock never gets a tree head and shows up here.

Where the entries no longer give a signed root, `locate` names the first entry that differs
from what was signed, with the evidence each mode has (see `locate` for the method):
- `verify_remote`: the latest checkpoint (and one signed a second later), the `--trusted`
  checkpoint, each entry's `prev`, and the `--trusted` witness (`<file>.leaves`: the leaf
  hashes the last passing run checked). Exact for altered bytes, deleted or swapped entries
  and a recomputed leaf hash; a rewritten leaf with its whole tail re-linked is exact only
  if the witness covers it (else a range, `first_bad_range`). A damaged served subtree hash
  is named by its first entry through the inclusion proofs. Not visible over HTTP: the
  server's query columns and its head (neither is signed or served), which the server's
  `/v1/audit/verify` checks and names.
- `verify_file`: the same, from an export and a checkpoint (and `trusted`).

`checker.LogChecker` is the pure part; the server's `/v1/audit/verify` runs the same checker.
Modules: `proofs` and `notes` (pure hashing, proofs and signed notes), `checker` (pure entry
and tree checks), `locate` (pure: the first entry that differs from what was signed),
`report`, `remote` (HTTP), `files` (exports and the trusted checkpoint).
Nothing here imports the server: tests/audit/test_audit_offline.py holds it to that.
"""
