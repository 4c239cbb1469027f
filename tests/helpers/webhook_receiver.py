"""A real local webhook receiver for tests and the bench: an HTTP server in a thread that verifies
each request's signature, records it, and answers as told."""

import contextlib
import dataclasses
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE = 300  # seconds: older signatures are rejected, as docs/integrations.md advises


def verify(secret: str, header: str, body: bytes, *, now: float | None = None) -> bool:
    """The receiver's check: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>, t not too old."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    fresh = abs((time.time() if now is None else now) - timestamp) <= TOLERANCE
    return fresh and hmac.compare_digest(expected, parts.get("v1", ""))


@dataclasses.dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    verified: bool

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def delivery(self) -> str:
        return self.headers.get("X-Catalog-Delivery", "")


class Receiver:
    """`answer(received)` returns the status to send (default 200), or ("sleep", seconds) to answer 200
    only after that long (a timeout for the sender)."""

    def __init__(self, secret: str = "a-test-secret-of-some-length", answer=None, record: bool = True):
        self.secret = secret
        self.answer = answer or (lambda received: 200)
        self.record = record
        self.received: list[Received] = []
        self.count = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do
            disable_nagle_algorithm = True  # headers and body are written apart: no 40 ms delayed-ACK stall

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received = Received(
                    self.path,
                    dict(self.headers.items()),
                    body,
                    verify(receiver.secret, self.headers.get("X-Catalog-Signature", ""), body),
                )
                with receiver.lock:
                    receiver.count += 1
                    if receiver.record:
                        receiver.received.append(received)
                status = receiver.answer(received) if received.verified else 401
                if isinstance(status, tuple):
                    time.sleep(status[1])
                    status = 200
                reply = b"ok" if status < 300 else f"receiver says {status}".encode()
                with contextlib.suppress(OSError):  # the sender may have given up waiting
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/catalog"
        self.thread = threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def payloads(self) -> list[dict]:
        with self.lock:
            return [r.json for r in self.received]

    def wait_for(self, count: int, timeout: float = 15) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"the receiver got {len(self.received)} request(s), not {count}, in {timeout} s")
