from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from storefront.forms import Form
from storefront.security import printable_text, strip_whitespace

PASSWORD_MIN = 10
PASSWORD_MAX = 128


def password_rules(form, field) -> None:
    """At least 10 characters with a letter and a digit or symbol, not the email."""
    value = field.data or ""
    if len(value) < PASSWORD_MIN:
        raise ValidationError(f"Use at least {PASSWORD_MIN} characters.")
    if len(value) > PASSWORD_MAX:
        raise ValidationError(f"Use at most {PASSWORD_MAX} characters.")
    if not any(ch.isalpha() for ch in value) or all(ch.isalpha() for ch in value):
        raise ValidationError("Mix letters with at least one digit or symbol.")
    email = (form.email.data or "").strip().lower()
    if email and value.lower() in {email, email.split("@")[0]}:
        raise ValidationError("Choose a password that is not your email address.")


def new_email_field() -> EmailField:
    """The email of a new account (signup, or a guest's account from checkout)."""
    return EmailField(
        "Email",
        filters=[strip_whitespace],
        validators=[
            InputRequired("Enter your email address."),
            Length(max=254, message="That email address is too long."),
            Email(
                "Enter a valid email address, like name@example.com.",
                check_deliverability=False,
            ),
        ],
    )


def new_password_field() -> PasswordField:
    """A new account's password, held to password_rules."""
    return PasswordField(
        "Password", validators=[InputRequired("Choose a password."), password_rules]
    )


class SignupForm(Form):
    name = StringField(
        "Name",
        filters=[strip_whitespace],
        validators=[Length(max=100, message="Use at most 100 characters."), printable_text],
    )
    email = new_email_field()
    password = new_password_field()
    newsletter = BooleanField("Email me the newsletter (earns 50 points)")
    submit = SubmitField("Sign up")


class LoginForm(Form):
    email = EmailField(
        "Email",
        filters=[strip_whitespace],
        validators=[
            InputRequired("Enter your email address."),
            Length(max=254, message="That email address is too long."),
            printable_text,
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            InputRequired("Enter your password."),
            Length(max=PASSWORD_MAX, message=f"Use at most {PASSWORD_MAX} characters."),
        ],
    )
    remember = BooleanField("Keep me logged in")
    submit = SubmitField("Log in")


class LogoutForm(Form):
    submit = SubmitField("Log out")
