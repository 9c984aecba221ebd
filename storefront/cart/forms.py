import re

from wtforms import HiddenField, IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from storefront.cart.service import MAX_QUANTITY
from storefront.forms import Form

# ASCII digits only: int() would also take "５", "٣" and "1_0", which no quantity box sends.
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,6}")
_PRODUCT_ID = re.compile(r"[0-9]{1,10}")
# Ids are `integer` columns: anything larger would make PostgreSQL (or SQLite, past
# 64 bits) raise instead of simply finding nothing.
MAX_ID = 2**31 - 1


def parse_product_id(raw: object) -> int | None:
    """The posted product id as an int, or None unless it is a plausible id in ASCII digits."""
    text = str(raw or "")
    if not _PRODUCT_ID.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


NOT_FOUND = "That product could not be found."


def positive_id(form, field) -> None:
    if parse_product_id(field.data) is None:
        raise ValidationError(NOT_FOUND)


class QuantityField(IntegerField):
    """An IntegerField that accepts plain ASCII whole numbers only."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip()
        if not text:
            self.data = None  # InputRequired or NumberRange says what is missing
            return
        if not _WHOLE_NUMBER.fullmatch(text):
            self.data = None
            raise ValueError("Enter the quantity as a whole number, like 2.")
        self.data = int(text)


class AddToCartForm(Form):
    product_id = HiddenField(validators=[InputRequired(NOT_FOUND), positive_id])
    quantity = QuantityField(
        "Quantity",
        default=1,
        validators=[
            InputRequired("Enter a quantity."),
            NumberRange(1, MAX_QUANTITY, f"Choose a quantity from 1 to {MAX_QUANTITY}."),
        ],
    )
    submit = SubmitField("Add to cart")


class UpdateQuantityForm(Form):
    product_id = HiddenField(validators=[InputRequired(NOT_FOUND), positive_id])
    quantity = QuantityField(
        "Quantity",
        validators=[
            InputRequired("Enter a quantity."),
            NumberRange(0, MAX_QUANTITY, f"Choose a quantity from 0 to {MAX_QUANTITY}."),
        ],
    )
    submit = SubmitField("Update")


class RemoveItemForm(Form):
    product_id = HiddenField(validators=[InputRequired(NOT_FOUND), positive_id])
    submit = SubmitField("Remove")
