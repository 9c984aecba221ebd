"""Every public page renders, errors keep the shop's layout, and controls have names."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import update

from storefront.extensions import db
from storefront.models import Product
from tests.conftest import product_id, text_of


class Controls(HTMLParser):
    """Labels (with the id they point at), buttons and element ids in a page.

    A button's name is all its text, visually hidden parts included, as a screen
    reader announces it.
    """

    def __init__(self, page: str):
        super().__init__()
        self.ids: set[str] = set()
        self.labels: dict[str, str] = {}  # label text -> the id in its `for`
        self.buttons: list[str] = []
        self._open: tuple[str, dict] | None = None
        self._text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag in ("label", "button"):
            self._open, self._text = (tag, attributes), []
        elif tag == "input" and attributes.get("type") == "submit":
            self.buttons.append(attributes.get("value", ""))

    def handle_data(self, data):
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._open and self._open[0] == tag:
            name = " ".join("".join(self._text).split())
            if tag == "label":
                self.labels[name] = self._open[1].get("for", "")
            else:
                self.buttons.append(name)
            self._open = None

    def has_label(self, name: str) -> bool:
        """A <label> with this text, tied to a control that exists."""
        return self.labels.get(name, "") in self.ids

    def has_button(self, name: str) -> bool:
        return name in self.buttons


def controls(response) -> Controls:
    return Controls(response.get_data(as_text=True))


def add_to_cart(client, app, slug: str = "house-blend") -> None:
    client.post("/cart/add", data={"product_id": product_id(app, slug), "quantity": 1})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", "Fresh coffee & good gear"),
        ("/category/brewing", "Gooseneck Kettle"),
        ("/products/house-blend", "House Blend Beans"),
        ("/cart/", "Your cart is empty."),
        ("/login", "Log in"),
        ("/signup", "Create your account"),
    ],
)
def test_public_pages_render(client, url, expected):
    response = client.get(url)

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert expected in html.unescape(text_of(response))


def test_a_category_lists_only_its_products(client):
    page = text_of(client.get("/category/mugs"))

    assert "Stoneware Mug" in page
    assert "House Blend Beans" not in page


def test_the_product_image_is_an_svg(client):
    response = client.get("/products/house-blend.svg")

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).lstrip().startswith("<svg")
    assert 'aria-label="House Blend Beans"' in response.get_data(as_text=True)


def test_the_product_image_answers_304_when_unchanged(client):
    etag = client.get("/products/house-blend.svg").headers["ETag"]

    response = client.get("/products/house-blend.svg", headers={"If-None-Match": etag})

    assert response.status_code == 304


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/products/no-such-thing", "We couldn't find that product."),
        ("/category/no-such-thing", "There is no such category."),
        ("/products/no-such-thing.svg", "Not Found"),
        ("/no/such/page", "Not Found"),
    ],
)
def test_unknown_pages_are_404_in_the_shop_layout(client, url, message):
    response = client.get(url)

    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert message in html.unescape(page)
    assert 'class="site-header"' in page
    assert "Back to the shop" in page


def test_an_inactive_product_is_404(app, client):
    with app.app_context():
        db.session.execute(
            update(Product).where(Product.slug == "lion-tee").values(is_active=False)
        )
        db.session.commit()

    assert client.get("/products/lion-tee").status_code == 404
    assert "Lion &amp; Co. Tee" not in client.get("/").get_data(as_text=True)


def test_account_and_checkout_render_for_a_customer(app, client, auth):
    auth.login()
    add_to_cart(client, app)

    account = client.get("/account/")
    checkout = client.get("/checkout/")

    assert account.status_code == 200
    assert "Your account" in text_of(account)
    assert checkout.status_code == 200
    assert "House Blend Beans" in text_of(checkout)


@pytest.mark.parametrize(
    ("url", "labels", "buttons"),
    [
        ("/login", ["Email", "Password"], ["Log in"]),
        ("/signup", ["Email", "Password"], ["Sign up"]),
        ("/products/house-blend", ["Quantity"], ["Add to cart"]),
    ],
)
def test_guest_forms_have_accessible_names(client, url, labels, buttons):
    page = controls(client.get(url))

    for label in labels:
        assert page.has_label(label), f"no label {label!r} on {url}"
    for button in buttons:
        assert page.has_button(button), f"no button {button!r} on {url}: {page.buttons}"
    assert not page.has_button("Log out")


def test_the_cart_has_named_controls(app, client):
    add_to_cart(client, app)

    page = controls(client.get("/cart/"))

    assert page.has_button("Checkout")
    assert page.has_button("Update House Blend Beans")
    assert page.has_button("Remove House Blend Beans")
    assert page.has_label("Quantity of House Blend Beans")


def test_checkout_has_named_controls(app, client, auth):
    auth.login()
    add_to_cart(client, app)

    page = controls(client.get("/checkout/"))

    for label in ["Discount code", "Full name", "Address", "City", "Postal code", "Country"]:
        assert page.has_label(label), label
    assert page.has_button("Apply")
    assert page.has_button("Place order")
    assert page.has_button("Log out")


def test_error_messages_are_tied_to_their_fields(app, client, auth):
    auth.login()
    add_to_cart(client, app)

    page = client.post("/checkout/discount", data={"code": "NOPE-12345"}).get_data(as_text=True)

    field = re.search(r'<input[^>]*id="code"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="code-error"' in field
    assert 'id="code-error"' in page
