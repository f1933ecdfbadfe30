"""The open data API against its own OpenAPI description, with Schemathesis.

Every operation of /api/v1/openapi.json is called with values Schemathesis generates from the
description: valid ones (positive), which must answer as described (a documented status code, its
content type, a body and headers that match the response schema), and invalid ones (negative), which
must be refused with a documented 4xx. None may be a server error. The database holds one of
everything the API lists (the `data` fixture of tests/fixtures/api.py), so the lists are not empty and
their items get checked.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from tests import figures

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
#: Examples per operation and mode; about 20 s per database on two cores.
EXAMPLES = {GenerationMode.POSITIVE: max(1, int(150 * SCALE)), GenerationMode.NEGATIVE: max(1, int(75 * SCALE))}
#: No shrinking in CI: Schemathesis' message carries the request (as curl) anyway. FUZZ_SHRINK=1 to shrink.
PHASES = [Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("FUZZ_SHRINK") else [])
POSITIVE_CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]
NEGATIVE_CHECKS = [*POSITIVE_CHECKS, "negative_data_rejection"]


def _checks(names: list[str]) -> list:
    return [getattr(schemathesis.checks, name) for name in names]


@pytest.fixture()
def api_schema(app, data):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_every_operation_answers_as_described(api_schema, data):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations, "the OpenAPI description lists no operations"
    failures: list[str] = []
    for operation in operations:
        for mode, n in EXAMPLES.items():
            tried = [0]
            checks = _checks(POSITIVE_CHECKS if mode == GenerationMode.POSITIVE else NEGATIVE_CHECKS)

            @settings(
                max_examples=n,
                deadline=None,
                derandomize=True,
                database=None,
                print_blob=False,
                phases=PHASES,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                tried[0] += 1
                case.call_and_validate(checks=checks)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label} ({mode.value}): {str(exc)[:2000]}")
            figures.count("schemathesis", f"{operation.label} {mode.value}", tried[0])
            figures.count("schemathesis", "cases", tried[0])
    figures.note("schemathesis", "operations", len(operations))
    assert not failures, "\n\n".join(failures)
