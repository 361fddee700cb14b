"""Upstream webhooks: ``verify_webhook`` on its own, and the round trip through a real gateway
process — a browser-shaped WebSocket client sends a message, the gateway POSTs it signed, the
Python app (WSGI on wsgiref, ASGI on a small asyncio server) answers and publishes back, and the
client gets the ack."""

from __future__ import annotations

import http.client
import json
import os
import tempfile
import time
import unittest
from typing import Any
from urllib.parse import urlsplit

from support import API_KEY, WEBHOOK_SECRET, AsgiServer, GatewayProcess, WebSocketClient, WsgiServer, mint_jwt

from agentwire import (
    Gateway,
    Refuse,
    WebhookRequest,
    WebhookVerificationError,
    asgi_app,
    sign_webhook,
    verify_webhook,
    wsgi_app,
)

BODY = json.dumps(
    {"type": "message", "id": "m1", "userId": "alice", "connectionId": "c_1", "data": {"q": 1}, "timestamp": "2026-12-03T10:00:00.000Z"}
).encode()


class VerifyWebhook(unittest.TestCase):
    def test_a_signed_body_verifies_and_parses(self) -> None:
        request = verify_webhook({"Agentwire-Signature": sign_webhook(BODY, WEBHOOK_SECRET), "agentwire-attempt": "2"}, BODY, WEBHOOK_SECRET)
        self.assertEqual((request.type, request.id, request.user_id, request.connection_id), ("message", "m1", "alice", "c_1"))
        self.assertEqual((request.data, request.attempt), ({"q": 1}, 2))

    def test_a_cancel_carries_its_run(self) -> None:
        body = json.dumps(
            {"type": "cancel", "id": "cancel_run_1", "userId": "alice", "runId": "run_1", "reason": "stop", "via": "frame", "timestamp": "2026-12-03T10:00:00.000Z"}
        ).encode()
        request = verify_webhook({"agentwire-signature": sign_webhook(body, WEBHOOK_SECRET)}, body, WEBHOOK_SECRET)
        self.assertEqual((request.type, request.run_id, request.reason, request.data), ("cancel", "run_1", "stop", None))

    def test_asgi_style_header_pairs_and_rotated_secrets(self) -> None:
        header = sign_webhook(BODY, "old-secret-old-secret-old-secret-0")
        request = verify_webhook([(b"agentwire-signature", header.encode())], BODY, [WEBHOOK_SECRET, "old-secret-old-secret-old-secret-0"])
        self.assertEqual(request.id, "m1")

    def test_each_way_to_fail_is_named(self) -> None:
        now = time.time()
        good = sign_webhook(BODY, WEBHOOK_SECRET, int(now))
        cases = {
            "no agentwire-signature header": ({}, BODY),
            "signature does not match (wrong secret or altered body)": ({"agentwire-signature": sign_webhook(BODY, "x" * 32)}, BODY),
            "signature does not match (wrong secret or altered body) ": ({"agentwire-signature": good}, BODY.replace(b"alice", b"mallo")),
            "replay window": ({"agentwire-signature": sign_webhook(BODY, WEBHOOK_SECRET, int(now) - 301)}, BODY),
            "no t=<unix seconds>": ({"agentwire-signature": good.split(",", 1)[1]}, BODY),
            "no v1= signature": ({"agentwire-signature": good.split(",", 1)[0]}, BODY),
            "body is not a webhook payload": ({"agentwire-signature": sign_webhook(b"[1]", WEBHOOK_SECRET)}, b"[1]"),
        }
        for expected, (headers, body) in cases.items():
            with self.subTest(expected=expected):
                with self.assertRaises(WebhookVerificationError) as caught:
                    verify_webhook(headers, body, WEBHOOK_SECRET, now=now)
                self.assertIn(expected.strip(), str(caught.exception))
        with self.assertRaises(ValueError):
            verify_webhook({}, BODY, "")


def on_message(gw: Gateway, seen: list[WebhookRequest]):
    """The application: answers by the message's op, and streams a run back to the user."""

    def handle(request: WebhookRequest) -> Any:
        seen.append(request)
        op = request.data.get("op")
        if op == "refuse":
            raise Refuse("no such planet")
        if op == "boom":
            raise RuntimeError("a bug in the application")
        if op == "nothing":
            return None
        run = gw.for_user(request.user_id).run()
        run.started("py-agent")
        run.completed(text=f"you said {request.data.get('text')}")
        return {"runId": run.run_id, "echo": request.data}

    return handle


class RoundTrip:
    """Shared by the WSGI and ASGI cases: the app is served first, then a gateway whose upstream
    URL is the app's; the app's handler publishes back through ``cls.publisher``."""

    gateway: GatewayProcess
    publisher: Gateway
    server: Any
    app_url: str
    seen: list[WebhookRequest]
    assertEqual: Any

    @classmethod
    def serve(cls, handler: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def gateway_env(cls) -> dict[str, str]:
        return {"AGENTWIRE_UPSTREAM_URL": cls.app_url, "AGENTWIRE_UPSTREAM_SECRET": WEBHOOK_SECRET}

    @classmethod
    def setUpClass(cls) -> None:
        cls.seen = []
        # Looked up per call: the publisher exists only once the gateway listens.
        cls.server = cls.serve(lambda request: on_message(cls.publisher, cls.seen)(request))
        cls.app_url = cls.server.url
        cls.gateway = GatewayProcess(cls.gateway_env())
        cls.publisher = Gateway(cls.gateway.url, API_KEY)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.publisher.close()
        cls.gateway.stop()
        cls.server.close()

    def test_message_answer_ack_and_the_run_published_back(self) -> None:
        tab = WebSocketClient(self.gateway.port, mint_jwt("rt-alice"))
        try:
            tab.send({"type": "message", "id": "m1", "data": {"op": "ask", "text": "hello"}})
            ack = tab.next(lambda f: f.get("id") == "m1")
            self.assertEqual(ack["type"], "ack", ack)
            self.assertEqual(ack["data"]["echo"], {"op": "ask", "text": "hello"})
            events = tab.events(2)
            self.assertEqual([e["event"]["type"] for e in events], ["agent_started", "agent_completed"])
            self.assertEqual({e["event"]["runId"] for e in events}, {ack["data"]["runId"]})
            self.assertEqual(events[1]["event"]["data"]["text"], "you said hello")
            request = self.seen[-1]
            self.assertEqual((request.user_id, request.id), ("rt-alice", "m1"))
            self.assertEqual(request.connection_id, tab.welcome["connectionId"])
            tab.send({"type": "message", "id": "m2", "data": {"op": "nothing"}})
            self.assertEqual(tab.next(lambda f: f.get("id") == "m2"), {"type": "ack", "id": "m2"})
        finally:
            tab.close()

    def test_refusal_and_handler_failure_are_errors_for_that_message_only(self) -> None:
        tab = WebSocketClient(self.gateway.port, mint_jwt("rt-bob"))
        try:
            tab.send({"type": "message", "id": "r1", "data": {"op": "refuse"}})
            tab.send({"type": "message", "id": "r2", "data": {"op": "boom"}})
            tab.send({"type": "message", "id": "r3", "data": {"op": "ask", "text": "still here"}})
            refused = tab.next(lambda f: f.get("id") == "r1")
            self.assertEqual(
                (refused["type"], refused["code"], refused["message"]),
                ("error", "handler_failed", "the application refused the message (HTTP 422): no such planet"),
            )
            failed = tab.next(lambda f: f.get("id") == "r2")
            self.assertEqual(failed["message"], "the application refused the message (HTTP 500): the application's handler failed")
            self.assertEqual(tab.next(lambda f: f.get("id") == "r3")["type"], "ack")
        finally:
            tab.close()

    def test_an_unsigned_request_is_refused_without_calling_the_handler(self) -> None:
        url = urlsplit(self.app_url)
        before = len(self.seen)
        for headers in ({}, {"agentwire-signature": sign_webhook(BODY, "w" * 40)}):
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
            conn.request("POST", url.path, body=BODY, headers={"content-type": "application/json", **headers})
            response = conn.getresponse()
            body = json.loads(response.read())
            conn.close()
            self.assertEqual(response.status, 401)
            self.assertEqual(body["error"]["code"], "unauthorized")
        self.assertEqual(len(self.seen), before)



class WsgiRoundTrip(RoundTrip, unittest.TestCase):
    @classmethod
    def serve(cls, handler: Any) -> Any:
        return WsgiServer(wsgi_app(handler, WEBHOOK_SECRET))

    @classmethod
    def gateway_env(cls) -> dict[str, str]:
        # The secret from a file, as a deployment would mount it.
        fd, cls.secret_file = tempfile.mkstemp()
        os.write(fd, f"{WEBHOOK_SECRET}\n".encode())
        os.close(fd)
        cls.addClassCleanup(os.unlink, cls.secret_file)
        return {"AGENTWIRE_UPSTREAM_URL": cls.app_url, "AGENTWIRE_UPSTREAM_SECRET_FILE": cls.secret_file}


class AsgiRoundTrip(RoundTrip, unittest.TestCase):
    @classmethod
    def serve(cls, handler: Any) -> Any:
        async def on_message_async(request: WebhookRequest) -> Any:  # async, as FastAPI handlers are
            return handler(request)

        return AsgiServer(asgi_app(on_message_async, WEBHOOK_SECRET))


class WrongSecret(unittest.TestCase):
    def test_a_gateway_signing_with_another_secret_gets_a_clear_error_per_message(self) -> None:
        seen: list[WebhookRequest] = []
        server = WsgiServer(wsgi_app(lambda r: seen.append(r), WEBHOOK_SECRET))
        gateway = GatewayProcess({"AGENTWIRE_UPSTREAM_URL": server.url, "AGENTWIRE_UPSTREAM_SECRET": "not-the-apps-secret-but-32-bytes-long"})
        tab = WebSocketClient(gateway.port, mint_jwt("rt-carol"))
        try:
            tab.send({"type": "message", "id": "w1", "data": {}})
            error = tab.next(lambda f: f.get("id") == "w1")
            self.assertEqual(error["code"], "handler_failed")
            self.assertEqual(
                error["message"],
                "the application refused the message (HTTP 401): signature does not match (wrong secret or altered body)",
            )
            self.assertEqual(seen, [])
            tab.send({"type": "ping", "id": "p"})
            self.assertEqual(tab.next(lambda f: f.get("id") == "p")["type"], "pong")
        finally:
            tab.close()
            gateway.stop()
            server.close()


if __name__ == "__main__":
    unittest.main()
