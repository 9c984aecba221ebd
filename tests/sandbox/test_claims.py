"""Rewards: claiming spends points and hands out codes; codes come back on orders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .support import SandboxClient, order_body

SEED_CODES = [f"LLSBX-5OFF-{n:04d}" for n in range(1, 11)]


def _customer_with_points(client: SandboxClient, customer: str, points: int) -> None:
    client.signup(customer)  # 200
    if points > 200:
        added = client.api("POST", f"/v2/customers/{customer}/points", {"points": points - 200})
        assert added.status_code == 201


def _claim(client: SandboxClient, customer: str, reward_id: int = 1):
    return client.api("POST", f"/v2/customers/{customer}/claimed_rewards", {"reward_id": reward_id})


def _stock(client: SandboxClient) -> dict[str, int]:
    rewards = client.control("GET", "/rewards").json()["rewards"]
    return next(r for r in rewards if r["id"] == 1)["codes"]


def test_claiming_spends_points_and_hands_out_the_next_code(sandbox: SandboxClient) -> None:
    _customer_with_points(sandbox, "42", 1200)

    first = _claim(sandbox, "42")
    assert first.status_code == 201
    claimed = first.json()["claimed_reward"]
    assert claimed["point_cost"] == 500
    assert claimed["redeemable"]["code"] == SEED_CODES[0]
    assert claimed["reward"]["title"] == "$5 off"
    assert sandbox.balances("42") == {"approved": 700, "pending": 0, "spent": 500, "lifetime": 1200}

    second = _claim(sandbox, "42").json()["claimed_reward"]
    assert second["redeemable"]["code"] == SEED_CODES[1]
    assert sandbox.balances("42")["approved"] == 200
    assert _stock(sandbox) == {"total": 10, "unused": 8, "claimed": 2, "used": 0}


def test_too_few_points_is_422_and_spends_nothing(sandbox: SandboxClient) -> None:
    _customer_with_points(sandbox, "42", 200)
    response = _claim(sandbox, "42")
    assert response.status_code == 422
    error = response.json()["error"]
    assert "enough points" in error["message"]
    assert error["details"] == {"points": ["needs 500 approved points, has 200"]}
    assert sandbox.balances("42")["approved"] == 200
    assert _stock(sandbox)["unused"] == 10


def test_pending_points_cannot_be_spent(sandbox: SandboxClient) -> None:
    sandbox.create_order("1001", "42", total="100.00", total_shipping="0.00")  # 1000 pending
    assert _claim(sandbox, "42").status_code == 422


def test_an_empty_pool_is_out_of_stock(sandbox: SandboxClient) -> None:
    _customer_with_points(sandbox, "42", 500 * 11)
    for code in SEED_CODES:
        assert _claim(sandbox, "42").json()["claimed_reward"]["redeemable"]["code"] == code

    response = _claim(sandbox, "42")
    assert response.status_code == 422
    error = response.json()["error"]
    assert "out of stock" in error["message"]
    assert error["details"] == {"reward_id": ["out of stock: no unused voucher codes left"]}
    assert sandbox.balances("42")["approved"] == 500  # nothing spent on the failed claim


def test_an_unknown_reward_is_422(sandbox: SandboxClient) -> None:
    _customer_with_points(sandbox, "42", 600)
    response = _claim(sandbox, "42", reward_id=99)
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"reward_id": ["no such reward"]}


def test_claiming_for_an_unknown_customer_is_404(sandbox: SandboxClient) -> None:
    assert _claim(sandbox, "nobody").status_code == 404


def test_a_code_used_in_a_later_order_shows_as_used(sandbox: SandboxClient) -> None:
    _customer_with_points(sandbox, "42", 500)
    code = _claim(sandbox, "42").json()["claimed_reward"]["redeemable"]["code"]
    claims = sandbox.customer("42")["claimed_rewards"]
    assert claims[0]["redeemable"]["used"] is False

    body = order_body(
        "1002",
        "42",
        discount_codes=[
            {"code": code.lower(), "amount": "5.00"},
            {"code": "SUMMER", "amount": "1.00"},
        ],
    )
    assert sandbox.api("POST", "/v2/orders", body).status_code == 201

    claims = sandbox.customer("42")["claimed_rewards"]
    assert claims[0]["redeemable"]["used"] is True
    assert _stock(sandbox)["used"] == 1
    warnings = sandbox.log("/v2/orders")[0]["warnings"]
    assert any("SUMMER" in w for w in warnings)  # unknown codes are ignored, but noted


def test_import_codes_by_json_deduplicates(sandbox: SandboxClient) -> None:
    response = sandbox.control(
        "POST", "/rewards/1/codes", json={"codes": ["NEW-1", "NEW-2", "new-1", " ", SEED_CODES[0]]}
    )
    assert response.status_code == 201
    assert response.json() == {
        "reward_id": 1,
        "added": 2,
        "duplicates": 2,
        "blank": 1,
        "unused": 12,
    }


def test_import_codes_by_csv_body_and_upload(sandbox: SandboxClient) -> None:
    csv_text = "code\nCSV-1\nCSV-2\n\nCSV-1\n"
    body = sandbox.control(
        "POST", "/rewards/1/codes", data=csv_text, headers={"Content-Type": "text/csv"}
    )
    assert body.status_code == 201
    assert body.json()["added"] == 2

    upload = sandbox.control(
        "POST",
        "/rewards/1/codes",
        files={"file": ("codes.csv", b"code,amount\nUP-1,5.00\nCSV-2,5.00\n")},
    )
    assert upload.status_code == 201
    assert (upload.json()["added"], upload.json()["duplicates"]) == (1, 1)
    assert _stock(sandbox)["unused"] == 13


def test_import_codes_into_an_unknown_reward_is_404(sandbox: SandboxClient) -> None:
    response = sandbox.control("POST", "/rewards/99/codes", json={"codes": ["X"]})
    assert response.status_code == 404


def test_imported_codes_are_handed_out_after_the_seeded_ones(sandbox: SandboxClient) -> None:
    sandbox.control("POST", "/rewards/1/codes", json={"codes": ["IMPORTED-1"]})
    _customer_with_points(sandbox, "42", 500 * 11)
    codes = [
        _claim(sandbox, "42").json()["claimed_reward"]["redeemable"]["code"] for _ in range(11)
    ]
    assert codes == [*SEED_CODES, "IMPORTED-1"]


def test_import_codes_cli(tmp_path: Path) -> None:
    """`flask --app loyaltylion_sandbox import-codes FILE --reward 1` on its own database."""
    codes = tmp_path / "codes.csv"
    codes.write_text("code\nCLI-1\nCLI-2\nCLI-2\n")
    env = {
        "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "PATH": "/usr/bin:/bin",
    }
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run(  # noqa: S603  (fixed arguments, our own CLI)
        [str(flask), "--app", "loyaltylion_sandbox", "import-codes", str(codes), "--reward", "1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "2 added, 1 duplicates skipped" in result.stdout
    assert "12 unused codes" in result.stdout


def test_import_codes_function(sandbox_app) -> None:
    from loyaltylion_sandbox import import_codes
    from loyaltylion_sandbox.db import db
    from loyaltylion_sandbox.seed import reset_everything

    with sandbox_app.app_context():
        reset_everything(sandbox_app)
        result = import_codes(1, ["FN-1", "FN-1", "FN-2"])
        db.session.commit()
    assert (result.added, result.duplicates, result.unused) == (2, 1, 12)
