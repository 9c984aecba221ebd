"""A requests transport adapter that records what a client sends and answers as told:
the unit tests of both API clients (test_client.py, test_headless_client.py) use it, so
no request leaves the process."""

from __future__ import annotations

import http
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import urllib3
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


@dataclass
class Sent:
    """One request as it left the session, and the transport options it carried."""

    request: requests.PreparedRequest
    timeout: Any

    @property
    def method(self) -> str:
        return self.request.method or ""

    @property
    def path(self) -> str:
        """The path exactly as sent on the wire (still percent-encoded)."""
        return urlsplit(self.request.url or "").path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.request.url or "").query, keep_blank_values=True)

    @property
    def raw_query(self) -> str:
        return urlsplit(self.request.url or "").query

    @property
    def json(self) -> Any:
        body = self.request.body
        assert body is not None, "no body was sent"
        return json.loads(body)


def make_response(
    request: requests.PreparedRequest,
    status: int,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    reason: str | None = None,
    raw_body: bytes | None = None,
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    if raw_body is not None:
        response._content = raw_body
    elif body is not None:
        response._content = json.dumps(body).encode()
    else:
        response._content = b""
    all_headers = dict(headers or {})
    if body is not None and raw_body is None:
        all_headers.setdefault("Content-Type", "application/json")
    response.headers = CaseInsensitiveDict(all_headers)
    response.reason = reason if reason is not None else http.HTTPStatus(status).phrase
    response.url = request.url or ""
    response.request = request
    response.encoding = "utf-8"
    return response


Responder = Callable[[requests.PreparedRequest], "requests.Response | BaseException"]


class FakeTransport(BaseAdapter):
    """Records every request; answers with `responder(request)` (a Response, or an
    exception instance to raise, as a real adapter would on a timeout)."""

    def __init__(self, status: int = 204, body: Any = None) -> None:
        super().__init__()
        self.sent: list[Sent] = []
        self.responder: Responder = lambda request: make_response(request, status, body)

    def reply(self, status: int, body: Any = None, **kwargs: Any) -> None:
        self.responder = lambda request: make_response(request, status, body, **kwargs)

    def fail(self, error: BaseException) -> None:
        self.responder = lambda request: error

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.sent.append(Sent(request=request, timeout=timeout))
        result = self.responder(request)
        if isinstance(result, BaseException):
            raise result
        return result

    def close(self) -> None:
        pass

    @property
    def last(self) -> Sent:
        assert self.sent, "no request was sent"
        return self.sent[-1]


def refused() -> requests.ConnectionError:
    """What requests raises when nothing listens: the request never left."""
    reason = urllib3.exceptions.NewConnectionError(None, "Connection refused")
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", reason))


def dropped() -> requests.ConnectionError:
    """What requests raises when the server closed the connection mid-answer."""
    reason = urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError())
    return requests.ConnectionError(reason)
