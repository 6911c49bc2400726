"""National-scale benchmark: 42 synthetic systems, about 10,000 nodes in all.

Run:  python benchmarks/national.py [--engine durable|python] [--systems 42]

Each system has 4-5 places, neighbourhoods, PCNs, GP practices, trusts,
councils, collaboratives and boards with seats, sized so that the 42 systems
together hold about 10,000 graph nodes.  Prints the wall time to load, build
and evaluate them all (rules loaded once).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from icscheck.api import check_fixture
from icscheck.fixture import load_fixture
from icscheck.graph import SystemGraph
from icscheck.resources import rules_dir
from icscheck.rules import load_rules


def synthetic_system(n: int) -> dict:
    places, hoods, orgs, boards = [], [], [], []
    orgs += [{"id": f"s{n}-ccg", "name": f"CCG {n}", "kind": "ccg"}]
    trusts = [(f"s{n}-acute{i}", "acute_trust") for i in range(3)] + [(f"s{n}-mh", "mental_health_trust"), (f"s{n}-comm", "community_trust")]
    orgs += [{"id": t, "name": t, "kind": k} for t, k in trusts]
    orgs += [{"id": f"s{n}-hw", "name": f"Healthwatch {n}", "kind": "healthwatch"}]
    seats = [{"role": "chair", "person": f"chair {n}"}]
    for p in range(5):
        pid = f"s{n}-p{p}"
        council = f"s{n}-la{p}"
        orgs.append({"id": council, "name": council, "kind": "unitary_council"})
        places.append({"id": pid, "name": f"Place {p}", "population": 300000 + p * 10000, "councils": [council]})
        members = [
            {"role": "place_lead", "person": f"lead {n}.{p}"},
            {"role": "member", "organisation": council},
            {"role": "director_of_public_health", "organisation": council},
            {"role": "member", "organisation": f"s{n}-mh"},
            {"role": "member", "organisation": f"s{n}-comm"},
            {"role": "member", "organisation": f"s{n}-hw"},
        ]
        for h in range(7):
            hid = f"{pid}-n{h}"
            pcn = f"{hid}-pcn"
            orgs.append({"id": pcn, "name": pcn, "kind": "pcn"})
            hoods.append({"id": hid, "name": hid, "place": pid, "population": 40000, "pcn": pcn})
            members.append({"role": "primary_care_lead", "organisation": pcn})
            for g in range(3):
                orgs.append({"id": f"{pcn}-gp{g}", "name": f"{pcn} practice {g}", "kind": "gp_practice", "places": [pid]})
        boards.append({"id": f"{pid}-board", "name": f"Place {p} partnership", "kind": "place_partnership_board", "place": pid,
                       "functions": ["community services"], "joint_decision_making_with_local_government": p % 2 == 0, "members": members})
        seats.append({"role": "partner_member", "person": f"lead {n}.{p}"})
    collabs = [
        {"id": f"s{n}-acute-collab", "name": "Acute collaborative", "kind": "acute", "members": [t for t, _ in trusts[:3]]},
        {"id": f"s{n}-mh-collab", "name": "MH collaborative", "kind": "mental_health", "members": [f"s{n}-mh", f"s{n}-acute0"]},
    ]
    seats.append({"role": "partner_member", "organisation": f"s{n}-acute0", "represents": [f"s{n}-acute-collab"]})
    boards.append({"id": f"s{n}-spb", "name": "System partnership board", "kind": "system_partnership_board", "sits_in_public": True, "members": seats})
    return {
        "system": {"id": f"s{n}", "name": f"System {n}", "population": 1500000, "assessment_date": "2021-09-30"},
        "organisations": orgs, "places": places, "neighbourhoods": hoods, "collaboratives": collabs, "boards": boards,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="durable", choices=["durable", "python"])
    parser.add_argument("--systems", type=int, default=42)
    args = parser.parse_args()
    rules = load_rules([rules_dir()])
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for n in range(args.systems):
            path = Path(tmp) / f"s{n}.yaml"
            path.write_text(yaml.safe_dump(synthetic_system(n), sort_keys=False))
            paths.append(path)
        start = time.perf_counter()
        fixtures = [load_fixture(p) for p in paths]
        loaded = time.perf_counter()
        nodes = sum(SystemGraph(f).g.number_of_nodes() for f in fixtures)
        graphed = time.perf_counter()
        findings = sum(len(check_fixture(f, rules, args.engine).findings) for f in fixtures)
        done = time.perf_counter()
    print(
        f"{args.systems} systems, {nodes} graph nodes, {len(rules)} rules, {findings} findings, engine {args.engine}: "
        f"load {loaded - start:.2f}s, graph {graphed - loaded:.2f}s, check (graph+facts+engine+findings) {done - graphed:.2f}s"
    )


if __name__ == "__main__":
    main()
