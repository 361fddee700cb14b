"""What the sync and asyncio clients share, without any I/O: building publish requests, the
retry policy, and reading the gateway's answers into results or typed errors."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence, Union
from urllib.parse import urlsplit

from ._validate import validate_event
from .errors import (
    AgentwireError,
    GatewayError,
    InvalidEventError,
    UnauthorizedError,
    UnavailableError,
)

USER_AGENT = "agentwire-python/0.1.0"
MAX_USER_ID_LENGTH = 256
# Statuses after which the same request may succeed; safe to repeat because every event
# carries its id (the gateway answers a repeated id with the original seq).
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class PublishResult:
    """An accepted event: its per-user ``seq``, its ``id``, and the stream's ``epoch`` (``None``
    from a gateway that does not report it)."""

    seq: int
    id: str
    epoch: str | None = None


@dataclass(frozen=True)
class ItemError:
    """A batch item the gateway refused; the other items are unaffected."""

    code: str
    message: str
    field: str | None = None


BatchResult = Union[PublishResult, ItemError]


@dataclass(frozen=True)
class Endpoint:
    scheme: str
    host: str
    port: int
    base_path: str

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url: must be an http:// or https:// URL (got {url!r})")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError("url: must not carry credentials, a query or a fragment")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return cls(parts.scheme, parts.hostname, port, parts.path.rstrip("/"))


@dataclass(frozen=True)
class Request:
    path: str
    body: bytes
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Retry:
    """Bounded retries with full-jitter exponential backoff: attempt n waits a random time in
    ``[0, min(cap, base * 2**n)]`` seconds."""

    max_retries: int = 3
    base: float = 0.1
    cap: float = 2.0

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.base < 0 or self.cap < 0:
            raise ValueError("retry: max_retries, base and cap must be >= 0")

    def delay(self, retry: int) -> float:
        return random.uniform(0, min(self.cap, self.base * (2**retry)))


def new_event_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


def check_user_id(user_id: Any, field: str = "userId") -> str:
    if not isinstance(user_id, str) or not 0 < len(user_id) <= MAX_USER_ID_LENGTH:
        raise InvalidEventError(
            field, f"must be a non-empty string of at most {MAX_USER_ID_LENGTH} characters"
        )
    return user_id


def prepare_event(event: Mapping[str, Any], field: str = "event") -> dict[str, Any]:
    """A validated copy of ``event`` with an id, so that retries of it are idempotent."""
    if not isinstance(event, Mapping):
        raise InvalidEventError(field, "must be a JSON object")
    prepared = dict(event)
    prepared.setdefault("id", new_event_id())
    validate_event(prepared, field)
    return prepared


def encode(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def publish_request(endpoint: Endpoint, api_key: str, user_id: str, event: Mapping[str, Any]) -> Request:
    body = {"userId": check_user_id(user_id), "event": prepare_event(event)}
    return _request(endpoint, api_key, body)


def batch_request(
    endpoint: Endpoint, api_key: str, items: Iterable[tuple[str, Mapping[str, Any]]]
) -> Request:
    batch = []
    for i, (user_id, event) in enumerate(items):
        batch.append(
            {
                "userId": check_user_id(user_id, f"batch[{i}].userId"),
                "event": prepare_event(event, f"batch[{i}].event"),
            }
        )
    if not batch:
        raise InvalidEventError("batch", "must be a non-empty array")
    return _request(endpoint, api_key, {"batch": batch})


def _request(endpoint: Endpoint, api_key: str, body: Any) -> Request:
    return Request(
        path=f"{endpoint.base_path}/v1/publish",
        body=encode(body),
        headers={
            "authorization": f"Bearer {api_key}",
            "content-type": "application/json",
            "accept": "application/json",
            "user-agent": USER_AGENT,
        },
    )


def gateway_error(status: int, body: bytes) -> GatewayError:
    """The typed error for a non-2xx answer, with the gateway's code and field when it sent them."""
    code, message, field = "http_error", body[:200].decode("utf-8", "replace") or "no body", None
    try:
        error = json.loads(body)["error"]
        code, message, field = str(error["code"]), str(error["message"]), error.get("field")
    except (ValueError, KeyError, TypeError):
        pass
    if status == 401:
        return UnauthorizedError(status, code, message, field)
    if status in RETRYABLE_STATUSES:
        return UnavailableError(status, code, message, field)
    return GatewayError(status, code, message, field)


def _json(status: int, body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        raise GatewayError(status, "invalid_response", "the gateway's answer is not JSON") from None


def _result(value: Any) -> PublishResult:
    epoch = value.get("epoch")
    return PublishResult(seq=int(value["seq"]), id=str(value["id"]), epoch=None if epoch is None else str(epoch))


def publish_result(status: int, body: bytes) -> PublishResult:
    try:
        return _result(_json(status, body))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise GatewayError(status, "invalid_response", "the gateway's answer has no seq and id") from None


def batch_results(status: int, body: bytes, expected: int) -> list[BatchResult]:
    value = _json(status, body)
    results: list[BatchResult] = []
    try:
        items: Sequence[Any] = value["results"]
        for item in items:
            if "error" in item:
                error = item["error"]
                results.append(ItemError(str(error["code"]), str(error["message"]), error.get("field")))
            else:
                results.append(_result(item))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise GatewayError(status, "invalid_response", "the gateway's batch answer is malformed") from None
    if len(results) != expected:
        raise GatewayError(status, "invalid_response", f"expected {expected} results, got {len(results)}")
    return results


__all__ = [
    "AgentwireError",
    "BatchResult",
    "Endpoint",
    "ItemError",
    "PublishResult",
    "Request",
    "Retry",
]
