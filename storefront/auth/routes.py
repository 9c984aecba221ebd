"""Sign up, log in, log out."""

from __future__ import annotations

import functools
import logging
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from storefront.auth import service
from storefront.auth.forms import LoginForm, LogoutForm, SignupForm
from storefront.cart.service import merge_guest_cart
from storefront.extensions import db
from storefront.models import User
from storefront.ratelimits import limit_login, limit_signup
from storefront.security import safe_next_url
from storefront.shopper import RequestContext

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked when the email is unknown, so a login takes as long either way: the same
    algorithm and cost as real accounts' hashes (PASSWORD_HASH_METHOD)."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _next_or(default_endpoint: str) -> str:
    return safe_next_url(request.args.get("next")) or url_for(default_endpoint)


def _came_from() -> str | None:
    """The page of this shop a "Log in" or "Join now" link was followed from (the
    LoyaltyLion SDK's own links carry no `next`), so the shopper goes back there."""
    referrer = urlsplit(request.referrer or "")
    if f"{referrer.scheme}://{referrer.netloc}/" != request.host_url:
        return None
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    if referrer.path in (url_for("auth.login"), url_for("auth.signup")):
        return None
    return safe_next_url(path)


def _with_return_path(endpoint: str):
    """A first GET without `next`: the same page, with `next` set from the referrer."""
    if request.method == "GET" and "next" not in request.args:
        came_from = _came_from()
        if came_from:
            return redirect(url_for(endpoint, next=came_from))
    return None


@bp.route("/signup", methods=["GET", "POST"])
@limit_signup
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("account.overview"))
    if (back := _with_return_path("auth.signup")) is not None:
        return back
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = service.sign_up(
                email=form.email.data,
                password=form.password.data,
                name=form.name.data or "",
                newsletter=form.newsletter.data,
                context=RequestContext.from_request(request),
            )
        except service.EmailTaken:
            form.email.errors.append("An account with this email already exists. Log in instead?")
            return render_template("auth/signup.html", form=form), 409
        log.info("customer %s signed up", user.id)
        login_user(user)
        merge_guest_cart(user.id)
        # The $signup event is delivered in the background (the outbox): say so, or
        # the header's 0 points look like the program forgot them.
        flash(
            "Welcome! Your account is ready, and your points for joining are on their "
            "way: they appear in a moment.",
            "success",
        )
        return redirect(_next_or("account.overview"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limit_login
def login():
    if current_user.is_authenticated:
        return redirect(_next_or("account.overview"))
    if (back := _with_return_path("auth.login")) is not None:
        return back
    form = LoginForm()
    if form.validate_on_submit():
        email = User.normalize_email(form.email.data)
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        password_ok = check_password_hash(
            user.password_hash if user else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]),
            form.password.data,
        )
        if user is not None and password_ok:
            login_user(user, remember=form.remember.data)
            merge_guest_cart(user.id)
            log.info("user %s logged in", user.id)
            return redirect(_next_or("account.overview"))
        form.password.errors.append("That email and password do not match an account.")
        return render_template("auth/login.html", form=form), 401
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        flash("Your session expired; please try logging out again.", "error")
        return redirect(url_for("shop.index")), 303
    # Server-side: a copy of this session's cookie, or of the remember cookie, stops
    # working too (User.get_id carries the login generation).
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("shop.index"))
