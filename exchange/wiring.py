"""Assemble the market: install each domain's hooks into the core (idempotent).

Every entry point calls `install()` before it serves or runs anything: the app factory, the
command line, the simulation and the tests. The app factory also routes live classes' requests
to their sandboxes (`exchange.classroom.routing`), which only a served app needs.
"""

from __future__ import annotations

from exchange.hooks import HOOKS


def install() -> None:
    """Plug the audit log (and its halt), key lookup and the market clock into the core,
    trading's comparable trades into the assets' market valuation, trading's listing
    suspension into authorized operation (an agreement that stops suspends its products'
    listings), the assets' certificates into reads under a consent, and supervision's
    measures into the checks trading makes. (The app adds live-class routing and class
    funding: `exchange.app`.)"""
    if HOOKS.record_audit is not None:
        return
    from exchange.assets.certificates import service as certificates_service
    from exchange.assets.valuation import service as valuation_service
    from exchange.audit.log import service as audit_service
    from exchange.audit.transparency import halts
    from exchange.dataspaces.consents import reading
    from exchange.markettime import repository as markettime_repository
    from exchange.operation.agreements import service as agreements_service
    from exchange.participants import service as participants_service
    from exchange.supervision.measures import enforcement
    from exchange.trading.listings.service import suspend_listings_of_assets
    from exchange.trading.stats.comparables import traded_comparables

    HOOKS.record_audit = audit_service.record
    HOOKS.find_key = participants_service.find_key
    valuation_service.install_comparables(traded_comparables)
    agreements_service.install_listing_suspender(suspend_listings_of_assets)
    reading.install_certificates(certificates_service.held_certificates)
    HOOKS.clock_offset = markettime_repository.stored_offset_us
    HOOKS.check_ready = halts.check_ready
    HOOKS.check_measures = enforcement.check
