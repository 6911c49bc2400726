"""The published JSON Schema of system descriptions."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
import yaml

from icscheck.model import json_schema

from conftest import ALL_FIXTURES, ROOT

PUBLISHED = ROOT / "schema" / "system.schema.json"


def test_published_schema_is_current():
    assert json.loads(PUBLISHED.read_text()) == json_schema(), "run: icscheck schema -o schema/system.schema.json"


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.stem)
def test_fixtures_validate_against_the_schema(path):
    data = _jsonable(yaml.safe_load(path.read_text()))
    jsonschema.validate(data, json.loads(PUBLISHED.read_text()))


def test_schema_rejects_unknown_keys():
    schema = json.loads(PUBLISHED.read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"system": {"id": "x", "name": "X", "assessment_date": "2021-01-01", "colour": 1}}, schema)
