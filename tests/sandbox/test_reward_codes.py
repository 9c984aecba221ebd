"""A reward's code pool: GET /_sandbox/rewards/<id>/codes, and the import file.

LoyaltyLion does not document its code import file; the sandbox takes one code per
line with or without a `code` header, ignoring blank lines and a UTF-8 BOM."""

from __future__ import annotations

import pytest

from .support import SandboxClient


def _claim(sandbox: SandboxClient, customer: str) -> str:
    sandbox.signup(customer)
    sandbox.api("POST", f"/v2/customers/{customer}/points", {"points": 300})
    response = sandbox.api("POST", f"/v2/customers/{customer}/claimed_rewards", {"reward_id": 1})
    assert response.status_code == 201, response.text
    return response.json()["claimed_reward"]["redeemable"]["code"]


def test_codes_are_listed_with_their_state(sandbox: SandboxClient) -> None:
    codes = sandbox.reward_codes(1)
    assert len(codes) == 10
    assert codes[0] == {"code": "LLSBX-5OFF-0001", "state": "unused"}
    assert {c["state"] for c in codes} == {"unused"}

    first, second = _claim(sandbox, "42"), _claim(sandbox, "43")
    sandbox.create_order("1001", "42", discount_codes=[{"code": first.lower(), "amount": "5.00"}])
    states = {c["code"]: c["state"] for c in sandbox.reward_codes(1)}
    assert (states[first], states[second], states["LLSBX-5OFF-0003"]) == (
        "used",
        "claimed",
        "unused",
    )


def test_a_custom_reward_has_no_codes_and_an_unknown_one_is_404(sandbox: SandboxClient) -> None:
    assert sandbox.reward_codes(2) == []
    response = sandbox.control("GET", "/rewards/99/codes")
    assert response.status_code == 404
    assert list(response.json()["error"]["details"]) == ["reward_id"]


@pytest.mark.parametrize(
    "text",
    [
        "\ufeffSAVE5-AAAA\r\nSAVE5-BBBB\r\n\r\nSAVE5-CCCC\r\n",  # no header, BOM, CRLF
        "code\nSAVE5-AAAA\n\nSAVE5-BBBB\nSAVE5-CCCC\n",  # a `code` header
        "\ufeffCode,expires\nSAVE5-AAAA,2027\nSAVE5-BBBB,\n\nSAVE5-CCCC,2027\n",
    ],
)
@pytest.mark.parametrize("as_upload", [True, False])
def test_import_takes_a_file_with_or_without_a_header(
    sandbox: SandboxClient, text: str, as_upload: bool
) -> None:
    if as_upload:
        files = {"file": ("codes.csv", text.encode("utf-8"), "text/csv")}
        response = sandbox.control("POST", "/rewards/1/codes", files=files)
    else:
        response = sandbox.control(
            "POST",
            "/rewards/1/codes",
            data=text.encode("utf-8"),
            headers={"Content-Type": "text/csv"},
        )
    assert response.status_code == 201, response.text
    assert (response.json()["added"], response.json()["duplicates"]) == (3, 0)
    assert [c["code"] for c in sandbox.reward_codes(1)][-3:] == [
        "SAVE5-AAAA",
        "SAVE5-BBBB",
        "SAVE5-CCCC",
    ]
