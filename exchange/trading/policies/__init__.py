"""Usage policies (使用策略) on licence tiers, modelled on ODRL 2.2, and their enforcement."""
