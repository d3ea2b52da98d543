"""Errors of certificates (数据资产凭证)."""

from __future__ import annotations

from exchange.errors import Conflict, NotFound


class CertificateNotFound(NotFound):
    slug = "certificate-not-found"
    title = "No such certificate"


class CertificateNotValid(Conflict):
    slug = "certificate-not-valid"
    title = "The certificate is revoked or expired"


class CertificatePledged(Conflict):
    slug = "certificate-pledged"
    title = "The certificate is pledged (质押中)"


class CertificateAlreadyPledged(Conflict):
    slug = "certificate-already-pledged"
    title = "The certificate is already pledged"
