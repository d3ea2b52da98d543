"""What the desk's pages share: who may see them, who may decide, and form validation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, TypeVar

from pydantic import BaseModel, ValidationError

from exchange.audit.log.errors import AuditLogDamaged
from exchange.audit.transparency import service as transparency
from exchange.audit.transparency.errors import AuditStoreCorrupt
from exchange.audit.transparency.models import AuditCheckpoint
from exchange.context import Context
from exchange.vocabulary import Role
from exchange.web.pages import InvalidForm, Viewer, viewer_of

# The API lets admins read what regulators read (logs, queues); only regulators decide.
Overseer = Annotated[Viewer, viewer_of(Role.REGULATOR, Role.ADMIN)]
Regulator = Annotated[Viewer, viewer_of(Role.REGULATOR)]

Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], data: dict[str, object]) -> Model:
    """A form's fields as the API's own request model (422 page naming the first bad field)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidForm(f"{where}: {first.get('msg', 'invalid')}") from None


def decides(viewer: Viewer) -> bool:
    """Whether this reader may decide cases (regulators; admins only read)."""
    return viewer.role is Role.REGULATOR


def utc_moment(text: str, name: str) -> datetime | None:
    """A date-time a filter carries (`2026-11-23T09:00` in UTC, or with its offset)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidForm(f"{name}: not a date and time (YYYY-MM-DDTHH:MM)") from None
    if not 2000 <= moment.year <= 9998:  # checked before any shift of zone can overflow
        raise InvalidForm(f"{name}: out of range (years 2000 to 9998)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


async def latest_checkpoint(ctx: Context) -> tuple[AuditCheckpoint | None, str]:
    """The latest signed checkpoint, or None and why none can be signed (a damaged log
    that never had one: the desk still shows the halt rather than an error page)."""
    try:
        return await transparency.latest_checkpoint(ctx), ""
    except (AuditLogDamaged, AuditStoreCorrupt) as refused:
        return None, refused.detail
