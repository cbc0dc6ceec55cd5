"""Schemathesis against the published OpenAPI schema of a live server, on both backends.

Every operation is called with an admin's bearer token, with data that matches its
schema and with data that does not; each response must not be a server error and must
match the schema (status code, content type, body), and data the schema calls invalid
must be refused. Data the schema calls valid may still be refused with a documented 4xx
(the registry's rules across fields, e.g. one head per household, cannot be said in
JSON Schema), so ``positive_data_acceptance`` is left out. The run is bounded by
``MAX_EXAMPLES`` per operation and mode; CI replays a derandomised sequence (the ``ci``
Hypothesis profile of ``tests/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.conftest import PASSWORD, SECRET
from tests.live_server import LiveServer, sign_in

MAX_EXAMPLES = 20

pytestmark = pytest.mark.slow


@pytest.fixture
def server_url(seeded_url: str) -> Iterator[str]:
    with LiveServer(seeded_url, SECRET) as server:
        yield server.base_url


def fuzz(
    operation: schemathesis.APIOperation, mode: GenerationMode, headers: dict[str, str]
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    run()


def test_every_operation_answers_within_its_schema(server_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{server_url}/openapi.json")
    headers = sign_in(server_url, "admin", PASSWORD)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz(operation, mode, headers)
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing in the request to get wrong
            except (Exception, BaseExceptionGroup) as error:
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert operations >= 10
    assert not failures, "\n\n".join(failures)
