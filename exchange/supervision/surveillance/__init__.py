"""Market surveillance (交易监测): alerts computed from trades and the log, with evidence."""
