"""Schemathesis over the whole OpenAPI document: no input gets an answer the document does not tell.

Every operation is driven in process (schemathesis's ASGI transport) against a migrated SQLite
database holding the demo market and one settled order, as an admin and as an enterprise: first
schemathesis's coverage cases (boundary and just-past-boundary values, as `st run` sends them),
then fuzzed valid and invalid data, the path parameters either generated or naming real
objects. Each response must be no 5xx, a documented status, of the documented content type, and
match the documented schema. The seed is fixed and the examples per operation few, so a run is
reproducible and takes a few minutes on two cores. SQLite only: the document is the same on
both databases, and the bounds that differ between them have their own tests on both.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from exchange.app import create_app
from exchange.clock import ManualClock
from exchange.config import Settings
from exchange.context import Runtime
from exchange.database import create_engine, make_sessionmaker
from exchange.ids import IdFactory
from exchange.migrate import upgrade
from exchange.seed.demo import DemoKey, seed_demo

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SEED = 42
# Examples per operation, role and mode; raise it locally for a deeper run.
MAX_EXAMPLES = int(os.environ.get("EXCHANGE_SCHEMATHESIS_EXAMPLES", "4"))
MAX_COVERAGE = int(os.environ.get("EXCHANGE_SCHEMATHESIS_COVERAGE", "40"))
# Real objects a path may name: path parameter -> (table, column).
REAL_OBJECTS = {
    "participant_id": ("participants", "id"),
    "asset_id": ("assets", "id"),
    "item_id": ("catalog_items", "id"),
    "department_id": ("catalog_departments", "id"),
    "element_ref": ("catalog_data_elements", "code"),
    "number": ("asset_certificates", "number"),
    "exchange_id": ("trading_exchanges", "id"),
    "listing_id": ("trading_listings", "id"),
    "mandate_id": ("trading_mandates", "id"),
    "order_id": ("trading_orders", "id"),
    "trade_id": ("trading_trades", "id"),
    "licence_id": ("trading_licences", "id"),
    "agreement_id": ("operation_agreements", "id"),
    "agency_id": ("supervision_agencies", "id"),
}


@dataclass
class Sandbox:
    """The app under test, the keys it knows and the real objects it holds."""

    app: Any
    keys: dict[str, DemoKey]
    objects: dict[str, str]


@dataclass
class Tally:
    """What ran, and what failed (by operation)."""

    operations: set[str] = field(default_factory=set)
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)


async def _prepare(runtime: Runtime) -> tuple[list[DemoKey], dict[str, str]]:
    try:
        await upgrade(runtime.engine)
        keys = await seed_demo(runtime)
        # One settled order, so that orders, trades and licences exist (as in the demo test).
        person = next(k for k in keys if k.role == "individual")
        auth = {"Authorization": f"Bearer {person.api_key}"}
        transport = httpx.ASGITransport(app=create_app(runtime=runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            listed = (await client.get("/v1/listings", headers=auth)).json()["items"]
            product = next(i for i in listed if len(i["venues"]) == 2)
            trial = next(t for t in product["tiers"] if t["term_days"] == 30)
            order = {"listing_id": product["id"], "tier_id": trial["id"], "exchange_id": "szdex"}
            r = await client.post("/v1/orders", json=order, headers=auth)
            assert r.status_code == 201, r.text
        objects = {}
        async with runtime.engine.connect() as conn:
            for name, (table, column) in REAL_OBJECTS.items():
                found = await conn.scalar(text(f"SELECT {column} FROM {table} ORDER BY {column}"))
                if found is not None:
                    objects[name] = str(found)
        return keys, objects
    finally:
        await runtime.engine.dispose()


def _runtime(url: str, clock: ManualClock, data_dir: Path) -> Runtime:
    engine = create_engine(url, synchronous="OFF")
    return Runtime(
        settings=Settings(database_url=url, data_dir=data_dir, max_body_bytes=65_536),
        engine=engine,
        sessionmaker=make_sessionmaker(engine),
        clock=clock,
        ids=IdFactory(),
    )


@pytest.fixture
def sandbox(tmp_path: Path, clock: ManualClock) -> Iterator[Sandbox]:
    """The demo market on a fresh SQLite file, served by an app whose engine is not yet used.

    The set-up runs on its own event loop (in a thread); the app then runs on schemathesis's.
    """
    url = f"sqlite+aiosqlite:///{tmp_path / 'schemathesis.db'}"
    with ThreadPoolExecutor(1) as pool:
        keys, objects = pool.submit(asyncio.run, _prepare(_runtime(url, clock, tmp_path))).result()
    runtime = _runtime(url, clock, tmp_path)
    yield Sandbox(create_app(runtime=runtime), {k.role: k for k in keys}, objects)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, runtime.engine.dispose()).result()


def _run_operation(
    operation: Any, role: str, auth: dict[str, str], objects: dict[str, str], tally: Tally
) -> None:
    path_names = [p.name for p in operation.path_parameters]
    real = {name: objects[name] for name in path_names if name in objects}
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode, headers=auth))
        if real:
            strategies.append(
                operation.as_strategy(generation_mode=mode, headers=auth, path_parameters=real)
            )

    @seed(SEED)
    @settings(
        max_examples=MAX_EXAMPLES * len(strategies),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @given(case=st.one_of(*strategies))
    def run(case: Case) -> None:
        response = case.call()
        tally.cases += 1
        tally.statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    def cover() -> None:
        # The coverage phase: boundary and just-past-boundary values of every parameter and
        # field (deterministic), as `st run` sends them before fuzzing.
        cases = operation.schema.iter_coverage_cases(
            operation,
            generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            generation_config=operation.schema.config.generation_for(
                operation=operation, phase="coverage"
            ),
        )
        for case in itertools.islice(cases, MAX_COVERAGE):
            case.headers = {**(case.headers or {}), **auth}
            response = case.call()
            tally.cases += 1
            tally.statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS)

    label = f"{operation.method.upper()} {operation.path}"
    tally.operations.add(label)
    for phase, step in (("coverage", cover), ("fuzzing", run)):
        try:
            step()
        except Exception as exc:  # a failing check: keep going, report them all at the end
            failure = f"{type(exc).__name__}: {exc}"
            tally.failures[f"{label} as {role} ({phase})"] = failure[:3000]


def test_the_whole_openapi_document_holds_under_schemathesis(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", sandbox.app)
    tally = Tally()
    for role in ("admin", "enterprise"):
        auth = {"Authorization": f"Bearer {sandbox.keys[role].api_key}"}
        for result in schema.get_all_operations():
            _run_operation(result.ok(), role, auth, sandbox.objects, tally)
    summary = (
        f"schemathesis: {len(tally.operations)} operations, {tally.cases} cases "
        f"(2 roles, seed {SEED}, <= {MAX_COVERAGE} coverage cases and "
        f"{MAX_EXAMPLES} examples per strategy each), "
        f"{len(tally.failures)} failures; statuses {dict(sorted(tally.statuses.items()))}"
    )
    with capsys.disabled():
        print("\n" + summary)
        for label, failure in tally.failures.items():
            print(f"--- {label}\n{failure}\n")
    assert not tally.failures, summary
