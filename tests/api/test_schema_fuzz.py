"""Schemathesis over the OpenAPI schema: whatever the input, never a 5xx, and every answer
matches the documented status codes, content type and response schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from filmoteca.api.app import create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


# The schema does not depend on the data: it comes from an app without a catalog (building
# the OpenAPI document loads nothing). The calls go to an app over the sample catalog built
# for this test session, never to data/processed, which a fresh clone does not have.
schema = schemathesis.openapi.from_dict(create_app().openapi())


@pytest.fixture(scope="module")
def app(catalog):
    return create_app(catalog)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, app) -> None:
    case.call_and_validate(app=app, checks=CHECKS)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_large(case, app) -> None:
    case.call_and_validate(app=app, checks=CHECKS)
