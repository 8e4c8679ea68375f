"""Property-based tests of the API against its own OpenAPI schema (schemathesis 4, in-process ASGI).

For every operation, bounded generated requests (valid and invalid) must never
produce a 5xx, and every response must match the documented status codes,
content types and response schemas. The event stream is excluded (it is a
long-lived stream, tested in test_api.py).
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from newsloom.api import create_app
from newsloom.api.security import LOOPBACK_HOSTS
from newsloom.api.testing import demo_articles
from newsloom.engine import Engine

TOKEN = "schema-token-0123456789abcdef"
MAX_EXAMPLES = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    engine = Engine(db=tmp_path_factory.mktemp("schema") / "demo.db")
    assert engine.ingest_raw(demo_articles()).added
    app = create_app(engine, TOKEN, allowed_hosts=(*LOOPBACK_HOSTS, "testserver"))  # schemathesis' ASGI host
    return schemathesis.openapi.from_asgi("/api/openapi.json", app).exclude(path="/api/events")


# schemathesis' pytest plugin (from_fixture/parametrize) does not run under pytest 9, so the
# operations are driven here with Hypothesis directly: one bounded run per operation and mode.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_schema(api_schema, mode):
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:  # nothing to make invalid (no parameters, no body): nothing to test
            continue
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
