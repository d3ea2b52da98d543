"""An asset's path as its page draws it — application, compliance review, publicity (公示)
with its objection window on the market clock, and the certificate (数据资产凭证).

Nothing here decides anything: each step reads what the registry recorded (statuses, counts,
times) and says how far along it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from exchange.assets.registry.models import ApplicationKind, ApplicationStatus

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the path: its name, how far it is (done, current, failed, todo), when it
    happened or ends, and a note in both languages."""

    key: str
    name: Pair
    state: str
    at: datetime | None = None
    note: Pair | None = None


def remaining(now: datetime, until: datetime) -> Pair:
    """How long until `until` on the market clock, in days and hours (or that it is over)."""
    left = until - now
    if left <= timedelta(0):
        return ("已届满", "over")
    days, seconds = left.days, left.seconds
    hours = seconds // 3600
    if days:
        return (f"剩余 {days} 天 {hours} 小时", f"{days} d {hours} h left")
    minutes = (seconds % 3600) // 60
    return (f"剩余 {hours} 小时 {minutes} 分", f"{hours} h {minutes} min left")


def progress(
    view: Any,
    application: Any | None,
    objections: Sequence[Any],
    *,
    now: datetime,
    quorum: int,
) -> list[Step]:
    """The steps of the asset's current (open, else latest) application."""
    if application is None:
        return []
    status = ApplicationStatus(application.status)
    kind = ApplicationKind(application.kind)
    steps = [Step("applied", ("提交申请", "Application"), "done", application.submitted_at)]
    reviewed = status is not ApplicationStatus.UNDER_REVIEW
    review_note = (
        f"通过 {application.approvals}/{quorum}，不通过 {application.rejections}",
        f"{application.approvals}/{quorum} approvals, {application.rejections} rejections",
    )
    if status is ApplicationStatus.REJECTED:
        steps.append(
            Step(
                "review",
                ("合规审查", "Compliance review"),
                "failed",
                application.decided_at,
                (
                    f"不通过：{application.outcome_reason}",
                    f"Rejected: {application.outcome_reason}",
                ),
            )
        )
        return steps
    steps.append(
        Step(
            "review",
            ("合规审查", "Compliance review"),
            "done" if reviewed else "current",
            application.approved_at,
            review_note,
        )
    )
    if kind is ApplicationKind.CANCELLATION:
        steps.append(
            Step(
                "cancelled",
                ("注销", "Cancelled"),
                "done" if reviewed else "todo",
                application.decided_at,
            )
        )
        return steps
    open_objections = sum(1 for o in objections if o.status == "open")
    ends = application.publicity_ends_at
    if status is ApplicationStatus.IN_PUBLICITY and ends is not None:
        left = remaining(now, ends)
        note = (
            f"异议期至 {ends:%Y-%m-%d %H:%M} UTC（{left[0]}），待决异议 {open_objections} 件",
            f"Objections until {ends:%Y-%m-%d %H:%M} UTC ({left[1]}); "
            f"{open_objections} open objection(s)",
        )
        steps.append(Step("publicity", ("公示", "Publicity"), "current", ends, note))
    elif status is ApplicationStatus.STOPPED:
        steps.append(
            Step(
                "publicity",
                ("公示", "Publicity"),
                "failed",
                application.decided_at,
                ("异议成立，登记终止", "An objection was upheld: registration stopped"),
            )
        )
        return steps
    elif status in (ApplicationStatus.COMPLETED, ApplicationStatus.CLOSED):
        steps.append(Step("publicity", ("公示", "Publicity"), "done", ends))
    else:
        steps.append(Step("publicity", ("公示", "Publicity"), "todo"))
    certificate = view.certificate
    if status is ApplicationStatus.COMPLETED and certificate is not None:
        steps.append(
            Step(
                "certificate",
                ("数据资产凭证", "Certificate"),
                "done",
                certificate.issued_at,
                (f"凭证编号 {certificate.number}", f"Certificate {certificate.number}"),
            )
        )
    else:
        steps.append(Step("certificate", ("数据资产凭证", "Certificate"), "todo"))
    return steps
