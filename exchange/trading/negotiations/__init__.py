"""Negotiations."""
