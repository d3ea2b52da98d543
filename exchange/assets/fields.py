"""Request fields the assets concepts share: names, texts, reasons, amounts."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from exchange.kit.fields import MAX_AMOUNT_FEN as MAX_AMOUNT_FEN

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]


Text = Annotated[str, StringConstraints(max_length=2000)]


Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
