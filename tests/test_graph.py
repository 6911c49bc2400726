"""Closed-world questions answered in the graph."""

from __future__ import annotations

from icscheck.facts import derive_subjects
from icscheck.fixture import load_fixture
from icscheck.graph import SystemGraph

from conftest import CP, EXEMPLAR, PLANTED


def _facts(path):
    return {s.id: s.facts for s in derive_subjects(SystemGraph(load_fixture(path)))}


def test_representation_through_a_seat_or_a_leading_person():
    graph = SystemGraph(load_fixture(EXEMPLAR))
    assert graph.represented_on("west") == ["spb"]  # a seat that names the place
    assert graph.represented_on("east") == ["spb"]  # its place lead holds a seat
    assert graph.represented_on("acute-collab") == ["spb"]
    assert graph.represented_on("mh-collab") == ["spb"]  # its board chair holds a seat


def test_a_member_who_does_not_lead_does_not_represent():
    facts = _facts(PLANTED)
    assert facts["mh-collab"]["represented_on_ics_board"] is False


def test_counts_of_typed_members():
    facts = _facts(EXEMPLAR)
    assert facts["east"]["healthwatch_seat_count"] == 1
    assert facts["east"]["community_provider_seat_count"] == 1  # a mental health trust that lists community services
    assert facts["x-acute"]["collaborative_count"] == 2
    assert facts["exemplar"]["ccg_count"] == 1


def test_unknown_stays_unknown():
    facts = _facts(CP)
    assert facts["cambridgeshire-and-peterborough"]["population"] is None
    assert facts["cambridgeshire-and-peterborough"]["partnership_board_sits_in_public"] is None
    assert facts["north"]["joint_decision_making_with_local_government"] is None
    assert facts["cambridgeshire-and-peterborough"]["coa_system_plans_status"] == "to_be_developed"
