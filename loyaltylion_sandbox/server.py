"""Serve any WSGI app (the sandbox, the shop, a test page) from a background thread.

    from loyaltylion_sandbox.server import start_server

    server = start_server(app)            # port=0: a free port
    requests.get(server.url + "/")        # e.g. http://127.0.0.1:54321
    server.shutdown()

    with start_server(app) as server:     # or as a context manager
        ...

Uses werkzeug's threaded development server: fine for tests and `make run`, not
for production. When `app` is a sandbox app, its background webhook sender starts
with the server and stops with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from loyaltylion_sandbox.runtime import EXTENSION_KEY


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
    # Run after the server stopped (the sandbox's webhook sender).
    _on_shutdown: list[Callable[[], None]] = field(default_factory=list, repr=False)

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
        for hook in self._on_shutdown:
            hook()

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
    running = RunningServer(server=server, thread=thread, host=host, port=bound_port)
    sender = _webhook_sender(app)
    if sender is not None:
        sender.start()  # delivers what an earlier run left pending, then waits
        running._on_shutdown.append(sender.stop)
    return running


def _webhook_sender(app: Any) -> Any:
    """The sandbox's webhook sender when `app` is a sandbox app, else None."""
    extensions = getattr(app, "extensions", None)
    state = extensions.get(EXTENSION_KEY) if isinstance(extensions, dict) else None
    return getattr(state, "sender", None)
