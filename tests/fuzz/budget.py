"""How much the fuzz tries: examples per target (``FUZZ_SCALE`` multiplies them) and the Hypothesis
settings of every run."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

from tests import figures

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
#: Examples per POST target and per GET target. A PostgreSQL round trip costs more than SQLite's, so it
#: tries fewer to stay within the same time (about a minute for all the groups on two cores).
PROFILES = {"sqlite": {"post": 22, "get": 10}, "postgresql": {"post": 16, "get": 8}}
PROFILE = {kind: max(1, int(n * SCALE)) for kind, n in PROFILES[figures.database_name()].items()}


def fuzz_settings(max_examples: int) -> settings:
    """Hypothesis settings for a run of `max_examples`: repeatable, no deadline, no example database."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
        # No shrinking in CI: the failure message carries the whole request anyway.
        phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("FUZZ_SHRINK") else []),
        print_blob=False,
    )
