"""Reading a fixture file into a checked :class:`SystemDescription`.

Beyond the schema, a description must be closed: every id is unique across
the file, and every reference (evidence, organisation, place, collaborative)
names something the file defines, of the right kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, InputErrors, raise_all
from .hints import did_you_mean
from .model import PLACE_CRITERIA, Criterion, SystemDescription
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


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _id(value: object) -> str | None:
    """An id as written (a malformed one is the schema's to report), or ``None`` when it is no text."""
    return value if isinstance(value, str) else None


def _evidence_id(entry: object) -> str | None:
    return _id(entry) if not isinstance(entry, dict) else _id(entry.get("id"))


def reference_problems(data: dict, smap: SourceMap) -> list[InputError]:
    """Every id unique across the file, and every reference naming something the file defines, of the right kind.

    Read from the data as written (so that these problems are found beside the schema's, not after
    them): a value of the wrong type is left to the schema's errors."""
    problems: list[InputError] = []
    defined: dict[str, tuple[str, PathKey]] = {}
    system = _dict(data.get("system"))
    if _id(system.get("id")):
        defined[system["id"]] = ("system", ("system", "id"))
    for list_name in ENTITY_LISTS:
        for index, item in enumerate(_list(data.get(list_name))):
            ident = _id(_dict(item).get("id"))
            if ident is None:
                continue
            path = (list_name, index, "id")
            if ident in defined:
                first = smap.line(defined[ident][1])
                problems.append(InputError(smap.location(path), f"duplicate id '{ident}' (first defined at line {first})"))
                continue
            defined[ident] = (list_name, path)

    def kind_of(ref: str) -> str | None:
        return defined[ref][0] if ref in defined else None

    orgs = {o["id"]: o.get("kind") for o in map(_dict, _list(data.get("organisations"))) if _id(o.get("id"))}

    def expect(ref: object, allowed: tuple[str, ...], path: PathKey, what: str) -> bool:
        """Whether ``ref`` (if given) names something of an allowed kind; a problem is recorded if not."""
        if ref is None or not isinstance(ref, str):
            return False
        if ref not in defined:
            candidates = [i for i, (kind, _) in defined.items() if kind in allowed]
            problems.append(InputError(smap.location(path), f"unknown {what} '{ref}'{did_you_mean(ref, candidates)}"))
            return False
        if kind_of(ref) not in allowed:
            problems.append(InputError(smap.location(path), f"'{ref}' is not {what_article(what)} (it is in {kind_of(ref)})"))
            return False
        return True

    def expect_evidence(item: dict, base: PathKey) -> None:
        for i, entry in enumerate(_list(item.get("evidence"))):
            expect(_evidence_id(entry), ("evidence",), base + ("evidence", i, "id"), "evidence item")  # a plain id: the entry's line

    expect_evidence(system, ("system",))
    if isinstance(system.get("finance"), dict):
        expect_evidence(system["finance"], ("system", "finance"))
    for i, org in enumerate(map(_dict, _list(data.get("organisations")))):
        expect_evidence(org, ("organisations", i))
        for j, ref in enumerate(_list(org.get("places"))):
            expect(ref, ("places",), ("organisations", i, "places", j), "place")
    for i, place in enumerate(map(_dict, _list(data.get("places")))):
        expect_evidence(place, ("places", i))
        for j, ref in enumerate(_list(place.get("councils"))):
            path = ("places", i, "councils", j)
            if expect(ref, ("organisations",), path, "organisation") and orgs.get(ref) not in COUNCIL_KINDS:
                problems.append(InputError(smap.location(path), f"'{ref}' is a {orgs.get(ref)}, not a council"))
    for i, hood in enumerate(map(_dict, _list(data.get("neighbourhoods")))):
        expect_evidence(hood, ("neighbourhoods", i))
        expect(hood.get("place"), ("places",), ("neighbourhoods", i, "place"), "place")
        pcn = hood.get("pcn")
        if expect(pcn, ("organisations",), ("neighbourhoods", i, "pcn"), "organisation") and orgs.get(pcn) != "pcn":
            problems.append(InputError(smap.location(("neighbourhoods", i, "pcn")), f"'{pcn}' is a {orgs.get(pcn)}, not a pcn"))
    for i, collab in enumerate(map(_dict, _list(data.get("collaboratives")))):
        expect_evidence(collab, ("collaboratives", i))
        members = [m for m in _list(collab.get("members")) if isinstance(m, str)]
        for j, ref in enumerate(_list(collab.get("members"))):
            expect(ref, ("organisations",), ("collaboratives", i, "members", j), "organisation")
        if len(set(members)) != len(members):
            problems.append(InputError(smap.location(("collaboratives", i, "members")), "a member is listed twice"))
        lead = collab.get("lead")
        if expect(lead, ("organisations",), ("collaboratives", i, "lead"), "organisation") and lead not in members:
            problems.append(InputError(smap.location(("collaboratives", i, "lead")), f"lead '{lead}' is not one of the members"))
    for i, board in enumerate(map(_dict, _list(data.get("boards")))):
        expect_evidence(board, ("boards", i))
        expect(board.get("place"), ("places",), ("boards", i, "place"), "place")
        expect(board.get("collaborative"), ("collaboratives",), ("boards", i, "collaborative"), "collaborative")
        if board.get("kind") == "place_partnership_board" and board.get("place") is None:
            problems.append(InputError(smap.location(("boards", i, "kind")), "a place_partnership_board must name its place"))
        if board.get("kind") == "provider_collaborative_board" and board.get("collaborative") is None:
            problems.append(InputError(smap.location(("boards", i, "kind")), "a provider_collaborative_board must name its collaborative"))
        for j, seat in enumerate(map(_dict, _list(board.get("members")))):
            base = ("boards", i, "members", j)
            expect_evidence(seat, base)
            expect(seat.get("organisation"), ("organisations",), base + ("organisation",), "organisation")
            for k, ref in enumerate(_list(seat.get("represents"))):
                expect(ref, ("places", "collaboratives"), base + ("represents", k), "place or collaborative")
    for i, arrangement in enumerate(map(_dict, _list(data.get("arrangements")))):
        expect_evidence(arrangement, ("arrangements", i))
        expect(arrangement.get("transcribed_from"), ("self_assessments",), ("arrangements", i, "transcribed_from"), "self-assessment")
    seen_criteria: dict[tuple[str, str | None], int] = {}
    criteria = {c.value for c in Criterion}
    for i, attestation in enumerate(map(_dict, _list(data.get("attestations")))):
        expect_evidence(attestation, ("attestations", i))
        expect(attestation.get("transcribed_from"), ("self_assessments",), ("attestations", i, "transcribed_from"), "self-assessment")
        expect(attestation.get("place"), ("places",), ("attestations", i, "place"), "place")
        criterion, place = attestation.get("criterion"), attestation.get("place")
        if criterion not in criteria:
            continue  # the schema says what is wrong with it
        if criterion in PLACE_CRITERIA and place is None:
            problems.append(InputError(
                smap.location(("attestations", i, "criterion")),
                f"criterion '{criterion}' is about one place: name it with 'place'",
            ))
        if criterion not in PLACE_CRITERIA and place is not None:
            problems.append(InputError(
                smap.location(("attestations", i, "place")),
                f"criterion '{criterion}' is about the whole system: an attestation of it names no place",
            ))
        key = (criterion, place if isinstance(place, str) else None)
        if key in seen_criteria:
            first = smap.line(("attestations", seen_criteria[key]))
            where = f" for place '{place}'" if place else ""
            problems.append(InputError(
                smap.location(("attestations", i, "criterion")),
                f"criterion '{criterion}' is already attested{where} at line {first}",
            ))
            continue
        seen_criteria[key] = i
    for i, assessment in enumerate(map(_dict, _list(data.get("self_assessments")))):
        expect_evidence(assessment, ("self_assessments", i))
    for i, board in enumerate(map(_dict, _list(data.get("boards")))):
        if isinstance(board.get("declarations_of_interest"), dict):
            expect_evidence(board["declarations_of_interest"], ("boards", i, "declarations_of_interest"))
    return problems


def _check_references(desc: SystemDescription, smap: SourceMap) -> None:
    """The reference checks of a validated description (raises the problems found, first by line)."""
    raise_all(reference_problems(desc.model_dump(by_alias=True), smap))


def what_article(what: str) -> str:
    return ("an " if what[0] in "aeiou" else "a ") + what


def load_fixture(path: Path | str, display_name: str | None = None) -> Fixture:
    """Read, validate and reference-check one fixture file."""
    path = Path(path)
    name = display_name or (display_path(path, Path.cwd(), data_root()) if path.is_absolute() else path.as_posix())
    data, smap = load_yaml(path, name)
    if not isinstance(data, dict):
        raise InputError(smap.location(()), "a system description must be a mapping with a 'system' key")
    problems: list[InputError] = []
    uncounted = 0
    description = None
    try:
        description = validate(SystemDescription, data, smap)
    except InputErrors as exc:
        problems += exc.problems
        uncounted = exc.total - len(exc.problems)
    problems += reference_problems(data, smap)
    raise_all(problems, uncounted)
    assert description is not None
    return Fixture(description, smap)
