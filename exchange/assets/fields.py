"""Request fields the assets concepts share: names, texts, reasons, amounts."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

MAX_AMOUNT_FEN = 10**15  # ten trillion yuan: far above any sandbox amount, far below 2^53


Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]


Text = Annotated[str, StringConstraints(max_length=2000)]


Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
