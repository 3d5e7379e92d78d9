"""The committed OpenAPI schema (api/openapi.yaml) is the generated one, and it validates."""

from pathlib import Path

import pytest
from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[2] / "api" / "openapi.yaml"


def test_the_committed_schema_is_current_and_valid(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))
    assert generated.read_text() == COMMITTED.read_text(), (
        "run: manage.py spectacular --file api/openapi.yaml"
    )


@pytest.mark.django_db
def test_the_schema_is_served_at_api_v1_schema(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200 and b"openapi: 3" in response.content
