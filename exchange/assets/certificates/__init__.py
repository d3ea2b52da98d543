"""Certificates (数据资产凭证): the registry key, issuing, status, verification, revocations."""
