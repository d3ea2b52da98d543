"""Data assets (数据资产): registration, review, valuation, certificates, pledges."""
