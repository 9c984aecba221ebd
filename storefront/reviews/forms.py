from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from storefront.forms import Form
from storefront.security import printable_multiline_text, strip_whitespace

RATINGS = {"5": "5 – excellent", "4": "4 – good", "3": "3 – fine", "2": "2 – poor", "1": "1 – bad"}


class ReviewForm(Form):
    rating = RadioField("Rating", choices=RATINGS, validators=[InputRequired("Choose a rating.")])
    body = TextAreaField(
        "Your review",
        filters=[strip_whitespace],
        validators=[
            DataRequired("Write a few words about the product."),
            Length(min=10, max=2000, message="Write between 10 and 2,000 characters."),
            printable_multiline_text,
        ],
    )
    submit = SubmitField("Submit review")


class ModerateForm(Form):
    approve = SubmitField("Approve")
    decline = SubmitField("Decline")
