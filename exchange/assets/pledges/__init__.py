"""Pledges (质押) of certificates to lenders."""
