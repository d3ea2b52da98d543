"""Brokers and mandates."""
