from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from storefront.cart.service import MAX_QUANTITY


def positive_id(form, field) -> None:
    raw = str(field.data or "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise ValidationError("That product could not be found.")


class AddToCartForm(FlaskForm):
    product_id = HiddenField(validators=[InputRequired(), positive_id])
    quantity = IntegerField(
        "Quantity",
        default=1,
        validators=[
            InputRequired("Enter a quantity."),
            NumberRange(1, MAX_QUANTITY, f"Choose a quantity from 1 to {MAX_QUANTITY}."),
        ],
    )
    submit = SubmitField("Add to cart")


class UpdateQuantityForm(FlaskForm):
    product_id = HiddenField(validators=[InputRequired(), positive_id])
    quantity = IntegerField(
        "Quantity",
        validators=[
            InputRequired("Enter a quantity."),
            NumberRange(0, MAX_QUANTITY, f"Choose a quantity from 0 to {MAX_QUANTITY}."),
        ],
    )
    submit = SubmitField("Update")


class RemoveItemForm(FlaskForm):
    product_id = HiddenField(validators=[InputRequired(), positive_id])
    submit = SubmitField("Remove")
