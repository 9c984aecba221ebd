from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Regexp

from storefront.checkout.service import PAYMENT_METHODS

COUNTRIES = [
    ("US", "United States"),
    ("CA", "Canada"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("AU", "Australia"),
]


class DiscountCodeForm(FlaskForm):
    code = StringField(
        "Discount code",
        validators=[
            InputRequired("Enter a discount code."),
            Length(max=40, message="That is too long to be one of our codes."),
        ],
    )
    submit = SubmitField("Apply")


class RemoveCodeForm(FlaskForm):
    submit = SubmitField("Remove code")


class PlaceOrderForm(FlaskForm):
    name = StringField(
        "Full name", validators=[InputRequired("Enter the recipient's name."), Length(max=100)]
    )
    address = StringField(
        "Address", validators=[InputRequired("Enter a street address."), Length(max=200)]
    )
    city = StringField("City", validators=[InputRequired("Enter a city."), Length(max=100)])
    postcode = StringField(
        "Postal code",
        validators=[
            InputRequired("Enter a postal code."),
            Length(max=20),
            Regexp(r"^[A-Za-z0-9 \-]+$", message="Use letters, digits, spaces and dashes only."),
        ],
    )
    country = SelectField("Country", choices=COUNTRIES, validators=[InputRequired()])
    payment_method = RadioField(
        "Payment",
        choices=list(PAYMENT_METHODS.items()),
        default="card",
        validators=[InputRequired("Choose how you would like to pay.")],
    )
    submit = SubmitField("Place order")
