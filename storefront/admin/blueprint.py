"""The admin blueprint and its rule: staff only. The view modules register on it."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from storefront.extensions import login_manager

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_admin():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403, description="The store admin is for store staff only.")
    return None
