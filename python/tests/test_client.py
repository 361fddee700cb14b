"""The sync client against a real gateway process: run helpers, batch, idempotent retries,
typed errors."""

from __future__ import annotations

import socket
import unittest
from concurrent.futures import ThreadPoolExecutor

from support import API_KEY, AnswerLosingProxy, SharedGateway, WebSocketClient, mint_jwt

from agentwire import (
    Gateway,
    GatewayError,
    InvalidEventError,
    ItemError,
    PublishResult,
    Retry,
    TransportError,
    UnauthorizedError,
    UnavailableError,
)

FAST = Retry(max_retries=3, base=0.01, cap=0.05)
gateway = SharedGateway()


class RunHelpers(unittest.TestCase):
    def test_every_helper_publishes_its_event_in_order_to_the_users_tabs(self) -> None:
        tab = WebSocketClient(gateway.port, mint_jwt("py-alice"))
        other = WebSocketClient(gateway.port, mint_jwt("py-mallory"))
        try:
            with Gateway(gateway.url, API_KEY) as gw:
                run = gw.for_user("py-alice").run(thread_id="th_1")
                results = [
                    run.started("planner"),
                    run.thinking("looking up costs"),
                    run.tool_executing("cost_query", "c1", {"month": "2026-10"}),
                    run.tool_completed("cost_query", "c1", result={"rows": 12}, duration_ms=840),
                    run.message("m1", "Costs rose "),
                    run.completed(text="Costs rose 4 %."),
                    run.error("quota exceeded", code="quota"),
                    run.cancelled("user pressed stop"),
                ]
            for r in results[:-1]:
                self.assertIsInstance(r, PublishResult)
                self.assertTrue(r.id.startswith("evt_"))
            # A run's run_cancelled has the gateway's one id per run, so cancels dedupe.
            self.assertEqual(results[-1].id, f"cancel_{run.run_id}")
            seqs = [r.seq for r in results]
            self.assertEqual(seqs, list(range(seqs[0], seqs[0] + 8)))
            events = tab.events(8)
            self.assertEqual([e["seq"] for e in events], seqs)
            self.assertEqual([e["event"]["id"] for e in events], [r.id for r in results])
            bodies = [e["event"] for e in events]
            self.assertEqual(
                [b["type"] for b in bodies],
                [
                    "agent_started",
                    "agent_thinking",
                    "tool_executing",
                    "tool_completed",
                    "agent_message",
                    "agent_completed",
                    "agent_error",
                    "run_cancelled",
                ],
            )
            self.assertEqual({b["runId"] for b in bodies}, {run.run_id})
            self.assertEqual({b["threadId"] for b in bodies}, {"th_1"})
            self.assertEqual(bodies[2]["data"], {"tool": "cost_query", "callId": "c1", "args": {"month": "2026-10"}})
            self.assertEqual(
                bodies[3]["data"], {"tool": "cost_query", "callId": "c1", "durationMs": 840, "result": {"rows": 12}}
            )
            self.assertEqual(bodies[4]["data"], {"messageId": "m1", "delta": "Costs rose "})
            self.assertEqual(bodies[5]["data"]["text"], "Costs rose 4 %.")
            self.assertIsInstance(bodies[5]["data"]["durationMs"], int)
            self.assertEqual(bodies[6]["data"], {"message": "quota exceeded", "code": "quota"})
            self.assertEqual(bodies[7]["data"], {"reason": "user pressed stop"})
            # Each result carries the stream's epoch (the welcome's): a seq means nothing without it.
            self.assertEqual({r.epoch for r in results}, {tab.welcome["epoch"]})
            self.assertEqual([f for f in other.frames if f["type"] == "event"], [])
        finally:
            tab.close()
            other.close()

    def test_a_custom_event_and_a_given_id(self) -> None:
        with Gateway(gateway.url, API_KEY) as gw:
            first = gw.for_user("py-bob").publish({"type": "x-progress", "id": "evt_mine_1", "data": [1, 2]})
            again = gw.for_user("py-bob").publish({"type": "x-progress", "id": "evt_mine_1", "data": [1, 2]})
        self.assertEqual(first.id, "evt_mine_1")
        self.assertEqual(again.seq, first.seq, "the same id is the same event")


class Threads(unittest.TestCase):
    def test_one_client_shared_by_threads_publishes_every_event_once(self) -> None:
        with Gateway(gateway.url, API_KEY) as gw:
            run = gw.for_user("py-threads").run()

            def publish(n: int) -> list[int]:
                return [run.message("m", f"{n}.{i}").seq for i in range(20)]

            with ThreadPoolExecutor(8) as pool:
                seqs = [seq for batch in pool.map(publish, range(8)) for seq in batch]
        self.assertEqual(sorted(seqs), list(range(1, 161)))


class Batches(unittest.TestCase):
    def test_a_batch_is_one_request_with_one_result_per_item_in_order(self) -> None:
        tab = WebSocketClient(gateway.port, mint_jwt("py-carol"))
        proxy = AnswerLosingProxy(gateway.port)
        try:
            with Gateway(proxy.url, API_KEY) as gw:
                batch = gw.batch()
                run = batch.for_user("py-carol").run()
                ids = [run.started("a"), run.thinking("t"), run.message("m", "hi")]
                batch.for_user("py-dave").publish({"type": "x-big", "data": "x" * 70_000})
                ids.append(run.completed())
                results = batch.send()
            self.assertEqual(proxy.requests, 1)
            self.assertEqual(len(results), 5)
            self.assertIsInstance(results[3], ItemError)
            refused = results[3]
            assert isinstance(refused, ItemError)
            self.assertEqual(refused.code, "too_large")
            self.assertEqual(refused.field, "batch[3].event")
            accepted = [r for r in results if isinstance(r, PublishResult)]
            self.assertEqual([r.id for r in accepted], ids)
            events = tab.events(4)
            self.assertEqual([e["event"]["id"] for e in events], ids)
            self.assertEqual([e["seq"] for e in events], [r.seq for r in accepted])
            self.assertEqual({r.epoch for r in accepted}, {tab.welcome["epoch"]})
        finally:
            tab.close()
            proxy.close()

    def test_publish_batch_takes_pairs(self) -> None:
        with Gateway(gateway.url, API_KEY) as gw:
            results = gw.publish_batch(
                [("py-erin", {"type": "x-a", "data": 1}), ("py-frank", {"type": "x-b", "data": 2})]
            )
        self.assertEqual([type(r) for r in results], [PublishResult, PublishResult])


class Retries(unittest.TestCase):
    def test_a_lost_answer_is_retried_with_the_same_id_and_delivered_once(self) -> None:
        tab = WebSocketClient(gateway.port, mint_jwt("py-grace"))
        proxy = AnswerLosingProxy(gateway.port, lose=2)
        try:
            duplicates = gateway.metric("agentwire_duplicate_publishes_total")
            with Gateway(proxy.url, API_KEY, retry=FAST) as gw:
                result = gw.for_user("py-grace").run().thinking("once")
            self.assertEqual(proxy.requests, 3)
            self.assertEqual(gateway.metric("agentwire_duplicate_publishes_total"), duplicates + 2)
            [event] = tab.events(1)
            self.assertEqual((event["seq"], event["event"]["id"]), (result.seq, result.id))
            tab.send({"type": "ping", "id": "after"})
            tab.next(lambda f: f.get("id") == "after")
            self.assertEqual(len([f for f in tab.frames if f["type"] == "event"]), 1, "delivered once")
        finally:
            tab.close()
            proxy.close()

    def test_5xx_is_retried_then_raised_as_unavailable_with_the_gateways_code(self) -> None:
        proxy = AnswerLosingProxy(gateway.port, lose=1, status=503)
        try:
            with Gateway(proxy.url, API_KEY, retry=FAST) as gw:
                self.assertEqual(gw.for_user("py-heidi").run().started("a").seq, 1)
            self.assertEqual(proxy.requests, 2)
        finally:
            proxy.close()
        proxy = AnswerLosingProxy(gateway.port, lose=100, status=503)
        try:
            with Gateway(proxy.url, API_KEY, retry=Retry(max_retries=2, base=0.01)) as gw:
                with self.assertRaises(UnavailableError) as caught:
                    gw.for_user("py-heidi").run().started("a")
            self.assertEqual((caught.exception.status, caught.exception.code), (503, "unavailable"))
            self.assertEqual(proxy.requests, 3, "1 + max_retries attempts")
        finally:
            proxy.close()

    def test_an_unreachable_gateway_raises_transport_error_after_bounded_attempts(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with Gateway(f"http://127.0.0.1:{port}", API_KEY, retry=Retry(max_retries=2, base=0.01)) as gw:
            with self.assertRaises(TransportError) as caught:
                gw.for_user("py-ivan").run().started("a")
        self.assertEqual(caught.exception.attempts, 3)
        self.assertIn("refused", str(caught.exception))


class Errors(unittest.TestCase):
    def test_a_wrong_api_key_is_unauthorized_and_not_retried(self) -> None:
        proxy = AnswerLosingProxy(gateway.port)
        try:
            with Gateway(proxy.url, "not-the-key", retry=FAST) as gw:
                with self.assertRaises(UnauthorizedError) as caught:
                    gw.for_user("py-judy").run().started("a")
            self.assertEqual((caught.exception.status, caught.exception.code), (401, "unauthorized"))
            self.assertEqual(proxy.requests, 1)
        finally:
            proxy.close()

    def test_an_event_the_gateway_refuses_carries_its_code_and_field(self) -> None:
        with Gateway(gateway.url, API_KEY) as gw:
            with self.assertRaises(GatewayError) as caught:
                gw.for_user("py-judy").run().thinking("x" * 70_000)
        error = caught.exception
        self.assertEqual((error.status, error.code, error.field), (413, "too_large", "event"))

    def test_invalid_events_raise_before_any_request(self) -> None:
        proxy = AnswerLosingProxy(gateway.port)
        try:
            with Gateway(proxy.url, API_KEY) as gw:
                run = gw.for_user("py-ken").run()
                cases = {
                    "event.data.callId": lambda: run.emit("tool_executing", {"tool": "t"}),
                    "event.data.durationMs": lambda: run.tool_completed("t", "c", duration_ms=-1),
                    "event.data": lambda: run.tool_completed("t", "c", duration_ms=1, result=1, error="e"),
                    "event.data.agent": lambda: run.started(""),
                    "event.type": lambda: run.emit("made_up", {}),
                    "event.run_id": lambda: gw.for_user("py-ken").publish({"type": "x-a", "run_id": "r"}),
                    "event.runId": lambda: gw.for_user("py-ken").publish({"type": "agent_thinking", "data": {"text": "t"}}),
                    "event.ts": lambda: gw.for_user("py-ken").publish({"type": "x-a", "ts": "yesterday"}),
                    "event.data.text": lambda: run.thinking(None),  # type: ignore[arg-type]
                    "event": lambda: run.emit("x-obj", {"when": object()}),
                    "event.data.messageId": lambda: run.message("m" * 129, "d"),
                    "userId": lambda: gw.for_user(""),
                    "batch[1].event.data.text": lambda: gw.publish_batch(
                        [("py-ken", {"type": "x-a"}), ("py-ken", {"type": "agent_thinking", "runId": "r", "data": {}})]
                    ),
                }
                for field, call in cases.items():
                    with self.subTest(field=field):
                        with self.assertRaises(InvalidEventError) as caught:
                            call()
                        self.assertEqual(caught.exception.field, field)
                        self.assertIsInstance(caught.exception, ValueError)
                        self.assertTrue(str(caught.exception).startswith(f"{field}: "), str(caught.exception))
            self.assertEqual(proxy.requests, 0, "no request for an invalid event")
        finally:
            proxy.close()

    def test_bad_configuration_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            Gateway("ftp://x", API_KEY)
        with self.assertRaises(ValueError):
            Gateway("http://127.0.0.1:1", "")
        self.assertNotIn(API_KEY, repr(Gateway(gateway.url, API_KEY)))


if __name__ == "__main__":
    unittest.main()
