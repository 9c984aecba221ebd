"""The README's promise: `storefront/loyaltylion/` copied into another store works as is.

The package is copied to a temporary `mystore/loyaltylion/`, and a bare Flask app, in a
subprocess whose import path holds only that copy plus Flask, Flask-SQLAlchemy,
SQLAlchemy, requests and prometheus-client (no shop, no Flask-WTF, no Flask-Login),
does what the README's "Copy storefront/loyaltylion/ into your store" tells a
merchant's developer to do: it records a signup and an order, delivers them to a
recording Admin API over real HTTP, renders the delivery log with a dead event and
retries it with the package's own CSRF token, and accepts a signed webhook that its
own handler processes.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.isolation import run_isolated
from tests.loyaltylion.recording_api import API_KEY

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "storefront" / "loyaltylion"
SECRET = "lift-site-secret"

# The bare store: what a merchant's developer writes, and nothing else.
STORE = """
import base64, hashlib, hmac, json, sys
from datetime import datetime

from flask import Flask, render_template_string, request
from flask_sqlalchemy import SQLAlchemy

from mystore.loyaltylion import Customer, LoyaltyLion, OrderSnapshot, Shopper, processed

app = Flask("mystore")
app.config.update(
    SECRET_KEY="lift-test",
    SQLALCHEMY_DATABASE_URI="sqlite:///store.sqlite3",
    LOYALTYLION_API_URL=API_URL,
    LOYALTYLION_API_KEY=API_KEY,
    LOYALTYLION_TOKEN="lift-site-token",
    LOYALTYLION_SECRET=SECRET,
    LOYALTYLION_USER_AGENT="mystore/1.0",
)
db = SQLAlchemy(app)
customer = Customer(id="cust-7", email="ada.lovelace@example.com")
lion = LoyaltyLion()
lion.init_app(
    app,
    session=db.session,
    engine=lambda: db.engine,
    is_admin=lambda: True,
    current_customer=lambda: customer,  # as if logged in
)
with app.app_context():
    lion.create_tables(db.engine)  # a store without Alembic
handled = []


@lion.on_webhook("customers/update")
def remember_points(event, payload):
    event.customer_id = payload["customer"]["merchant_id"]
    handled.append(payload["customer"]["points_approved"])
    return processed("noted")


@app.get("/")
def home():
    # The host layout's one line for the SDK.
    return render_template_string('<head>{% include "loyaltylion/sdk.html" %}</head>Welcome')


@app.post("/signup")
def signup():
    lion.record_signup(customer, shopper=Shopper(ip_address=request.remote_addr))
    db.session.commit()  # the event commits with the signup
    return "", 201


@app.post("/orders")
def place_order():
    lion.record_order_created(
        OrderSnapshot(
            merchant_id="order-1", number="1001", customer=customer,
            date=datetime(2026, 12, 1, 12, 0),
            total_cents=2495, shipping_cents=495, paid_cents=2495, refunded_cents=0,
            payment_status="paid", refund_status="not_refunded",
            cancellation_status="not_cancelled",
        )
    )
    db.session.commit()
    return "", 201


report = {}
client = app.test_client()
home = client.get("/?ll_ref_id=REF9")  # a referral link lands on any page
report["home"] = home.get_data(as_text=True)
report["snippet"] = client.get("/loyaltylion/static/snippet.js").status_code
with app.app_context():
    report["csp"] = lion.csp_origins()
client.post("/signup")
with app.app_context():
    report["signup"] = lion.make_deliverer().run_once(10).dead
client.post("/orders")
report["cookie_after_order"] = client.get_cookie("ll_referral") is not None
with app.app_context():
    report["order"] = lion.make_deliverer().run_once(10).delivered

log = client.get("/admin/loyaltylion/deliveries?status=dead")
report["log_status"] = log.status_code
report["log"] = log.get_data(as_text=True)
report["retry_without_token"] = client.post("/admin/loyaltylion/deliveries/1/retry").status_code
token = report["log"].split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
retried = client.post("/admin/loyaltylion/deliveries/1/retry", data={"csrf_token": token})
report["retry_with_token"] = retried.status_code
report["status_cli"] = app.test_cli_runner().invoke(args=["loyaltylion", "status"]).output

body = json.dumps({
    "id": "evt-1", "topic": "customers/update", "created_at": "2026-12-01T12:00:00Z",
    "payload": {"customer": {"merchant_id": "cust-7", "points_approved": 120}},
}).encode()
signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
answer = client.post(
    "/webhooks/loyaltylion", data=body,
    headers={"Content-Type": "application/json", "X-LoyaltyLion-Hmac-SHA256": signature},
)
answer.close()  # as a WSGI server does once the answer is sent: processing runs now
report["webhook"] = [answer.status_code, answer.get_json()]
report["handled"] = handled
report["unsigned"] = client.post("/webhooks/loyaltylion", data=body).status_code
webhook_log = client.get("/admin/loyaltylion/webhooks").get_data(as_text=True)
report["webhook_logged"] = "evt-1" in webhook_log and "noted" in webhook_log
with app.app_context():
    lion.forget_customer("cust-7")
    db.session.commit()
    from mystore.loyaltylion import WebhookEvent
    report["erased"] = "points_approved" not in db.session.get(WebhookEvent, 1).body

report["modules"] = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps(report))
"""


def test_a_copy_of_the_package_runs_in_a_bare_store(tmp_path, recording):
    """`recording`: the recording Admin API of tests/loyaltylion/conftest.py."""
    store = tmp_path / "mystore"
    shutil.copytree(PACKAGE, store / "loyaltylion", ignore=shutil.ignore_patterns("__pycache__"))
    (store / "__init__.py").write_text("")
    recording.fail_next("400", 1)  # LoyaltyLion refuses the signup: a dead event

    settings = f"API_URL = {recording.server.url!r}\nAPI_KEY = {API_KEY!r}\nSECRET = {SECRET!r}\n"
    result = run_isolated(
        settings + STORE,
        lib=tmp_path / "lib",
        distributions=["flask", "flask-sqlalchemy", "sqlalchemy", "requests", "prometheus-client"],
        paths=[tmp_path],
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])

    # The SDK: the layout's one include renders the snippet, its data and a customer's
    # auth token (never the secret); the origins for the CSP come with it.
    assert 'id="loyaltylion-config"' in report["home"]
    assert '"token": "lift-site-token"' in report["home"] and '"auth"' in report["home"]
    assert SECRET not in report["home"]
    assert "/loyaltylion/static/snippet.js" in report["home"] and report["snippet"] == 200
    assert report["csp"] == ["https://sdk.loyaltylion.net", recording.server.url]

    # Nothing of the shop, and none of the host's optional libraries, was needed.
    assert not {"storefront", "flask_wtf", "flask_login", "flask_limiter"} & set(report["modules"])

    # Delivered over HTTP, with the referral from the landing page and the store's UA.
    assert report["signup"] == 1 and report["order"] == 1
    signup, order = recording.calls[0], recording.calls[1]
    assert (signup["path"], signup["status"]) == ("/v2/activities", 400)
    assert signup["body"]["referral_id"] == "REF9"
    assert (order["path"], order["status"]) == ("/v2/orders", 201)
    assert order["body"]["merchant_id"] == "order-1" and order["body"]["referral_id"] == "REF9"
    assert not report["cookie_after_order"]  # sent with the order: a later one is not referred

    # The delivery log renders the dead event with the package's own layout and CSRF.
    assert report["log_status"] == 200
    assert "$signup" in report["log"] and "Refused" in report["log"]
    assert "a***@example.com" in report["log"] and "ada.lovelace" not in report["log"]
    assert report["retry_without_token"] == 400
    assert report["retry_with_token"] == 303
    assert "pending:    1" in report["status_cli"]  # the retried signup waits again

    # A signed webhook is stored, answered, then handled by the store's own handler.
    assert report["webhook"] == [200, {"status": "received"}]
    assert report["handled"] == [120]
    assert report["unsigned"] == 401
    assert report["webhook_logged"]
    assert report["erased"]  # forgetting the customer erased what the webhook said


def _imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize(
    "module", sorted(PACKAGE.rglob("*.py")), ids=lambda path: str(path.relative_to(PACKAGE))
)
def test_no_module_of_the_package_imports_the_shop(module):
    """Relative imports only: an absolute `storefront...` import breaks the copy."""
    assert [name for name in _imported_modules(module) if name.split(".")[0] == "storefront"] == []


def test_the_package_names_no_shop_template_or_stylesheet():
    """Its templates extend the layout the host names, and use only their own `ll-`
    classes and their own static files."""
    for template in (PACKAGE / "templates").rglob("*.html"):
        text = template.read_text()
        assert "url_for('static'" not in text, template
        for value in re.findall(r'class="([^"]*)"', text):
            classes = re.sub(r"\{\{.*?\}\}", "", value).split()
            assert all(name.startswith("ll-") for name in classes), (template, value)


def test_the_package_stylesheets_style_only_its_own_and_the_sdks_markup():
    """Every class a package stylesheet names is the package's (`ll-`) or the SDK's
    (`lion-`): restyling the host's own pages is the host's business."""
    for sheet in (PACKAGE / "static").glob("*.css"):
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.S)
        selectors = "".join(re.findall(r"([^{}]*)\{", text))
        for name in re.findall(r"\.([A-Za-z_][\w-]*)", selectors):
            assert name.startswith(("ll-", "lion-", "_")), (sheet.name, name)
