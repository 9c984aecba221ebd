"""LoyaltyLion webhooks: verified, stored once, answered, then processed.

Topics handled: `rewards/store_fulfilment` (gifts.py) and `customers/update`
(loyalty_status.py). The admin's log and retry button are in admin.py.
https://developers.loyaltylion.com/api-reference/v2/webhooks/overview
"""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)

# Importing the models here registers their tables before create_app's db.create_all();
# the other modules register routes, topic handlers and template helpers on import.
from storefront.webhooks import admin, gifts, loyalty_status, models, routes  # noqa: E402, F401
