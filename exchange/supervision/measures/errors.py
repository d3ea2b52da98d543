"""Errors of supervision measures."""

from __future__ import annotations

from exchange.errors import Conflict, InvalidInput, NotFound


class MeasureNotFound(NotFound):
    slug = "measure-not-found"
    title = "No such supervision measure"


class MeasureInForce(Conflict):
    slug = "measure-in-force"
    title = "A supervision measure in force forbids this (监管措施)"


class MeasureAlreadyInForce(Conflict):
    slug = "measure-already-in-force"
    title = "A measure of this kind binds the subject already"


class MeasureAlreadyLifted(Conflict):
    slug = "measure-already-lifted"
    title = "The measure was lifted already (解除两次)"


class MeasureNotInForce(Conflict):
    slug = "measure-not-in-force"
    title = "The measure is not in force (it waits for a joint decision's concurrence)"


class MeasureSubjectNotFound(InvalidInput):
    slug = "measure-subject-not-found"
    title = "The measure's subject does not exist"
