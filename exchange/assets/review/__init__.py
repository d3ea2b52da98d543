"""Compliance review (合规审查), publicity and objections (公示、异议), registration."""
