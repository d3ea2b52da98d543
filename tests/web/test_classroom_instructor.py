"""The instructor's classroom pages: open a class, join code and QR code, controls, live view."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from sqlalchemy import func, select
from support_class_pages import SMALL, browser, instructor, join, join_code, open_class, signed_in
from support_web import csrf_of, post_form

from exchange.audit.log.models import AuditEntry
from exchange.classroom.models import Classroom
from exchange.classroom.sandbox import registry
from exchange.context import Runtime
from exchange.vocabulary import Role
from exchange.web import class_views
from support import Actor, MakeParticipant

__all__ = ["instructor"]  # the fixture


async def test_an_instructor_opens_a_shipped_scenario_and_runs_the_class(
    client: httpx.AsyncClient, instructor: Actor
) -> None:
    csrf = await signed_in(client, instructor)
    home = await client.get("/classroom")
    assert home.status_code == 200
    for shipped in ("baseline", "auction_vs_posted", "customs", "fee_competition"):
        assert f'value="{shipped}"' in home.text
    assert "两所基线市场" in home.text  # the shipped scenarios' titles
    assert "还没有课堂" in home.text

    opened = await post_form(
        client,
        "/classroom",
        csrf,
        title="数据要素市场 · 第二课",
        source="shipped",
        scenario="fee_competition",
        treatment="fee_war",
        overrides="rounds = 4\nagents.buyers.count = 12",
        seed="42",
        join_minutes="90",
        student_roles=["buyer"],
    )
    assert opened.status_code == 303, opened.text
    page = await client.get(opened.headers["location"])
    assert page.status_code == 200
    assert "课堂已开设" in page.text  # the flash after opening
    code = join_code(page.text)
    url = f"http://testserver/join?code={code}"
    assert url in page.text
    assert '<svg viewBox="0 0' in page.text and "扫码加入课堂" in page.text
    assert "fee_competition" in page.text and "0 / 4" not in page.text
    assert 'id="start"' in page.text and 'id="advance"' not in page.text
    class_id = opened.headers["location"].split("/")[2].split("?")[0]

    listing = await client.get("/classroom")
    assert "数据要素市场 · 第二课" in listing.text and code in listing.text

    started = await post_form(client, f"/classroom/{class_id}/start", csrf)
    assert started.status_code == 303
    running = await client.get(started.headers["location"])
    assert "第 1 轮开始" in running.text
    assert 'id="advance"' in running.text and 'id="pause"' in running.text
    assert 'id="start"' not in running.text
    live = await client.get(f"/classroom/{class_id}/live")
    assert live.status_code == 200 and "<html" not in live.text
    assert 'data-status="running"' in live.text and 'data-round="1"' in live.text
    assert "<svg" in live.text  # the charts against the benchmark

    await post_form(client, f"/classroom/{class_id}/pause", csrf)
    paused = await client.get(f"/classroom/{class_id}")
    assert 'id="resume"' in paused.text and "已暂停" in paused.text
    await post_form(client, f"/classroom/{class_id}/resume", csrf)
    await post_form(client, f"/classroom/{class_id}/advance", csrf)
    second = await client.get(f"/classroom/{class_id}/live")
    assert 'data-round="2"' in second.text
    # The bots traded: the live view shows trades, prices and the efficiency.
    assert 'id="recent-trades"' in second.text
    assert "%" in second.text.split('id="efficiency">', 1)[1][:20]

    ended = await post_form(client, f"/classroom/{class_id}/end", csrf)
    assert ended.status_code == 303
    done = await client.get(ended.headers["location"])
    assert "已结束" in done.text and 'id="end"' not in done.text and "最终结果" in done.text
    again = await post_form(client, f"/classroom/{class_id}/end", csrf)
    assert again.status_code == 409 and "class-finished" in again.text

    report = await client.get(f"/classroom/{class_id}/report.html")
    assert report.status_code == 200 and "data:image/png;base64," in report.text
    assert "content-disposition" not in report.headers
    saved = await client.get(f"/classroom/{class_id}/report.html?download=true")
    assert saved.headers["content-disposition"].startswith("attachment")
    sheet = await client.get(f"/classroom/{class_id}/activity.csv")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert {r["kind"] for r in rows} >= {"order", "trade:buyer", "trade:seller"}


async def test_the_qr_code_holds_this_servers_join_address(
    client: httpx.AsyncClient,
    runtime: Runtime,
    instructor: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    csrf = await signed_in(client, instructor)
    class_id = await open_class(client, csrf)
    encoded: list[str] = []
    make = class_views.segno.make

    def recording(content: str, **options: object) -> object:
        encoded.append(content)
        return make(content, **options)

    monkeypatch.setattr(class_views.segno, "make", recording)
    page = (await client.get(f"/classroom/{class_id}")).text
    code = join_code(page)
    expected = f"http://testserver/join?code={code}"
    assert encoded == [expected]
    drawn = class_views.qr_svg(expected, title="扫码加入课堂")
    assert str(drawn) in page
    assert str(class_views.qr_svg(expected + "X", title="扫码加入课堂")) not in page
    # The address works: it is the join page with the code filled in.
    async with browser(runtime) as student:
        form = await student.get(expected.removeprefix("http://testserver"))
    assert form.status_code == 200 and f'value="{code}"' in form.text


def test_the_join_url_is_absolute_and_escapes_the_code() -> None:
    assert class_views.join_url("https://class.example.cn/", "AB CD") == (
        "https://class.example.cn/join?code=AB+CD"
    )


async def test_another_instructors_class_answers_404_and_stays_as_it_was(
    client: httpx.AsyncClient,
    runtime: Runtime,
    instructor: Actor,
    make_participant: MakeParticipant,
) -> None:
    csrf = await signed_in(client, instructor)
    class_id = await open_class(client, csrf)
    other = await make_participant(Role.INSTRUCTOR, name="另一位教师")
    async with browser(runtime) as theirs:
        their_csrf = await signed_in(theirs, other)
        for path in ("", "/live", "/report.html", "/activity.csv"):
            answer = await theirs.get(f"/classroom/{class_id}{path}")
            assert answer.status_code == 404, path
            assert "class-not-found" in answer.text
        for control in ("start", "end"):
            answer = await post_form(theirs, f"/classroom/{class_id}/{control}", their_csrf)
            assert answer.status_code == 404
        assert class_id not in (await theirs.get("/classroom")).text
    async with runtime.unit_of_work(write=False) as session:
        cls = await session.get(Classroom, class_id)
    assert cls is not None and cls.status == "open"


async def test_students_and_other_roles_cannot_reach_the_instructors_pages(
    client: httpx.AsyncClient,
    runtime: Runtime,
    instructor: Actor,
    make_participant: MakeParticipant,
) -> None:
    csrf = await signed_in(client, instructor)
    class_id = await open_class(client, csrf)
    code = join_code((await client.get(f"/classroom/{class_id}")).text)
    async with browser(runtime) as student:
        student_csrf = await join(student, code, "张同学")
        for path in ("/classroom", f"/classroom/{class_id}", f"/classroom/{class_id}/live"):
            answer = await student.get(path)
            assert answer.status_code == 403, path
        refused = await post_form(student, f"/classroom/{class_id}/start", student_csrf)
        assert refused.status_code == 403
    holder = await make_participant(Role.ENTERPRISE)
    async with browser(runtime) as enterprise:
        await signed_in(enterprise, holder)
        assert (await enterprise.get("/classroom")).status_code == 403
    async with browser(runtime) as stranger:
        away = await stranger.get(f"/classroom/{class_id}")
        assert away.status_code == 303
        assert away.headers["location"] == f"/sign-in?next=/classroom/{class_id}"
    async with runtime.unit_of_work(write=False) as session:
        cls = await session.get(Classroom, class_id)
    assert cls is not None and cls.status == "open"


async def test_controls_without_the_form_token_are_refused(
    client: httpx.AsyncClient, runtime: Runtime, instructor: Actor
) -> None:
    csrf = await signed_in(client, instructor)
    class_id = await open_class(client, csrf)
    for control in ("start", "advance", "end"):
        refused = await client.post(f"/classroom/{class_id}/{control}")
        assert refused.status_code == 403 and "csrf-token-invalid" in refused.text
        forged = await client.post(f"/classroom/{class_id}/{control}", data={"csrf_token": "x"})
        assert forged.status_code == 403
    unopened = await client.post("/classroom", data={"title": "x", "scenario": "baseline"})
    assert unopened.status_code == 403
    async with runtime.unit_of_work(write=False) as session:
        cls = await session.get(Classroom, class_id)
        classes = await session.scalar(select(func.count()).select_from(Classroom))
    assert cls is not None and cls.status == "open" and cls.round == 0
    assert classes == 1


async def _written(runtime: Runtime) -> tuple[int, int, list[str]]:
    async with runtime.unit_of_work(write=False) as session:
        classes = await session.scalar(select(func.count()).select_from(Classroom))
        entries = await session.scalar(select(func.count()).select_from(AuditEntry))
    folder = registry(runtime).db_path("x").parent
    files = sorted(p.name for p in folder.glob("*")) if folder.exists() else []
    return classes or 0, entries or 0, files


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"source": "shipped", "scenario": "no_such_market"}, 422, "No shipped scenario"),
        ({"source": "shipped", "scenario": "../baseline"}, 422, "scenario"),
        ({"source": "upload", "scenario_toml": 'name = "x"\n[exchanges'}, 422, "not valid TOML"),
        ({"source": "upload", "scenario_toml": 'name = "x"\nrounds = 0\n'}, 422, "rounds"),
        ({"source": "upload", "scenario_toml": ""}, 422, "scenario"),
        ({"source": "shipped", "scenario": "baseline", "treatment": "nope"}, 422, "treatment"),
        ({"source": "shipped", "scenario": "baseline", "overrides": "no.such = 1"}, 422, "no"),
        ({"source": "shipped", "scenario": "baseline", "overrides": "rounds"}, 422, "key=value"),
        ({"source": "shipped", "scenario": "baseline", "seed": "abc"}, 422, "whole number"),
        ({"source": "shipped", "scenario": "baseline", "round_seconds": "5"}, 422, "round_seconds"),
        ({"source": "shipped", "scenario": "baseline", "title": ""}, 422, "title"),
    ],
)
async def test_bad_input_comes_back_as_a_4xx_page_with_nothing_written(
    client: httpx.AsyncClient,
    runtime: Runtime,
    instructor: Actor,
    fields: dict[str, str],
    status: int,
    says: str,
) -> None:
    csrf = await signed_in(client, instructor)
    before = await _written(runtime)
    data = {"title": "坏输入", "join_minutes": "120", "student_roles": "buyer", **fields}
    answer = await post_form(client, "/classroom", csrf, **data)
    assert answer.status_code == status, answer.text
    assert says in answer.text
    assert 'role="alert"' in answer.text and 'action="/classroom"' in answer.text
    if "scenario_toml" in fields:  # the pasted text comes back to be fixed
        assert fields["scenario_toml"].split("\n")[0].replace('"', "&#34;") in answer.text
    assert await _written(runtime) == before


async def test_an_uploaded_scenario_file_opens_a_class_and_a_bad_one_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, instructor: Actor
) -> None:
    csrf = await signed_in(client, instructor)
    form = {
        "csrf_token": csrf,
        "title": "上传的场景",
        "source": "upload",
        "join_minutes": "60",
        "student_roles": "buyer",
    }
    bad = await client.post(
        "/classroom", data=form, files={"scenario_file": ("x.toml", b"\xff\xfe rounds", "text/x")}
    )
    assert bad.status_code == 422 and "UTF-8" in bad.text
    before = await _written(runtime)
    broken = await client.post(
        "/classroom", data=form, files={"scenario_file": ("x.toml", b"rounds = = 3", "text/x")}
    )
    assert broken.status_code == 422 and "not valid TOML" in broken.text
    assert await _written(runtime) == before
    good = await client.post(
        "/classroom",
        data=form,
        files={"scenario_file": ("small.toml", SMALL.encode(), "application/toml")},
    )
    assert good.status_code == 303, good.text
    page = await client.get(good.headers["location"])
    assert "上传的场景" in page.text and "small" in page.text
    assert csrf_of(page.text) == csrf
