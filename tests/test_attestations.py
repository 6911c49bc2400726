"""Attestations about one place, and the per-organisation cyber security field."""

from __future__ import annotations

import pytest

from icscheck import api
from icscheck.errors import InputError
from icscheck.fixture import load_fixture
from icscheck.model import PLACE_CRITERIA, Criterion
from icscheck.rules import load_rules

from conftest import EXEMPLAR, RULES

RULEBOOK = load_rules([RULES])
EAST = "  - {id: att-place-leader-roles-east, criterion: place_leader_roles, place: east, statement: 'Exemplar attests the East place leader carries the four roles', status: achieved, as_of: 2021-09-15, evidence: [ev-annual-review]}\n"


def _variant(tmp_path, old, new):
    text = EXEMPLAR.read_text()
    assert old in text
    path = tmp_path / "x.yaml"
    path.write_text(text.replace(old, new))
    return path


def _findings(path, rule_id):
    result = api.check_fixture(load_fixture(path), RULEBOOK, "python")
    return {f.subject_id: f for f in result.findings if f.rule_id == rule_id}


def test_a_place_attestation_is_read_for_its_own_place_only(tmp_path):
    findings = _findings(_variant(tmp_path, EAST, EAST.replace("status: achieved", "status: in_discussion")), "IC-PLACE-011")
    assert findings["east"].status == "gap" and findings["west"].status == "pass"
    findings = _findings(_variant(tmp_path, EAST, ""), "IC-PLACE-011")
    assert findings["east"].status == "unknown", "a place with no attestation of its own is not evidenced"
    assert findings["west"].status == "pass"


def test_a_place_criterion_needs_its_place_and_a_system_criterion_names_none(tmp_path):
    with pytest.raises(InputError, match="is about one place"):
        load_fixture(_variant(tmp_path, EAST, EAST.replace(" place: east,", "")))
    with pytest.raises(InputError, match="unknown place 'north'"):
        load_fixture(_variant(tmp_path, EAST, EAST.replace("place: east", "place: north")))
    system = "criterion: innovation, statement"
    with pytest.raises(InputError, match="names no place"):
        load_fixture(_variant(tmp_path, system, "criterion: innovation, place: east, statement"))
    west = EAST.replace("roles-east", "roles-west-again").replace("place: east", "place: west")
    with pytest.raises(InputError, match="already attested for place 'west'"):
        load_fixture(_variant(tmp_path, EAST, west))


def test_place_criteria_are_facts_of_places_not_of_the_system():
    from icscheck.facts import catalogue

    facts = catalogue()
    for criterion in Criterion:
        name = f"attested_{criterion.value}"
        assert (name in facts["place"]) == (criterion.value in PLACE_CRITERIA), name
        assert (name in facts["system"]) == (criterion.value not in PLACE_CRITERIA), name


def test_cyber_security_is_read_per_nhs_organisation(tmp_path):
    acute = "kind: acute_trust, ods_code: XA1, places: [east, west], cyber_security_compliant: true}"
    findings = _findings(_variant(tmp_path, acute, acute.replace("true", "false")), "DIG-LTP-002")
    assert findings["x-acute"].status == "gap" and findings["x-mh"].status == "pass"
    assert "x-county" not in findings, "a council is not an NHS organisation"
    findings = _findings(_variant(tmp_path, acute, acute.replace(", cyber_security_compliant: true", "")), "DIG-LTP-002")
    assert findings["x-acute"].status == "unknown" and findings["x-ccg"].status == "pass"
