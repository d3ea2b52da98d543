"""Consents (授权): grants over a data subject's records, their signed receipts, reads under
them, and the lawful basis of products made from personal information."""
