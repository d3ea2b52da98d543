"""What the classroom pages show: labels, the join URL and its QR code, the live figures.

The figures come from the classroom's own services (`classes.class_view` for seats and
presence, `reports.standing` for the results so far, the same ones a class's report is made
of); this module only arranges them for a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

import segno
from markupsafe import Markup

from exchange.assets.labels import GRADE_LABELS, PRODUCT_FORM_LABELS
from exchange.classroom.classes import ClassView
from exchange.classroom.models import Occupant
from exchange.classroom.reports import ClassStanding
from exchange.trading.rulebooks import EXCHANGES
from exchange.vocabulary import DataGrade, ProductForm
from exchange.web import class_charts

ROLE_NAMES = {
    "buyer": ("数据需方（买方）", "Buyer"),
    "provider": ("数据提供方（卖方）", "Provider"),
    "cross_border_buyer": ("境外需方", "Cross-border buyer"),
    "broker": ("数据经纪人", "Broker"),
    "regulator": ("监管部门", "Regulator"),
}
STATUS_NAMES = {
    "open": ("报名中", "Open for joining"),
    "running": ("进行中", "Running"),
    "paused": ("已暂停", "Paused"),
    "finished": ("已结束", "Finished"),
}
STATUS_BADGES = {"open": "warn", "running": "ok", "paused": "warn", "finished": ""}
EXCHANGE_NAMES = {e["id"]: (e["name"], e["name_en"]) for e in EXCHANGES}
# A student whose browser asked within this long is shown as connected (在线).
ONLINE_WITHIN = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class Names:
    """The labels of a class's vocabulary in the page's language."""

    lang: str

    def _pick(self, pair: tuple[str, str] | None, fallback: str) -> str:
        if pair is None:
            return fallback
        return pair[0] if self.lang == "zh" else pair[1]

    def text(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def role(self, role: str) -> str:
        return self._pick(ROLE_NAMES.get(role), role)

    def status(self, status: str) -> str:
        return self._pick(STATUS_NAMES.get(status), status)

    def badge(self, status: str) -> str:
        return STATUS_BADGES.get(status, "")

    def form(self, form: str) -> str:
        if form in ProductForm.__members__.values():
            return self._pick((PRODUCT_FORM_LABELS[ProductForm(form)], form), form)
        return form

    def grade(self, grade: str) -> str:
        if grade in DataGrade.__members__.values():
            return self._pick((GRADE_LABELS[DataGrade(grade)], grade), grade)
        return grade

    def exchange(self, exchange_id: str) -> str:
        return self._pick(EXCHANGE_NAMES.get(exchange_id), exchange_id)


def join_url(base_url: str, code: str) -> str:
    """The absolute address a student opens to join with `code` (what the QR code holds)."""
    return f"{base_url.rstrip('/')}/join?{urlencode({'code': code})}"


def qr_svg(url: str, *, title: str) -> Markup:
    """A QR code of `url` as inline SVG, drawn here (segno), scaled by its viewBox."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(
        scale=1, border=4, omitsize=True, title=title, dark="#000", light="#fff", svgclass=None
    )
    return Markup(svg)


@dataclass(frozen=True, slots=True)
class StudentRow:
    """A student's seat as the instructor's live view lists it."""

    seat_id: str
    name: str
    role: str
    agent_key: str
    joined_at: datetime | None
    last_seen_at: datetime | None
    online: bool
    requests: int
    actions: int
    trades: int


@dataclass(frozen=True, slots=True)
class TradeRow:
    """A settled trade of the class."""

    round: int
    buyer: str
    buyer_student: bool
    seller: str
    seller_student: bool
    product: str
    form: str
    exchange_id: str
    price_fen: int


@dataclass(frozen=True, slots=True)
class LiveFigures:
    """Everything the live view shows of a class at one moment."""

    students: list[StudentRow]
    free_seats: dict[str, int]
    trades: int
    turnover_fen: int
    efficiency: float | None
    realised_gains_fen: int
    best_gains_fen: int
    round_efficiency: float | None
    recent: list[TradeRow]
    gains_chart: Markup | None
    price_chart: Markup | None


def live_figures(
    view: ClassView, standing: ClassStanding, *, now: datetime, tr: Names
) -> LiveFigures:
    """Presence, trades, prices and efficiency against the benchmark, for the live view."""
    cls, record, results = standing.cls, standing.record, standing.results
    trades_of: dict[str, int] = {p["key"]: p["trades"] for p in results.participants}
    students = [
        StudentRow(
            s.seat.id,
            s.seat.student_name or "",
            s.seat.role,
            s.seat.agent_key,
            s.seat.joined_at,
            s.last_seen_at,
            s.last_seen_at is not None and now - s.last_seen_at <= ONLINE_WITHIN,
            s.requests,
            sum(s.activity.values()),
            trades_of.get(s.seat.agent_key, 0),
        )
        for s in view.seats
        if s.seat.occupant == Occupant.STUDENT
    ]
    free: dict[str, int] = {}
    for s in view.seats:
        if s.seat.occupant == Occupant.BOT and s.seat.role in cls.student_roles:
            free[s.seat.role] = free.get(s.seat.role, 0) + 1
    agents = {a.key: a for a in record.agents}

    def who(key: str) -> tuple[str, bool]:
        agent = agents.get(key)
        return (agent.name, agent.human) if agent is not None else (key, False)

    recent = []
    for t in standing.newest:
        buyer, seller = who(t.buyer), who(t.seller)
        recent.append(
            TradeRow(t.round, *buyer, *seller, t.product, t.form, t.exchange_id, t.price_fen)
        )
    welfare = results.summary["welfare"]
    by_round = {row["round"]: row for row in results.welfare_by_round}
    gains_chart = price_chart = None
    if cls.round >= 1:
        played = range(1, cls.round + 1)
        gains_chart = class_charts.gains_against_benchmark(
            [
                (n, by_round[n]["realised_gains_fen"], by_round[n]["best_gains_fen"])
                for n in played
                if n in by_round
            ],
            realised=tr.text("实现收益", "Realised gains"),
            benchmark=tr.text("最优可实现收益（基准）", "Best achievable (benchmark)"),
            title=tr.text("每轮效率：实现收益对基准", "Efficiency by round against the benchmark"),
        )
        series: dict[str, list[tuple[int, int | None]]] = {}
        for row in results.rounds:
            if row["round"] in played:
                mean = row["turnover_fen"] // row["trades"] if row["trades"] else None
                series.setdefault(tr.exchange(row["exchange"]), []).append((row["round"], mean))
        price_chart = class_charts.price_lines(
            series,
            rounds=cls.round,
            title=tr.text("各交易所每轮平均成交价", "Average price by round and exchange"),
        )
    current = by_round.get(cls.round)
    return LiveFigures(
        students=students,
        free_seats=free,
        trades=results.summary["trades"],
        turnover_fen=results.summary["turnover_fen"],
        efficiency=welfare["efficiency"],
        realised_gains_fen=welfare["realised_gains_fen"],
        best_gains_fen=welfare["best_gains_fen"],
        round_efficiency=current["efficiency"] if current is not None else None,
        recent=recent,
        gains_chart=gains_chart,
        price_chart=price_chart,
    )
