"""Unbound extension singletons, initialised in create_app."""

from typing import TYPE_CHECKING

from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from backend.core import ratelimit_store  # noqa: F401 - registers the sesv-sqlite:// scheme
from backend.core.db import Base

db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # db.Model is built at run time; type checkers see the declarative base it extends.
    Model = Base
else:
    Model = db.Model
migrate = Migrate(render_as_batch=True, compare_type=True)
jwt = JWTManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
