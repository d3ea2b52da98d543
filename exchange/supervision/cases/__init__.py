"""Supervision cases (监管案件): subject, facts from the log, referrals, responses, decisions."""
