"""A round's kept reads are forgotten exactly when what they came from may have changed."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from exchange.kit.roundreads import MISSING, RoundReads, written_table


def test_the_table_a_statement_writes() -> None:
    assert written_table("INSERT INTO trading_listings (id) VALUES (?)") == "trading_listings"
    assert written_table("INSERT OR IGNORE INTO t(a) VALUES (1)") == "t"
    assert written_table('UPDATE "accounts" SET balance_fen=1') == "accounts"
    assert written_table("DELETE FROM supervision_measures WHERE id = ?") == "supervision_measures"
    assert written_table("WITH x AS (SELECT 1) UPDATE t SET a = 1") is None
    assert written_table("ROLLBACK TO SAVEPOINT sa_savepoint_1") is None


def test_a_write_forgets_only_what_it_may_have_changed() -> None:
    reads = RoundReads()
    reads.put("offer", frozenset({"trading_listings", "trading_licence_tiers"}), 1)
    reads.put("asset", frozenset({"assets"}), 2)
    reads.written("SELECT * FROM trading_listings")
    assert reads.get("offer") == 1
    reads.written("UPDATE trading_licence_tiers SET claim = ? WHERE id = ?")
    assert reads.get("offer") is MISSING
    assert reads.get("asset") == 2
    reads.written("WITH x AS (SELECT 1) DELETE FROM other")  # cannot tell: forget all
    assert reads.get("asset") is MISSING


def test_a_rollback_and_the_end_of_a_unit_forget_everything() -> None:
    engine = create_engine("sqlite://")
    reads = RoundReads()
    reads.install(engine)
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE t (a INTEGER)"))
        conn.commit()
        conn.execute(text("SELECT a FROM t"))  # a new transaction begins (and starts empty)
        reads.put("t", frozenset({"t"}), 1)
        savepoint = conn.begin_nested()
        conn.execute(text("SELECT a FROM t"))
        assert reads.get("t") == 1
        savepoint.rollback()
        assert reads.get("t") is MISSING
        reads.put("t", frozenset({"t"}), 1)
        conn.commit()
        assert reads.get("t") is MISSING
