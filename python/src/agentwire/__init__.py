"""agentwire for Python: publish agent run events to an agentwire gateway, and receive what
users send over the gateway's signed webhooks. Standard library only."""

import logging

from ._core import BatchResult, ItemError, PublishResult, Retry
from ._emitters import Batch, RunEmitter, UserEmitter
from .aio import AsyncGateway
from .client import Gateway
from .errors import (
    AgentwireError,
    GatewayError,
    InvalidEventError,
    TransportError,
    UnauthorizedError,
    UnavailableError,
    WebhookVerificationError,
)
from .webhook import Refuse, WebhookRequest, asgi_app, sign_webhook, verify_webhook, wsgi_app

__version__ = "0.1.0"

# A library logs only where the application configured logging.
logging.getLogger("agentwire").addHandler(logging.NullHandler())

__all__ = [
    "AgentwireError",
    "AsyncGateway",
    "Batch",
    "BatchResult",
    "Gateway",
    "GatewayError",
    "InvalidEventError",
    "ItemError",
    "PublishResult",
    "Refuse",
    "Retry",
    "RunEmitter",
    "TransportError",
    "UnauthorizedError",
    "UnavailableError",
    "UserEmitter",
    "WebhookRequest",
    "WebhookVerificationError",
    "asgi_app",
    "sign_webhook",
    "verify_webhook",
    "wsgi_app",
]
