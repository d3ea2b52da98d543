"""The Python client of the sandbox (Python 客户端): every API operation as a method.

    from exchange.client import Client

    with Client("http://127.0.0.1:8000", api_key=KEY) as client:
        hits = client.catalog.search(q="社保")
        order = client.trading.buy(listing_id=..., tier_id=...)   # Idempotency-Key made for you

Methods are grouped by domain (`client.catalog`, `client.assets`, `client.certificates`,
`client.pledges`, `client.trading`, `client.dataspaces`, `client.audit`, `client.participants`,
`client.classroom`, `client.clock`, `client.service`) and named by the API's operation ids
(`client.trading.place_order`), with a few short aliases (`client.catalog.search`,
`client.trading.buy`). Bodies and answers are the service's own Pydantic schemas; a refusal
raises `ExchangeProblem` (a subclass per status) carrying the problem `type`. `AsyncClient` is
the same with `await`.
"""

from exchange.client.errors import (
    Conflict,
    ExchangeProblem,
    Forbidden,
    InvalidRequest,
    NotFound,
    ServerError,
    ServiceUnavailable,
    Unauthenticated,
)
from exchange.client.session import AsyncClient, Client
from exchange.client.verify import (
    verify_audit_log,
    verify_certificate,
    verify_consent_receipt,
)

__all__ = [
    "AsyncClient",
    "Client",
    "Conflict",
    "ExchangeProblem",
    "Forbidden",
    "InvalidRequest",
    "NotFound",
    "ServerError",
    "ServiceUnavailable",
    "Unauthenticated",
    "verify_audit_log",
    "verify_certificate",
    "verify_consent_receipt",
]
