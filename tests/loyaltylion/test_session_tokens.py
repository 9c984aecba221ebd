"""Unit tests of customer session tokens (storefront/loyaltylion/session_tokens.py).

From the docs (https://developers.loyaltylion.com/headless-api/session-tokens): "a
base64-encoded JSON payload, a dot, and the hex HMAC-SHA256 signature of that encoded
payload", signed with the SDK token's secret. The payload's fields, their order and
formatting are the reading agreed with the sandbox (the recipe was not reachable); the
expected tokens here are built from first principles (json, base64, hmac), not by the
module under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from storefront.loyaltylion.errors import ConfigurationError
from storefront.loyaltylion.session_tokens import decode_session_token, mint_session_token

KEY_ID = "kid_test_1"
SECRET = "sdk-secret-for-tests"
SITE_ID = 4242
MERCHANT_ID = "cust-7"
NOW = 1750000000.9  # a fraction of a second: iat is whole seconds, rounded down

# The worked example, written out by hand: the payload as compact JSON in the agreed key
# order, its standard base64, and the hex HMAC-SHA256 of that base64 string.
EXAMPLE_JSON = (
    '{"key_id":"kid_test_1","site_id":4242,"merchant_id":"cust-7",'
    '"iat":1750000000,"exp":1750000300}'
)
EXAMPLE_TOKEN = (
    "eyJrZXlfaWQiOiJraWRfdGVzdF8xIiwic2l0ZV9pZCI6NDI0MiwibWVyY2hhbnRfaWQiOiJjdXN0LTciLCJp"
    "YXQiOjE3NTAwMDAwMDAsImV4cCI6MTc1MDAwMDMwMH0="
    ".89dfbac92a6b7e531aa7f1a6f0ace0856feb2a9d1de8da4e9da5d92e77d7c1d5"
)


def mint(**overrides) -> str:
    arguments = {
        "key_id": KEY_ID,
        "secret": SECRET,
        "site_id": SITE_ID,
        "merchant_id": MERCHANT_ID,
        "now": NOW,
    }
    arguments.update(overrides)
    return mint_session_token(**arguments)


def expected_token(raw_json: str, secret: str = SECRET) -> str:
    encoded = base64.b64encode(raw_json.encode("utf-8")).decode("ascii")
    signature = hmac.new(secret.encode("utf-8"), encoded.encode("ascii"), hashlib.sha256)
    return f"{encoded}.{signature.hexdigest()}"


def parts(token: str) -> tuple[str, bytes, str]:
    encoded, _, signature = token.partition(".")
    return encoded, base64.b64decode(encoded, validate=True), signature


# -- the worked example ----------------------------------------------------------------------


def test_the_worked_example_matches_the_token_built_from_first_principles():
    assert expected_token(EXAMPLE_JSON) == EXAMPLE_TOKEN  # the literal is what the recipe gives
    assert mint() == EXAMPLE_TOKEN


def test_the_token_is_the_encoded_payload_a_dot_and_a_lowercase_hex_signature():
    encoded, raw, signature = parts(mint())
    assert mint().count(".") == 1
    assert raw.decode("utf-8") == EXAMPLE_JSON
    assert len(signature) == 64
    assert signature == signature.lower()
    int(signature, 16)


def test_the_signature_is_over_the_encoded_payload_not_the_raw_json():
    encoded, raw, signature = parts(mint())
    over_encoded = hmac.new(SECRET.encode(), encoded.encode("ascii"), hashlib.sha256).hexdigest()
    over_raw = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert signature == over_encoded
    assert signature != over_raw


def test_the_signature_is_keyed_with_the_secret():
    token = mint()
    assert mint(secret="another-secret") != token
    assert mint(secret="another-secret") == expected_token(EXAMPLE_JSON, "another-secret")


def test_the_payload_is_compact_json_in_the_agreed_key_order():
    _, raw, _ = parts(mint())
    text = raw.decode("utf-8")
    assert " " not in text and "\n" not in text
    payload = json.loads(text)
    assert list(payload) == ["key_id", "site_id", "merchant_id", "iat", "exp"]
    assert payload == {
        "key_id": KEY_ID,
        "site_id": SITE_ID,
        "merchant_id": MERCHANT_ID,
        "iat": 1750000000,
        "exp": 1750000300,
    }
    assert type(payload["site_id"]) is int and type(payload["iat"]) is int


def test_the_encoding_is_standard_base64_with_padding():
    _, raw, _ = parts(mint())
    assert mint().partition(".")[0] == base64.b64encode(raw).decode("ascii")
    assert mint().partition(".")[0].endswith("=")  # this payload needs padding
    # Find a merchant ID whose payload encodes with "+" or "/", the two characters where
    # standard and URL-safe base64 differ: they must stay as they are.
    for n in range(500):
        token = mint(merchant_id=f"customer-{n}~~??>>")
        encoded = token.partition(".")[0]
        if "+" in encoded or "/" in encoded:
            break
    else:
        pytest.fail("no merchant ID gave a '+' or '/' in its encoding")
    raw_json = json.dumps(decode_session_token(token), separators=(",", ":"))
    assert token == expected_token(raw_json)


@pytest.mark.parametrize("ttl", [60, 61, 300, 900, 3600])
def test_exp_is_iat_plus_ttl(ttl):
    payload = decode_session_token(mint(ttl=ttl))
    assert payload["iat"] == 1750000000
    assert payload["exp"] == payload["iat"] + ttl


def test_the_default_ttl_is_five_minutes_from_the_clock(monkeypatch):
    monkeypatch.setattr("time.time", lambda: 1800000000.25)
    payload = decode_session_token(
        mint_session_token(key_id=KEY_ID, secret=SECRET, site_id=SITE_ID, merchant_id="c1")
    )
    assert (payload["iat"], payload["exp"]) == (1800000000, 1800000300)


@pytest.mark.parametrize("ttl", [59, 3601, 0, -300, True, 300.0, "300", None])
def test_a_ttl_outside_60_to_3600_seconds_is_refused(ttl):
    with pytest.raises(ValueError, match="ttl"):
        mint(ttl=ttl)


# -- merchant IDs and sites --------------------------------------------------------------------


@pytest.mark.parametrize("merchant_id", ["josé", "名前-1001", "emoji-🦁", 'quote"back\\slash'])
def test_unicode_and_special_merchant_ids_are_utf8_json(merchant_id):
    token = mint(merchant_id=merchant_id)
    raw_json = (
        '{"key_id":"kid_test_1","site_id":4242,"merchant_id":'
        + json.dumps(merchant_id, ensure_ascii=False)
        + ',"iat":1750000000,"exp":1750000300}'
    )
    assert token == expected_token(raw_json)
    _, raw, _ = parts(token)
    if not merchant_id.isascii():
        assert merchant_id.encode("utf-8") in raw  # as itself, not \\u escapes
    assert decode_session_token(token)["merchant_id"] == merchant_id


def test_a_site_id_given_as_a_string_is_an_integer_in_the_payload():
    assert mint(site_id="4242") == mint(site_id=4242) == EXAMPLE_TOKEN


@pytest.mark.parametrize("site_id", ["", "abc", None, True, "42.0"])
def test_a_missing_or_non_numeric_site_id_is_a_configuration_error(site_id):
    with pytest.raises(ConfigurationError, match="LOYALTYLION_SITE_ID"):
        mint(site_id=site_id)


@pytest.mark.parametrize("merchant_id", ["", "   ", None, 1001])
def test_a_missing_merchant_id_is_refused(merchant_id):
    with pytest.raises(ValueError, match="merchant_id"):
        mint(merchant_id=merchant_id)


# -- credentials ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key_id", ["", "  ", None])
def test_a_missing_key_id_is_a_configuration_error_naming_the_setting(key_id):
    with pytest.raises(ConfigurationError, match="LOYALTYLION_SDK_KEY_ID"):
        mint(key_id=key_id)


@pytest.mark.parametrize("secret", ["", "  ", None])
def test_a_missing_secret_is_a_configuration_error_naming_the_setting(secret):
    with pytest.raises(ConfigurationError, match="LOYALTYLION_SDK_SECRET"):
        mint(secret=secret)


@pytest.mark.parametrize("merchant_id", [MERCHANT_ID, "josé", "x" * 200])
def test_the_secret_appears_nowhere_in_the_token(merchant_id):
    secret = "TopSecretSdkToken-1234567890"
    token = mint(secret=secret, merchant_id=merchant_id)
    encoded, raw, signature = parts(token)
    assert secret not in token
    assert secret.encode() not in raw
    assert base64.b64encode(secret.encode()).decode().rstrip("=") not in token
    assert secret not in json.dumps(decode_session_token(token))


def test_the_key_id_is_in_the_payload_so_loyaltylion_can_find_the_secret():
    assert decode_session_token(mint())["key_id"] == KEY_ID


# -- decoding ----------------------------------------------------------------------------------


def test_decode_returns_the_payload_without_checking_the_signature():
    encoded = EXAMPLE_TOKEN.partition(".")[0]
    assert decode_session_token(f"{encoded}.not-a-signature")["merchant_id"] == MERCHANT_ID


@pytest.mark.parametrize(
    "token",
    [
        "",
        "no-dot-at-all",
        ".abc",
        f"{EXAMPLE_TOKEN.partition('.')[0]}.",
        "!!!not base64!!!.abc",
        base64.b64encode(b"[1, 2]").decode() + ".abc",
        base64.b64encode(b"not json").decode() + ".abc",
        base64.b64encode(b"\xff\xfe").decode() + ".abc",
        None,
    ],
)
def test_decode_refuses_what_is_not_a_token(token):
    with pytest.raises(ValueError):
        decode_session_token(token)
