"""Schemathesis in process, over the app's own OpenAPI schema: every built-in check.

Whatever the input, the schema-valid ones (positive) are answered 2xx/404 and the
schema-invalid ones (negative) are rejected, never a 5xx, and every answer matches the
status codes, content type, headers and body schema declared for it. 200 examples per
operation, Hypothesis health checks on (none is suppressed).

The schema does not depend on the data: it comes from an app without a catalog (building
the OpenAPI document loads nothing). The calls go to an app over the sample catalog built
for this test session, never to data/processed, which a fresh clone does not have.
``tests/api/test_schemathesis_cli.py`` runs the same checks from outside, over HTTP.

Derandomized (the same examples every run): a random run once had schemathesis send
"æÇ°\ufffd" as *schema-valid* data, which the published pattern rejects (U+FFFD stands for
bytes that were not UTF-8; jsonschema-rs and Python's ``re`` both say invalid), and fail
the positive-data check on the 422 that issue 21 asks for. A fixed seed keeps CI from
depending on that generator slip; the CLI run stays random.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import settings

from filmoteca.api.app import create_app

EXAMPLES = 200

schema = schemathesis.openapi.from_dict(create_app().openapi())


@pytest.fixture(scope="module")
def app(catalog):
    return create_app(catalog)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
def test_every_answer_matches_the_contract(case, app) -> None:
    case.call_and_validate(app=app)  # every check the configuration enables: all built-ins
