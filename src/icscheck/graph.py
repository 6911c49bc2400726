"""The system as a typed, directed networkx graph, and the questions rules ask of it.

Nodes are the fixture's entities (keyed by their ids) plus board seats and
named people; every node carries its ``type``, the model object and the path
of its claim in the fixture.  Edges are typed by ``rel``::

    place        -part_of->     system          organisation -part_of->   system
    neighbourhood-part_of->     place           council      -covers->    place
    pcn          -covers->      neighbourhood   organisation -serves->    place
    organisation -member_of->   collaborative   organisation -leads->     collaborative
    board        -governs->     system | place | collaborative
    seat         -seat_on->     board           seat         -held_by->   organisation
    person       -holds->       seat            seat         -represents-> place | collaborative
    arrangement  -part_of->     system

Closed-world questions (counts of typed members, reachability, sums) are
answered here so that the rule engine only ever matches flat facts.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .fixture import COUNCIL_KINDS, Fixture
from .safetext import xml_clean
from .yamlsource import PathKey

SYSTEM_BOARD_KINDS = frozenset({"system_partnership_board", "icb_board"})
TRUST_KINDS = frozenset({"acute_trust", "mental_health_trust", "community_trust", "ambulance_trust", "specialist_trust"})
KIND_SERVICES = {
    "acute_trust": {"acute"},
    "mental_health_trust": {"mental_health"},
    "community_trust": {"community"},
    "ambulance_trust": {"ambulance"},
    "specialist_trust": {"specialist", "acute"},
    "pcn": {"primary_care"},
    "gp_practice": {"primary_care"},
    "gp_federation": {"primary_care"},
}
PRIMARY_CARE_KINDS = frozenset({"pcn", "gp_practice", "gp_federation"})
# whose chair or lead speaks for an entity: (entity type, board kind) -> roles
REPRESENTING_BOARDS = {
    ("place", "place_partnership_board"): frozenset({"chair", "place_lead"}),
    ("collaborative", "provider_collaborative_board"): frozenset({"chair", "collaborative_lead"}),
}


@dataclass(frozen=True)
class SeatInfo:
    node: str
    board: str
    role: str
    organisation: str | None
    org_kind: str | None
    services: frozenset[str]


class SystemGraph:
    """A networkx MultiDiGraph of one system description, with query methods."""

    def __init__(self, fixture: Fixture):
        self.fixture = fixture
        self.g = nx.MultiDiGraph()
        self._neighbours: dict[tuple[str, str, str], list[str]] = {}
        self._services: dict[str, frozenset[str]] = {}
        self._objs: dict[str, object] = {}
        self._seats: dict[str, list[SeatInfo]] = {}
        self._build()

    # -- construction -----------------------------------------------------
    def _node(self, key: str, type_: str, obj, path: PathKey) -> None:
        self.g.add_node(key, type=type_, obj=obj, path=path, evidence=tuple(getattr(obj, "evidence", ())))
        self._objs[key] = obj

    def _build(self) -> None:
        desc = self.fixture.description
        system = desc.system.id
        self.system = system
        self._node(system, "system", desc.system, ("system",))
        if desc.system.finance is not None:
            self._node(f"{system}#finance", "finance", desc.system.finance, ("system", "finance"))
            self.g.add_edge(f"{system}#finance", system, key="part_of")
        for i, org in enumerate(desc.organisations):
            self._node(org.id, "organisation", org, ("organisations", i))
            self.g.add_edge(org.id, system, key="part_of")
            for served in org.places:
                self.g.add_edge(org.id, served, key="serves")
        for i, place in enumerate(desc.places):
            self._node(place.id, "place", place, ("places", i))
            self.g.add_edge(place.id, system, key="part_of")
            for council in place.councils:
                self.g.add_edge(council, place.id, key="covers")
        for i, hood in enumerate(desc.neighbourhoods):
            self._node(hood.id, "neighbourhood", hood, ("neighbourhoods", i))
            self.g.add_edge(hood.id, hood.place, key="part_of")
            if hood.pcn:
                self.g.add_edge(hood.pcn, hood.id, key="covers")
        for i, collab in enumerate(desc.collaboratives):
            self._node(collab.id, "collaborative", collab, ("collaboratives", i))
            self.g.add_edge(collab.id, system, key="part_of")
            for member in collab.members:
                self.g.add_edge(member, collab.id, key="member_of")
            if collab.lead:
                self.g.add_edge(collab.lead, collab.id, key="leads")
        for i, board in enumerate(desc.boards):
            self._node(board.id, "board", board, ("boards", i))
            target = board.place or board.collaborative or system
            self.g.add_edge(board.id, target, key="governs")
            for j, seat in enumerate(board.members):
                seat_key = f"{board.id}#seat{j}"
                self._node(seat_key, "seat", seat, ("boards", i, "members", j))
                self.g.add_edge(seat_key, board.id, key="seat_on")
                if seat.organisation:
                    self.g.add_edge(seat_key, seat.organisation, key="held_by")
                if seat.person:
                    person = f"person:{seat.person}"
                    if person not in self.g:
                        self.g.add_node(person, type="person", obj=None, path=(), evidence=())
                        self._objs[person] = None
                    self.g.add_edge(person, seat_key, key="holds")
                for ref in seat.represents:
                    self.g.add_edge(seat_key, ref, key="represents")
        for i, arrangement in enumerate(desc.arrangements):
            self._node(arrangement.id, "arrangement", arrangement, ("arrangements", i))
            self.g.add_edge(arrangement.id, system, key="part_of")
        for section in ("arrangements", "attestations"):
            # where an absent plan or attestation is expected
            path = (section,) if (section,) in self.fixture.source.lines else ("system",)
            self.g.add_node(f"#{section}", type="section", obj=None, path=path, evidence=())
            self._objs[f"#{section}"] = None
        for i, attestation in enumerate(desc.attestations):
            self._node(attestation.id, "attestation", attestation, ("attestations", i))
            self.g.add_edge(attestation.id, attestation.place or system, key="attests")
        self._by_type: dict[str, list[str]] = {}
        for node, data in self.g.nodes(data=True):
            self._by_type.setdefault(data["type"], []).append(node)
        self.representation = self._representation_graph()

    def _representation_graph(self) -> nx.DiGraph:
        """Who speaks for whom: entity -> seat-holder -> system board.

        An edge ``a -> b`` means "a is represented through b".  A place reaches
        a system board through a seat that represents it, or through the person
        who chairs or leads *its place partnership board* and holds a seat on the
        system board; a collaborative likewise through a seat, or the chair or
        lead of *its own provider collaborative board*.  Chairing any other board
        (a health and wellbeing board, a committee, a clinical group) carries no
        representation.
        """
        rep = nx.DiGraph()
        for seat in self.nodes("seat"):
            board = self.board_of_seat(seat)
            for target in self.targets(seat, "represents"):
                rep.add_edge(target, board)
            role = self.g.nodes[seat]["obj"].role
            kind = self.obj(board).kind
            for person in self.sources(seat, "holds"):
                rep.add_edge(person, board)
                for entity in self.targets(board, "governs"):
                    entity_type = self.g.nodes[entity]["type"]
                    if (entity_type, kind) in REPRESENTING_BOARDS and role in REPRESENTING_BOARDS[(entity_type, kind)]:
                        rep.add_edge(entity, person)
        return rep

    # -- generic queries ----------------------------------------------------
    def nodes(self, type_: str) -> list[str]:
        return self._by_type.get(type_, [])

    def obj(self, node: str):
        return self._objs[node]

    def targets(self, node: str, rel: str) -> list[str]:
        key = (node, rel, "out")
        if key not in self._neighbours:
            self._neighbours[key] = sorted({v for _, v, k in self.g.out_edges(node, keys=True) if k == rel})
        return self._neighbours[key]

    def sources(self, node: str, rel: str) -> list[str]:
        key = (node, rel, "in")
        if key not in self._neighbours:
            self._neighbours[key] = sorted({u for u, _, k in self.g.in_edges(node, keys=True) if k == rel})
        return self._neighbours[key]

    def board_of_seat(self, seat: str) -> str:
        return self.targets(seat, "seat_on")[0]

    # -- domain queries -----------------------------------------------------
    def services(self, org: str) -> frozenset[str]:
        if org not in self._services:
            obj = self.obj(org)
            self._services[org] = frozenset(KIND_SERVICES.get(obj.kind, set()) | set(obj.services))
        return self._services[org]

    def boards_governing(self, entity: str, kinds: frozenset[str] | None = None) -> list[str]:
        boards = self.sources(entity, "governs")
        return [b for b in boards if kinds is None or self.obj(b).kind in kinds]

    def system_boards(self) -> list[str]:
        return [b for b in self.nodes("board") if self.obj(b).kind in SYSTEM_BOARD_KINDS]

    def seats(self, boards: list[str]) -> list[SeatInfo]:
        out: list[SeatInfo] = []
        for board in boards:
            if board not in self._seats:
                self._seats[board] = self._board_seats(board)
            out.extend(self._seats[board])
        return out

    def _board_seats(self, board: str) -> list[SeatInfo]:
        out = []
        for seat in self.sources(board, "seat_on"):
            obj = self.obj(seat)
            org = obj.organisation
            out.append(
                SeatInfo(
                    node=seat,
                    board=board,
                    role=obj.role,
                    organisation=org,
                    org_kind=self.obj(org).kind if org else None,
                    services=self.services(org) if org else frozenset(),
                )
            )
        return out

    def represented_on(self, entity: str) -> list[str]:
        """The system boards an entity reaches in the representation graph."""
        if entity not in self.representation:
            return []
        reach = nx.descendants(self.representation, entity)
        return sorted(b for b in reach if b in self.g and self.g.nodes[b]["type"] == "board" and self.obj(b).kind in SYSTEM_BOARD_KINDS)

    def collaboratives_of(self, org: str) -> list[str]:
        return self.targets(org, "member_of")

    def councils_of(self, place: str) -> list[str]:
        return [o for o in self.sources(place, "covers") if self.obj(o).kind in COUNCIL_KINDS]

    def places_served(self, org: str) -> list[str]:
        return self.targets(org, "serves")

    def finance(self):
        node = f"{self.system}#finance"
        return (self.obj(node), node) if node in self.g else (None, None)

    def neighbourhoods_of(self, place: str) -> list[str]:
        return [n for n in self.sources(place, "part_of") if self.g.nodes[n]["type"] == "neighbourhood"]


PICTURE_LAYERS = {"system": 0, "board": 1, "place": 2, "collaborative": 2, "organisation": 3}


def picture_graph(graph: SystemGraph) -> nx.DiGraph:
    """The system as people draw it: system, boards, places and collaboratives, organisations.

    Seats become organisation -> board edges; people, neighbourhoods,
    arrangements and attestations are left out.  Nodes are added in id order and
    edges in the order of the edges they come from (by source, target and relation).
    """
    kinds = {node: kind for kind in PICTURE_LAYERS for node in graph.nodes(kind)}
    nodes = []
    for node in sorted(kinds):
        obj = graph.obj(node)
        name = getattr(obj, "name", None) or getattr(obj, "title", node)
        nodes.append((node, {"type": kinds[node], "name": str(name), "layer": PICTURE_LAYERS[kinds[node]]}))
    seats = set(graph.nodes("seat"))
    edges = []  # (the edge it comes from, source, target, relation)
    for u, targets in graph.g.adjacency():
        if u not in kinds and u not in seats:  # only edges from these can join two subjects of the picture
            continue
        for v, rels in targets.items():
            if v not in kinds:
                continue
            for rel in rels:
                if rel == "seat_on":
                    org = graph.obj(u).organisation
                    if org and org in kinds:
                        edges.append(((u, v, rel), org, v, "sits_on"))
                elif u in kinds and not (rel == "part_of" and kinds[u] == "organisation"):
                    edges.append(((u, v, rel), u, v, rel))
    edges.sort()
    picture = nx.DiGraph()
    picture.add_nodes_from(nodes)
    picture.add_edges_from((source, target, {"rel": rel}) for _, source, target, rel in edges)
    return picture


def export_graph(graph: SystemGraph, fmt: str) -> str:
    """The full typed graph as GraphML or Graphviz DOT text."""
    out = nx.MultiDiGraph()
    for node, data in sorted(graph.g.nodes(data=True)):
        obj = data["obj"]
        name = getattr(obj, "name", None) or getattr(obj, "title", None) or getattr(obj, "role", None) or node
        location = graph.fixture.source.location(data["path"]) if data["path"] else None
        out.add_node(node, type=data["type"], label=str(name), location=str(location) if location else "")
    for u, v, rel in sorted(graph.g.edges(keys=True)):
        out.add_edge(u, v, key=rel, rel=rel)
    if fmt == "graphml":
        return xml_clean("\n".join(nx.generate_graphml(out))) + "\n"
    if fmt == "dot":
        return to_dot(out)
    raise ValueError(f"unknown graph format {fmt}")


def dot_id(text: str) -> str:
    """A DOT quoted identifier: backslashes, quotes and line breaks escaped, so no text can end it early."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(graph: nx.MultiDiGraph) -> str:
    """Graphviz DOT text of a typed graph, every name and attribute value quoted."""
    lines = ["digraph icscheck {"]
    for node, data in graph.nodes(data=True):
        attributes = ", ".join(f"{key}={dot_id(str(value))}" for key, value in sorted(data.items()))
        lines.append(f"  {dot_id(node)} [{attributes}];")
    for u, v, data in graph.edges(data=True):
        attributes = ", ".join(f"{key}={dot_id(str(value))}" for key, value in sorted(data.items()))
        lines.append(f"  {dot_id(u)} -> {dot_id(v)} [{attributes}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
