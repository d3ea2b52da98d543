"""Bounded integers for query and path parameters: every number a URL carries has a ceiling.

A number beyond what the database column (or a JSON client) holds is a malformed request, a
422 like any other, never a database error. Use them as the type of a parameter, adding
`Query(...)` or `Path(...)` for a description: `index: Annotated[Position, Query(...)]`.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le

from exchange.middleware import MAX_SAFE_INTEGER

MAX_INT32 = 2**31 - 1
"""The largest value of a 32-bit column (PostgreSQL `integer`), such as a version number."""

Position = Annotated[int, Ge(0), Le(MAX_SAFE_INTEGER)]
"""A 0-based position or a size (an audit log index, a tree size): 0 to 2^53-1."""
RowId = Annotated[int, Ge(1), Le(MAX_SAFE_INTEGER)]
"""A numeric row id, such as a paging cursor (`before`): 1 to 2^53-1."""
Version = Annotated[int, Ge(1), Le(MAX_INT32)]
"""A version number (stored in 32 bits): 1 to 2^31-1."""
