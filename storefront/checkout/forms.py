from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from storefront.auth.forms import new_email_field, new_password_field
from storefront.checkout.service import PAYMENT_METHODS
from storefront.forms import Form
from storefront.security import printable_text, strip_whitespace

# {value: label}: WTForms' shorthand for choices (tuples are deprecated since WTForms 3.3).
COUNTRIES = {
    "US": "United States",
    "CA": "Canada",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "DE": "Germany",
    "FR": "France",
    "AU": "Australia",
}


class DiscountCodeForm(Form):
    code = StringField(
        "Discount code",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Enter a discount code."),
            Length(max=40, message="That is too long to be one of our codes."),
        ],
    )
    submit = SubmitField("Apply")


class RemoveCodeForm(Form):
    submit = SubmitField("Remove code")


def _text(label: str, required_message: str, max_length: int) -> StringField:
    """A one-line free-text field: trimmed, required, bounded, no control characters."""
    return StringField(
        label,
        filters=[strip_whitespace],
        validators=[
            DataRequired(required_message),
            Length(max=max_length, message=f"Use at most {max_length} characters."),
            printable_text,
        ],
    )


STALE_CHECKOUT = "This checkout page is out of date: reload it, then place your order."


class PlaceOrderForm(Form):
    name = _text("Full name", "Enter the recipient's name.", 100)
    address = _text("Address", "Enter a street address.", 200)
    city = _text("City", "Enter a city.", 100)
    postcode = StringField(
        "Postal code",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Enter a postal code."),
            Length(max=20, message="Use at most 20 characters."),
            # ASCII letters and digits first, then also spaces and dashes ("N1 9GU", "12345-6789").
            Regexp(
                r"[A-Za-z0-9][A-Za-z0-9 \-]*\Z",
                message="Use letters, digits, spaces and dashes only.",
            ),
        ],
    )
    country = SelectField(
        "Country", choices=COUNTRIES, validators=[InputRequired("Choose a country.")]
    )
    payment_method = RadioField(
        "Payment",
        choices=PAYMENT_METHODS,
        default="card",
        validators=[InputRequired("Choose how you would like to pay.")],
    )
    # Issued with the page, one per checkout (routes.py): the order carries it under a
    # unique constraint, so a double click or a second tab places the order only once.
    attempt = HiddenField(
        validators=[
            DataRequired(STALE_CHECKOUT),
            Regexp(r"[A-Za-z0-9_-]{16,64}\Z", message=STALE_CHECKOUT),
        ]
    )
    submit = SubmitField("Place order")


class GuestPlaceOrderForm(PlaceOrderForm):
    """Checkout without an account: the order confirmation goes to this address, and
    LoyaltyLion hears of the order as a guest's (storefront/loyalty.py)."""

    email = new_email_field()


class GuestAccountForm(Form):
    """On a guest's order confirmation: make an account with the order's email."""

    email = new_email_field()
    password = new_password_field()
    submit = SubmitField("Create account")
