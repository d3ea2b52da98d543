"""What every console page shares: who is asking, rendering, forms and refusals.

A page resolves its `Viewer` from the session cookie (the same key checks as the API: a
revoked key or a suspended participant is refused), then calls the domain services in a unit
of work of its own — `viewer.read()` or `viewer.write()` — so a refused change rolls back
whole, exactly as the API's would. A refusal (`ExchangeError`) becomes an error page with the
problem's status, title and detail; a page that needs a sign-in redirects to it.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from exchange import metrics
from exchange.classroom import seats
from exchange.context import Context, Principal, Runtime
from exchange.errors import ExchangeError, Forbidden, Unauthenticated
from exchange.security import principal_of_key
from exchange.vocabulary import Role
from exchange.web import i18n, sessions
from exchange.web.models import ConsoleSession

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters.update(yuan=i18n.yuan, when=i18n.when, day=i18n.day)
PRE_CSRF_COOKIE = "gdx_csrf"  # the signed-out forms' double-submit token


class SignInRequired(Exception):
    """The page needs a signed-in participant; the browser is sent to the sign-in page."""


class CsrfRefused(ExchangeError):
    status = 403
    slug = "csrf-token-invalid"
    title = "Form token missing or invalid"


@dataclass(slots=True)
class Viewer:
    """The signed-in participant a page is for, and the market that serves it."""

    principal: Principal
    main: Runtime
    runtime: Runtime  # the main market's, or a student's class market
    row: ConsoleSession
    lang: str

    @property
    def id(self) -> str:
        return self.principal.id

    @property
    def role(self) -> Role:
        return self.principal.role

    @property
    def csrf_token(self) -> str:
        return self.row.csrf_token

    @property
    def class_id(self) -> str | None:
        """The class a student sits in (None for everyone else)."""
        return self.row.class_id

    def read(self) -> AbstractAsyncContextManager[Context]:
        """A read-only unit of work as this participant."""
        return self._unit(write=False)

    def write(self) -> AbstractAsyncContextManager[Context]:
        """A unit of work that commits with its audit entries, or rolls back whole."""
        return self._unit(write=True)

    @asynccontextmanager
    async def _unit(self, *, write: bool) -> AsyncIterator[Context]:
        runtime = self.runtime
        if write and self.class_id is not None:
            # A student writes to its class market only while the class trades (409 else),
            # as the API refuses it; signing out or switching language is no trading.
            runtime = await seats.enter_class(self.main, self.class_id, self.row.key_id, write=True)
        async with runtime.unit_of_work(write=write) as session:
            yield runtime.context(session, self.principal)


def main_runtime(request: Request) -> Runtime:
    """The app's own runtime (the main market)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def page_lang(request: Request) -> str:
    """The language a page is written in for this reader."""
    return i18n.negotiate(
        request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language")
    )


async def optional_viewer(request: Request) -> Viewer | None:
    """The signed-in participant, or None for a stranger (or an ended session).

    One read on the main market finds the session and, for everyone but students, its key;
    a student's key is checked on the class's market, after the class's own catch-up."""
    main = main_runtime(request)
    token = request.cookies.get(sessions.SESSION_COOKIE)
    if not token:
        return None
    try:
        async with main.unit_of_work(write=False) as session:
            row = await sessions.find(session, token)
            if row is None:
                return None
            principal = None
            if row.class_id is None:
                principal = await principal_of_key(session, None, key_id=row.key_id)
        runtime = main
        if principal is None:
            assert row.class_id is not None
            # Reading only: a student's writes meet the class's state in `Viewer.write`.
            runtime = await seats.enter_class(main, row.class_id, row.key_id, write=False)
            async with runtime.unit_of_work(write=False) as session:
                principal = await principal_of_key(session, None, key_id=row.key_id)
    except Unauthenticated:  # the key was revoked since: the session is over
        return None
    viewer = Viewer(principal, main, runtime, row, page_lang(request))
    request.state.viewer = viewer
    return viewer


async def signed_in(request: Request) -> Viewer:
    """The signed-in participant; strangers are sent to sign in."""
    viewer = await optional_viewer(request)
    if viewer is None:
        raise SignInRequired
    return viewer


MaybeViewer = Annotated[Viewer | None, Depends(optional_viewer)]
SignedIn = Annotated[Viewer, Depends(signed_in)]


def viewer_of(*roles: Role) -> Any:
    """A signed-in participant of one of `roles` (403 page for the others)."""
    allowed = frozenset(roles)

    async def check(viewer: SignedIn) -> Viewer:
        if viewer.role not in allowed:
            raise Forbidden(
                f"This page is for {', '.join(sorted(r.value for r in allowed))}; "
                f"you are signed in as {viewer.role.value}."
            )
        return viewer

    return Depends(check)


async def checked_form(request: Request, viewer: SignedIn) -> AsyncIterator[FormData]:
    """A posted form whose CSRF token is this session's (403 otherwise); the files it
    carries are closed once the page is done with them."""
    form = await request.form()
    try:
        check_token(form.get("csrf_token"), viewer.csrf_token)
        yield form
    finally:
        await form.close()


async def checked_public_form(request: Request) -> FormData:
    """A signed-out form (sign-in, join) checked against its double-submit cookie."""
    form = await request.form()
    check_token(form.get("csrf_token"), request.cookies.get(PRE_CSRF_COOKIE))
    return form


def check_token(sent: object, expected: str | None) -> None:
    """Refuse a form without its token (403): another site cannot post as the reader."""
    if (
        not isinstance(sent, str)
        or not expected
        or not hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise CsrfRefused(
            "The form's security token is missing or stale; reload the page and try again."
        )


Form = Annotated[FormData, Depends(checked_form)]
PublicForm = Annotated[FormData, Depends(checked_public_form)]


def field(form: FormData, name: str, default: str = "") -> str:
    """A form field as stripped text."""
    value = form.get(name, default)
    return value.strip() if isinstance(value, str) else default


def render(
    request: Request,
    template: str,
    *,
    viewer: Viewer | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page in the reader's language; forms in it carry the session's CSRF token."""
    viewer = viewer or getattr(request.state, "viewer", None)
    lang = viewer.lang if viewer is not None else page_lang(request)
    pre_token = None
    if viewer is None:
        pre_token = request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "viewer": viewer,
            "lang": lang,
            "tr": i18n.translator(lang),
            "csrf_token": viewer.csrf_token if viewer is not None else pre_token,
            "path": request.url.path,
            "full_path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            **context,
        },
        status_code=status,
    )
    response.headers["Cache-Control"] = "no-store"
    if pre_token is not None and request.cookies.get(PRE_CSRF_COOKIE) != pre_token:
        set_cookie(request, response, PRE_CSRF_COOKIE, pre_token)
    return response


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """An HttpOnly, SameSite=Lax cookie (Secure when served over HTTPS)."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
        max_age=int(sessions.LIFETIME.total_seconds()),
    )


def see_other(location: str) -> RedirectResponse:
    """After a form: go to `location` (303, so a reload does not post again)."""
    return RedirectResponse(location, status_code=303)


def safe_next(target: str | None, default: str = "/") -> str:
    """A same-site path to return to (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def error_page(request: Request, exc: ExchangeError) -> HTMLResponse:
    """A refusal as a page: the problem's status, type, title and detail."""
    metrics.observe_refusal(exc.slug)
    return render(
        request,
        "error.html",
        status=exc.status,
        problem=exc.to_problem(request.url.path),
        back=safe_next(request.headers.get("referer", "").split(request.url.netloc, 1)[-1]),
    )


class InvalidForm(ExchangeError):
    status = 422
    slug = "invalid-request"
    title = "Invalid request"


class PageRoute(APIRoute):
    """A console page: refusals render as pages, and strangers are sent to sign in."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                target = request.url.path if request.method == "GET" else "/"
                if request.method == "GET" and request.url.query:
                    target += "?" + request.url.query
                return see_other(f"/sign-in?next={quote(target)}")
            except ExchangeError as exc:
                return error_page(request, exc)
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path"))
                return error_page(request, InvalidForm(f"{where}: {first.get('msg', 'invalid')}"))

        return page
