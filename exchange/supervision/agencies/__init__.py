"""Supervisory agencies (监管机构): remits, divisions, member regulators and thresholds."""
