"""Fixtures of the live-class tests: an instructor, and class markets closed after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from exchange.classroom.sandbox import registry
from exchange.context import Runtime
from exchange.vocabulary import Role
from support import Actor, MakeParticipant


@pytest.fixture
async def instructor(make_participant: MakeParticipant, runtime: Runtime) -> AsyncIterator[Actor]:
    """A course instructor (课程教师); the class markets it opened are closed afterwards."""
    yield await make_participant(Role.INSTRUCTOR, name="数据要素市场课程教师")
    await registry(runtime).dispose()
