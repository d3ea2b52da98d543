"""Migration 0017 moves each stored package's bytes into chunks, and its downgrade joins them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from exchange.database import Base, create_engine
from exchange.migrate import downgrade, upgrade

BODY = "月份,指数\n2026-10,103.2\n".encode() + bytes(range(256))


AT = datetime(2026, 11, 23, 9, tzinfo=UTC)


async def _asset(conn: AsyncConnection) -> None:
    """The holder and asset a package belongs to (only their keys matter here)."""
    participants = Base.metadata.tables["participants"]
    assets = Base.metadata.tables["assets"]
    await conn.execute(
        insert(participants).values(
            id="p1",
            name="持有方",
            role="enterprise",
            jurisdiction="CN",
            status="active",
            created_at=AT,
        )
    )
    await conn.execute(
        insert(assets).values(
            id="a1",
            holder_id="p1",
            status="registered",
            name="用电指数",
            description="",
            product_form="dataset",
            data_right="holding",
            scenario="",
            grade="general",
            personal_information=False,
            fingerprint="d1",
            source_catalog_item_ids=[],
            source_legality="",
            version=1,
            created_at=AT,
        )
    )


async def test_package_bytes_move_into_chunks_and_back(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine, "0016")
        async with engine.begin() as conn:
            await _asset(conn)
            await conn.execute(
                text(
                    "INSERT INTO asset_packages (asset_id, sha256, filename, media_type, size,"
                    " body, stored_at) VALUES ('a1', 'd1', '指数.csv', 'text/csv', :size, :body,"
                    " :at)"
                ),
                {"size": len(BODY), "body": BODY, "at": AT},
            )
        await upgrade(engine, "0017")
        async with engine.connect() as conn:
            chunks = (
                await conn.execute(
                    text("SELECT seq, data FROM asset_package_chunks WHERE asset_id = 'a1'")
                )
            ).all()
        assert [(seq, bytes(data)) for seq, data in chunks] == [(0, BODY)]
        # A package stored since, in two chunks, is whole again after the downgrade.
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO asset_package_chunks (asset_id, sha256, seq, data)"
                    " VALUES ('a1', 'd1', 1, :tail)"
                ),
                {"tail": b"\x00tail"},
            )
        await downgrade(engine, "0016")
        async with engine.connect() as conn:
            body = (await conn.execute(text("SELECT body FROM asset_packages"))).scalar_one()
        assert bytes(body) == BODY + b"\x00tail"
    finally:
        await engine.dispose()
