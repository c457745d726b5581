"""Flask extensions, created unbound so that models and blueprints can import them without the app."""

from datetime import datetime

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, registry

from inspect_app.core.sqltypes import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base: named constraints (so migrations can alter them) and aware UTC datetimes."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION), type_annotation_map={datetime: UTCDateTime()}
    )


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
