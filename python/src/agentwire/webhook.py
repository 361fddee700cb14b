"""Receiving the gateway's upstream webhooks: what users send (``message`` frames, run
cancels) arrives as a signed POST (docs/protocol.md#upstream-webhooks).

``verify_webhook(headers, body, secret)`` checks the HMAC-SHA256 signature and the replay window
and returns the parsed request. ``asgi_app(handler, secret)`` and ``wsgi_app(handler, secret)``
wrap a handler as an app for FastAPI/Starlette (``app.mount``) or Flask (a WSGI dispatcher)
without importing either framework. The handler's return value becomes the ``ack`` data the
user's client receives; raising :class:`Refuse` sends the user an ``error`` with its message.
"""

from __future__ import annotations

import hashlib
import hmac
import inspect
import json
import logging
import time
from http import HTTPStatus
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable, Mapping, Sequence, Union

from ._protocol import PROTOCOL
from .errors import AgentwireError, WebhookVerificationError

SIGNATURE_HEADER: str = PROTOCOL["webhook"]["signatureHeader"]
ATTEMPT_HEADER: str = PROTOCOL["webhook"]["attemptHeader"]
SIGNATURE_VERSION: str = PROTOCOL["webhook"]["signatureVersion"]
DEFAULT_TOLERANCE_SECONDS: int = PROTOCOL["webhook"]["toleranceSeconds"]
MAX_BODY_BYTES = 1024 * 1024

log = logging.getLogger("agentwire.webhook")

Secret = Union[str, bytes, Sequence[Union[str, bytes]]]
Headers = Union[Mapping[str, str], Iterable[tuple[Union[str, bytes], Union[str, bytes]]]]


@dataclass(frozen=True)
class WebhookRequest:
    """One verified webhook. ``type`` is ``"message"`` (``data`` is what the user sent) or
    ``"cancel"`` (``run_id`` and ``reason`` say which run to stop). ``id`` is repeated by
    retries (for a cancel it is the run's one cancel id), so deduplicate on ``(user_id, id)``."""

    type: str
    id: str
    user_id: str
    connection_id: str | None
    data: Any
    timestamp: str
    attempt: int = 1
    run_id: str | None = None
    reason: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict, repr=False)


class Refuse(AgentwireError):
    """Raise from a handler to refuse the message: the user's client gets an ``error`` frame
    carrying ``message``; the gateway does not retry (``status`` must be a 4xx)."""

    def __init__(self, message: str, status: int = 422) -> None:
        if not 400 <= status < 500:
            raise ValueError("Refuse: status must be a 4xx")
        super().__init__(message)
        self.message = message
        self.status = status


def _secrets(secret: Secret) -> list[bytes]:
    items = [secret] if isinstance(secret, (str, bytes)) else list(secret)
    keys = [s.encode() if isinstance(s, str) else bytes(s) for s in items]
    if not keys or any(not k for k in keys):
        raise ValueError("secret: must be a non-empty string or bytes (or a list of them)")
    return keys


def _header(headers: Headers, name: str) -> str | None:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in pairs:
        k = key.decode("latin-1") if isinstance(key, bytes) else key
        if k.lower() == name:
            return value.decode("latin-1") if isinstance(value, bytes) else value
    return None


def sign_webhook(body: bytes | str, secret: str | bytes, timestamp: int | None = None) -> str:
    """The signature header value the gateway sends for ``body`` (for tests and tools)."""
    raw = body.encode() if isinstance(body, str) else body
    t = int(time.time()) if timestamp is None else timestamp
    key = _secrets(secret)[0]
    mac = hmac.new(key, f"{t}.".encode() + raw, hashlib.sha256).hexdigest()
    return f"t={t},{SIGNATURE_VERSION}={mac}"


def verify_webhook(
    headers: Headers,
    body: bytes | str,
    secret: Secret,
    *,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> WebhookRequest:
    """Verifies and parses a webhook. ``body`` must be the raw bytes as received (re-serialized
    JSON does not verify). ``secret`` may be a list while rotating. Raises
    WebhookVerificationError naming what failed."""
    raw = body.encode() if isinstance(body, str) else bytes(body)
    keys = _secrets(secret)
    header = _header(headers, SIGNATURE_HEADER)
    if header is None:
        raise WebhookVerificationError(f"no {SIGNATURE_HEADER} header")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == SIGNATURE_VERSION:
            signatures.append(value)
    if timestamp is None:
        raise WebhookVerificationError(f"{SIGNATURE_HEADER}: no t=<unix seconds>")
    if not signatures:
        raise WebhookVerificationError(f"{SIGNATURE_HEADER}: no {SIGNATURE_VERSION}= signature")
    clock = time.time() if now is None else now
    if abs(clock - timestamp) > tolerance:
        raise WebhookVerificationError(
            f"timestamp {timestamp} is outside the {tolerance:g} s replay window (now {int(clock)})"
        )
    signed = f"{timestamp}.".encode() + raw
    expected = [hmac.new(k, signed, hashlib.sha256).hexdigest() for k in keys]
    if not any(hmac.compare_digest(e, s) for e in expected for s in signatures):
        raise WebhookVerificationError("signature does not match (wrong secret or altered body)")
    try:
        payload = json.loads(raw)
        if not isinstance(payload, dict):
            raise ValueError("not an object")
        attempt = _header(headers, ATTEMPT_HEADER)
        return WebhookRequest(
            type=str(payload["type"]),
            id=str(payload["id"]),
            user_id=str(payload["userId"]),
            connection_id=payload.get("connectionId"),
            data=payload.get("data"),
            timestamp=str(payload["timestamp"]),
            attempt=int(attempt) if attempt and attempt.isdigit() else 1,
            run_id=payload.get("runId"),
            reason=payload.get("reason"),
            payload=payload,
        )
    except (ValueError, KeyError) as error:
        raise WebhookVerificationError(f"body is not a webhook payload: {error}") from None


# --- adapters ---------------------------------------------------------------------------------

Handler = Callable[[WebhookRequest], Any]
AsyncHandler = Callable[[WebhookRequest], Union[Any, Awaitable[Any]]]
_Response = tuple[int, bytes]
ASGIReceive = Callable[[], Awaitable[dict[str, Any]]]
ASGISend = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[dict[str, Any], ASGIReceive, ASGISend], Awaitable[None]]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], list[bytes]]


def _error(status: int, code: str, message: str) -> _Response:
    return status, json.dumps({"error": {"code": code, "message": message}}).encode()


def _verify(
    method: str, headers: Headers, body: bytes | None, secret: Secret, tolerance: float
) -> WebhookRequest | _Response:
    """A verified request, or the response that refuses it."""
    if method != "POST":
        return _error(405, "method_not_allowed", f"{method} is not allowed; the gateway POSTs")
    if body is None:
        return _error(413, "too_large", f"body exceeds {MAX_BODY_BYTES} bytes")
    try:
        return verify_webhook(headers, body, secret, tolerance=tolerance)
    except WebhookVerificationError as error:
        log.warning("webhook refused: %s", error)
        return _error(401, "unauthorized", str(error))


def _answer(result: Any) -> _Response:
    if result is None:
        return 204, b""
    return 200, json.dumps(result, separators=(",", ":"), allow_nan=False).encode()


def _failure(error: Exception) -> _Response:
    if isinstance(error, Refuse):
        return _error(error.status, "refused", error.message)
    log.exception("webhook handler failed")
    return _error(500, "internal", "the application's handler failed")


def _headers(body: bytes) -> list[tuple[str, str]]:
    out = [("content-length", str(len(body))), ("cache-control", "no-store")]
    if body:
        out.append(("content-type", "application/json"))
    return out


def asgi_app(
    handler: AsyncHandler, secret: Secret, *, tolerance: float = DEFAULT_TOLERANCE_SECONDS
) -> ASGIApp:
    """An ASGI app answering the gateway's webhooks with ``handler`` (sync or async). FastAPI
    or Starlette: ``app.mount("/agentwire", asgi_app(on_message, secret))``."""
    _secrets(secret)

    async def app(scope: dict[str, Any], receive: ASGIReceive, send: ASGISend) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            raise ValueError(f"agentwire webhook app serves HTTP, not {scope['type']}")
        body: bytes | None = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = (body or b"") + message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY_BYTES:
                body = None
                break
        verified = _verify(scope["method"], scope["headers"], body, secret, tolerance)
        if isinstance(verified, WebhookRequest):
            try:
                result = handler(verified)
                if inspect.isawaitable(result):
                    result = await result
                status, payload = _answer(result)
            except Exception as error:
                status, payload = _failure(error)
        else:
            status, payload = verified
        headers = [(k.encode(), v.encode()) for k, v in _headers(payload)]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    return app


def wsgi_app(
    handler: Handler, secret: Secret, *, tolerance: float = DEFAULT_TOLERANCE_SECONDS
) -> WSGIApp:
    """A WSGI app answering the gateway's webhooks with ``handler``. Flask: mount it with a
    dispatcher, e.g. werkzeug's ``DispatcherMiddleware(app.wsgi_app, {"/agentwire": wsgi_app(...)})``."""
    _secrets(secret)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if 0 <= length <= MAX_BODY_BYTES else None
        headers = [(k[5:].replace("_", "-").lower(), v) for k, v in environ.items() if k.startswith("HTTP_")]
        verified = _verify(environ.get("REQUEST_METHOD", "GET"), headers, body, secret, tolerance)
        if isinstance(verified, WebhookRequest):
            try:
                status, payload = _answer(handler(verified))
            except Exception as error:
                status, payload = _failure(error)
        else:
            status, payload = verified
        start_response(f"{status} {HTTPStatus(status).phrase}", _headers(payload))
        return [payload]

    return app
