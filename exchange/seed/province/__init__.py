"""The province-scale synthetic catalog: its generator, its tables (tables.json) and its loader."""
