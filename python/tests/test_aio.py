"""The asyncio client: the same surface as the sync one, over its own HTTP/1.1 on asyncio
streams, against a real gateway process."""

from __future__ import annotations

import asyncio
import socket
import unittest

from support import API_KEY, AnswerLosingProxy, SharedGateway, WebSocketClient, mint_jwt

from agentwire import AsyncGateway, InvalidEventError, ItemError, PublishResult, Retry, TransportError, UnauthorizedError

FAST = Retry(max_retries=3, base=0.01, cap=0.05)
gateway = SharedGateway()


class AsyncClient(unittest.IsolatedAsyncioTestCase):
    async def test_helpers_batch_and_concurrent_publishes(self) -> None:
        tab = await asyncio.to_thread(WebSocketClient, gateway.port, mint_jwt("aio-alice"))
        try:
            async with AsyncGateway(gateway.url, API_KEY) as gw:
                run = gw.for_user("aio-alice").run(run_id="run_aio")
                first = await run.started("planner")
                await run.tool_executing("search", "c1")
                await run.tool_completed("search", "c1", error="not found", duration_ms=3)
                # Concurrent publishes on one loop, over a handful of kept-alive connections.
                many = await asyncio.gather(*(run.message("m1", f"{i} ") for i in range(40)))
                batch = gw.batch()
                b = batch.for_user("aio-alice").run(run_id="run_aio")
                b.thinking("batched")
                b.completed(text="done")
                batch.for_user("aio-bob").publish({"type": "x-huge", "data": "y" * 70_000})
                results = await batch.send()
                last = await run.cancelled()
            self.assertIsInstance(first, PublishResult)
            self.assertEqual(sorted(r.seq for r in many), list(range(first.seq + 3, first.seq + 43)))
            self.assertEqual([type(r) for r in results], [PublishResult, PublishResult, ItemError])
            self.assertEqual(last.seq, first.seq + 45)
            events = await asyncio.to_thread(tab.events, 46)
            self.assertEqual([e["seq"] for e in events], list(range(first.seq, first.seq + 46)))
            self.assertEqual(events[2]["event"]["data"], {"tool": "search", "callId": "c1", "durationMs": 3, "error": "not found"})
            self.assertEqual(events[-1]["event"]["type"], "run_cancelled")
        finally:
            tab.close()

    async def test_a_lost_answer_is_retried_idempotently(self) -> None:
        tab = await asyncio.to_thread(WebSocketClient, gateway.port, mint_jwt("aio-carol"))
        proxy = AnswerLosingProxy(gateway.port, lose=1)
        try:
            async with AsyncGateway(proxy.url, API_KEY, retry=FAST) as gw:
                result = await gw.for_user("aio-carol").run().thinking("once")
            self.assertEqual(proxy.requests, 2)
            [event] = await asyncio.to_thread(tab.events, 1)
            self.assertEqual(event["event"]["id"], result.id)
            tab.send({"type": "ping", "id": "after"})
            await asyncio.to_thread(tab.next, lambda f: f.get("id") == "after")
            self.assertEqual(len([f for f in tab.frames if f["type"] == "event"]), 1)
        finally:
            tab.close()
            proxy.close()

    async def test_errors(self) -> None:
        proxy = AnswerLosingProxy(gateway.port)
        try:
            async with AsyncGateway(proxy.url, API_KEY) as gw:
                with self.assertRaises(InvalidEventError) as caught:
                    await gw.for_user("aio-dave").run().tool_completed("t", "c", duration_ms=float("nan"))
                self.assertEqual(caught.exception.field, "event.data.durationMs")
            self.assertEqual(proxy.requests, 0)
            async with AsyncGateway(proxy.url, "wrong") as gw:
                with self.assertRaises(UnauthorizedError):
                    await gw.for_user("aio-dave").run().started("a")
            self.assertEqual(proxy.requests, 1)
        finally:
            proxy.close()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        async with AsyncGateway(f"http://127.0.0.1:{port}", API_KEY, retry=Retry(max_retries=1, base=0.01)) as gw:
            with self.assertRaises(TransportError) as lost:
                await gw.for_user("aio-dave").run().started("a")
        self.assertEqual(lost.exception.attempts, 2)

    async def test_a_stalled_gateway_times_out_and_cancelling_abandons_the_request(self) -> None:
        stalled = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
        port = stalled.getsockname()[1]
        try:
            async with AsyncGateway(f"http://127.0.0.1:{port}", API_KEY, timeout=0.2, retry=Retry(max_retries=0)) as gw:
                with self.assertRaises(TransportError) as caught:
                    await gw.for_user("aio-erin").run().started("a")
                self.assertIn("did not answer within 0.2 s", str(caught.exception))
                task = asyncio.ensure_future(gw.for_user("aio-erin").run().started("a"))
                await asyncio.sleep(0.05)
                task.cancel()
                with self.assertRaises(asyncio.CancelledError):
                    await task
        finally:
            stalled.close()


if __name__ == "__main__":
    unittest.main()
