"""Schemathesis against the API's own OpenAPI schema: generated requests, valid and invalid, find no server error,
and every answer matches the schema (status, content type, headers, body).

The production WSGI application (the page cache in front of Django) answers in this process, on the newsroom's
database. The schema is read when the module is collected: schemathesis.pytest.from_fixture, which would read it
inside a fixture, does not work with pytest 9 (it sets Function._nodeid, which pytest 9 no longer has).
"""

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from akhbar.wsgi import application

pytestmark = [
    pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("newsroom", "generous_rate"),
    # The page cache looks every address up, and warns that long generated ones would not suit memcached.
    pytest.mark.filterwarnings("ignore::django.core.cache.CacheKeyWarning"),
]

EXAMPLES = 25
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
cases: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def cases_counted():
    """Count the cases each operation ran (printed with -s or -rP), and make sure some ran."""
    yield
    print("schemathesis: " + ", ".join(f"{name} {count}" for name, count in cases.items())
          + f"; {cases.total()} cases in all")
    assert cases.total() > 0


@schema.parametrize()
# No example database: nothing written into the work tree, each run draws afresh.
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_server_error_and_answers_match_the_schema(case):
    cases[case.operation.path] += 1  # GET, and the other methods that must get a 405
    # Every built-in check, but for a generated cursor: a schema-valid string that names no position is
    # rightly refused (422), which the "valid data is accepted" check would count as a failure.
    forged_cursor = case.operation.path == "/api/articles" and "cursor" in (case.query or {})
    case.call_and_validate(excluded_checks=[positive_data_acceptance] if forged_cursor else None)
