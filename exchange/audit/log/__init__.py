"""The audit log's spine: services record entries, the unit of work appends them at commit."""
