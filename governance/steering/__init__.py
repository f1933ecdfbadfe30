"""Three-level steering: bodies, memberships, meetings, agendas, quorum,
conflicts of interest, votes, decisions, minutes, referrals and follow-up."""
