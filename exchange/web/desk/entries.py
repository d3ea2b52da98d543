"""The log's entries (审计日志条目): a filtered browser, and one entry with its inclusion proof,
which the page's own script checks against the signed checkpoint (static/desk-proof.js)."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from exchange.audit.transparency import service as transparency
from exchange.audit.transparency.errors import AuditEntryNotFound
from exchange.audit.transparency.schemas import EntryWithProof
from exchange.kit.params import Position
from exchange.participants import service as participants_service
from exchange.web.desk.common import Overseer, decides, latest_checkpoint, utc_moment
from exchange.web.pages import PageRoute, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Text = Annotated[str, Query(max_length=200)]
PAGE_SIZES = (25, 50, 100)


def parsed(leaf: str) -> dict[str, Any]:
    """The entry object a leaf encodes (an unreadable leaf shows as such, never fails)."""
    try:
        entry = json.loads(leaf)
    except ValueError:
        return {"unreadable": True}
    return entry if isinstance(entry, dict) else {"unreadable": True}


@router.get("/desk/entries", response_class=HTMLResponse)
async def entries(
    request: Request,
    viewer: Overseer,
    start: Annotated[Position, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    action: Text = "",
    actor: Text = "",
    subject_type: Text = "",
    subject_id: Text = "",
    since: Text = "",
    until: Text = "",
) -> Response:
    """Entries in log order from `start`, by action, actor, subject or time (UTC)."""
    filters = {
        "action": action.strip(),
        "actor": actor.strip(),
        "subject_type": subject_type.strip(),
        "subject_id": subject_id.strip(),
        "since": since.strip(),
        "until": until.strip(),
    }
    where = transparency.EntryFilter(
        action=filters["action"] or None,
        actor=filters["actor"] or None,
        subject_type=filters["subject_type"] or None,
        subject_id=filters["subject_id"] or None,
        since=utc_moment(filters["since"], "since"),
        until=utc_moment(filters["until"], "until"),
    )
    async with viewer.read() as ctx:
        page = await transparency.list_entries(ctx, start=start, limit=limit, where=where)
        rows = [(e, parsed(e.leaf)) for e in page.entries]
        names = await participants_service.get_many(
            ctx, [str(entry.get("actor")) for _, entry in rows if entry.get("actor")]
        )
    kept = {k: v for k, v in filters.items() if v}
    if limit != 50:
        kept["limit"] = str(limit)
    next_url = None
    if page.next_start is not None:
        next_url = "/desk/entries?" + urlencode({**kept, "start": page.next_start})
    return render(
        request,
        "desk/entries.html",
        viewer=viewer,
        rows=rows,
        names={pid: p.name for pid, p in names.items()},
        filters=filters,
        start=start,
        limit=limit,
        page_sizes=PAGE_SIZES,
        next_url=next_url,
        first_url="/desk/entries?" + urlencode(kept) if start else None,
        decides=decides(viewer),
    )


@router.get("/desk/entries/{index}", response_class=HTMLResponse)
async def entry(request: Request, viewer: Overseer, index: Position) -> Response:
    """One entry: its bytes, its leaf hash and its inclusion proof in the latest signed
    checkpoint, for the page's script to check in the browser."""
    async with viewer.read() as ctx:
        # Signing a checkpoint commits on its own: a later unit of work sees it (SQLite's
        # snapshot of this one would not), so the proof comes from a second one.
        checkpoint, unsigned = await latest_checkpoint(ctx)
        keys = transparency.public_keys(ctx)
    async with viewer.read() as ctx:
        covered = checkpoint is not None and index < checkpoint.size
        page = await transparency.list_entries(
            ctx,
            start=index,
            limit=1,
            where=transparency.EntryFilter(),
            proofs=covered,
            tree_size=checkpoint.size if checkpoint is not None and covered else None,
        )
        found = page.entries[0] if page.entries and page.entries[0].index == index else None
        if found is None:
            raise AuditEntryNotFound(f"The log holds no entry {index}.")
        content = parsed(found.leaf)
        actor = str(content.get("actor", ""))
        names = await participants_service.get_many(ctx, [actor] if actor else [])
    audit_path = found.audit_path if isinstance(found, EntryWithProof) else None
    proof = {
        "index": index,
        "leaf": found.leaf,
        "leaf_hash": found.leaf_hash,
        "tree_size": checkpoint.size if checkpoint is not None and covered else None,
        "audit_path": audit_path,
        "checkpoint": checkpoint.note if checkpoint is not None else "",
        "keys": [
            {"key_name": k.key_name, "public_key": k.public_key, "key_id": k.key_id}
            for k in keys.keys
        ],
    }
    return render(
        request,
        "desk/entry.html",
        viewer=viewer,
        entry=found,
        content=content,
        payload=json.dumps(content.get("payload"), ensure_ascii=False, indent=2, sort_keys=True),
        actor_name=names[actor].name if actor in names else None,
        covered=covered,
        audit_path=audit_path,
        checkpoint=checkpoint,
        unsigned=unsigned,
        keys=keys.keys,
        proof=proof,
        decides=decides(viewer),
    )
