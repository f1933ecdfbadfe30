"""Votes: a counter-proposal moved and seconded, the ballots and the result."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import audit
from app.concurrency import lock
from app.extensions import db, utcnow
from app.models import User
from app.services import ServiceError
from governance.steering.models import (
    AgendaItem,
    Ballot,
    Membership,
    Role,
    VoteRound,
)
from governance.steering.services._common import M, _require_status
from governance.steering.services.meetings import voters


def open_vote(
    actor: User, item: AgendaItem, counter_proposal: str, mover: Membership, seconder: Membership
) -> VoteRound:
    meeting = item.meeting
    lock(meeting)
    _require_status(meeting, (M.IN_SESSION,), _l("Votes are taken during the meeting."))
    if item.decision is not None:
        raise ServiceError(_("The item has already been decided."))
    if any(r.closed_at is None for r in item.vote_rounds):
        raise ServiceError(_("A vote on this item is already open."))
    eligible = {m.id for m in voters(meeting, item)}
    if mover.id == seconder.id:
        raise ServiceError(_("The seconder must be someone other than the mover."))
    if mover.id not in eligible or seconder.id not in eligible:
        raise ServiceError(_("The mover and the seconder must be present members who may vote on this item."))
    if not counter_proposal.strip():
        raise ServiceError(_("Write the counter-proposal."))
    vote = VoteRound(item=item, counter_proposal=counter_proposal.strip(), mover=mover, seconder=seconder)
    db.session.add(vote)
    audit.record(actor, "vote.opened", item, mover=mover.id, seconder=seconder.id)
    return vote


def cast_ballot(actor: User, vote: VoteRound, membership: Membership, choice: str) -> Ballot:
    lock(vote)
    if vote.closed_at is not None:
        raise ServiceError(_("The vote has been closed."))
    if choice not in ("proposal", "counter", "blank"):
        raise ServiceError(_("Vote for the proposal, the counter-proposal or blank."))
    item = vote.item
    if membership.id in {r.membership_id for r in item.recusals}:
        raise ServiceError(
            _("%(name)s has a conflict of interest and does not vote on this item.", name=membership.user.name)
        )
    if membership.id not in {m.id for m in voters(item.meeting, item)}:
        raise ServiceError(_("%(name)s is not present with a vote, so they cannot vote.", name=membership.user.name))
    if db.session.scalar(sa.select(Ballot.id).where(Ballot.round_id == vote.id, Ballot.membership_id == membership.id)):
        raise ServiceError(_("%(name)s has already voted.", name=membership.user.name))
    ballot = Ballot(round=vote, membership=membership, choice=choice)
    db.session.add(ballot)
    db.session.flush()  # the unique constraint settles two votes sent at the same moment
    audit.record(actor, "vote.ballot_cast", vote, membership_id=membership.id, choice=choice)
    return ballot


@dataclass(frozen=True)
class VoteResult:
    proposal: int
    counter: int
    blank: int
    winner: str  # "proposal" or "counter"
    by_chair: bool


def result(vote: VoteRound) -> VoteResult:
    counts = {"proposal": 0, "counter": 0, "blank": 0}
    chair_choice = None
    for ballot in vote.ballots:
        counts[ballot.choice] += 1
        if ballot.membership.role == Role.CHAIR:
            chair_choice = ballot.choice
    if counts["proposal"] != counts["counter"]:
        winner, by_chair = ("proposal" if counts["proposal"] > counts["counter"] else "counter"), False
    else:  # a tie is settled by the chair's vote; without it the proposal stands
        winner, by_chair = (chair_choice if chair_choice in ("proposal", "counter") else "proposal"), True
    return VoteResult(counts["proposal"], counts["counter"], counts["blank"], winner, by_chair)


def close_vote(actor: User, vote: VoteRound) -> VoteResult:
    lock(vote)
    if vote.closed_at is not None:
        raise ServiceError(_("The vote has already been closed."))
    if not vote.ballots:
        raise ServiceError(_("Record the votes before closing the vote."))
    vote.closed_at = utcnow()
    outcome = result(vote)
    audit.record(
        actor,
        "vote.closed",
        vote,
        proposal=outcome.proposal,
        counter=outcome.counter,
        blank=outcome.blank,
        winner=outcome.winner,
    )
    return outcome
