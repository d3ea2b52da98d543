"""Data customs."""
