"""Signing in and out (登录 / 退出), joining a class by code, and the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from exchange.classroom import seats
from exchange.errors import ExchangeError
from exchange.security import parse_key_id, principal_of_key
from exchange.vocabulary import Role
from exchange.web import i18n, sessions
from exchange.web.pages import (
    Form,
    InvalidForm,
    MaybeViewer,
    PageRoute,
    PublicForm,
    Viewer,
    field,
    main_runtime,
    render,
    safe_next,
    see_other,
    set_cookie,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

HOME_OF_ROLE = {
    Role.REGULATOR: "/desk",
    Role.INSTRUCTOR: "/classroom",
}


def home_of(viewer: Viewer | None) -> str:
    """Where a participant starts: students their class, regulators the desk, …"""
    if viewer is None:
        return "/"
    if viewer.class_id is not None:
        return "/class"
    return HOME_OF_ROLE.get(viewer.role, "/me")


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, viewer: MaybeViewer, next: str = "") -> Response:
    """Paste an API key, or join a class with its code."""
    return render(request, "sign_in.html", viewer=viewer, next=safe_next(next, ""))


@router.post("/sign-in")
async def sign_in(request: Request, form: PublicForm) -> Response:
    """Check the key, open a server-side session and hand the browser its cookie."""
    api_key = field(form, "api_key")
    target = safe_next(field(form, "next"), "")
    try:
        opened = await sessions.open_with_key(main_runtime(request), api_key)
    except ExchangeError as refused:
        return render(
            request, "sign_in.html", status=refused.status, error=refused.detail, next=target
        )
    # A student's key belongs to its class's market, not this one: it never signs in here.
    home = HOME_OF_ROLE.get(opened.principal.role, "/me")
    response = see_other(target or home)
    set_cookie(request, response, sessions.SESSION_COOKIE, opened.token)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, form: Form) -> Response:
    """End the session server-side and forget the cookie."""
    token = request.cookies.get(sessions.SESSION_COOKIE)
    if token:
        await sessions.end(main_runtime(request), token)
    response = see_other("/")
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    return response


@router.get("/join", response_class=HTMLResponse)
async def join_page(request: Request, viewer: MaybeViewer, code: str = "") -> Response:
    """A student's way in: the class's join code and a name (no account needed)."""
    return render(request, "join.html", viewer=viewer, code=code[:32])


@router.post("/join")
async def join(request: Request, form: PublicForm) -> Response:
    """Take a seat in the class and sign this browser in as that student."""
    code, name = field(form, "code"), field(form, "name")
    main = main_runtime(request)
    try:
        if not code or not name or len(code) > 32 or len(name) > 100:
            raise InvalidForm("Enter the class's join code and your name (up to 100 characters).")
        joined = await seats.join(main, code=code, name=name)
        runtime = await seats.enter_class(main, joined.cls.id, _key_id(joined.api_key), write=False)
        async with runtime.unit_of_work(write=False) as session:
            principal = await principal_of_key(session, joined.api_key)
    except ExchangeError as refused:
        return render(
            request, "join.html", status=refused.status, error=refused.detail, code=code, name=name
        )
    token = await sessions.open_for_student(
        main, participant=principal, key_id=_key_id(joined.api_key), class_id=joined.cls.id
    )
    response = see_other("/class")
    set_cookie(request, response, sessions.SESSION_COOKIE, token)
    return response


def _key_id(api_key: str) -> str:
    key_id = parse_key_id(api_key)
    assert key_id is not None, "the class issued this key"
    return key_id


@router.get("/lang/{lang}")
async def switch_language(request: Request, lang: str, next: str = "/") -> Response:
    """Switch the console's language (中文 / English) and go back to the page."""
    response = see_other(safe_next(next))
    if lang in i18n.LANGS:
        response.set_cookie(
            i18n.LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/", httponly=True
        )
    return response
