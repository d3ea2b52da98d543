"""Console sessions (控制台会话): who a browser is signed in as, held server-side.

The browser holds only a random session token in an HttpOnly, SameSite cookie; the table keeps
its SHA-256, the API key id it was opened with (never the key), the CSRF token of its forms and,
for a student, the class whose market serves it. Signing out ends the row, so a copied cookie
stops working at once; revoking the key ends every session opened with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class ConsoleSession(Base):
    """A signed-in browser (控制台会话)."""

    __tablename__ = "console_sessions"
    # A browser's sign-in is not market state (like class presence): the key it was opened
    # with was issued, and is revoked, with audit entries; the session only remembers it.
    __audit_exempt__ = True

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    participant_id: Mapped[str] = mapped_column(String(36), index=True)
    key_id: Mapped[str] = mapped_column(String(16), index=True)
    # A student's class: its market (a sandbox database) serves this session.
    class_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
