"""The LoyaltyLion reference storefront: `flask --app storefront run`."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from storefront.config import settings_from_env
from storefront.extensions import csrf, db, limiter, login_manager, migrate
from storefront.schema import MIGRATIONS, warn_if_behind

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(settings_from_env(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app))
    # Cookies are Secure everywhere except the debug server on plain http, unless a
    # setting says otherwise (config.py reads them as None when unset).
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(key) is None:
            app.config[key] = not app.debug

    if app.config["TRUSTED_PROXY_COUNT"] > 0:
        hops = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"

    from storefront import models  # noqa: F401  (the tables, for migrations and queries)

    _register_blueprints(app)

    from storefront.cli import register_cli
    from storefront.errors import register_error_handlers
    from storefront.headers import init_security_headers
    from storefront.loyalty import csp_origins, init_loyalty
    from storefront.security import refuse_nul_characters
    from storefront.templating import register_template_helpers

    register_error_handlers(app)
    app.before_request(refuse_nul_characters)
    register_template_helpers(app)
    init_security_headers(app, third_party_origins=csp_origins)
    register_cli(app)
    init_loyalty(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
            # WAL lets readers run beside one writer. It is a property of the database
            # file, so set it once here: doing it on every connect races other writers.
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    # The tables come from the migrations (`make run` and `make serve` upgrade first);
    # say so at start-up when the database is behind, rather than 500 on the first page.
    if not app.testing:
        warn_if_behind(app)

    return app


def _engine_options(app: Flask) -> dict[str, Any]:
    uri: str = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        # Wait for a competing writer rather than failing with "database is locked".
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Enforce foreign keys as PostgreSQL does.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _register_blueprints(app: Flask) -> None:
    from storefront.account.routes import bp as account_bp
    from storefront.admin.routes import bp as admin_bp
    from storefront.auth.routes import bp as auth_bp
    from storefront.cart.routes import bp as cart_bp
    from storefront.checkout.routes import bp as checkout_bp
    from storefront.ops.routes import bp as ops_bp
    from storefront.reviews.routes import bp as reviews_bp
    from storefront.rewards.routes import bp as rewards_bp
    from storefront.shop.routes import bp as shop_bp

    app.register_blueprint(shop_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(cart_bp)
    app.register_blueprint(checkout_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(rewards_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(ops_bp)


@login_manager.user_loader
def _load_user(session_id: str):
    """The user a session or remember cookie names (User.get_id), if it is still
    valid: a cookie from before the user's last logout names an older generation."""
    from storefront.models import User

    user_id, _, generation = session_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()) or len(session_id) > 40:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.login_generation != int(generation):
        return None
    return user
