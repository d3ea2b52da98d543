"""Verifying a live log over HTTP (the regulator's side of the published contract)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx

from exchange.audit.verifier.checker import DEFAULT_PAGE_SIZE, LogChecker, decode_page
from exchange.audit.verifier.errors import VerificationError
from exchange.audit.verifier.files import (
    read_checkpoint_file,
    read_witness,
    write_checkpoint_file,
    write_witness,
)
from exchange.audit.verifier.notes import (
    Checkpoint,
    VerifierKey,
    b64decode,
    parse_public_key,
    verify_checkpoint,
)
from exchange.audit.verifier.proofs import (
    HASH_SIZE,
    locate_bad_subtree,
    verify_consistency,
    verify_inclusion,
)
from exchange.audit.verifier.report import Report, finish_report

API_PREFIX = "/v1/audit"
# The contract promises that a checkpoint fetched later than this covers an entry.
FRESHNESS_SECONDS = 1.0


async def _get(
    client: httpx.AsyncClient,
    path: str,
    params: dict[str, Any] | None = None,
    key: str | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        response = await client.get(API_PREFIX + path, params=params, headers=headers)
    except httpx.HTTPError as exc:
        raise VerificationError(f"GET {path}: {exc}") from exc
    if response.status_code != 200:
        detail = response.text[:300]
        with contextlib.suppress(ValueError):
            detail = str(response.json().get("detail", detail))
        raise VerificationError(f"GET {path} answered {response.status_code}: {detail}")
    return response


async def fetch_public_keys(client: httpx.AsyncClient) -> tuple[str, list[VerifierKey]]:
    """The log's origin and published keys, each key ID checked against its key."""
    body = (await _get(client, "/public-key")).json()
    keys = []
    for item in body.get("keys", []):
        if item.get("algorithm") != "ed25519":
            continue
        key = VerifierKey(str(item["key_name"]), b64decode(str(item["public_key"])))
        if len(key.public_key) != 32 or key.key_id.hex() != item.get("key_id"):
            raise VerificationError(f"published key {key.name!r}: key ID does not match the key")
        keys.append(key)
    return str(body.get("origin", "")), keys


async def fetch_checkpoint(client: httpx.AsyncClient, keys: Sequence[VerifierKey]) -> Checkpoint:
    """The latest checkpoint, its signature checked."""
    return verify_checkpoint((await _get(client, "/checkpoint")).text, keys)


async def iter_entry_pages(
    client: httpx.AsyncClient,
    key: str,
    *,
    start: int = 0,
    stop: int | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    proofs_at: int | None = None,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Pages of entries from index start on (up to stop), following next_start."""
    next_start: int | None = start
    while next_start is not None and (stop is None or next_start < stop):
        params: dict[str, Any] = {"start": next_start, "limit": page_size}
        if proofs_at is not None:
            params.update(proofs="true", tree_size=proofs_at)
        body = (await _get(client, "/entries", params, key)).json()
        entries = body["entries"]
        if stop is not None:
            entries = [e for e in entries if e["index"] < stop]
        if entries:
            yield entries
        following = body.get("next_start")
        if following is not None and following <= next_start:
            raise VerificationError("entries paging does not advance")
        next_start = following


@dataclass(slots=True)
class _ProofFailure:
    index: int
    size: int
    path: list[bytes]


Wait = Callable[[float], Awaitable[None]]
Progress = Callable[[int, int], None]


class RemoteVerification:
    """One run of the verifier against a server."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        api_key: str,
        *,
        trusted: Path | None = None,
        public_keys: Sequence[str] = (),
        all_proofs: bool = True,
        page_size: int = DEFAULT_PAGE_SIZE,
        wait: Wait = asyncio.sleep,
        progress: Progress | None = None,
    ) -> None:
        self.client = client
        self.api_key = api_key
        self.trusted = trusted
        self.pinned = list(public_keys)
        self.all_proofs = all_proofs
        self.page_size = page_size
        self.wait = wait
        self.progress = progress
        self.report = Report()
        self.failures: list[_ProofFailure] = []
        self.checker: LogChecker | None = None

    async def run(self) -> Report:
        report = self.report
        try:
            await self._run()
        except (VerificationError, ValueError, KeyError, TypeError) as exc:
            checker = self.checker or LogChecker("")
            checker.report(None, "fetch", str(exc))
            finish_report(report, checker)
        return report

    async def _keys(self) -> list[VerifierKey]:
        origin, published = await fetch_public_keys(self.client)
        if not self.pinned:
            return published
        return [parse_public_key(text, origin) for text in self.pinned]

    async def _run(self) -> None:
        report = self.report
        keys = await self._keys()
        checkpoint = await fetch_checkpoint(self.client, keys)
        report.keys = sorted({f"{k.name} {k.key_id.hex()}" for k in keys})
        trusted = None
        if self.trusted is not None and self.trusted.exists():
            trusted = read_checkpoint_file(self.trusted)
            report.trusted_size = trusted.size
        sizes = {checkpoint.size} | ({trusted.size} if trusted else set())
        checker = LogChecker(checkpoint.origin, snapshot_sizes=sizes, keep_leaf_hashes=True)
        self.checker = checker
        await self._download(checker, checkpoint, start=0)
        signed = [checkpoint]
        if checker.next_index > checkpoint.size:
            checkpoint = await self._cover_extension(checker, checkpoint, keys)
            signed.append(checkpoint)
        checker.finish()
        for each in signed:
            self._check_root(checker, each)
        if trusted is not None:
            await self._check_trusted(checker, trusted, checkpoint)
        evidence = [(each.size, each.root) for each in signed]
        witness = b""
        if trusted is not None and self.trusted is not None and trusted.origin == checkpoint.origin:
            evidence.append((trusted.size, trusted.root))
            witness = read_witness(self.trusted, trusted)
        checker.locate_changes(evidence, witness=witness)
        self._locate_failures(checker)
        report.origin = checkpoint.origin
        report.size = checkpoint.size
        report.root = checkpoint.root
        report.checkpoint = checkpoint
        finish_report(report, checker)
        if report.ok and self.trusted is not None:
            write_checkpoint_file(self.trusted, checkpoint)
            if checker.leaf_hashes is not None:
                write_witness(self.trusted, checker.leaf_hashes, checkpoint.size)

    async def _cover_extension(
        self, checker: LogChecker, checkpoint: Checkpoint, keys: Sequence[VerifierKey]
    ) -> Checkpoint:
        """Entries listed beyond the checkpoint must be in one signed a second later."""
        await self.wait(FRESHNESS_SECONDS + 0.1)
        later = await fetch_checkpoint(self.client, keys)
        if later.origin != checkpoint.origin:
            checker.report(None, "checkpoint", "the origin changed between two checkpoints")
            return checkpoint
        if later.size < checkpoint.size:
            checker.report(
                later.size, "checkpoint", f"the log shrank from {checkpoint.size} to {later.size}"
            )
            return checkpoint
        if later.size > checkpoint.size:
            checker.add_snapshot(later.size)
            if later.size > checker.next_index:
                await self._download(checker, later, start=checker.next_index, stop=later.size)
            params = {"first": checkpoint.size, "second": later.size}
            if checkpoint.size and not verify_consistency(
                checkpoint.size,
                later.size,
                checkpoint.root,
                later.root,
                await self._proof(params),
            ):
                checker.report(None, "checkpoint", "two successive checkpoints are not consistent")
        if checker.next_index > later.size and checker.ok:
            checker.report(
                later.size,
                "entry",
                f"entries from {later.size} on are listed, but no checkpoint signed "
                f"{FRESHNESS_SECONDS:g} s later covers them (appended outside the log)",
            )
        return later

    async def _proof(self, params: dict[str, Any]) -> list[bytes]:
        body = (await _get(self.client, "/proof/consistency", params, self.api_key)).json()
        try:
            return [bytes.fromhex(h) for h in body.get("proof", [])]
        except (TypeError, ValueError):
            return []

    def _check_root(self, checker: LogChecker, checkpoint: Checkpoint) -> None:
        root = checker.root_at(checkpoint.size)
        if root is None:
            checker.report(
                checker.next_index,
                "entry",
                f"the log lists {checker.next_index} entries; the checkpoint claims "
                f"{checkpoint.size}",
            )
        elif root != checkpoint.root:
            checker.report(
                None,
                "checkpoint",
                f"the root of the first {checkpoint.size} entries is not the signed root",
            )

    async def _download(
        self, checker: LogChecker, checkpoint: Checkpoint, *, start: int, stop: int | None = None
    ) -> None:
        """Fetch and check entries from start on; proofs for those the checkpoint covers."""
        if self.all_proofs and checkpoint.size > start:
            # Listings with proofs end at the checkpoint; the rest is fetched plainly below.
            await self._pages(checker, checkpoint, start, stop, proofs=True)
            start = checker.next_index
        await self._pages(checker, checkpoint, start, stop, proofs=False)

    async def _pages(
        self,
        checker: LogChecker,
        checkpoint: Checkpoint,
        start: int,
        stop: int | None,
        *,
        proofs: bool,
    ) -> None:
        async for entries in iter_entry_pages(
            self.client,
            self.api_key,
            start=start,
            stop=stop,
            page_size=self.page_size,
            proofs_at=checkpoint.size if proofs else None,
        ):
            indexes, leaves, claimed = decode_page(entries)
            hashes = checker.add(indexes, leaves, claimed)
            if proofs:
                for entry, index, digest in zip(entries, indexes, hashes, strict=True):
                    self._check_path(entry.get("audit_path"), index, digest, checkpoint)
            elif indexes[0] < checkpoint.size:
                await self._spot_check(indexes[0], hashes[0], checkpoint)
            if self.progress is not None:
                self.progress(checker.next_index, checkpoint.size)

    def _check_path(self, path: object, index: int, digest: bytes, checkpoint: Checkpoint) -> None:
        if index >= checkpoint.size:
            return
        try:
            hashes = [bytes.fromhex(h) for h in cast(list[str], path)]
        except (TypeError, ValueError):
            hashes = []
        self.report.proofs_checked += 1
        if not verify_inclusion(digest, index, checkpoint.size, hashes, checkpoint.root):
            self.failures.append(_ProofFailure(index, checkpoint.size, hashes))

    async def _spot_check(self, index: int, digest: bytes, checkpoint: Checkpoint) -> None:
        params = {"index": index, "tree_size": checkpoint.size}
        try:
            body = (await _get(self.client, "/proof/inclusion", params, self.api_key)).json()
        except VerificationError as exc:
            assert self.checker is not None
            self.checker.report(index, "tree", f"no inclusion proof for entry {index}: {exc}")
            return
        self._check_path(body.get("audit_path"), index, digest, checkpoint)

    def _check_extension(self, checker: LogChecker, old: Checkpoint, new: Checkpoint) -> None:
        if new.origin != old.origin:
            checker.report(None, "checkpoint", "the origin changed between two checkpoints")
        elif new.size < old.size:
            checker.report(new.size, "checkpoint", f"the log shrank from {old.size} to {new.size}")

    async def _check_trusted(
        self, checker: LogChecker, trusted: Checkpoint, checkpoint: Checkpoint
    ) -> None:
        report = self.report
        if trusted.origin != checkpoint.origin:
            checker.report(None, "checkpoint", "the trusted checkpoint is of another log")
            report.consistent_with_trusted = False
            return
        if trusted.size > checkpoint.size:
            checker.report(
                checkpoint.size,
                "checkpoint",
                f"the log shrank: trusted size {trusted.size}, now {checkpoint.size}",
            )
            report.consistent_with_trusted = False
            return
        consistent = True
        if 0 < trusted.size < checkpoint.size:
            proof = await self._proof({"first": trusted.size, "second": checkpoint.size})
            if not verify_consistency(
                trusted.size, checkpoint.size, trusted.root, checkpoint.root, proof
            ):
                consistent = False
                checker.report(
                    None,
                    "checkpoint",
                    f"no valid consistency proof from the trusted size {trusted.size}",
                )
        elif trusted.size == checkpoint.size and trusted.root != checkpoint.root:
            consistent = False
            checker.report(None, "checkpoint", "same size as the trusted checkpoint, other root")
        root = checker.root_at(trusted.size)
        if trusted.size and root is not None and root != trusted.root:
            consistent = False
            checker.report(
                None,
                "checkpoint",
                f"the first {trusted.size} entries no longer give the trusted root: "
                "history was rewritten",
            )
        report.consistent_with_trusted = consistent

    def _locate_failures(self, checker: LogChecker) -> None:
        """Name the subtree behind each failing inclusion proof (first few only)."""
        leaf_hashes = checker.leaf_hashes
        assert leaf_hashes is not None
        known = len(leaf_hashes) // HASH_SIZE
        for failure in self.failures[:3]:
            if failure.size > known:
                continue
            bad = locate_bad_subtree(leaf_hashes, failure.index, failure.size, failure.path)
            for start, end in bad:
                if checker.has_bad_entry_in(start, end):
                    continue
                checker.report(
                    start,
                    "tree",
                    f"served subtree hash for entries [{start}, {end}) is wrong "
                    f"(inclusion proof of entry {failure.index})",
                )
            if not bad and not checker.has_bad_entry_in(failure.index, failure.index + 1):
                checker.report(
                    None, "checkpoint", f"inclusion proof of entry {failure.index} fails"
                )
        if len(self.failures) > 3:
            checker.report(None, "tree", f"{len(self.failures)} inclusion proofs fail in all")


async def verify_remote(client: httpx.AsyncClient, api_key: str, **options: Any) -> Report:
    """Verify the log served at client's base URL (the regulator's API key reads entries).

    Options are RemoteVerification's: trusted, public_keys, all_proofs, page_size, wait,
    progress.
    """
    return await RemoteVerification(client, api_key, **options).run()
