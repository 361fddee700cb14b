"""The synchronous client: ``http.client`` with a small pool of keep-alive connections."""

from __future__ import annotations

import http.client
import time
from typing import Any, Iterable, Mapping

from ._base import ClientBase
from ._core import BatchResult, PublishResult, Request, batch_results, publish_result
from ._emitters import Batch, UserEmitter
from ._transport import MAX_RESPONSE_BYTES, is_stale_connection
from .errors import AgentwireError, GatewayError


class Gateway(ClientBase[http.client.HTTPConnection]):
    """Publishes to an agentwire gateway over HTTP. Thread-safe; reuse one per process.

    ``timeout`` bounds connecting and each read, in seconds. Failed attempts (unreachable,
    timeout, 408/429/5xx) are retried ``retry.max_retries`` times with jittered backoff; every
    event carries a client-side id, so a retry never publishes an event twice.
    """

    def for_user(self, user_id: str) -> UserEmitter[PublishResult]:
        """The user-scoped emitter: ``gw.for_user("alice").run(thread_id="t1").started("planner")``."""
        return UserEmitter(user_id, self.publish)

    def publish(self, user_id: str, event: Mapping[str, Any]) -> PublishResult:
        status, body = self._call(self._publish_request(user_id, event))
        return publish_result(status, body)

    def publish_batch(self, items: Iterable[tuple[str, Mapping[str, Any]]]) -> list[BatchResult]:
        """Publishes ``(user_id, event)`` pairs in one request; one result per item, in order.
        A refused item is an ItemError in its place; the others are accepted regardless."""
        listed = list(items)
        status, body = self._call(self._batch_request(listed))
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
            try:
                status, body = self._exchange(request)
            except (OSError, http.client.HTTPException) as error:
                failure: AgentwireError = self._unreachable(error, attempt)
            else:
                settled = self._settle(status, body)
                if settled is None:
                    return status, body
                failure = settled
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
        context = self._ssl_context()
        if context is not None:
            return http.client.HTTPSConnection(e.host, e.port, timeout=self.timeout, context=context)
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
