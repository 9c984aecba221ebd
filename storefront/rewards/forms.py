from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, Length, NumberRange, Regexp

from storefront.forms import Form


class ClaimRewardForm(Form):
    """One "Claim" button of the headless Rewards page. `attempt` is fresh for every
    render and travels with the press: the same press arriving twice claims once."""

    reward_id = IntegerField(
        validators=[
            InputRequired("Choose a reward."),
            NumberRange(min=1, max=2_147_483_647, message="That is not one of our rewards."),
        ]
    )
    attempt = HiddenField(
        validators=[
            InputRequired("Please reload the page and try again."),
            Length(min=16, max=64, message="Please reload the page and try again."),
            Regexp(r"^[A-Za-z0-9_-]+$", message="Please reload the page and try again."),
        ]
    )
