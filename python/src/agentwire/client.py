"""The synchronous client: ``http.client`` with a small pool of keep-alive connections."""

from __future__ import annotations

import http.client
import ssl
import threading
import time
from typing import Any, Iterable, Mapping

from ._core import (
    RETRYABLE_STATUSES,
    BatchResult,
    Endpoint,
    PublishResult,
    Request,
    Retry,
    batch_request,
    batch_results,
    gateway_error,
    publish_request,
    publish_result,
)
from ._emitters import Batch, UserEmitter
from ._transport import MAX_RESPONSE_BYTES, describe, is_stale_connection
from .errors import GatewayError, TransportError


class Gateway:
    """Publishes to an agentwire gateway over HTTP. Thread-safe; reuse one per process.

    ``timeout`` bounds connecting and each read, in seconds. Failed attempts (unreachable,
    timeout, 408/429/5xx) are retried ``retry.max_retries`` times with jittered backoff; every
    event carries a client-side id, so a retry never publishes an event twice.
    """

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
        self.endpoint = Endpoint.parse(url)
        self.timeout = timeout
        self.retry = retry or Retry()
        self._api_key = api_key
        self._ssl = ssl_context
        self._idle: list[http.client.HTTPConnection] = []
        self._max_idle = max_idle_connections
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never shows the API key
        e = self.endpoint
        return f"Gateway({e.scheme}://{e.host}:{e.port}{e.base_path})"

    def for_user(self, user_id: str) -> UserEmitter[PublishResult]:
        """The user-scoped emitter: ``gw.for_user("alice").run(thread_id="t1").started("planner")``."""
        return UserEmitter(user_id, self.publish)

    def publish(self, user_id: str, event: Mapping[str, Any]) -> PublishResult:
        request = publish_request(self.endpoint, self._api_key, user_id, event)
        status, body = self._call(request)
        return publish_result(status, body)

    def publish_batch(self, items: Iterable[tuple[str, Mapping[str, Any]]]) -> list[BatchResult]:
        """Publishes ``(user_id, event)`` pairs in one request; one result per item, in order.
        A refused item is an ItemError in its place; the others are accepted regardless."""
        listed = list(items)
        status, body = self._call(batch_request(self.endpoint, self._api_key, listed))
        return batch_results(status, body, len(listed))

    def batch(self) -> Batch[list[BatchResult]]:
        """Collects events (``batch.for_user(u).run(...).thinking(...)``), then ``batch.send()``."""
        return Batch(self.publish_batch)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, request: Request) -> tuple[int, bytes]:
        attempt = 0
        while True:
            attempt += 1
            failure: Exception
            try:
                status, body = self._exchange(request)
            except (OSError, http.client.HTTPException) as error:
                failure = TransportError(describe(error, self.endpoint, self.timeout), attempt)
            else:
                if status < 300:
                    return status, body
                error_ = gateway_error(status, body)
                if status not in RETRYABLE_STATUSES:
                    raise error_
                failure = error_
            if attempt > self.retry.max_retries:
                raise failure
            time.sleep(self.retry.delay(attempt - 1))

    def _exchange(self, request: Request) -> tuple[int, bytes]:
        conn, reused = self._connection()
        try:
            return self._roundtrip(conn, request)
        except (OSError, http.client.HTTPException) as error:
            if not (reused and is_stale_connection(error)):
                raise
        # The server had closed an idle keep-alive connection: not a failed attempt.
        return self._roundtrip(self._new_connection(), request)

    def _roundtrip(self, conn: http.client.HTTPConnection, request: Request) -> tuple[int, bytes]:
        try:
            conn.request("POST", request.path, body=request.body, headers=dict(request.headers))
            response = conn.getresponse()
            body = response.read(MAX_RESPONSE_BYTES + 1)
        except BaseException:
            conn.close()
            raise
        if len(body) > MAX_RESPONSE_BYTES:
            conn.close()
            raise GatewayError(response.status, "invalid_response", "the gateway's answer is too large")
        if response.will_close:
            conn.close()
        else:
            self._release(conn)
        return response.status, body

    def _new_connection(self) -> http.client.HTTPConnection:
        e = self.endpoint
        if e.scheme == "https":
            return http.client.HTTPSConnection(
                e.host, e.port, timeout=self.timeout, context=self._ssl or ssl.create_default_context()
            )
        return http.client.HTTPConnection(e.host, e.port, timeout=self.timeout)

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return self._new_connection(), False

    def _release(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < self._max_idle:
                self._idle.append(conn)
                return
        conn.close()
