"""Consent requests (授权申请): a participant asks a data subject for a consent."""
