"""Measures (监管措施): the powers a case's decisions use, enforced in the market's services."""
