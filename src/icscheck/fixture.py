"""Reading a fixture file into a checked :class:`SystemDescription`.

Beyond the schema, a description must be closed: every id is unique across
the file, and every reference (evidence, organisation, place, collaborative)
names something the file defines, of the right kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .model import PLACE_CRITERIA, SystemDescription
from .resources import data_root
from .validation import validate
from .yamlsource import PathKey, SourceMap, display_path, load_yaml

COUNCIL_KINDS = frozenset(
    {"county_council", "unitary_council", "district_council", "metropolitan_council", "london_borough"}
)
ENTITY_LISTS = (
    "evidence",
    "organisations",
    "places",
    "neighbourhoods",
    "collaboratives",
    "boards",
    "arrangements",
    "attestations",
    "self_assessments",
)


@dataclass(frozen=True)
class Fixture:
    """A validated system description and the source lines of its values."""

    description: SystemDescription
    source: SourceMap

    @property
    def file(self) -> str:
        return self.source.file


def _check_references(desc: SystemDescription, smap: SourceMap) -> None:
    defined: dict[str, tuple[str, PathKey]] = {}
    defined[desc.system.id] = ("system", ("system", "id"))
    for list_name in ENTITY_LISTS:
        for index, item in enumerate(getattr(desc, list_name)):
            path = (list_name, index, "id")
            if item.id in defined:
                first = smap.line(defined[item.id][1])
                raise InputError(smap.location(path), f"duplicate id '{item.id}' (first defined at line {first})")
            defined[item.id] = (list_name, path)

    def kind_of(ref: str) -> str | None:
        return defined[ref][0] if ref in defined else None

    orgs = {o.id: o for o in desc.organisations}

    def expect(ref: str | None, allowed: tuple[str, ...], path: PathKey, what: str) -> None:
        if ref is None:
            return
        if ref not in defined:
            raise InputError(smap.location(path), f"unknown {what} '{ref}'")
        if kind_of(ref) not in allowed:
            raise InputError(smap.location(path), f"'{ref}' is not {what_article(what)} (it is in {kind_of(ref)})")

    def expect_evidence(item, base: PathKey) -> None:
        for i, ref in enumerate(item.evidence):
            expect(ref, ("evidence",), base + ("evidence", i, "id"), "evidence item")  # a plain id: the entry's line

    expect_evidence(desc.system, ("system",))
    if desc.system.finance:
        expect_evidence(desc.system.finance, ("system", "finance"))
    for i, org in enumerate(desc.organisations):
        expect_evidence(org, ("organisations", i))
        for j, ref in enumerate(org.places):
            expect(ref, ("places",), ("organisations", i, "places", j), "place")
    for i, place in enumerate(desc.places):
        expect_evidence(place, ("places", i))
        for j, ref in enumerate(place.councils):
            path = ("places", i, "councils", j)
            expect(ref, ("organisations",), path, "organisation")
            if orgs[ref].kind not in COUNCIL_KINDS:
                raise InputError(smap.location(path), f"'{ref}' is a {orgs[ref].kind}, not a council")
    for i, hood in enumerate(desc.neighbourhoods):
        expect_evidence(hood, ("neighbourhoods", i))
        expect(hood.place, ("places",), ("neighbourhoods", i, "place"), "place")
        expect(hood.pcn, ("organisations",), ("neighbourhoods", i, "pcn"), "organisation")
        if hood.pcn and orgs[hood.pcn].kind != "pcn":
            raise InputError(smap.location(("neighbourhoods", i, "pcn")), f"'{hood.pcn}' is a {orgs[hood.pcn].kind}, not a pcn")
    for i, collab in enumerate(desc.collaboratives):
        expect_evidence(collab, ("collaboratives", i))
        for j, ref in enumerate(collab.members):
            expect(ref, ("organisations",), ("collaboratives", i, "members", j), "organisation")
        if len(set(collab.members)) != len(collab.members):
            raise InputError(smap.location(("collaboratives", i, "members")), "a member is listed twice")
        expect(collab.lead, ("organisations",), ("collaboratives", i, "lead"), "organisation")
        if collab.lead and collab.lead not in collab.members:
            raise InputError(smap.location(("collaboratives", i, "lead")), f"lead '{collab.lead}' is not one of the members")
    for i, board in enumerate(desc.boards):
        expect_evidence(board, ("boards", i))
        expect(board.place, ("places",), ("boards", i, "place"), "place")
        expect(board.collaborative, ("collaboratives",), ("boards", i, "collaborative"), "collaborative")
        if board.kind == "place_partnership_board" and board.place is None:
            raise InputError(smap.location(("boards", i, "kind")), "a place_partnership_board must name its place")
        if board.kind == "provider_collaborative_board" and board.collaborative is None:
            raise InputError(smap.location(("boards", i, "kind")), "a provider_collaborative_board must name its collaborative")
        for j, seat in enumerate(board.members):
            base = ("boards", i, "members", j)
            expect_evidence(seat, base)
            expect(seat.organisation, ("organisations",), base + ("organisation",), "organisation")
            for k, ref in enumerate(seat.represents):
                expect(ref, ("places", "collaboratives"), base + ("represents", k), "place or collaborative")
    for i, arrangement in enumerate(desc.arrangements):
        expect_evidence(arrangement, ("arrangements", i))
        expect(arrangement.transcribed_from, ("self_assessments",), ("arrangements", i, "transcribed_from"), "self-assessment")
    seen_criteria: dict[tuple[str, str | None], int] = {}
    for i, attestation in enumerate(desc.attestations):
        expect_evidence(attestation, ("attestations", i))
        expect(attestation.transcribed_from, ("self_assessments",), ("attestations", i, "transcribed_from"), "self-assessment")
        expect(attestation.place, ("places",), ("attestations", i, "place"), "place")
        if attestation.criterion in PLACE_CRITERIA and attestation.place is None:
            raise InputError(
                smap.location(("attestations", i, "criterion")),
                f"criterion '{attestation.criterion}' is about one place: name it with 'place'",
            )
        if attestation.criterion not in PLACE_CRITERIA and attestation.place is not None:
            raise InputError(
                smap.location(("attestations", i, "place")),
                f"criterion '{attestation.criterion}' is about the whole system: an attestation of it names no place",
            )
        key = (attestation.criterion, attestation.place)
        if key in seen_criteria:
            first = smap.line(("attestations", seen_criteria[key]))
            where = f" for place '{attestation.place}'" if attestation.place else ""
            raise InputError(
                smap.location(("attestations", i, "criterion")),
                f"criterion '{attestation.criterion}' is already attested{where} at line {first}",
            )
        seen_criteria[key] = i
    for i, assessment in enumerate(desc.self_assessments):
        expect_evidence(assessment, ("self_assessments", i))
    for i, board in enumerate(desc.boards):
        if board.declarations_of_interest:
            expect_evidence(board.declarations_of_interest, ("boards", i, "declarations_of_interest"))


def what_article(what: str) -> str:
    return ("an " if what[0] in "aeiou" else "a ") + what


def load_fixture(path: Path | str, display_name: str | None = None) -> Fixture:
    """Read, validate and reference-check one fixture file."""
    path = Path(path)
    name = display_name or (display_path(path, Path.cwd(), data_root()) if path.is_absolute() else path.as_posix())
    data, smap = load_yaml(path, name)
    if not isinstance(data, dict):
        raise InputError(smap.location(()), "a system description must be a mapping with a 'system' key")
    description = validate(SystemDescription, data, smap)
    _check_references(description, smap)
    return Fixture(description, smap)
