"""Valuation (价值评估): the pure methods, comparables, and stored reports."""
