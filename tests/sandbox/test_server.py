"""start_server: a generic helper that serves any WSGI app from a thread."""

from __future__ import annotations

import requests
from flask import Flask

from loyaltylion_sandbox.server import start_server


def test_it_serves_any_wsgi_app_on_a_free_port() -> None:
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"hello from " + environ["PATH_INFO"].encode()]

    with start_server(app, quiet=True) as server:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert requests.get(server.url + "/x", timeout=5).text == "hello from /x"
    # Shut down: the port no longer answers.
    try:
        requests.get(server.url + "/x", timeout=1)
        answered = True
    except requests.exceptions.ConnectionError:
        answered = False
    assert not answered
    server.shutdown()  # idempotent


def test_two_flask_apps_side_by_side() -> None:
    first, second = Flask("first"), Flask("second")
    first.add_url_rule("/", "i", lambda: "first")
    second.add_url_rule("/", "i", lambda: "second")
    a, b = start_server(first, quiet=True), start_server(second, quiet=True)
    try:
        assert a.port != b.port
        assert requests.get(a.url, timeout=5).text == "first"
        assert requests.get(b.url, timeout=5).text == "second"
    finally:
        a.shutdown()
        b.shutdown()
