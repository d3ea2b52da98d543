"""Licences and delivery."""
