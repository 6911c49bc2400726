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


REPRESENTATION = """
system: {id: rep, name: Representation ICS, assessment_date: 2021-09-30}
organisations:
  - {id: ccg, name: CCG, kind: ccg}
  - {id: council, name: Council, kind: unitary_council}
  - {id: acute, name: Acute Trust, kind: acute_trust}
  - {id: mh, name: MH Trust, kind: mental_health_trust}
places:
  - {id: north, name: North, councils: [council]}
collaboratives:
  - {id: collab, name: Acute collaborative, kind: acute, members: [acute, mh], lead: acute}
boards:
  - id: spb
    name: System Partnership Board
    kind: system_partnership_board
    members:
      - {role: chair, person: Ann}
      - {role: member, organisation: council, person: Bob}
      - {role: member, organisation: mh, person: Cat}
  - id: other
    name: OTHER
    kind: BOARD_KIND
    KEY
    members:
      - {role: ROLE, person: PERSON}
"""


def _represented(tmp_path, kind, role, person, key=""):
    from icscheck.fixture import load_fixture as load

    path = tmp_path / "rep.yaml"
    path.write_text(REPRESENTATION.replace("BOARD_KIND", kind).replace("ROLE", role).replace("PERSON", person).replace("KEY", key or "sits_in_public: false"))
    graph = SystemGraph(load(path))
    return bool(graph.represented_on("north")), bool(graph.represented_on("collab"))


def test_a_place_partnership_chair_or_lead_on_a_system_board_represents_the_place(tmp_path):
    assert _represented(tmp_path, "place_partnership_board", "chair", "Bob", "place: north") == (True, False)
    assert _represented(tmp_path, "place_partnership_board", "place_lead", "Bob", "place: north") == (True, False)
    assert _represented(tmp_path, "place_partnership_board", "member", "Bob", "place: north") == (False, False)


def test_a_health_and_wellbeing_board_chair_does_not_represent_the_place(tmp_path):
    assert _represented(tmp_path, "health_and_wellbeing_board", "chair", "Bob", "place: north") == (False, False)
    assert _represented(tmp_path, "committee", "chair", "Bob", "place: north") == (False, False)
    assert _represented(tmp_path, "clinical_leadership_group", "chair", "Bob", "place: north") == (False, False)


def test_a_collaborative_is_represented_by_the_chair_or_lead_of_its_own_board(tmp_path):
    assert _represented(tmp_path, "provider_collaborative_board", "chair", "Cat", "collaborative: collab") == (False, True)
    assert _represented(tmp_path, "provider_collaborative_board", "collaborative_lead", "Cat", "collaborative: collab") == (False, True)
    assert _represented(tmp_path, "provider_collaborative_board", "member", "Cat", "collaborative: collab") == (False, False)
    assert _represented(tmp_path, "committee", "chair", "Cat", "collaborative: collab") == (False, False)


def test_a_chair_who_holds_no_system_seat_does_not_represent(tmp_path):
    assert _represented(tmp_path, "place_partnership_board", "chair", "Dan", "place: north") == (False, False)
    assert _represented(tmp_path, "provider_collaborative_board", "chair", "Dan", "collaborative: collab") == (False, False)


def test_a_seat_that_names_the_place_represents_it(tmp_path):
    from icscheck.fixture import load_fixture as load

    path = tmp_path / "rep.yaml"
    text = REPRESENTATION.replace("BOARD_KIND", "committee").replace("ROLE", "member").replace("PERSON", "Eve").replace("KEY", "sits_in_public: false")
    path.write_text(text.replace("{role: member, organisation: council, person: Bob}", "{role: member, organisation: council, represents: [north, collab]}"))
    graph = SystemGraph(load(path))
    assert graph.represented_on("north") == ["spb"] and graph.represented_on("collab") == ["spb"]
