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


# The schema does not depend on the data: the app is created without a catalog at import
# time, and the fixture below gives it the sample catalog before any call.
APP = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(autouse=True)
def _sample_catalog(catalog):
    APP.state.catalog = catalog


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case) -> None:
    case.call_and_validate(checks=CHECKS)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_large(case) -> None:
    case.call_and_validate(checks=CHECKS)
