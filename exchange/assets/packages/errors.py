"""Errors of registered packages (登记数据包)."""

from __future__ import annotations

from exchange.errors import Conflict, NotFound


class PackageNotStored(NotFound):
    slug = "asset-package-not-stored"
    title = "The registry holds no package for this asset's fingerprint"


class PackageFingerprintMismatch(Conflict):
    slug = "asset-package-fingerprint-mismatch"
    title = "The package's SHA-256 is not the asset's registered fingerprint"
