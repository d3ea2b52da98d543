"""The instructor's classroom (课堂): open a class, show its join code, run its rounds, watch it.

Every page calls the classroom's services with the instructor's context, exactly as the API
(`exchange/classroom/router.py`) does: another instructor's class answers 404, anyone but an
instructor 403. The live view is a small HTML fragment the class page polls every two seconds
(`/static/classroom.js`): plain requests work with any number of server workers and through
any proxy, where a held-open event stream would pin a worker per projector.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from exchange.classroom import classes, reports, seats
from exchange.classroom.schemas import DEFAULT_STUDENT_ROLES, ClassCreate, RemoveRequest
from exchange.errors import ExchangeError
from exchange.simulation import loader
from exchange.vocabulary import Role
from exchange.web.class_views import Names, join_url, live_figures, qr_svg
from exchange.web.pages import (
    Form,
    InvalidForm,
    PageRoute,
    Viewer,
    field,
    render,
    see_other,
    viewer_of,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Instructor = Annotated[Viewer, viewer_of(Role.INSTRUCTOR)]
Control = Literal["start", "advance", "pause", "resume", "end"]
CONTROLS = {
    "start": classes.start,
    "advance": classes.advance,
    "pause": classes.pause,
    "resume": classes.resume,
    "end": classes.end,
}
DONE = {
    "opened": (
        "课堂已开设：请学生扫码或输入加入码。",
        "The class is open: students scan or type the code.",
    ),
    "start": ("第 1 轮开始。", "Round 1 has started."),
    "advance": ("已进入下一轮。", "The next round has started."),
    "pause": ("已暂停交易。", "Trading is paused."),
    "resume": ("交易已恢复。", "Trading has resumed."),
    "end": ("课堂已结束，结果为最终结果。", "The class has ended; its results are final."),
    "removed": ("已移出该学生，机器人接管席位。", "The student was removed; a bot plays the seat."),
}
MAX_SCENARIO_BYTES = 100_000


def invalid(exc: ValidationError) -> InvalidForm:
    """A form's first invalid field as a 422 refusal."""
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return InvalidForm(f"{where}: {first.get('msg', 'invalid')}")


def whole_number(form: FormData, name: str) -> int | None:
    """An optional whole-number field (blank is None)."""
    text = field(form, name)
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidForm(f"{name}: enter a whole number, not {text[:20]!r}.") from None


def overrides_of(text: str) -> dict[str, Any]:
    """`path = value` lines, as `exchange simulate --set` takes them (TOML values)."""
    found: dict[str, Any] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            key, value = loader.parse_assignment(line)
        except loader.ScenarioError as exc:
            raise InvalidForm(f"overrides: {exc.path}: {exc.reason}") from None
        found[key] = value
    return found


async def scenario_text(form: FormData) -> str | None:
    """The uploaded scenario file's text, else the pasted text (None when neither)."""
    upload = form.get("scenario_file")
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            data = await upload.read(MAX_SCENARIO_BYTES + 1)
        finally:
            await upload.close()
        if len(data) > MAX_SCENARIO_BYTES:
            raise InvalidForm(f"scenario_file: at most {MAX_SCENARIO_BYTES} bytes.")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidForm("scenario_file: a scenario file is UTF-8 text (TOML).") from None
    pasted = form.get("scenario_toml")
    return pasted if isinstance(pasted, str) and pasted.strip() else None


async def class_request(form: FormData) -> ClassCreate:
    """The open-class form as the API's request model (422 for what it refuses)."""
    uploaded = field(form, "source") == "upload"
    try:
        return ClassCreate(
            title=field(form, "title"),
            scenario=None if uploaded else (field(form, "scenario") or None),
            scenario_toml=await scenario_text(form) if uploaded else None,
            treatment=field(form, "treatment") or None,
            overrides=overrides_of(field(form, "overrides")),
            seed=whole_number(form, "seed"),
            round_seconds=whole_number(form, "round_seconds"),
            join_minutes=whole_number(form, "join_minutes") or 120,
            student_roles=[r for r in form.getlist("student_roles") if isinstance(r, str)],
        )
    except ValidationError as exc:
        raise invalid(exc) from None


def _index(
    request: Request, viewer: Viewer, views: list[classes.ClassView], **extra: Any
) -> HTMLResponse:
    defaults = {
        "title": "",
        "source": "shipped",
        "scenario": "",
        "scenario_toml": "",
        "treatment": "",
        "seed": "",
        "round_seconds": "",
        "join_minutes": "120",
        "student_roles": list(DEFAULT_STUDENT_ROLES),
        "overrides": "",
    }
    values = {**defaults, **extra.pop("values", {})}
    return render(
        request,
        "classroom/index.html",
        viewer=viewer,
        classes=views,
        shipped=classes.shipped_scenarios(),
        roles=classes.STUDENT_ROLES,
        values=values,
        names=Names(viewer.lang),
        **extra,
    )


@router.get("/classroom", response_class=HTMLResponse)
async def classroom_home(request: Request, viewer: Instructor) -> Response:
    """My classes, newest first, and the form to open one."""
    async with viewer.read() as ctx:
        views = await classes.list_classes(ctx)
    return _index(request, viewer, views)


@router.post("/classroom")
async def open_class(request: Request, viewer: Instructor, form: Form) -> Response:
    """Open a class from a shipped scenario or an uploaded scenario file."""
    try:
        body = await class_request(form)
        async with viewer.write() as ctx:
            view = await classes.open_class(
                ctx,
                title=body.title,
                scenario=body.scenario,
                scenario_toml=body.scenario_toml,
                treatment=body.treatment,
                overrides=body.overrides,
                seed=body.seed,
                round_seconds=body.round_seconds,
                join_minutes=body.join_minutes,
                student_roles=body.student_roles,
            )
    except ExchangeError as refused:
        # The form comes back as it was sent, with what was wrong (nothing was opened).
        async with viewer.read() as ctx:
            views = await classes.list_classes(ctx)
        texts = ("title", "source", "scenario", "treatment", "seed", "round_seconds")
        values: dict[str, Any] = {k: field(form, k) for k in texts}
        values["join_minutes"] = field(form, "join_minutes")
        values["overrides"] = field(form, "overrides")
        pasted = form.get("scenario_toml")
        values["scenario_toml"] = pasted if isinstance(pasted, str) else ""
        values["student_roles"] = [r for r in form.getlist("student_roles") if isinstance(r, str)]
        return _index(
            request,
            viewer,
            views,
            values=values,
            error=refused.detail,
            problem=refused.to_problem(request.url.path),
            status=refused.status,
        )
    return see_other(f"/classroom/{view.cls.id}?done=opened")


async def _live(viewer: Viewer, class_id: str) -> dict[str, Any]:
    async with viewer.write() as ctx:  # a round whose timer ran out is played out first
        view = await classes.class_view(ctx, class_id)
        standing = await reports.standing(ctx, class_id=class_id)
        now = ctx.clock.now()
    names = Names(viewer.lang)
    return {
        "cls": view.cls,
        "view": view,
        "live": live_figures(view, standing, now=now, tr=names),
        "names": names,
        "now": now,
    }


@router.get("/classroom/{class_id}", response_class=HTMLResponse)
async def class_page(
    request: Request, class_id: str, viewer: Instructor, done: str = ""
) -> Response:
    """A class: its join code (large, with a QR code), controls and the live view."""
    data = await _live(viewer, class_id)
    url = join_url(str(request.base_url), data["cls"].join_code)
    names: Names = data["names"]
    flash = names.text(*DONE[done]) if done in DONE else None
    return render(
        request,
        "classroom/class.html",
        viewer=viewer,
        join_url=url,
        qr=qr_svg(url, title=names.text("扫码加入课堂", "Scan to join the class")),
        flash=flash,
        **data,
    )


@router.get("/classroom/{class_id}/live", response_class=HTMLResponse)
async def live_fragment(request: Request, class_id: str, viewer: Instructor) -> Response:
    """The live view alone (the class page swaps it in every two seconds)."""
    return render(request, "classroom/live.html", viewer=viewer, **await _live(viewer, class_id))


@router.post("/classroom/{class_id}/{control}")
async def control_class(
    class_id: str, control: Control, viewer: Instructor, form: Form
) -> Response:
    """Start, advance, pause, resume or end the class."""
    async with viewer.write() as ctx:
        await CONTROLS[control](ctx, class_id=class_id)
    return see_other(f"/classroom/{class_id}?done={control}")


@router.post("/classroom/{class_id}/seats/{seat_id}/remove")
async def remove_student(class_id: str, seat_id: str, viewer: Instructor, form: Form) -> Response:
    """Remove a student: its key stops working and a bot plays the seat."""
    try:
        body = RemoveRequest(reason=field(form, "reason"))
    except ValidationError as exc:
        raise invalid(exc) from None
    async with viewer.write() as ctx:
        await seats.remove_student(ctx, class_id=class_id, seat_id=seat_id, reason=body.reason)
    return see_other(f"/classroom/{class_id}?done=removed")


@router.get("/classroom/{class_id}/report.html", response_class=HTMLResponse)
async def class_report(class_id: str, viewer: Instructor, download: bool = False) -> Response:
    """The class's HTML report (charts embedded), to open, project or keep."""
    async with viewer.write() as ctx:
        outcome = await reports.results(ctx, class_id=class_id)
    headers = {"Cache-Control": "no-store"}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="class-{class_id}-report.html"'
    return HTMLResponse(outcome.report.read_text(encoding="utf-8"), headers=headers)


@router.get("/classroom/{class_id}/activity.csv")
async def class_activity(class_id: str, viewer: Instructor) -> Response:
    """Every order and trade of the class with each participant's payoff (CSV)."""
    async with viewer.write() as ctx:
        outcome = await reports.results(ctx, class_id=class_id)
    return Response(
        outcome.activity_csv.read_bytes(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="class-{class_id}-activity.csv"',
            "Cache-Control": "no-store",
        },
    )
