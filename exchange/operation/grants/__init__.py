"""Grants to derive products from public data (授权用数): the check at asset registration."""
