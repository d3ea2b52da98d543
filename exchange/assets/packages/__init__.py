"""Registered packages: the bytes whose SHA-256 an asset's certificate carries."""
