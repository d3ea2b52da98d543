"""Errors of negotiated trading (协议交易)."""

from __future__ import annotations

from exchange.errors import Conflict, Forbidden, NotFound


class NegotiationNotFound(NotFound):
    slug = "negotiation-not-found"
    title = "No such negotiation"


class WrongNegotiationParty(Forbidden):
    slug = "wrong-negotiation-party"
    title = "This step belongs to the other side of the negotiation"


class BrokerConductsNegotiation(Forbidden):
    slug = "broker-conducts-negotiation"
    title = "A broker conducts this negotiation for its client; the client only reads it"


class NegotiationStateConflict(Conflict):
    slug = "negotiation-state"
    title = "The negotiation's state does not allow this step"
