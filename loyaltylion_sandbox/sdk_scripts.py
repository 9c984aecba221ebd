"""The SDK's two scripts, at the paths LoyaltyLion's published snippet requests.

https://developers.loyaltylion.com/sdk/installation

GET /static/2/<YYYYMMDD>/loader.js              the loader (also loader-<revision>.js)
GET /sdk/start/<YYYYMMDDTHH>/<site token>.js    the per-site start script

The snippet inserts the loader at once and the start script inside `init`, both with
`crossOrigin = ""`, so both are fetched in CORS mode: they are answered with
`Access-Control-Allow-Origin` for the shop's origin (SANDBOX_SHOP_ORIGIN) and nothing
for any other, and the browser refuses a script whose answer lacks it.

The stand-in (static/sdk/loader.js) starts only when the loader and the start script
for the token `init` received have both run; the start script just says so. A page
that loads the loader alone shows no loyalty UI, as a page with a broken snippet would
on a live program. Unknown site tokens get a 404, as a start script for a site that
does not exist cannot load.

Sandbox choices (the docs are silent): any real calendar day is served (the date only
busts caches), with a warning in the request log when it is not the current UTC day,
or for the start script the current UTC hour (a snippet using local time, say); the
revision is any [A-Za-z0-9._-]{1,64} and changes nothing.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, send_from_directory

from loyaltylion_sandbox import reqlog

bp = Blueprint("sandbox_sdk_scripts", __name__)

STATIC_DIR = Path(__file__).parent / "static" / "sdk"
_LOADER_NAME = re.compile(r"loader(?:-(?P<revision>[A-Za-z0-9._-]{1,64}))?\.js")
_DAY = re.compile(r"\d{8}")
_DAY_HOUR = re.compile(r"\d{8}T\d{2}")
# The start script, filled in per token. It runs after or before the loader: either
# way the loader's `_sandboxStarted` hook (or its own check on arrival) boots the SDK.
START_SCRIPT = """/* LoyaltyLion sandbox: the start script for one site (not the real SDK). */
(function (lion) {
  if (!lion) { return; }
  lion._sandboxStart = %s;
  if (typeof lion._sandboxStarted === 'function') { lion._sandboxStarted(); }
})(window.loyaltylion);
"""


def _shop_origin() -> str:
    return current_app.config["SANDBOX_SHOP_ORIGIN"].rstrip("/")


def _check_fetch(call: reqlog.CallInfo) -> None:
    """Warn about what the published snippet would not do: a load outside CORS mode,
    or from another origin than the shop's."""
    mode = request.headers.get("Sec-Fetch-Mode")
    if mode and mode != "cors":
        call.warnings.append(
            f'fetched in {mode!r} mode: the published snippet sets crossOrigin = "" (CORS)'
        )
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") != _shop_origin():
        call.warnings.append(
            f"Origin {origin} is not the shop's ({_shop_origin()}): no CORS header is sent, "
            "so the browser refuses the script"
        )


def _script(response: Response) -> Response:
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") == _shop_origin():
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers.add("Vary", "Origin")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _parse_day(text: str, pattern: re.Pattern[str], fmt: str) -> datetime:
    if not pattern.fullmatch(text):
        abort(404)
    try:
        return datetime.strptime(text, fmt).replace(tzinfo=UTC)
    except ValueError:
        abort(404)


@bp.get("/static/2/<day>/<name>")
def loader(day: str, name: str) -> Response:
    when = _parse_day(day, _DAY, "%Y%m%d")
    if not _LOADER_NAME.fullmatch(name):
        abort(404)
    call = reqlog.begin()
    call.omit_response_body = True
    _check_fetch(call)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if abs(when - today) > timedelta(days=1):
        call.warnings.append(
            f"loader date {day} is not today's UTC date ({today:%Y%m%d}): the snippet "
            "builds it from new Date().toISOString()"
        )
    response = send_from_directory(STATIC_DIR, "loader.js", mimetype="text/javascript", max_age=0)
    return _script(response)


@bp.get("/sdk/start/<day_hour>/<token>.js")
def start(day_hour: str, token: str) -> Response:
    when = _parse_day(day_hour, _DAY_HOUR, "%Y%m%dT%H")
    call = reqlog.begin()
    call.omit_response_body = True
    _check_fetch(call)
    if token != current_app.config["SANDBOX_SITE_TOKEN"]:
        call.verdict = "rejected"
        call.errors = {"token": [f"{token!r} is not this sandbox's site token"]}
        return _script(
            Response(
                f"/* LoyaltyLion sandbox: no site with token {json.dumps(token)} */\n",
                status=404,
                mimetype="text/javascript",
            )
        )
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    if abs(when - hour) > timedelta(hours=1):
        call.warnings.append(
            f"start script hour {day_hour} is not the current UTC hour ({hour:%Y%m%dT%H}): "
            "the snippet builds it from new Date().toISOString()"
        )
    body = START_SCRIPT % json.dumps({"token": token, "dayHour": day_hour})
    return _script(Response(body, mimetype="text/javascript"))


@bp.get("/sdk/lion.css")
def stylesheet() -> Response:
    response = send_from_directory(STATIC_DIR, "lion.css", mimetype="text/css", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
