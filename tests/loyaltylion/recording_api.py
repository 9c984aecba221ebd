"""A small recording stand-in for the Admin API, served over real HTTP in tests.

It knows just enough to exercise delivery: which orders exist (404 on an update
before its create, 400 on a duplicate create), a log of every call, and injectable
faults. The full sandbox (loyaltylion_sandbox) is the strict one; this one is small so
the outbox tests say exactly what they depend on.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from flask import Flask, jsonify, request
from werkzeug.serving import make_server

API_KEY = "test-api-key"


@dataclass
class Fault:
    # "503" (or any status: "400" refuses for good) | "429" | "slow"
    # (refused connections: point at a closed port)
    mode: str
    count: int
    delay: float = 0.0
    retry_after: int | None = None


@dataclass
class RecordingState:
    calls: list[dict] = field(default_factory=list)
    orders: dict[str, dict] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, mode: str, count: int, **kwargs) -> None:
        with self.lock:
            self.faults.append(Fault(mode, count, **kwargs))

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def _take_fault(self) -> Fault | None:
        with self.lock:
            while self.faults and self.faults[0].count <= 0:
                self.faults.pop(0)
            if not self.faults:
                return None
            self.faults[0].count -= 1
            return self.faults[0]

    def successful(self, method: str, prefix: str) -> list[dict]:
        with self.lock:
            return [
                c
                for c in self.calls
                if c["method"] == method and c["path"].startswith(prefix) and c["status"] < 300
            ]


def create_recording_app(state: RecordingState) -> Flask:
    app = Flask(__name__)

    def envelope(status: int, message: str, details: dict | None = None):
        return jsonify(error={"message": message, "details": details or {}}), status

    @app.before_request
    def faults_and_auth():
        fault = state._take_fault()
        if fault is not None:
            if fault.mode == "slow":
                time.sleep(fault.delay)
            elif fault.mode == "429":
                response, status = envelope(429, "Too many requests")
                if fault.retry_after is not None:
                    response.headers["Retry-After"] = str(fault.retry_after)
                return response, status
            else:
                status = int(fault.mode)
                return envelope(status, "Service unavailable" if status >= 500 else "Refused")
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return envelope(401, "Invalid API key")
        return None

    @app.after_request
    def record(response):
        with state.lock:
            state.calls.append(
                {
                    "method": request.method,
                    "path": request.path,
                    "body": request.get_json(silent=True),
                    "status": response.status_code,
                    "at": time.monotonic(),
                }
            )
        return response

    @app.post("/v2/activities")
    def activities():
        return "", 201

    @app.get("/v2/activities")
    def list_activities():
        # Every activity recorded, newest first, on one page: enough for the look-up
        # the outbox makes before re-sending one that got no clear answer.
        with state.lock:
            sent = [
                c["body"]
                for c in state.calls
                if (c["method"], c["path"]) == ("POST", "/v2/activities") and c["status"] < 300
            ]
        items = [
            {"id": n, "merchant_id": body.get("merchant_id"), "rule": {"name": body["name"]}}
            for n, body in enumerate(sent, 1)
        ]
        return jsonify(activities=items[::-1], cursor={"prev": None, "next": None})

    @app.put("/v2/activities/<name>/<merchant_id>")
    def activity_state(name, merchant_id):
        return "", 204

    @app.post("/v2/orders")
    def create_order():
        body = request.get_json()
        merchant_id = body["merchant_id"]
        with state.lock:
            if merchant_id in state.orders:
                return envelope(
                    400, f"Order {merchant_id} already exists", {"merchant_id": ["already exists"]}
                )
            state.orders[merchant_id] = dict(body)
        return "", 201

    @app.put("/v2/orders/<merchant_id>")
    def update_order(merchant_id):
        with state.lock:
            if merchant_id not in state.orders:
                return envelope(404, "Order not found")
            state.orders[merchant_id].update(request.get_json())
        return "", 204

    @app.get("/v2/orders/<merchant_id>")
    def get_order(merchant_id):
        with state.lock:
            order = state.orders.get(merchant_id)
        return jsonify(order) if order else envelope(404, "Order not found")

    @app.get("/v2/identity/whoami")
    def whoami():
        return jsonify(program={"id": 1}, scopes=["write_orders", "write_customers"])

    return app


class LiveServer:
    """Any WSGI app on a free loopback port, in a daemon thread."""

    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()
