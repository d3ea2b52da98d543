"""Sharing requests (共享申请) between departments."""
