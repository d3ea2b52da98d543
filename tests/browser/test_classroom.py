"""A live class in two browsers: the instructor at a projector, a student on a phone.

The demo's instructor opens a class from a shipped scenario, a student joins by code in a
390×844 viewport, the instructor starts and advances a round, the student buys in it and the
instructor's live view shows the trade; the class ends, the student sees payoff and rank, and
the report and the activity CSV download.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from support_browser import PHONE, DemoServer, ShotFn, sign_in

STUDENT = "张三"
WAIT_MS = 20_000  # the pages poll every 2 s


def fits_a_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width} px)"


def test_a_class_runs_from_projector_to_phone_and_back(
    browser: Any, demo_server: DemoServer, shot: ShotFn
) -> None:
    from playwright.sync_api import expect

    teacher = sign_in(browser, demo_server, "instructor")
    teacher.on("dialog", lambda dialog: dialog.accept())
    teacher.goto("/classroom")
    assert teacher.inner_text("h1") == "课堂实验"
    teacher.fill("#title", "数据要素市场 · 浏览器课堂")
    teacher.check("input[name=scenario][value=baseline]")
    teacher.fill(
        "#overrides", "rounds = 3\nagents.buyers.count = 20\nagents.buyers.demand_bp = 10000"
    )
    with teacher.expect_navigation():
        teacher.click("form.open-class button[type=submit]")
    assert re.search(r"/classroom/[0-9a-f-]{36}\?done=opened$", teacher.url), teacher.url
    code = teacher.inner_text("#join-code")
    join_url = teacher.inner_text("#join-url")
    assert join_url == f"{demo_server.url}/join?code={code}"
    assert teacher.locator("#join-qr svg path").count() >= 1
    code_size = teacher.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('join-code')).fontSize)"
    )
    assert code_size >= 48, "the join code is too small for a projector"
    shot(teacher, "classroom-join-code-qr")
    teacher.set_viewport_size(PHONE)  # the instructor's pages work on a phone too
    fits_a_phone(teacher)
    teacher.goto("/classroom")
    fits_a_phone(teacher)
    teacher.go_back()
    teacher.set_viewport_size({"width": 1280, "height": 900})

    # The student scans the code: the join page with the code filled in, on a phone.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=demo_server.url)
    student = phone.new_page()
    student.on("dialog", lambda dialog: dialog.accept())
    student.goto(join_url)
    assert student.input_value("#code") == code
    student.fill("#name", STUDENT)
    with student.expect_navigation():
        student.click("form[action='/join'] button[type=submit]")
    assert student.url.endswith("/class")
    expect(student.locator("#my-role")).to_contain_text("数据需方")
    fits_a_phone(student)
    expect(teacher.locator("#students")).to_contain_text(STUDENT, timeout=WAIT_MS)

    with teacher.expect_navigation():
        teacher.click("#start")
    expect(student.locator("#class-round")).to_have_text("1", timeout=WAIT_MS)
    with teacher.expect_navigation():
        teacher.click("#advance")
    expect(student.locator("#class-round")).to_have_text("2", timeout=WAIT_MS)

    # Round 2: the student reads its need and private values, then buys.
    expect(student.locator("#my-need")).to_contain_text("对你的价值")
    fits_a_phone(student)
    shot(student, "classroom-student-phone")
    buy = student.locator("form.buy button").first
    with student.expect_navigation():
        buy.click()
    expect(student.locator(".flash")).to_contain_text("买入成功")
    expect(student.locator("#my-trades")).to_contain_text("买入")
    fits_a_phone(student)

    # The projector's live view shows the student's trade.
    expect(teacher.locator("#recent-trades")).to_contain_text(STUDENT, timeout=WAIT_MS)
    assert teacher.locator("#live svg.chart").count() == 2
    assert teacher.inner_text("#efficiency").endswith("%")
    shot(teacher, "classroom-live-view")

    with teacher.expect_navigation():
        teacher.click("#end")
    expect(teacher.locator("#class-status")).to_have_text("已结束")
    expect(student.locator("#my-result")).to_be_visible(timeout=WAIT_MS)
    assert student.inner_text("#my-payoff").startswith(("¥", "-¥"))
    rank = re.search(r"(\d+)\s*/\s*(\d+)", student.inner_text("#my-rank"))
    assert rank is not None and 1 <= int(rank.group(1)) <= int(rank.group(2)) == 20
    fits_a_phone(student)
    shot(student, "classroom-student-end")
    student.click("text=English")
    expect(student.locator("#my-result h2")).to_have_text("Your result")
    fits_a_phone(student)
    shot(student, "classroom-student-end-en")

    # The report and the activity downloads, with the session's authorization.
    with teacher.expect_download() as report:
        teacher.click("#download-report")
    page = Path(report.value.path()).read_text(encoding="utf-8")
    assert report.value.suggested_filename.endswith("-report.html")
    assert "<html" in page and STUDENT in page
    with teacher.expect_download() as sheet:
        teacher.click("#download-csv")
    rows = Path(sheet.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("kind,round,agent") and any(STUDENT in r for r in rows)
    phone.close()
    teacher.context.close()
