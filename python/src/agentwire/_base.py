"""The configuration and request handling the sync and asyncio clients share; each adds its
transport (``http.client`` or asyncio streams) and its retry loop (sleeping or awaiting)."""

from __future__ import annotations

import ssl
import threading
from typing import Any, Generic, Mapping, TypeVar

from ._core import (
    RETRYABLE_STATUSES,
    Endpoint,
    Request,
    Retry,
    batch_request,
    gateway_error,
    publish_request,
)
from ._transport import describe
from .errors import AgentwireError, TransportError

Conn = TypeVar("Conn")


class ClientBase(Generic[Conn]):
    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        timeout: float = 10.0,
        retry: Retry | None = None,
        ssl_context: ssl.SSLContext | None = None,
        max_idle_connections: int = 4,
    ) -> None:
        if not isinstance(api_key, str) or not api_key:
            raise ValueError("api_key: must be a non-empty string")
        if timeout <= 0:
            raise ValueError("timeout: must be > 0 seconds")
        self.endpoint = Endpoint.parse(url)
        self.timeout = timeout
        self.retry = retry or Retry()
        self._api_key = api_key
        self._ssl = ssl_context
        # Idle kept-alive connections; the lock matters to the sync client (used from threads).
        self._idle: list[Conn] = []
        self._max_idle = max_idle_connections
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never shows the API key
        e = self.endpoint
        return f"{type(self).__name__}({e.scheme}://{e.host}:{e.port}{e.base_path})"

    def _ssl_context(self) -> ssl.SSLContext | None:
        if self.endpoint.scheme != "https":
            return None
        return self._ssl or ssl.create_default_context()

    def _publish_request(self, user_id: str, event: Mapping[str, Any]) -> Request:
        return publish_request(self.endpoint, self._api_key, user_id, event)

    def _batch_request(self, items: list[tuple[str, Mapping[str, Any]]]) -> Request:
        return batch_request(self.endpoint, self._api_key, items)

    def _settle(self, status: int, body: bytes) -> AgentwireError | None:
        """None for a 2xx answer; a refusal worth retrying is returned, a final one raised."""
        if status < 300:
            return None
        error = gateway_error(status, body)
        if status not in RETRYABLE_STATUSES:
            raise error
        return error

    def _unreachable(self, error: BaseException, attempt: int) -> TransportError:
        return TransportError(describe(error, self.endpoint, self.timeout), attempt)


__all__ = ["ClientBase"]
