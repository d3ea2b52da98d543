"""Supervision (数据交易跨部门协同监管): agencies and their remits, supervision cases with
referrals and joint decisions, measures that bind the market, surveillance alerts, and signed
periodic reports. It reads trading, the catalog and the audit log, so it sits above them."""
