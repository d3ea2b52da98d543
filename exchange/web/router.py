"""The console's routes and static files, installed on the app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from exchange.web import auth, class_student, classroom, desk, market, mine

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Serve the console beside the API: pages at the root, their assets under /static."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth.router)
    app.include_router(mine.router)
    app.include_router(desk.router)
    app.include_router(market.router)
    app.include_router(classroom.router)
    app.include_router(class_student.router)
