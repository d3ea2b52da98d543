"""Errors of compliance review, publicity (公示) and objections (异议)."""

from __future__ import annotations

from exchange.errors import Conflict, NotFound


class ObjectionNotFound(NotFound):
    slug = "objection-not-found"
    title = "No such objection"


class NoOpenApplication(Conflict):
    slug = "no-open-application"
    title = "The asset has no application in this stage"


class SelfReview(Conflict):
    slug = "self-review"
    title = "A participant cannot review its own application"


class AlreadyReviewed(Conflict):
    slug = "already-reviewed"
    title = "This reviewer has already reviewed the application"


class PublicityClosed(Conflict):
    slug = "publicity-closed"
    title = "The publicity period (公示期) is over"


class PublicityNotOver(Conflict):
    slug = "publicity-not-over"
    title = "The publicity period (公示期) has not ended"


class ObjectionOpen(Conflict):
    slug = "objection-open"
    title = "An objection (异议) is still open"


class OwnAssetObjection(Conflict):
    slug = "own-asset-objection"
    title = "A holder cannot object to its own application"


class ObjectionDecided(Conflict):
    slug = "objection-decided"
    title = "The objection has already been decided"
