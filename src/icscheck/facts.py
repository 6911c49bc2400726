"""Flat facts about each subject, derived from the system graph.

A *subject* is something a rule can be about: the system, a place, a
neighbourhood, an organisation, a provider collaborative, a board or an
arrangement.  Each subject kind has a fixed catalogue of fact attributes
(name, type, meaning); rules may only use these.  Every value also records
the graph nodes whose claims it rests on, so that a finding can point at
fixture lines and evidence.  A value the description does not give is
``None`` (unknown): it is left out of the fact the engine sees, so no
comparison on it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .graph import PRIMARY_CARE_KINDS, SYSTEM_BOARD_KINDS, TRUST_KINDS, SeatInfo, SystemGraph
from .fixture import COUNCIL_KINDS
from .model import ArrangementKind, Status

SUBJECT_KINDS = ("system", "place", "neighbourhood", "organisation", "collaborative", "board", "arrangement")
RESERVED = frozenset({"id", "kind", "subject"})
STATUS_RANK = {s.value: i for i, s in enumerate(Status)}

Value = bool | int | str | None
Computed = tuple[Value, tuple[str, ...]]


@dataclass(frozen=True)
class FactSpec:
    name: str
    type: type
    description: str
    compute: Callable[[SystemGraph, str], Computed] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Subject:
    """One thing rules are evaluated against, with its facts and their provenance."""

    id: str
    kind: str
    name: str
    node: str
    facts: dict[str, Value]
    sources: dict[str, tuple[str, ...]]

    def engine_fact(self) -> dict[str, Any]:
        """The flat fact handed to an evaluator: known values only."""
        fact = {"kind": self.kind, "subject": self.id}
        fact.update((k, v) for k, v in self.facts.items() if v is not None)
        return fact


# -- helpers -------------------------------------------------------------------

def _attr(name: str) -> Callable[[SystemGraph, str], Computed]:
    return lambda g, n: (getattr(g.obj(n), name), (n,))


def _tri(values: list[bool | None]) -> bool | None:
    """True if any is true, False if all are known false, else unknown."""
    if any(v is True for v in values):
        return True
    if values and all(v is False for v in values):
        return False
    return None


def _count(g: SystemGraph, n: str, boards: list[str], keep: Callable[[SeatInfo], bool]) -> Computed:
    seats = [s for s in g.seats(boards) if keep(s)]
    return len(seats), tuple(boards) + tuple(s.node for s in seats) if boards else (n,)


def _partnership_boards(g: SystemGraph, place: str) -> list[str]:
    return g.boards_governing(place, frozenset({"place_partnership_board"}))


def _place_seats(keep: Callable[[SeatInfo], bool]) -> Callable[[SystemGraph, str], Computed]:
    return lambda g, n: _count(g, n, _partnership_boards(g, n), keep)


def _partnership_boards_of_system(g: SystemGraph) -> list[str]:
    return [b for b in g.nodes("board") if g.obj(b).kind == "system_partnership_board"]


def _system_seats(board_kinds: frozenset[str], keep: Callable[[SeatInfo], bool]) -> Callable[[SystemGraph, str], Computed]:
    def compute(g: SystemGraph, n: str) -> Computed:
        boards = [b for b in g.nodes("board") if g.obj(b).kind in board_kinds]
        return _count(g, n, boards, keep)

    return compute


def _count_nodes(type_: str, keep: Callable[[Any], bool] = lambda o: True) -> Callable[[SystemGraph, str], Computed]:
    def compute(g: SystemGraph, n: str) -> Computed:
        found = [m for m in g.nodes(type_) if keep(g.obj(m))]
        return len(found), tuple(found) or (n,)

    return compute


def _arrangement_status(kind: str) -> Callable[[SystemGraph, str], Computed]:
    def compute(g: SystemGraph, n: str) -> Computed:
        found = [a for a in g.nodes("arrangement") if g.obj(a).kind == kind]
        known = [g.obj(a).status for a in found if g.obj(a).status is not None]
        if not known:
            return None, tuple(found) or (n,)
        return max(known, key=STATUS_RANK.__getitem__), tuple(found)

    return compute


def _represented(g: SystemGraph, n: str) -> Computed:
    boards = g.represented_on(n)
    return bool(boards), (n, *boards)


def _provides(service: str) -> Callable[[SystemGraph, str], Computed]:
    return lambda g, n: (service in g.services(n), (n,))


# -- the catalogue -------------------------------------------------------------

_NAME = FactSpec("name", str, "Name as the description gives it", _attr("name"))

_SYSTEM: tuple[FactSpec, ...] = (
    _NAME,
    FactSpec("population", int, "Resident population", _attr("population")),
    FactSpec("registered_population", int, "GP-registered population", _attr("registered_population")),
    FactSpec("region", str, "NHS England region", _attr("region")),
    FactSpec("ccg_count", int, "Number of CCGs in the system", _count_nodes("organisation", lambda o: o.kind == "ccg")),
    FactSpec("icb_count", int, "Number of ICBs in the system", _count_nodes("organisation", lambda o: o.kind == "icb")),
    FactSpec("place_count", int, "Number of places", _count_nodes("place")),
    FactSpec("collaborative_count", int, "Number of provider collaboratives", _count_nodes("collaborative")),
    FactSpec(
        "partnership_board_count", int, "Number of system partnership boards",
        _count_nodes("board", lambda o: o.kind == "system_partnership_board"),
    ),
    FactSpec(
        "partnership_board_sits_in_public", bool, "A system partnership board meets in public",
        lambda g, n: (
            _tri([g.obj(b).sits_in_public for b in _partnership_boards_of_system(g)]),
            tuple(_partnership_boards_of_system(g)) or (n,),
        ),
    ),
    FactSpec(
        "partnership_board_council_seat_count", int, "Seats held by councils on the system partnership board",
        _system_seats(frozenset({"system_partnership_board"}), lambda s: s.org_kind in COUNCIL_KINDS),
    ),
    FactSpec(
        "partnership_board_nhs_seat_count", int, "Seats held by NHS bodies on the system partnership board",
        _system_seats(frozenset({"system_partnership_board"}), lambda s: s.org_kind in TRUST_KINDS | {"ccg", "icb"} | PRIMARY_CARE_KINDS),
    ),
    FactSpec("quality_group_count", int, "Number of system quality groups", _count_nodes("board", lambda o: o.kind == "quality_group")),
    FactSpec(
        "quality_lead_count", int, "Seats held by a named quality lead on any board",
        _system_seats(frozenset({"quality_group", "system_partnership_board", "icb_board"}), lambda s: s.role == "quality_lead"),
    ),
    FactSpec(
        "digital_sro_on_system_board_count", int, "Seats held by a digital SRO on a system board",
        _system_seats(SYSTEM_BOARD_KINDS, lambda s: s.role == "digital_sro"),
    ),
) + tuple(
    FactSpec(f"{kind.value}_status", str, f"Best status of the system's '{kind.value}' arrangements", _arrangement_status(kind.value))
    for kind in ArrangementKind
    if kind.value != "other"
)

_PLACE: tuple[FactSpec, ...] = (
    _NAME,
    FactSpec("population", int, "Resident population of the place", _attr("population")),
    FactSpec("council_count", int, "Councils covering the place", lambda g, n: (len(g.councils_of(n)), (n, *g.councils_of(n)))),
    FactSpec(
        "neighbourhood_count", int, "Neighbourhoods in the place",
        lambda g, n: (len(g.neighbourhoods_of(n)), (n, *g.neighbourhoods_of(n))),
    ),
    FactSpec("partnership_count", int, "Place partnership boards for the place", lambda g, n: (len(_partnership_boards(g, n)), (n, *_partnership_boards(g, n)))),
    FactSpec(
        "partnership_function_count", int, "Functions the place partnership decides jointly",
        lambda g, n: (sum(len(g.obj(b).functions) for b in _partnership_boards(g, n)), tuple(_partnership_boards(g, n)) or (n,)),
    ),
    FactSpec(
        "primary_care_leadership_seat_count", int, "Partnership seats for primary care provider leadership",
        _place_seats(lambda s: s.role == "primary_care_lead" or s.org_kind in PRIMARY_CARE_KINDS),
    ),
    FactSpec("local_authority_seat_count", int, "Partnership seats held by councils", _place_seats(lambda s: s.org_kind in COUNCIL_KINDS)),
    FactSpec(
        "dph_seat_count", int, "Partnership seats held by a director of public health",
        _place_seats(lambda s: s.role == "director_of_public_health"),
    ),
    FactSpec(
        "community_provider_seat_count", int, "Partnership seats held by providers of community services",
        _place_seats(lambda s: "community" in s.services),
    ),
    FactSpec(
        "mental_health_provider_seat_count", int, "Partnership seats held by providers of mental health services",
        _place_seats(lambda s: "mental_health" in s.services),
    ),
    FactSpec("healthwatch_seat_count", int, "Partnership seats held by Healthwatch", _place_seats(lambda s: s.org_kind == "healthwatch")),
    FactSpec(
        "joint_decision_making_with_local_government", bool,
        "The place partnership has agreed joint decision-making with local government",
        lambda g, n: (
            _tri([g.obj(b).joint_decision_making_with_local_government for b in _partnership_boards(g, n)]),
            tuple(_partnership_boards(g, n)) or (n,),
        ),
    ),
    FactSpec("represented_on_ics_board", bool, "The place reaches a system board through a seat or its chair/lead", _represented),
)

_NEIGHBOURHOOD: tuple[FactSpec, ...] = (
    _NAME,
    FactSpec("population", int, "Resident population of the neighbourhood", _attr("population")),
    FactSpec("has_pcn", bool, "A primary care network covers the neighbourhood", lambda g, n: (g.obj(n).pcn is not None, (n,))),
)

_ORGANISATION: tuple[FactSpec, ...] = (
    _NAME,
    FactSpec("org_kind", str, "Kind of organisation", _attr("kind")),
    FactSpec("is_nhs_trust", bool, "An NHS trust or foundation trust", lambda g, n: (g.obj(n).kind in TRUST_KINDS, (n,))),
    FactSpec("provides_acute", bool, "Provides acute services", _provides("acute")),
    FactSpec("provides_mental_health", bool, "Provides mental health services", _provides("mental_health")),
    FactSpec("provides_community", bool, "Provides community services", _provides("community")),
    FactSpec("provides_ambulance", bool, "Provides ambulance services", _provides("ambulance")),
    FactSpec(
        "collaborative_count", int, "Provider collaboratives the organisation is a member of",
        lambda g, n: (len(g.collaboratives_of(n)), (n, *g.collaboratives_of(n))),
    ),
)

_COLLABORATIVE: tuple[FactSpec, ...] = (
    _NAME,
    FactSpec("collaborative_kind", str, "Kind of provider collaborative", _attr("kind")),
    FactSpec("member_count", int, "Member organisations", lambda g, n: (len(g.obj(n).members), (n,))),
    FactSpec(
        "trust_member_count", int, "Member NHS trusts",
        lambda g, n: (sum(g.obj(m).kind in TRUST_KINDS for m in g.obj(n).members), (n,)),
    ),
    FactSpec("has_lead", bool, "A lead organisation is named", lambda g, n: (g.obj(n).lead is not None, (n,))),
    FactSpec("represented_on_ics_board", bool, "The collaborative reaches a system board through a seat or its chair/lead", _represented),
    FactSpec("status", str, "Development status", lambda g, n: (g.obj(n).status, (n,))),
)

_BOARD: tuple[FactSpec, ...] = (
    _NAME,
    FactSpec("board_kind", str, "Kind of board", _attr("kind")),
    FactSpec("sits_in_public", bool, "Meets in public", _attr("sits_in_public")),
    FactSpec("seat_count", int, "Seats on the board", lambda g, n: (len(g.obj(n).members), (n,))),
)

_ARRANGEMENT: tuple[FactSpec, ...] = (
    FactSpec("name", str, "Title of the plan or arrangement", _attr("title")),
    FactSpec("arrangement_kind", str, "Kind of plan or arrangement", _attr("kind")),
    FactSpec("status", str, "Delivery status", _attr("status")),
    FactSpec("evidence_count", int, "Evidence items cited", lambda g, n: (len(g.obj(n).evidence), (n,))),
)

_CATALOGUE: dict[str, tuple[FactSpec, ...]] = {
    "system": _SYSTEM,
    "place": _PLACE,
    "neighbourhood": _NEIGHBOURHOOD,
    "organisation": _ORGANISATION,
    "collaborative": _COLLABORATIVE,
    "board": _BOARD,
    "arrangement": _ARRANGEMENT,
}


def catalogue() -> dict[str, dict[str, FactSpec]]:
    """Fact attributes by subject kind: the vocabulary rules may use."""
    return {kind: {spec.name: spec for spec in specs} for kind, specs in _CATALOGUE.items()}


def derive_subjects(graph: SystemGraph) -> list[Subject]:
    """Every subject of the system with its facts, in a stable order."""
    subjects = []
    for kind in SUBJECT_KINDS:
        specs = _CATALOGUE[kind]
        for node in sorted(graph.nodes(kind)):
            facts: dict[str, Value] = {}
            sources: dict[str, tuple[str, ...]] = {}
            for spec in specs:
                value, nodes = spec.compute(graph, node)
                facts[spec.name] = value
                sources[spec.name] = nodes
            subjects.append(Subject(node, kind, str(facts["name"]), node, facts, sources))
    return subjects
