"""Bulk loading of a generated catalog (the province-scale synthetic catalog)."""
