"""Errors of live classes."""

from __future__ import annotations

from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound


class ClassNotFound(NotFound):
    slug = "class-not-found"
    title = "No such class"


class SeatNotFound(NotFound):
    slug = "seat-not-found"
    title = "No such seat in this class"


class JoinCodeInvalid(NotFound):
    slug = "join-code-invalid"
    title = "No class has this join code"


class JoinCodeExpired(Conflict):
    slug = "join-code-expired"
    title = "The join code has expired"


class ClassFinished(Conflict):
    slug = "class-finished"
    title = "The class has finished"


class ClassPaused(Conflict):
    slug = "class-paused"
    title = "The class is paused"


class ClassFull(Conflict):
    slug = "class-full"
    title = "Every seat a student may take is taken"


class ClassStateConflict(Conflict):
    slug = "class-state"
    title = "The class is not in a state that allows this"


class NameTaken(Conflict):
    slug = "student-name-taken"
    title = "A student of this class already uses this name"


class NotAStudent(Forbidden):
    slug = "not-a-student"
    title = "Only a student of a live class may do this"


class ScenarioInvalid(InvalidInput):
    slug = "scenario-invalid"
    title = "The scenario cannot run"


class ProductNotFound(NotFound):
    slug = "class-product-not-found"
    title = "You hold no such product in this class"


class VenueNotOffered(InvalidInput):
    slug = "class-venue-not-offered"
    title = "The product is not offered on that exchange in this class"
