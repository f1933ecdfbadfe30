"""Figures of the steering bodies' work for the governance dashboard, each one
aggregate query: decisions per level and body, referrals up, time from a case
opened to its decision, follow-up tasks, and attendance per member organisation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.aggregates import days_between, month_of, quarter_of, quarters_back
from app.extensions import db
from app.models import Organisation, User
from governance.steering.models import (
    Attendance,
    Body,
    Case,
    Decision,
    Meeting,
    MeetingStatus,
    Membership,
    Resolution,
    Role,
    Task,
    TaskStatus,
)

QUARTERS = 8  # two years
#: Resolutions that end a case's handling (a referral or tabling hands it on).
FINAL = [r.value for r in Resolution if r not in (Resolution.REFERRED_UP, Resolution.TABLED, Resolution.DELEGATED_DOWN)]


def window(today: date) -> tuple[list[str], date]:
    """The dashboard's quarters and the first day of the first."""
    quarters = quarters_back(today, QUARTERS)
    year, q = quarters[0].split(" Q")
    return quarters, date(int(year), (int(q) - 1) * 3 + 1, 1)


def decisions_by_quarter_and_level(today: date) -> tuple[list[str], dict[str, list[int]]]:
    """Quarters, and per body level the number of decisions in each."""
    quarters, start = window(today)
    month = month_of(Decision.decided_on, timestamp=False)
    rows = db.session.execute(
        sa.select(month, Body.level, sa.func.count(Decision.id))
        .join(Body, Decision.body_id == Body.id)
        .where(Decision.decided_on >= start)
        .group_by(month, Body.level)
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(quarters))
    for key, level, n in rows:
        quarter = quarter_of(key)
        if quarter in quarters:
            counts[level][quarters.index(quarter)] += int(n)
    return quarters, dict(counts)


@dataclass(frozen=True)
class BodyFigures:
    code: str
    name: str
    decisions: int
    referred_up: int

    @property
    def referred_share(self) -> float:
        return 100.0 * self.referred_up / self.decisions if self.decisions else 0.0


def decisions_by_body(today: date) -> list[BodyFigures]:
    _quarters, start = window(today)
    referred = sa.func.sum(sa.case((Decision.resolution == Resolution.REFERRED_UP.value, 1), else_=0))
    rows = db.session.execute(
        sa.select(Body.code, Body.name, sa.func.count(Decision.id), referred)
        .join(Decision, Decision.body_id == Body.id)
        .where(Decision.decided_on >= start)
        .group_by(Body.id, Body.code, Body.name)
        .order_by(Body.code)
    )
    return [BodyFigures(code, name, int(n), int(up or 0)) for code, name, n, up in rows]


def referral_share_by_quarter(today: date) -> tuple[list[str], list[float | None]]:
    """Per quarter, the share (%) of decisions that referred the item up."""
    quarters, start = window(today)
    month = month_of(Decision.decided_on, timestamp=False)
    referred = sa.func.sum(sa.case((Decision.resolution == Resolution.REFERRED_UP.value, 1), else_=0))
    totals, ups = [0] * len(quarters), [0] * len(quarters)
    for key, n, up in db.session.execute(
        sa.select(month, sa.func.count(Decision.id), referred).where(Decision.decided_on >= start).group_by(month)
    ):
        quarter = quarter_of(key)
        if quarter in quarters:
            totals[quarters.index(quarter)] += int(n)
            ups[quarters.index(quarter)] += int(up or 0)
    return quarters, [100.0 * u / t if t else None for u, t in zip(ups, totals, strict=True)]


def days_to_decision_by_quarter(today: date) -> tuple[list[str], list[float | None]]:
    """Per quarter of the decision, the average days from the case's opening to its final decision."""
    quarters, start = window(today)
    month = month_of(Decision.decided_on, timestamp=False)
    days = days_between(Decision.decided_on, Case.created_at, later_is_date=True)
    sums, counts = [0.0] * len(quarters), [0] * len(quarters)
    for key, total, n in db.session.execute(
        sa.select(month, sa.func.sum(days), sa.func.count(Decision.id))
        .join(Case, Decision.case_id == Case.id)
        .where(Decision.decided_on >= start, Decision.resolution.in_(FINAL))
        .group_by(month)
    ):
        quarter = quarter_of(key)
        if quarter in quarters:
            sums[quarters.index(quarter)] += float(total or 0)
            counts[quarters.index(quarter)] += int(n)
    return quarters, [max(s / n, 0.0) if n else None for s, n in zip(sums, counts, strict=True)]


@dataclass(frozen=True)
class TaskFigures:
    code: str
    open: int
    overdue: int


def tasks_by_body(today: date) -> list[TaskFigures]:
    """Open and overdue follow-up tasks per owner body (tasks owned by a person count under 'no body')."""
    is_open = Task.status.in_([TaskStatus.NOT_STARTED.value, TaskStatus.IN_PROGRESS.value])
    overdue = sa.func.sum(sa.case((Task.due_on < today, 1), else_=0))
    rows = db.session.execute(
        sa.select(Body.code, sa.func.count(Task.id), overdue)
        .select_from(Task)
        .outerjoin(Body, Task.owner_body_id == Body.id)
        .where(is_open)
        .group_by(Body.code)
        .order_by(Body.code)
    )
    return [TaskFigures(code or "–", int(n), int(late or 0)) for code, n, late in rows]


@dataclass(frozen=True)
class AttendanceFigures:
    organisation: str
    seats: int
    attended: int

    @property
    def rate(self) -> float:
        return 100.0 * self.attended / self.seats if self.seats else 0.0


def attendance_by_organisation(today: date) -> list[AttendanceFigures]:
    """Per member organisation, the share of its seats filled at held meetings: the member present,
    or their personal deputy standing in. Deputies' own rows are not seats."""
    _quarters, start = window(today)
    held = [MeetingStatus.HELD.value, MeetingStatus.MINUTES_APPROVED.value]
    member_user = aliased(User)
    org_id = sa.func.coalesce(Membership.organisation_id, member_user.organisation_id)
    deputy_row = aliased(Attendance)
    stood_in = (
        sa.select(deputy_row.id)
        .where(
            deputy_row.meeting_id == Attendance.meeting_id,
            deputy_row.standing_in_for_id == Attendance.membership_id,
            deputy_row.present.is_(True),
        )
        .exists()
    )
    attended = sa.func.sum(sa.case((sa.or_(Attendance.present.is_(True), stood_in), 1), else_=0))
    stmt = (
        sa.select(org_id, sa.func.count(Attendance.id), attended)
        .select_from(Attendance)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .join(Membership, Attendance.membership_id == Membership.id)
        .join(member_user, Membership.user_id == member_user.id)
        .where(
            Meeting.status.in_(held), Meeting.starts_at >= _utc_midnight(start), Membership.role != Role.DEPUTY.value
        )
        .group_by(org_id)
    )
    rows = list(db.session.execute(stmt))
    names = dict(
        db.session.execute(
            sa.select(Organisation.id, Organisation.name).where(
                Organisation.id.in_([r[0] for r in rows if r[0] is not None])
            )
        ).all()
    )
    figures = [AttendanceFigures(names.get(org) or "–", int(n), int(present or 0)) for org, n, present in rows]
    return sorted(figures, key=lambda f: f.organisation)


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
