"""The catalog search: its own inverted index, facet cubes, and the search endpoint."""
