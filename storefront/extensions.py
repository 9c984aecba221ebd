"""Flask extensions, created unbound and initialised in create_app (the factory pattern)."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
# Alembic migrations (storefront/schema.py): `flask --app storefront db upgrade heads`.
migrate = Migrate()
csrf = CSRFProtect()
# Limits apply only where a view asks for one (no default limits). The client address
# is the socket peer, or X-Forwarded-For through ProxyFix when TRUSTED_PROXY_COUNT is set.
limiter = Limiter(key_func=get_remote_address)
