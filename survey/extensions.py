"""Flask extensions, created unbound and bound to an app in the factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from survey.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
# Storage comes from RATELIMIT_STORAGE_URI: memory in development, Redis in production so that
# all gunicorn workers share one count.
limiter = Limiter(key_func=get_remote_address)
babel = Babel()
