"""The admin's forms: order filter, the four order actions, and a voucher batch."""

from __future__ import annotations

import re
from typing import ClassVar

from wtforms import BooleanField, DateField, Field, SelectField, StringField, SubmitField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import NumberInput, TextInput

from storefront.forms import Form
from storefront.models import CancellationStatus, Order, PaymentStatus, RefundStatus
from storefront.models._time import utcnow
from storefront.money import MoneyError, parse_money, to_decimal_string
from storefront.security import printable_text, strip_whitespace
from storefront.vouchers.service import MAX_BATCH

# edit_order's own bound on a line's quantity.
MAX_LINE_QUANTITY = 999
# Generated while the admin waits; the CLI takes up to generate_batch's own limit.
MAX_BATCH_COUNT = MAX_BATCH  # one limit, set in vouchers/service.py
# Far beyond any real page, and small enough that the query's OFFSET stays an integer.
MAX_PAGE = 1_000_000

# Plain ASCII digits: int() alone would also take "٣", "５" and "1_000".
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


class _ParsedTextField(Field):
    """A text box whose value is parsed after the field's validators have run.

    Parsing last lets InputRequired and Optional speak first, so a blank box gets one
    message (or none, when optional) and anything else gets the parser's own message.
    `data` holds the parsed value, or None until the form has validated.
    """

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None

    def post_validate(self, form: Form, validation_stopped: bool) -> None:
        if validation_stopped:
            return
        self.data = self.parse(self.raw_data[0] if self.raw_data else "")

    def _value(self) -> str:
        # Show back exactly what was typed; otherwise the starting value.
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.format(self.data)

    def parse(self, text: str) -> int:
        raise NotImplementedError

    def format(self, value: int) -> str:
        return str(value)


class MoneyField(_ParsedTextField):
    """An amount like "12.50"; `data` is integer cents."""

    widget = TextInput()

    def __init__(self, label: str, *, allow_zero: bool = False, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, render_kw=render_kw, **kwargs)
        self.allow_zero = allow_zero

    def parse(self, text: str) -> int:
        try:
            return parse_money(text, allow_zero=self.allow_zero)
        except MoneyError as error:
            raise ValidationError(str(error)) from None

    def format(self, value: int) -> str:
        return to_decimal_string(value)


class WholeNumberField(_ParsedTextField):
    """A whole number from `minimum` to `maximum`, typed in ASCII digits."""

    def __init__(self, label: str, *, minimum: int, maximum: int, **kwargs):
        super().__init__(label, widget=NumberInput(min=minimum, max=maximum), **kwargs)
        self.minimum = minimum
        self.maximum = maximum

    def parse(self, text: str) -> int:
        text = text.strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            raise ValidationError("Enter a whole number, like 3.")
        # Every bound here has at most nine digits: no need to make int() read more.
        if len(text.lstrip("-")) > 9 or not self.minimum <= int(text) <= self.maximum:
            raise ValidationError(f"Enter a number from {self.minimum} to {self.maximum:,}.")
        return int(text)


# The status filter on the orders list, in LoyaltyLion's vocabulary ({value: label}).
STATUS_FILTERS = {
    "": "All orders",
    PaymentStatus.NOT_PAID: "Not paid",
    PaymentStatus.PARTIALLY_PAID: "Partially paid",
    PaymentStatus.PAID: "Paid",
    RefundStatus.PARTIALLY_REFUNDED: "Partially refunded",
    RefundStatus.REFUNDED: "Refunded",
    CancellationStatus.CANCELLED: "Cancelled",
}


class OrderFilterForm(Form):
    class Meta:
        csrf = False  # a GET that changes nothing

    status = SelectField("Status", choices=STATUS_FILTERS, default="")
    page = WholeNumberField("Page", minimum=1, maximum=MAX_PAGE, validators=[Optional()])


class _OrderActionForm(Form):
    """One of the four forms on an order's page. Each has its own prefix, which keeps
    their field names and ids apart (two of them have an `amount`)."""

    prefix_name: ClassVar[str]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)


class EditOrderForm(_OrderActionForm):
    """Shipping plus one quantity box per line, added by `edit_order_form`."""

    prefix_name = "edit"

    shipping = MoneyField(
        "Shipping",
        allow_zero=True,
        validators=[InputRequired("Enter the shipping charge (0 for free shipping).")],
    )
    submit = SubmitField("Save changes")

    def line_fields(self) -> dict[int, WholeNumberField]:
        return {
            int(name.removeprefix("line_")): field
            for name, field in self._fields.items()
            if name.startswith("line_")
        }

    def quantities(self) -> dict[int, int]:
        """{order line id: new quantity}, after validation."""
        return {line_id: field.data for line_id, field in self.line_fields().items()}


def edit_order_form(order: Order, **kwargs) -> EditOrderForm:
    """The edit form for this order: a `line_<id>` quantity field per line.

    The fields depend on the order, so the class is built per request (WTForms'
    "dynamic form composition"); the label names the product for screen readers.
    """

    class OrderEditForm(EditOrderForm):
        pass

    for line in order.lines:
        field = WholeNumberField(
            f"Quantity of {line.product_name}",
            minimum=0,
            maximum=MAX_LINE_QUANTITY,
            default=line.quantity,
            validators=[InputRequired("Enter a quantity (0 removes the line).")],
        )
        setattr(OrderEditForm, f"line_{line.id}", field)
    kwargs.setdefault("shipping", order.shipping_cents)
    return OrderEditForm(**kwargs)


class PaymentForm(_OrderActionForm):
    prefix_name = "payment"

    amount = MoneyField("Amount received", validators=[InputRequired("Enter the amount paid.")])
    submit = SubmitField("Record payment")


def _unless_refunding_everything(form: RefundForm, field: Field) -> None:
    if form.refund_all.data:
        raise StopValidation()  # the amount box plays no part


class RefundForm(_OrderActionForm):
    prefix_name = "refund"

    amount = MoneyField(
        "Amount to refund",
        validators=[
            _unless_refunding_everything,
            InputRequired("Enter an amount to refund, or refund everything."),
        ],
    )
    submit = SubmitField("Refund")
    refund_all = SubmitField("Refund everything")


class CancelForm(_OrderActionForm):
    prefix_name = "cancel"

    # Cancelling cannot be undone: a box to tick first, which works without JavaScript.
    confirm = BooleanField(
        "Yes, cancel this order",
        validators=[DataRequired("Tick “Yes, cancel this order” to confirm.")],
    )
    submit = SubmitField("Cancel order")


class VoucherBatchForm(Form):
    name = StringField(
        "Batch name",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Name the batch, e.g. after the reward it is for."),
            Length(max=100, message="Use at most 100 characters."),
            printable_text,
        ],
    )
    amount = MoneyField(
        "Value of each code", validators=[InputRequired("Enter what each code is worth.")]
    )
    count = WholeNumberField(
        "Number of codes",
        minimum=1,
        maximum=MAX_BATCH_COUNT,
        validators=[InputRequired("Enter how many codes to generate.")],
    )
    prefix = StringField(
        "Prefix (optional)",
        filters=[strip_whitespace],
        validators=[
            Optional(),
            Length(max=12, message="Use at most 12 letters and digits."),
            Regexp(r"^[A-Za-z0-9]+$", message="Use letters A–Z and digits only."),
        ],
    )
    expires_on = DateField("Last day the codes work (optional)", validators=[Optional()])
    min_subtotal = MoneyField(
        "Minimum merchandise subtotal (optional)", allow_zero=True, validators=[Optional()]
    )
    submit = SubmitField("Generate batch")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser's date picker starts at today (the rule itself is validate_expires_on).
        self.expires_on.render_kw = {"min": utcnow().date().isoformat()}

    def validate_expires_on(self, field: DateField) -> None:
        if field.data is None:
            return  # blank, or already reported as not a date
        if not field.raw_data[0].isascii():
            raise ValidationError("Enter a date like 2030-12-31.")
        if field.data < utcnow().date():
            raise ValidationError("The last day cannot be in the past.")
