"""Data elements (数据元): the standards fields map to, each with one authoritative source."""
