"""A 100 MB package: deposited from a file a chunk at a time (the `exchange assets
deposit-package` path), listed without passing through a request body, and delivered under
a transfer with the SHA-256 its certificate carries — in constant memory on the server."""

from __future__ import annotations

import hashlib
import random
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from support_policies import licence_for, register_more, transfer
from support_trading import AssetSpec, Market

from exchange.assets.packages import service as packages_service
from exchange.cli.assets import deposit_file
from support import MakeParticipant

SIZE = 100 * 1024 * 1024
PEAK_LIMIT = 16 * 1024 * 1024  # what the server may hold at once, whatever the package's size


@dataclass(frozen=True)
class DigestSpec(AssetSpec):
    """An asset registered by the SHA-256 of a file too large to keep in the test."""

    digest: str = ""

    @property
    def fingerprint(self) -> str:
        return self.digest


def big_file(path: Path) -> str:
    """Write 100 MB of seeded bytes; their SHA-256."""
    rng = random.Random(100)
    digest = hashlib.sha256()
    with path.open("wb") as f:
        for _ in range(SIZE // (1 << 20)):
            block = rng.randbytes(1 << 20)
            digest.update(block)
            f.write(block)
    return digest.hexdigest()


async def test_a_100_mb_package_is_delivered_with_its_sha256_in_constant_memory(
    market: Market, make_participant: MakeParticipant, tmp_path: Path
) -> None:
    m = market
    path = tmp_path / "全省企业用电明细.bin"
    digest = big_file(path)
    spec = DigestSpec("全省企业用电明细（大文件）", b"", digest=digest)
    (asset_id,) = await register_more(m, make_participant, [spec])
    m.assets["big"], m.specs["big"] = asset_id, spec

    tracemalloc.start()
    try:
        stored_sha, size = await deposit_file(
            m.runtime.settings, asset_id, path, "用电明细.bin", "application/octet-stream"
        )
        _, deposit_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        streamed = hashlib.sha256()
        largest = total = 0
        async for piece in packages_service.stream_package(
            m.runtime, asset_id=asset_id, sha256=digest
        ):
            streamed.update(piece)
            largest, total = max(largest, len(piece)), total + len(piece)
        _, stream_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (stored_sha, size) == (digest, SIZE)
    assert streamed.hexdigest() == digest and total == SIZE
    assert largest <= packages_service.CHUNK_BYTES
    assert deposit_peak < PEAK_LIMIT, deposit_peak
    assert stream_peak < PEAK_LIMIT, stream_peak

    # Listed with no bytes in the request: the delivery is the deposited package.
    delivery = {"kind": "file", "filename": "用电明细.bin"}
    listing, licence = await licence_for(m, "big", {"access": "download"}, delivery=delivery)
    assert listing["delivery"]["size"] == SIZE and listing["delivery"]["sha256"] == digest
    t = await transfer(m, licence, None)
    got = await m.client.get(f"/v1/transfers/{t['id']}/data", headers=m.buyer.auth)
    assert got.status_code == 200, got.text[:300]
    assert got.headers["content-length"] == str(SIZE)
    assert got.headers["x-content-sha256"] == digest
    assert hashlib.sha256(got.content).hexdigest() == digest
