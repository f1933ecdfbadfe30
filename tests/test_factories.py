"""Every factory builds a row the database accepts."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests import factories

ALL = [
    getattr(factories, name)
    for name in dir(factories)
    if name.endswith("Factory") and name not in ("BaseFactory", "SQLAlchemyModelFactory")
]


@pytest.mark.parametrize("factory_class", ALL, ids=lambda f: f.__name__)
def test_factory_creates_a_valid_row(app, factory_class):
    obj = factory_class()
    identity = sa.inspect(obj).identity
    db.session.expire_all()
    assert type(obj).__tablename__ and db.session.get(type(obj), identity) is not None
