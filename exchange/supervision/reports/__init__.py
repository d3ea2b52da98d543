"""Periodic supervision reports (监管报告): per agency and division, signed, checkable."""
