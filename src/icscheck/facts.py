"""Flat facts about each subject, derived from the system graph.

A *subject* is something a rule can be about: the system, a place, a
neighbourhood, an organisation, a provider collaborative, a board or an
arrangement.  Each subject kind has a fixed catalogue of fact attributes
(name, type, meaning); rules may only use these.  Every value also records
the graph nodes whose claims it rests on, so that a finding can point at
fixture lines and evidence.  A value the description does not give is
``None`` (unknown): a comparison on it is unknown, never false.

A count over a list the description gives only in part — a board whose
members are listed with ``members_complete: false``, or a list named in the
description's ``partial_lists`` — is a *lower bound*: the subject records the
fact's name in ``at_least``.  A top-level list the description leaves empty
is not described, so counts over it are lower bounds of zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from .conditions import AT_LEAST, Facts
from .graph import PRIMARY_CARE_KINDS, SYSTEM_BOARD_KINDS, TRUST_KINDS, SeatInfo, SystemGraph
from .fixture import COUNCIL_KINDS
from .model import PLACE_CRITERIA, STATUS_RANK, ArrangementKind, Criterion, ServiceArea

SUBJECT_KINDS = ("system", "place", "neighbourhood", "organisation", "collaborative", "board", "arrangement")
RESERVED = frozenset({"id", "kind", "subject", "sid"})  # attributes of every engine fact (sid: its session)

Value = bool | int | float | str | None
MAX_ATTRIBUTES = 240  # the engine silently ignores facts with 253 or more attributes
#: A computed fact: its value, the graph nodes it rests on and, for a count, whether it is only a lower bound.
Computed = tuple[Value, tuple[str, ...]] | tuple[Value, tuple[str, ...], bool]
#: Facts read from fields every description must give: never unknown.
ALWAYS_STATED = frozenset(
    {
        "name", "org_kind", "board_kind", "collaborative_kind", "arrangement_kind", "is_nhs_trust",
        "provides_acute", "provides_mental_health", "provides_community", "provides_ambulance",
        "evidence_count", "has_lead",
    }
)
LISTS = {"organisation": "organisations", "place": "places", "neighbourhood": "neighbourhoods", "collaborative": "collaboratives", "board": "boards"}


@dataclass(frozen=True)
class FactSpec:
    name: str
    type: type
    description: str
    compute: Callable[[SystemGraph, str], Computed] = field(repr=False, compare=False)

    @property
    def bounded(self) -> bool:
        """A count that can be a lower bound (its compute function is marked with :func:`_bounded`)."""
        return getattr(self.compute, "bounded", False)


def _bounded(compute: Callable[[SystemGraph, str], Computed]) -> Callable[[SystemGraph, str], Computed]:
    compute.bounded = True  # type: ignore[attr-defined]
    return compute


@dataclass(frozen=True)
class Subject:
    """One thing rules are evaluated against, with its facts and their provenance."""

    id: str
    kind: str
    name: str
    node: str
    facts: dict[str, Value]
    sources: dict[str, tuple[str, ...]]
    at_least: frozenset[str] = frozenset()

    def engine_fact(self) -> dict[str, Any]:
        """The flat fact handed to an engine (a fresh copy each call): known values only, and
        a count known only as a lower bound under its name plus ``__at_least``."""
        return dict(self._engine_fact)

    @cached_property
    def _engine_fact(self) -> dict[str, Any]:
        fact: dict[str, Any] = {"kind": self.kind, "subject": self.id}
        for k, v in self.facts.items():
            if v is not None:
                fact[k + AT_LEAST if k in self.at_least else k] = v
        return fact

    @cached_property
    def view(self) -> Facts:
        """The facts as conditions read them."""
        return Facts(self.facts, self.at_least)


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


def _partial(g: SystemGraph, type_: str) -> bool:
    """Whether the description lists only some of its nodes of this type (or none: not described)."""
    return LISTS[type_] in g.fixture.description.partial_lists or not g.nodes(type_)


def _members_known(g: SystemGraph, board: str) -> bool:
    obj = g.obj(board)
    return bool(obj.members) and obj.members_complete


def _count(g: SystemGraph, n: str, boards: list[str], keep: Callable[[SeatInfo], bool]) -> Computed:
    """Seats on the boards that pass ``keep``: unknown when no board lists its members, a lower
    bound when some board's list is missing or partial."""
    if not boards:
        return (None, (n,)) if _partial(g, "board") else (0, (n,))
    listed = [b for b in boards if g.obj(b).members]
    if not listed:
        return None, tuple(boards)
    seats = [s for s in g.seats(listed) if keep(s)]
    partial = len(listed) < len(boards) or not all(_members_known(g, b) for b in listed)
    return len(seats), tuple(boards) + tuple(s.node for s in seats), partial


def _partnership_boards(g: SystemGraph, place: str) -> list[str]:
    return g.boards_governing(place, frozenset({"place_partnership_board"}))


def _place_seats(keep: Callable[[SeatInfo], bool]) -> Callable[[SystemGraph, str], Computed]:
    return _bounded(lambda g, n: _count(g, n, _partnership_boards(g, n), keep))



def _system_seats(board_kinds: frozenset[str], keep: Callable[[SeatInfo], bool]) -> Callable[[SystemGraph, str], Computed]:
    def compute(g: SystemGraph, n: str) -> Computed:
        boards = [b for b in g.nodes("board") if g.obj(b).kind in board_kinds]
        return _count(g, n, boards, keep)

    return _bounded(compute)


def _count_nodes(type_: str, keep: Callable[[Any], bool] = lambda o: True) -> Callable[[SystemGraph, str], Computed]:
    def compute(g: SystemGraph, n: str) -> Computed:
        found = [m for m in g.nodes(type_) if keep(g.obj(m))]
        return len(found), tuple(found) or (n,), _partial(g, type_)

    return _bounded(compute)


def _boards_of_place(kinds: frozenset[str]) -> Callable[[SystemGraph, str], Computed]:
    def compute(g: SystemGraph, n: str) -> Computed:
        boards = g.boards_governing(n, kinds)
        return len(boards), (n, *boards), _partial(g, "board")

    return _bounded(compute)


def _list_length(attribute: str, keep: Callable[[SystemGraph, str], bool] = lambda g, m: True) -> Callable[[SystemGraph, str], Computed]:
    """The length of a list on the node: unknown when empty (not described), a lower bound when partial."""

    def compute(g: SystemGraph, n: str) -> Computed:
        obj = g.obj(n)
        items = getattr(obj, attribute)
        if not items:
            return None, (n,)
        return sum(1 for m in items if keep(g, m)), (n,), not getattr(obj, "members_complete", True)

    return _bounded(compute)


@_bounded
def _places_without_partnership(g: SystemGraph, n: str) -> Computed:
    places = g.nodes("place")
    count = sum(not _partnership_boards(g, p) for p in places)
    if count and _partial(g, "board"):
        return None, tuple(places) or (n,)
    return count, tuple(places) or (n,), _partial(g, "place")


def _partnership_functions(g: SystemGraph, n: str) -> Computed:
    """Functions the place partnership decides jointly: none when it has no partnership, unknown when its
    partnership lists none (not described)."""
    boards = _partnership_boards(g, n)
    if not boards:
        return (None if _partial(g, "board") else 0), (n,)
    count = sum(len(g.obj(b).functions) for b in boards)
    return (count or None), tuple(boards)


@_bounded
def _collaboratives_of(g: SystemGraph, n: str) -> Computed:
    found = g.collaboratives_of(n)
    return len(found), (n, *found), _collaborative_lists_partial(g)


def _arrangement_status(kind: str) -> Callable[[SystemGraph, str], Computed]:
    def compute(g: SystemGraph, n: str) -> Computed:
        found = [a for a in g.nodes("arrangement") if g.obj(a).kind == kind]
        known = [g.obj(a).status for a in found if g.obj(a).status is not None]
        if not known:
            return None, tuple(found) or ("#arrangements",)
        return max(known, key=STATUS_RANK.__getitem__), tuple(found)

    return compute


def _finance(name: str) -> Callable[[SystemGraph, str], Computed]:
    def compute(g: SystemGraph, n: str) -> Computed:
        finance, node = g.finance()
        if finance is None:
            return None, (n,)
        return getattr(finance, name), (node,)

    return compute


def _attested(criterion: str, per_place: bool = False) -> Callable[[SystemGraph, str], Computed]:
    """The status of the attestation of a criterion: the system's, or (``per_place``) the one naming this place."""

    def compute(g: SystemGraph, n: str) -> Computed:
        for node in g.nodes("attestation"):
            attestation = g.obj(node)
            if attestation.criterion == criterion and (attestation.place == n if per_place else attestation.place is None):
                return attestation.status, (node,)
        return None, ("#attestations",)

    return compute


def _boards_of_kind(g: SystemGraph, kinds: frozenset[str]) -> list[str]:
    return [b for b in g.nodes("board") if g.obj(b).kind in kinds]


def _board_tri(kinds: frozenset[str], attribute: str) -> Callable[[SystemGraph, str], Computed]:
    """Whether a board of these kinds has the attribute: no when the description lists its boards in full and has none."""

    def compute(g: SystemGraph, n: str) -> Computed:
        boards = _boards_of_kind(g, kinds)
        if not boards:
            return (None if _partial(g, "board") else False), (n,)
        return _tri([getattr(g.obj(b), attribute) for b in boards]), tuple(boards)

    return compute


def _partnership_tri(attribute: str) -> Callable[[SystemGraph, str], Computed]:
    """Whether the place's partnership has the attribute: no when the boards are listed in full and it has none."""

    def compute(g: SystemGraph, n: str) -> Computed:
        boards = _partnership_boards(g, n)
        if not boards:
            return (None if _partial(g, "board") else False), (n,)
        return _tri([getattr(g.obj(b), attribute) for b in boards]), tuple(boards)

    return compute


def _doi(attribute: str) -> Callable[[SystemGraph, str], Computed]:
    def compute(g: SystemGraph, n: str) -> Computed:
        doi = g.obj(n).declarations_of_interest
        return (getattr(doi, attribute) if doi else None), (n,)

    return compute


@_bounded
def _places_spanned(g: SystemGraph, n: str) -> Computed:
    members = g.obj(n).members
    places = {p for m in members for p in g.places_served(m)}
    if not places and not any(g.places_served(m) for m in members):
        return None, (n, *members)
    return len(places), (n, *members), not g.obj(n).members_complete


CLINICAL_ROLES = frozenset({"medical_director", "nursing_director", "clinical_lead", "primary_care_lead"})
NHS_KINDS = TRUST_KINDS | {"ccg", "icb"} | PRIMARY_CARE_KINDS


def _represented(g: SystemGraph, n: str) -> Computed:
    """Represented on a system board; "no" only when every board that could carry it lists all its members."""
    boards = g.represented_on(n)
    if boards:
        return True, (n, *boards)
    system_boards = g.system_boards()
    known = (
        bool(system_boards)
        and not _partial(g, "board")
        and all(_members_known(g, b) for b in system_boards + g.boards_governing(n))
    )
    return (False if known else None), (n, *system_boards)


def _provides(service: str) -> Callable[[SystemGraph, str], Computed]:
    return lambda g, n: (service in g.services(n), (n,))


SOCIAL_CARE_COUNCIL_KINDS = frozenset({"county_council", "unitary_council", "metropolitan_council", "london_borough"})
EXECUTIVE_ROLES = frozenset({"chief_executive", "finance_director", "medical_director", "nursing_director", "director_of_public_health"})
AGREED_STATUSES = frozenset({"agreed_on_track", "delivering_milestones", "achieved"})


@_bounded
def _councils_not_on_icp(g: SystemGraph, n: str) -> Computed:
    """Councils with social care duties not seated on an integrated care partnership: unknown when the
    partnership's membership is not known in full and some council is not seen on it; at least, where
    the description lists only some of its organisations."""
    councils = [o for o in g.nodes("organisation") if g.obj(o).kind in SOCIAL_CARE_COUNCIL_KINDS]
    icps = _boards_of_kind(g, frozenset({"integrated_care_partnership"}))
    lists_part = _partial(g, "organisation")
    if not icps:
        if _partial(g, "board"):
            return None, (n,)
        return len(councils), tuple(councils) or (n,), lists_part
    if all(not g.obj(b).members for b in icps):
        return None, tuple(icps)
    seated = {s.organisation for s in g.seats(icps)}
    missing = [c for c in councils if c not in seated]
    if missing and not all(_members_known(g, b) for b in icps):
        return None, tuple(icps) + tuple(missing)
    return len(missing), (tuple(icps) + tuple(missing)) or (n,), lists_part


def _collaborative_lists_partial(g: SystemGraph) -> bool:
    """Whether some collaborative an organisation is in may be missing from what the description lists."""
    return _partial(g, "collaborative") or any(
        not g.obj(c).members or not g.obj(c).members_complete for c in g.nodes("collaborative")
    )


@_bounded
def _agreed_collaboratives(g: SystemGraph, n: str) -> Computed:
    collabs = g.collaboratives_of(n)
    statuses = [getattr(g.obj(c).status, "value", g.obj(c).status) for c in collabs]
    agreed = [c for c, st in zip(collabs, statuses) if st is not None and st in AGREED_STATUSES]
    if not agreed and any(st is None for st in statuses):
        return None, (n, *collabs)
    return len(agreed), (n, *agreed), _collaborative_lists_partial(g)


@_bounded
def _place_partnership_seats(g: SystemGraph, n: str) -> Computed:
    boards = [b for b in g.nodes("board") if g.obj(b).kind == "place_partnership_board"]
    if not boards and _partial(g, "board"):
        return None, (n,)
    seats = [s for s in g.seats(boards) if s.organisation == n]
    partial = _partial(g, "board") or not all(_members_known(g, b) for b in boards)
    return len(seats), (n, *(s.node for s in seats)), partial


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
    FactSpec("neighbourhood_count", int, "Number of neighbourhoods", _count_nodes("neighbourhood")),
    FactSpec("collaborative_count", int, "Number of provider collaboratives", _count_nodes("collaborative")),
    FactSpec(
        "partnership_board_count", int, "Number of system partnership boards",
        _count_nodes("board", lambda o: o.kind == "system_partnership_board"),
    ),
    FactSpec(
        "partnership_board_sits_in_public", bool, "A system partnership board meets in public",
        _board_tri(frozenset({"system_partnership_board"}), "sits_in_public"),
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
    FactSpec(
        "partnership_board_voluntary_seat_count", int, "Seats held by voluntary sector bodies on the system partnership board",
        _system_seats(frozenset({"system_partnership_board"}), lambda s: s.org_kind == "voluntary_sector"),
    ),
    FactSpec(
        "partnership_board_primary_care_seat_count", int, "Primary care seats on the system partnership board",
        _system_seats(frozenset({"system_partnership_board"}), lambda s: s.role == "primary_care_lead" or s.org_kind in PRIMARY_CARE_KINDS),
    ),
    FactSpec(
        "system_board_clinical_seat_count", int, "Clinical and professional leadership seats on system boards",
        _system_seats(SYSTEM_BOARD_KINDS, lambda s: s.role in CLINICAL_ROLES),
    ),
    FactSpec(
        "system_board_lay_seat_count", int, "Lay, Healthwatch and voluntary sector seats on system boards",
        _system_seats(SYSTEM_BOARD_KINDS, lambda s: s.role == "lay_member" or s.org_kind in ("healthwatch", "voluntary_sector")),
    ),
    FactSpec(
        "system_board_trust_seat_count", int, "Seats held by NHS trusts on system boards",
        _system_seats(SYSTEM_BOARD_KINDS, lambda s: s.org_kind in TRUST_KINDS),
    ),
    FactSpec(
        "system_chair_count", int, "Chairs of system boards",
        _system_seats(SYSTEM_BOARD_KINDS, lambda s: s.role == "chair"),
    ),
    FactSpec(
        "ics_leader_count", int, "Chief executives (ICS leaders) on system boards or the system leaders group",
        _system_seats(SYSTEM_BOARD_KINDS | {"system_leaders_group"}, lambda s: s.role == "chief_executive"),
    ),
    FactSpec(
        "system_finance_lead_count", int, "Finance directors on system boards or the system leaders group",
        _system_seats(SYSTEM_BOARD_KINDS | {"system_leaders_group"}, lambda s: s.role == "finance_director"),
    ),
    FactSpec(
        "health_and_wellbeing_board_count", int, "Health and wellbeing boards described",
        _count_nodes("board", lambda o: o.kind == "health_and_wellbeing_board"),
    ),
    FactSpec(
        "places_without_partnership_count", int, "Places with no place partnership board",
        _places_without_partnership,
    ),
    FactSpec("icb_board_count", int, "ICB boards described", _count_nodes("board", lambda o: o.kind == "icb_board")),
    FactSpec("icb_board_sits_in_public", bool, "An ICB board meets in public", _board_tri(frozenset({"icb_board"}), "sits_in_public")),
) + tuple(
    FactSpec(
        f"icb_{role}_count", int, f"Seats on the ICB board with the role {role}",
        _system_seats(frozenset({"icb_board"}), lambda s, role=role: s.role == role),
    )
    for role in ("chair", "chief_executive", "finance_director", "medical_director", "nursing_director", "non_executive")
) + (
    FactSpec(
        "icb_partner_trust_count", int, "ICB partner members from NHS trusts",
        _system_seats(frozenset({"icb_board"}), lambda s: s.role == "partner_member" and s.org_kind in TRUST_KINDS),
    ),
    FactSpec(
        "icb_partner_primary_care_count", int, "ICB partner members from general practice",
        _system_seats(frozenset({"icb_board"}), lambda s: s.role == "partner_member" and s.org_kind in PRIMARY_CARE_KINDS),
    ),
    FactSpec(
        "icb_partner_local_authority_count", int, "ICB partner members from local authorities",
        _system_seats(frozenset({"icb_board"}), lambda s: s.role == "partner_member" and s.org_kind in COUNCIL_KINDS),
    ),
    FactSpec(
        "icp_count", int, "Integrated care partnerships described",
        _count_nodes("board", lambda o: o.kind == "integrated_care_partnership"),
    ),
    FactSpec(
        "icp_icb_seat_count", int, "Integrated care partnership seats held by the ICB",
        _system_seats(frozenset({"integrated_care_partnership"}), lambda s: s.org_kind == "icb"),
    ),
    FactSpec(
        "icp_council_seat_count", int, "Integrated care partnership seats held by councils",
        _system_seats(frozenset({"integrated_care_partnership"}), lambda s: s.org_kind in COUNCIL_KINDS),
    ),
    FactSpec(
        "icp_healthwatch_seat_count", int, "Integrated care partnership seats held by Healthwatch",
        _system_seats(frozenset({"integrated_care_partnership"}), lambda s: s.org_kind == "healthwatch"),
    ),
    FactSpec("in_financial_balance", bool, "The system is in financial balance", _finance("in_financial_balance")),
    FactSpec("recovery_trajectory_agreed", bool, "A financial recovery trajectory is collectively agreed", _finance("recovery_trajectory_agreed")),
    FactSpec("control_total_plan_credible", bool, "Credible plans to meet the system control total", _finance("control_total_plan_credible")),
    FactSpec("control_total_met", bool, "The system control total is being delivered", _finance("control_total_met")),
    FactSpec("productivity_growth_pct", float, "Planned cash-releasing productivity growth, % a year", _finance("productivity_growth_pct")),
    FactSpec("financial_risk_shared", bool, "Financial risk is shared across the system", _finance("financial_risk_shared")),
) + tuple(
    FactSpec(f"attested_{c.value}", str, f"Status of the system's evidenced attestation '{c.value}'", _attested(c.value))
    for c in Criterion
    if c.value not in PLACE_CRITERIA
) + tuple(
    FactSpec(f"{kind.value}_status", str, f"Best status of the system's '{kind.value}' arrangements", _arrangement_status(kind.value))
    for kind in ArrangementKind
    if kind.value != "other"
) + (
    FactSpec(
        "councils_not_on_icp_count", int,
        "Councils with social care duties (county, unitary, metropolitan, London borough) holding no seat on an integrated care partnership",
        _councils_not_on_icp,
    ),
    FactSpec(
        "collaboratives_without_lead_count", int, "Provider collaboratives that name no lead organisation",
        _count_nodes("collaborative", lambda o: o.lead is None),
    ),
    FactSpec(
        "icp_voluntary_seat_count", int, "Integrated care partnership seats held by voluntary sector bodies",
        _system_seats(frozenset({"integrated_care_partnership"}), lambda s: s.org_kind == "voluntary_sector"),
    ),
)

_PLACE: tuple[FactSpec, ...] = (
    _NAME,
    FactSpec("population", int, "Resident population of the place", _attr("population")),
    FactSpec(
        "council_count", int, "Councils covering the place",
        lambda g, n: (len(g.councils_of(n)) or None, (n, *g.councils_of(n))),
    ),
    FactSpec(
        "neighbourhood_count", int, "Neighbourhoods in the place",
        _bounded(lambda g, n: (len(g.neighbourhoods_of(n)), (n, *g.neighbourhoods_of(n)), _partial(g, "neighbourhood"))),
    ),
    FactSpec(
        "partnership_count", int, "Place partnership boards for the place",
        _boards_of_place(frozenset({"place_partnership_board"})),
    ),
    FactSpec(
        "partnership_function_count", int, "Functions the place partnership decides jointly",
        _partnership_functions,
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
    FactSpec(
        "place_leader_seat_count", int, "Chairs and place leads of the place partnership",
        _place_seats(lambda s: s.role in ("chair", "place_lead")),
    ),
    FactSpec(
        "voluntary_sector_seat_count", int, "Partnership seats held by voluntary sector bodies",
        _place_seats(lambda s: s.org_kind == "voluntary_sector"),
    ),
    FactSpec("acute_provider_seat_count", int, "Partnership seats held by acute providers", _place_seats(lambda s: "acute" in s.services)),
    FactSpec("partnership_scheme_of_delegation", bool, "The place partnership has a scheme of delegation", _partnership_tri("scheme_of_delegation")),
    FactSpec("partnership_risk_share_mechanism", bool, "The place partnership has a risk-share mechanism", _partnership_tri("risk_share_mechanism")),
    FactSpec("partnership_mutual_accountability", bool, "The place partnership has mutual accountability processes", _partnership_tri("mutual_accountability")),
    FactSpec(
        "clinical_leadership_group_count", int, "Multi-professional clinical leadership groups for the place",
        _boards_of_place(frozenset({"clinical_leadership_group"})),
    ),
    FactSpec(
        "service_offer_count", int, f"Service areas of the minimum offer at place covered (of {len(ServiceArea)})",
        lambda g, n: (len(set(g.obj(n).service_offer)) or None, (n,)),
    ),
    FactSpec(
        "partnership_executive_seat_count", int,
        "Executive seats (chief executive, finance, medical, nursing, public health director) on the place partnership",
        _place_seats(lambda s: s.role in EXECUTIVE_ROLES),
    ),
) + tuple(
    FactSpec(f"attested_{c.value}", str, f"Status of the evidenced attestation '{c.value}' about the place", _attested(c.value, per_place=True))
    for c in Criterion
    if c.value in PLACE_CRITERIA
)

_NEIGHBOURHOOD: tuple[FactSpec, ...] = (
    _NAME,
    FactSpec("population", int, "Resident population of the neighbourhood", _attr("population")),
    FactSpec(
        "has_pcn", bool, "A primary care network covers the neighbourhood",
        lambda g, n: (True if g.obj(n).pcn is not None else None, (n,)),
    ),
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
        _collaboratives_of,
    ),
    FactSpec("digital_lead_on_board", bool, "A CCIO or CIO sits on the organisation's board", _attr("digital_lead_on_board")),
    FactSpec(
        "cyber_security_compliant", bool, "The organisation complies in full with the mandated cyber security standards",
        _attr("cyber_security_compliant"),
    ),
    FactSpec(
        "agreed_collaborative_count", int,
        "Provider collaboratives the organisation is a member of whose status is agreed or further",
        _agreed_collaboratives,
    ),
    FactSpec(
        "place_partnership_seat_count", int, "Seats the organisation holds on place partnership boards",
        _place_partnership_seats,
    ),
)

_COLLABORATIVE: tuple[FactSpec, ...] = (
    _NAME,
    FactSpec("collaborative_kind", str, "Kind of provider collaborative", _attr("kind")),
    FactSpec("member_count", int, "Member organisations", _list_length("members")),
    FactSpec("trust_member_count", int, "Member NHS trusts", _list_length("members", lambda g, m: g.obj(m).kind in TRUST_KINDS)),
    FactSpec("has_lead", bool, "A lead organisation is named", lambda g, n: (g.obj(n).lead is not None, (n,))),
    FactSpec("represented_on_ics_board", bool, "The collaborative reaches a system board through a seat or its chair/lead", _represented),
    FactSpec("status", str, "Development status", lambda g, n: (g.obj(n).status, (n,))),
    FactSpec("places_spanned", int, "Distinct places its members serve", _places_spanned),
)

_BOARD: tuple[FactSpec, ...] = (
    _NAME,
    FactSpec("board_kind", str, "Kind of board", _attr("kind")),
    FactSpec("sits_in_public", bool, "Meets in public", _attr("sits_in_public")),
    FactSpec("seat_count", int, "Seats on the board", _list_length("members")),
    FactSpec("doi_asked_each_meeting", bool, "Declarations of interest are asked for at the start of each meeting", _doi("asked_each_meeting")),
    FactSpec("doi_recorded_in_minutes", bool, "Declarations are recorded in the minutes", _doi("recorded_in_minutes")),
    FactSpec("doi_chair_decision_recorded", bool, "The chair's decision on each declaration is recorded", _doi("chair_decision_recorded")),
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
            at_least: set[str] = set()
            for spec in specs:
                computed = spec.compute(graph, node)
                facts[spec.name] = computed[0]
                sources[spec.name] = computed[1]
                if len(computed) == 3 and computed[2] and computed[0] is not None:
                    if not spec.bounded:
                        raise AssertionError(f"fact {spec.name} gave a lower bound but is not declared bounded")
                    at_least.add(spec.name)
            subjects.append(Subject(node, kind, str(facts["name"]), node, facts, sources, frozenset(at_least)))
    return subjects
