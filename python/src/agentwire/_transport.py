"""Transport details both clients share: how a failure reads, which failures mean a stale
keep-alive connection, and the answer size bound."""

from __future__ import annotations

import http.client
import socket

from ._core import Endpoint

MAX_RESPONSE_BYTES = 16 * 1024 * 1024


def describe(error: BaseException, endpoint: Endpoint, timeout: float) -> str:
    where = f"{endpoint.host}:{endpoint.port}"
    if isinstance(error, (TimeoutError, socket.timeout)):
        return f"the gateway at {where} did not answer within {timeout:g} s"
    if isinstance(error, ConnectionRefusedError):
        return f"connection to the gateway at {where} refused"
    if isinstance(error, socket.gaierror):
        return f"cannot resolve the gateway host {endpoint.host}: {error.strerror}"
    return f"request to the gateway at {where} failed: {type(error).__name__}: {error}"


def is_stale_connection(error: BaseException) -> bool:
    """A reused connection the server had already closed: the request never reached it."""
    return isinstance(
        error,
        (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.IncompleteRead),
    ) or (isinstance(error, ConnectionError) and not isinstance(error, ConnectionRefusedError))
