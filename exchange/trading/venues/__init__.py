"""Exchanges and rulebooks."""
