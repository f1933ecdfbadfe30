"""Each group's routes fuzzed: every form posted and every GET route read with random and hostile
values, then the pages that show what was stored read as each user of the group."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests import figures
from tests.fuzz.groups import GROUPS, PREPARE
from tests.fuzz.runner import Fuzz


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_fuzz(app, objects, group):
    if group in PREPARE:
        with app.test_request_context():
            PREPARE[group](objects)
    fuzz = Fuzz(app, objects, group)
    posts, gets = fuzz.targets()
    assert posts or gets, f"no routes in group {group}"
    app.logger.addHandler(fuzz.errors)
    try:
        for target in gets:
            fuzz.get(target)
        for target in posts:
            fuzz.post(target)
        fuzz.sweep({t.role for t in posts + gets})
    finally:
        app.logger.removeHandler(fuzz.errors)
    if os.environ.get("FUZZ_DEBUG"):  # what each target answered, and which payloads got stored (run with -s)
        for label, outcome in sorted(fuzz.outcomes.items()):
            print(f"{label:60} {sorted((k, n) for k, n in outcome.items() if isinstance(k, int))}")
            for message, n in [(k, n) for k, n in outcome.most_common() if isinstance(k, str)][:6]:
                print(f"      {n:3} {message}")
        with db.engine.connect() as conn:
            for table in db.metadata.sorted_tables:
                for column in table.columns:
                    if isinstance(column.type, (sa.String, sa.Text)):
                        n = conn.execute(sa.select(sa.func.count()).where(column.contains("fz("))).scalar()
                        if n:
                            print(f"stored payloads: {table.name}.{column.name}: {n}")
    figures.count("fuzz", "targets", len(posts) + len(gets))
    assert not fuzz.failures, f"{len(fuzz.failures)} problems:\n" + "\n".join(fuzz.failures)
