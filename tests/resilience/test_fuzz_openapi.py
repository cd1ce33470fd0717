"""Property-based fuzzing of every API operation from /api/openapi.json (schemathesis).

A real gunicorn serves the API; each operation gets a bounded number of
generated requests, valid and invalid, with an admin token, and every answer
must be a non-5xx, documented status with a documented content type, headers
and body shape. SSE endpoints are left out: they never end by design.
"""
from __future__ import annotations

import os

import hypothesis.errors
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import make_component, make_token
from tests.stream.servers import WebServer, base_env

# PostgreSQL is the backend bad input reaches hardest (integer ranges, NUL bytes in text):
# when both backends run, the fuzzing runs there.
pytestmark = [pytest.mark.resilience, pytest.mark.slow(seconds=40), pytest.mark.once(backend="postgres")]

# Per operation and mode: bounded so the folder stays within CI's budget (FUZZ_EXAMPLES=200 digs deeper).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))


def _app_answers(check):
    """Skip what gunicorn answers itself before the app runs: 414 for a request line over
    4 KiB, 400 for a malformed header (every answer of the app carries an X-Request-ID)."""
    def wrapped(ctx, response, case):
        if response.status_code in (400, 414) and "x-request-id" not in response.headers:
            return None
        return check(ctx, response, case)

    wrapped.__name__ = check.__name__
    return wrapped


CHECKS = [not_a_server_error] + [_app_answers(check) for check in (
    status_code_conformance, content_type_conformance, response_headers_conformance,
    response_schema_conformance)]
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                         phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time
                         suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def fuzz_server(instance_dir, tmp_path_factory):
    server = WebServer(base_env(instance_dir, LOG_LEVEL="ERROR"), tmp_path_factory.mktemp("fuzz"))
    yield server
    server.stop()


def _fuzz(server, mode: GenerationMode) -> list[str]:
    schema = schemathesis.openapi.from_url(f"http://127.0.0.1:{server.port}/api/openapi.json")
    headers = {"Authorization": f"Bearer {make_token('admin')}"}
    failures = []
    for result in schema.exclude(path_regex=r"^/api/stream/").get_all_operations():
        operation = result.ok()

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except hypothesis.errors.Unsatisfiable:
            # An operation with no parameters and no body has no invalid input to make.
            assert mode is GenerationMode.NEGATIVE, operation.label
        except BaseException as exc:  # noqa: B036  (failure groups included) collected so one run reports every operation at fault
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    return failures


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_conforms_to_the_document(fuzz_server, api, mode):
    make_component(api, "Fuzzed component")  # something for ids to hit now and then
    failures = _fuzz(fuzz_server, mode)
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
