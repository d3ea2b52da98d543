"""Request and response models of live classes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from exchange.classroom.models import ClassStatus, Occupant
from exchange.kit.paging import Page
from exchange.schemas import RequestModel, ResponseModel, StrictInt

StudentRole = Literal["buyer", "provider", "cross_border_buyer", "broker"]
DEFAULT_STUDENT_ROLES: list[StudentRole] = ["buyer", "provider"]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
ScenarioName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


class ClassCreate(RequestModel):
    """Open a class from a shipped scenario (by name) or from a scenario file's TOML text."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    scenario: ScenarioName | None = Field(
        default=None, description="A shipped scenario, e.g. baseline", examples=["baseline"]
    )
    scenario_toml: Annotated[str, StringConstraints(max_length=100_000)] | None = Field(
        default=None, description="A scenario file's text, instead of a shipped scenario"
    )
    treatment: ScenarioName | None = None
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Fields to set by dotted path, e.g. rounds: 5"
    )
    seed: Annotated[StrictInt, Field(ge=0, le=2**53 - 1)] | None = None
    round_seconds: Annotated[StrictInt, Field(ge=10, le=86_400)] | None = Field(
        default=None, description="Seconds per round; leave out to advance rounds by hand"
    )
    join_minutes: Annotated[StrictInt, Field(ge=1, le=7 * 24 * 60)] = 120
    student_roles: list[StudentRole] = Field(
        default_factory=lambda: list(DEFAULT_STUDENT_ROLES), min_length=1, max_length=4
    )


class AssignmentCreate(RequestModel):
    """Reserve a seat for a student by name (the instructor assigns roles)."""

    name: Name
    seat_id: Annotated[str, StringConstraints(min_length=1, max_length=36)]


class JoinRequest(RequestModel):
    """A student joins with the class's join code and a name."""

    code: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    name: Name


class RemoveRequest(RequestModel):
    """Why a student is removed from a class."""

    reason: Annotated[str, StringConstraints(max_length=500)] = ""


class SeatRead(ResponseModel):
    """A seat: who plays it, whether they are connected, what they have done."""

    id: str
    seat_no: int
    agent_key: str
    role: str
    participant_id: str
    occupant: Occupant
    student_name: str | None
    assigned_name: str | None
    joined_at: datetime | None
    removed_at: datetime | None
    last_seen_at: datetime | None = None
    requests: int = 0
    activity: dict[str, int] = Field(default_factory=dict)
    last_action_at: datetime | None = None


class ClassRead(ResponseModel):
    """A class as its instructor sees it."""

    id: str
    title: str
    scenario_name: str
    seed: int
    status: ClassStatus
    round: int
    rounds: int
    round_seconds: int | None
    round_ends_at: datetime | None
    join_code: str
    join_expires_at: datetime
    student_roles: list[str]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    students: int
    seats: list[SeatRead] = Field(default_factory=list)


class StudentJoined(ResponseModel):
    """A student's seat and API key (shown once): trade with it on the ordinary endpoints."""

    class_id: str
    title: str
    api_key: str
    participant_id: str
    seat_id: str
    agent_key: str
    role: str
    balance_fen: int
    status: ClassStatus
    round: int
    rounds: int


class NeedRead(ResponseModel):
    """What a buyer needs this round and what a licence is worth to it (by grade)."""

    form: str
    value_fen_by_grade: dict[str, int]


class ProductRead(ResponseModel):
    """A provider's product: its asset, unit cost and current listing."""

    key: str
    asset_id: str
    form: str
    grade: str
    personal_information: bool
    unit_cost_fen: int
    listing_id: str | None
    tier_id: str | None
    price_fen: int | None
    delivery_package: str = Field(description="The delivery package (UTF-8 text) to list it")


class StudentView(ResponseModel):
    """A student's own view of the class: round, seat, money, need or products."""

    class_id: str
    title: str
    status: ClassStatus
    round: int
    rounds: int
    round_ends_at: datetime | None
    seat_id: str
    agent_key: str
    role: str
    participant_id: str
    name: str | None
    balance_fen: int
    exchanges: list[str]
    need: NeedRead | None = None
    products: list[ProductRead] = Field(default_factory=list)


class ClassResults(ResponseModel):
    """A class's results: the same summary an offline run writes, and where to get the rest."""

    class_id: str
    final: bool
    summary: dict[str, Any]
    participants: list[dict[str, Any]]
    report_url: str
    csv_url: str


class ClassPage(Page[ClassRead]):
    """A page of classes."""
