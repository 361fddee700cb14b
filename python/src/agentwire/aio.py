"""The asyncio client: the same surface as :class:`agentwire.Gateway`, with awaitable publishes.

It speaks HTTP/1.1 itself over ``asyncio`` streams rather than running the sync client in a
thread pool: a publish then costs no thread, thousands can be in flight on one loop, and
cancelling the awaiting task really abandons the request (a thread cannot be interrupted)."""

from __future__ import annotations

import asyncio
from typing import Any, Coroutine, Iterable, Mapping

from ._base import ClientBase
from ._core import BatchResult, PublishResult, Request, batch_results, publish_result
from ._emitters import Batch, UserEmitter
from ._transport import MAX_RESPONSE_BYTES, is_stale_connection
from .errors import AgentwireError, GatewayError

_Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class _ProtocolError(ConnectionError):
    """The peer's answer is not HTTP/1.1 we can read."""


class AsyncGateway(ClientBase[_Conn]):
    """``async with AsyncGateway(url, api_key) as gw: await gw.for_user("alice").run().started("a")``

    ``timeout`` bounds each attempt (connect, send, answer) in seconds; retries as in Gateway.
    Not thread-safe: use it from one event loop.
    """

    def for_user(self, user_id: str) -> UserEmitter[Coroutine[Any, Any, PublishResult]]:
        return UserEmitter(user_id, self.publish)

    async def publish(self, user_id: str, event: Mapping[str, Any]) -> PublishResult:
        status, body = await self._call(self._publish_request(user_id, event))
        return publish_result(status, body)

    async def publish_batch(self, items: Iterable[tuple[str, Mapping[str, Any]]]) -> list[BatchResult]:
        listed = list(items)
        status, body = await self._call(self._batch_request(listed))
        return batch_results(status, body, len(listed))

    def batch(self) -> Batch[Coroutine[Any, Any, list[BatchResult]]]:
        return Batch(self.publish_batch)

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for _, writer in idle:
            writer.close()
        for _, writer in idle:
            try:
                await writer.wait_closed()
            except OSError:
                pass

    async def __aenter__(self) -> AsyncGateway:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _call(self, request: Request) -> tuple[int, bytes]:
        attempt = 0
        while True:
            attempt += 1
            try:
                status, body = await asyncio.wait_for(self._exchange(request), self.timeout)
            except (OSError, asyncio.TimeoutError) as error:
                failure: AgentwireError = self._unreachable(_timeout(error), attempt)
            else:
                settled = self._settle(status, body)
                if settled is None:
                    return status, body
                failure = settled
            if attempt > self.retry.max_retries:
                raise failure
            await asyncio.sleep(self.retry.delay(attempt - 1))

    async def _exchange(self, request: Request) -> tuple[int, bytes]:
        conn, reused = (self._idle.pop(), True) if self._idle else (await self._open(), False)
        try:
            return await self._roundtrip(conn, request)
        except OSError as error:
            if not (reused and is_stale_connection(error)):
                raise
        return await self._roundtrip(await self._open(), request)

    async def _open(self) -> _Conn:
        return await asyncio.open_connection(self.endpoint.host, self.endpoint.port, ssl=self._ssl_context())

    async def _roundtrip(self, conn: _Conn, request: Request) -> tuple[int, bytes]:
        reader, writer = conn
        try:
            head = [f"POST {request.path} HTTP/1.1", f"host: {self.endpoint.host}:{self.endpoint.port}"]
            head += [f"{k}: {v}" for k, v in request.headers.items()]
            head.append(f"content-length: {len(request.body)}")
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body)
            await writer.drain()
            status, keep_alive, body = await _read_response(reader)
        except (EOFError, asyncio.LimitOverrunError, ValueError) as error:
            writer.close()
            raise _ProtocolError(f"unreadable answer: {error}") from error
        except BaseException:
            writer.close()
            raise
        if keep_alive and len(self._idle) < self._max_idle:
            self._idle.append(conn)
        else:
            writer.close()
        return status, body


def _timeout(error: BaseException) -> BaseException:
    return TimeoutError() if isinstance(error, asyncio.TimeoutError) else error


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """Reads one HTTP/1.1 response: status, whether the connection stays open, body."""
    try:
        status_line = await reader.readuntil(b"\r\n")
    except asyncio.IncompleteReadError as error:
        # Nothing came back: the connection was closed (a stale keep-alive one, typically).
        raise ConnectionResetError("the connection closed before an answer") from error
    parts = status_line.decode("latin-1").split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise _ProtocolError(f"not an HTTP/1.1 status line: {status_line[:80]!r}")
    status = int(parts[1])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readuntil(b"\r\n")
        if line == b"\r\n":
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    keep_alive = headers.get("connection", "").lower() != "close" and parts[0] == "HTTP/1.1"
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass
                break
            if len(body) + size > MAX_RESPONSE_BYTES:
                raise GatewayError(status, "invalid_response", "the gateway's answer is too large")
            body += await reader.readexactly(size)
            await reader.readexactly(2)
        return status, keep_alive, bytes(body)
    if "content-length" in headers:
        length = int(headers["content-length"])
        if length > MAX_RESPONSE_BYTES:
            raise GatewayError(status, "invalid_response", "the gateway's answer is too large")
        return status, keep_alive, await reader.readexactly(length)
    body_ = await reader.read(MAX_RESPONSE_BYTES + 1)
    return status, False, body_
