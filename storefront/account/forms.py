from datetime import UTC, datetime

from wtforms import BooleanField, DateField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from storefront.forms import Form


def plausible_birthday(form, field) -> None:
    if field.data is None:
        return
    today = datetime.now(UTC).date()
    if field.data > today:
        raise ValidationError("Your birthday cannot be in the future.")
    if field.data.year < today.year - 120:
        raise ValidationError("Enter your birthday as a date like 1990-04-23.")


class PreferencesForm(Form):
    newsletter = BooleanField("Email me the newsletter (earns 50 points the first time)")
    birthday = DateField(
        "Birthday",
        validators=[Optional(), plausible_birthday],
        description=(
            "Optional: we send you points on your birthday. Once given, clearing it does "
            "not remove it from our rewards program, only from this store."
        ),
    )
    submit = SubmitField("Save preferences")

    def validate_birthday(self, field) -> None:
        # DateField leaves data None and an error on unparsable input; say it plainly.
        if field.raw_data and field.raw_data[0] and field.data is None:
            raise ValidationError("Enter your birthday as a date like 1990-04-23.")


class CloseAccountForm(Form):
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password to confirm."), Length(max=128)]
    )
    confirm = BooleanField(
        "I understand that my account and personal data will be erased",
        validators=[InputRequired("Tick the box to confirm.")],
    )
    submit = SubmitField("Close my account")
