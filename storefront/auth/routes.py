"""Sign up, log in, log out."""

from __future__ import annotations

import functools
import logging
import secrets

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


@bp.route("/signup", methods=["GET", "POST"])
@limit_signup
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("account.overview"))
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
        flash("Welcome! Your account is ready.", "success")
        return redirect(_next_or("account.overview"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limit_login
def login():
    if current_user.is_authenticated:
        return redirect(_next_or("account.overview"))
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
