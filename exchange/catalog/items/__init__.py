"""Catalog items (数据目录项): published, revised, versioned."""
