"""Fixtures for the tests: a real gateway process (the CLI users run), JWT minting, a small
WebSocket client, an HTTP proxy that loses answers on purpose, and servers for the webhook
adapters. Standard library only, like the package."""

from __future__ import annotations

import asyncio
import atexit
import base64
import hashlib
import hmac
import http.client
import json
import os
import queue
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

REPO = Path(__file__).resolve().parents[2]
CLI = REPO / "packages" / "gateway" / "dist" / "cli.js"
NODE = os.environ.get("AGENTWIRE_NODE", "node")
JWT_SECRET = "python-tests-jwt-secret-at-least-32-bytes"
API_KEY = "python-tests-api-key"
WEBHOOK_SECRET = "python-tests-webhook-secret-of-32-bytes+"


class GatewayProcess:
    """``node packages/gateway/dist/cli.js`` on a kernel-chosen port, ended by its PID."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        if not CLI.exists():
            raise RuntimeError(f"{CLI} is missing: run `npm run build` first")
        full_env = {
            **os.environ,
            "NODE_ENV": "test",
            "AGENTWIRE_JWT_SECRET": JWT_SECRET,
            "AGENTWIRE_API_KEYS": API_KEY,
            **(env or {}),
            # The port is read from the 'listening' line, logged at info.
            "AGENTWIRE_LOG_LEVEL": "info",
        }
        self.proc = subprocess.Popen(
            [NODE, str(CLI), "--port", "0", "--host", "127.0.0.1"],
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.log: list[str] = []
        self._listening: queue.Queue[int | None] = queue.Queue()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        try:
            port = self._listening.get(timeout=30)
        except queue.Empty:
            self.stop()
            raise RuntimeError("gateway did not listen within 30 s:\n" + "".join(self.log)) from None
        if port is None:
            raise RuntimeError("gateway exited before listening:\n" + "".join(self.log))
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def _drain(self) -> None:
        """Keeps the log and reports the port from the 'listening' line (None: exited first)."""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.log.append(line)
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("msg") == "listening":
                self._listening.put(int(record["port"]))
        self._listening.put(None)

    def metric(self, name: str) -> float:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
        conn.close()
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split(" ")[1])
        return 0.0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(5)  # reads to the end of the output, then the pipe can close
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class SharedGateway:
    """One plain gateway process (no webhook) for every test module that needs one: started on
    first use, ended by its PID when the test run exits."""

    _process: GatewayProcess | None = None

    def __getattr__(self, name: str) -> Any:
        if SharedGateway._process is None:
            SharedGateway._process = GatewayProcess()
            atexit.register(SharedGateway._process.stop)
        return getattr(SharedGateway._process, name)


def mint_jwt(sub: str, secret: str = JWT_SECRET, ttl: int = 3600) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"sub": sub, "iat": int(time.time()), "exp": int(time.time()) + ttl}).encode())
    signature = hmac.new(secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{b64(signature)}"


class WebSocketClient:
    """A minimal RFC 6455 client, as a browser would connect: agentwire.v1 plus bearer.<JWT>."""

    def __init__(self, port: int, token: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Sec-WebSocket-Protocol: agentwire.v1, bearer.{token}\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            head += chunk
        head, _, self.buffer = head.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(head.decode(errors="replace"))
        self.frames: list[dict[str, Any]] = []
        self.welcome = self.next(lambda f: f["type"] == "welcome")

    def send(self, frame: dict[str, Any]) -> None:
        payload = json.dumps(frame).encode()
        mask = os.urandom(4)
        n = len(payload)
        header = bytes([0x81]) + (
            bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n)
        )
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _frame(self) -> dict[str, Any] | None:
        b0, b1 = self._read(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._read(8))[0]
        payload = self._read(n)
        opcode = b0 & 0x0F
        if opcode == 0x9:  # ping: answer, as browsers do
            self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
            return None
        if opcode == 0x8:
            raise ConnectionError(f"closed by the server: {payload[:2].hex()}")
        return json.loads(payload) if opcode == 0x1 else None

    def next(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10) -> dict[str, Any]:
        """The first frame (received so far or later) that matches."""
        for frame in self.frames:
            if predicate(frame):
                return frame
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no matching frame; got {self.frames[-5:]}")
            self.sock.settimeout(left)
            frame = self._frame()
            for one in _expand(frame):
                self.frames.append(one)
                if predicate(one):
                    return one

    def events(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        self.next(lambda _: len([f for f in self.frames if f["type"] == "event"]) >= count, timeout)
        return [f for f in self.frames if f["type"] == "event"]

    def close(self) -> None:
        self.sock.close()


def _expand(frame: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A `deltas` frame (coalesced agent_message events) as the event frames it stands for, as
    the protocol's expandDeltas gives them; any other frame as itself."""
    if frame is None:
        return []
    if frame.get("type") != "deltas":
        return [frame]
    events = []
    for i, delta in enumerate(frame["deltas"]):
        event = {"id": frame["ids"][i], "type": "agent_message", "runId": frame["runId"]}
        if "threadId" in frame:
            event["threadId"] = frame["threadId"]
        event["ts"] = frame["ts"][i]
        event["data"] = {"messageId": frame["messageId"], "delta": delta}
        events.append({"type": "event", "seq": frame["from"] + i, "event": event})
    return events


class AnswerLosingProxy:
    """An HTTP proxy in front of the gateway that forwards each request, but for the first
    ``lose`` requests drops the gateway's answer (closes the connection): what a client sees
    when a response is lost to a timeout or a broken connection after the gateway accepted."""

    def __init__(self, upstream_port: int, lose: int = 0, status: int | None = None) -> None:
        self.upstream_port = upstream_port
        self.lose = lose
        self.status = status
        self.requests = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, rest = data.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {k.lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
                length = int(headers.get("content-length", "0"))
                while len(rest) < length:
                    rest += conn.recv(65536)
                body, data = rest[:length], rest[length:]
                self.requests += 1
                method, path, _ = lines[0].split(" ", 2)
                if self.requests <= self.lose and self.status is not None:
                    text = json.dumps({"error": {"code": "unavailable", "message": "proxy says no"}}).encode()
                    conn.sendall(
                        f"HTTP/1.1 {self.status} X\r\ncontent-type: application/json\r\n"
                        f"content-length: {len(text)}\r\n\r\n".encode() + text
                    )
                    continue
                upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=10)
                upstream.request(method, path, body=body, headers={k: v for k, v in headers.items() if k != "host"})
                response = upstream.getresponse()
                answer = response.read()
                upstream.close()
                if self.requests <= self.lose:
                    return  # the gateway accepted; the client never hears it
                conn.sendall(
                    f"HTTP/1.1 {response.status} {response.reason}\r\ncontent-type: application/json\r\n"
                    f"content-length: {len(answer)}\r\n\r\n".encode() + answer
                )

    def close(self) -> None:
        self.server.close()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class WsgiServer:
    """wsgiref serving a WSGI app on a kernel-chosen port, in a thread."""

    def __init__(self, app: Any) -> None:
        self.httpd: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/agentwire"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class AsgiServer:
    """A small HTTP/1.1 server on asyncio that runs an ASGI app, as uvicorn would, in a thread
    with its own event loop (one request per connection)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        started = threading.Event()

        async def start() -> None:
            self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            started.set()

        def run() -> None:
            self.loop.run_until_complete(start())
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        started.wait(10)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/agentwire"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        method, path, _ = head[0].split(" ", 2)
        headers = [(k.strip().lower().encode(), v.strip().encode()) for k, _, v in (l.partition(":") for l in head[1:] if l)]
        length = int(dict(headers).get(b"content-length", b"0"))
        body = await reader.readexactly(length)
        scope = {"type": "http", "method": method, "path": path, "headers": headers, "asgi": {"version": "3.0"}}
        received = False

        async def receive() -> dict[str, Any]:
            nonlocal received
            if received:
                await asyncio.Event().wait()
            received = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                lines = [f"HTTP/1.1 {message['status']} X"] + [f"{k.decode()}: {v.decode()}" for k, v in message["headers"]]
                writer.write(("\r\n".join(lines) + "\r\nconnection: close\r\n\r\n").encode())
            else:
                writer.write(message.get("body", b""))

        await self.app(scope, receive, send)
        await writer.drain()
        writer.close()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
