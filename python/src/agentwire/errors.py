"""Typed errors. Everything this package raises is an :class:`AgentwireError`."""

from __future__ import annotations


class AgentwireError(Exception):
    """Base class of every error this package raises."""


class InvalidEventError(AgentwireError, ValueError):
    """An event failed validation on the client: raised before any request is sent.

    ``field`` is the offending field's path as the gateway would name it (``event.data.callId``).
    """

    code = "invalid_field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class GatewayError(AgentwireError):
    """The gateway answered with an error body ``{"error": {"code", "message", "field"?}}``."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{code}: {message}" if status == 0 else f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field


class UnauthorizedError(GatewayError):
    """401: the API key is missing or not one the gateway accepts."""


class UnavailableError(GatewayError):
    """503 (draining, engine unreachable) or another retryable status, after every retry."""


class TransportError(AgentwireError):
    """The gateway could not be reached or did not answer in time, after every retry."""

    def __init__(self, message: str, attempts: int) -> None:
        super().__init__(f"{message} (after {attempts} attempt{'s' if attempts != 1 else ''})")
        self.attempts = attempts


class WebhookVerificationError(AgentwireError):
    """A webhook request whose signature, timestamp or body does not verify."""
