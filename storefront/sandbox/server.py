"""Serve any WSGI app (the sandbox, the shop, a test page) from a background thread.

    from storefront.sandbox.server import start_server

    server = start_server(app)            # port=0: a free port
    requests.get(server.url + "/")        # e.g. http://127.0.0.1:54321
    server.shutdown()

    with start_server(app) as server:     # or as a context manager
        ...

Uses werkzeug's threaded development server: fine for tests and `make run`, not
for production.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """Skips the per-request access log line (errors are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class RunningServer:
    server: BaseWSGIServer
    thread: threading.Thread
    host: str
    port: int
    _stopped: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def shutdown(self) -> None:
        """Stop serving and close the listening socket (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()


def start_server(
    app: Any, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = False
) -> RunningServer:
    """Start serving `app` (any WSGI callable) in a daemon thread; returns at once.

    `port=0` picks a free port (read it back from `.port` / `.url`). `quiet=True`
    drops the access log lines.
    """
    handler = _QuietHandler if quiet else WSGIRequestHandler
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    bound_port = server.socket.getsockname()[1]
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name=f"wsgi-server-{bound_port}",
        daemon=True,
    )
    thread.start()
    return RunningServer(server=server, thread=thread, host=host, port=bound_port)
