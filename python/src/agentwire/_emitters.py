"""The user- and run-scoped emitters, one definition for every client: ``send`` decides what a
publish returns (a PublishResult for the sync client, a coroutine for the asyncio client, the
event id for a batch being collected)."""

from __future__ import annotations

import time
import uuid
from typing import Any, Callable, Generic, Mapping, TypeVar

from ._core import check_user_id

R = TypeVar("R")


def cancel_event_id(run_id: str) -> str:
    """The id of a run's ``run_cancelled`` event, as the protocol computes it (``cancelEventId``:
    FNV-1a 64 over UTF-16 code units when ``cancel_<runId>`` is longer than 128 units)."""
    units = run_id.encode("utf-16-le")
    count = len(units) // 2
    if count + len("cancel_") <= 128:
        return f"cancel_{run_id}"
    h = 0xCBF29CE484222325
    for i in range(0, len(units), 2):
        h = ((h ^ int.from_bytes(units[i : i + 2], "little")) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    digits = ""
    while True:
        h, r = divmod(h, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
        if h == 0:
            break
    return f"cancel_h{digits}_{count}"


_MISSING: Any = object()


class UserEmitter(Generic[R]):
    """Everything addressed to one user: the only way to address anyone."""

    def __init__(self, user_id: str, send: Callable[[str, Mapping[str, Any]], R]) -> None:
        self.user_id = check_user_id(user_id)
        self._send = send

    def publish(self, event: Mapping[str, Any]) -> R:
        return self._send(self.user_id, event)

    def run(self, *, run_id: str | None = None, thread_id: str | None = None) -> RunEmitter[R]:
        """Starts a run; its helpers stamp ``runId`` (and ``threadId``) on every event."""
        return RunEmitter(self, run_id or f"run_{uuid.uuid4()}", thread_id)


class RunEmitter(Generic[R]):
    """Typed helpers for one run's events, named like the Node API's (SPEC §3)."""

    def __init__(self, user: UserEmitter[R], run_id: str, thread_id: str | None) -> None:
        self.user = user
        self.run_id = run_id
        self.thread_id = thread_id
        self._started_at = time.monotonic()

    def emit(self, type: str, data: Mapping[str, Any], id: str | None = None) -> R:
        event: dict[str, Any] = {"type": type, "runId": self.run_id, "data": dict(data)}
        if self.thread_id is not None:
            event["threadId"] = self.thread_id
        if id is not None:
            event["id"] = id
        return self.user.publish(event)

    def started(self, agent: str) -> R:
        return self.emit("agent_started", {"agent": agent})

    def thinking(self, text: str) -> R:
        return self.emit("agent_thinking", {"text": text})

    def tool_executing(self, tool: str, call_id: str, args: Any = _MISSING) -> R:
        data: dict[str, Any] = {"tool": tool, "callId": call_id}
        if args is not _MISSING:
            data["args"] = args
        return self.emit("tool_executing", data)

    def tool_completed(
        self,
        tool: str,
        call_id: str,
        *,
        duration_ms: float,
        result: Any = _MISSING,
        error: Any = _MISSING,
    ) -> R:
        data: dict[str, Any] = {"tool": tool, "callId": call_id, "durationMs": duration_ms}
        if result is not _MISSING:
            data["result"] = result
        if error is not _MISSING:
            data["error"] = error
        return self.emit("tool_completed", data)

    def message(self, message_id: str, delta: str) -> R:
        """One streamed chunk of the answer."""
        return self.emit("agent_message", {"messageId": message_id, "delta": delta})

    def completed(
        self,
        *,
        result: Any = _MISSING,
        text: str | None = None,
        duration_ms: float | None = None,
    ) -> R:
        """``duration_ms`` defaults to the time since this emitter was created."""
        elapsed = round((time.monotonic() - self._started_at) * 1000)
        data: dict[str, Any] = {"durationMs": elapsed if duration_ms is None else duration_ms}
        if result is not _MISSING:
            data["result"] = result
        if text is not None:
            data["text"] = text
        return self.emit("agent_completed", data)

    def error(self, message: str, code: str | None = None) -> R:
        return self.emit("agent_error", {"message": message} if code is None else {"message": message, "code": code})

    def cancelled(self, reason: str | None = None) -> R:
        """Ends the run as cancelled, with the one id the gateway gives this run's
        ``run_cancelled`` (``cancel_<runId>``): a client's cancel and this call dedupe."""
        data = {} if reason is None else {"reason": reason}
        return self.emit("run_cancelled", data, id=cancel_event_id(self.run_id))


T = TypeVar("T")


class Batch(Generic[T]):
    """Events collected for one publish request. Each is validated and given its id when added,
    so a bad one raises at the call that added it; ``send()`` publishes them all at once."""

    def __init__(self, send: Callable[[list[tuple[str, dict[str, Any]]]], T]) -> None:
        self._send = send
        self.items: list[tuple[str, dict[str, Any]]] = []

    def add(self, user_id: str, event: Mapping[str, Any]) -> str:
        """Queues one event; returns its id."""
        from ._core import prepare_event

        field = f"batch[{len(self.items)}]"
        prepared = prepare_event(event, f"{field}.event")
        self.items.append((check_user_id(user_id, f"{field}.userId"), prepared))
        return str(prepared["id"])

    def for_user(self, user_id: str) -> UserEmitter[str]:
        return UserEmitter(user_id, self.add)

    def send(self) -> T:
        return self._send(list(self.items))

    def __len__(self) -> int:
        return len(self.items)
