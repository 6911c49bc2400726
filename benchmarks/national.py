"""National-scale benchmark of what users run: 42 synthetic systems, about 12,000 graph nodes.

Run:  python benchmarks/national.py [--systems 42] [--repeat 3] [--scales 1,4,16] [--quick]

Each system has five places, neighbourhoods, PCNs, GP practices, trusts, councils, collaboratives
and boards with seats, sized so that the 42 systems together hold about 12,000 graph nodes.  In
one run, side by side (medians of --repeat runs; wall time, and peak memory of whole processes):

* the floors: a bare import of the dependencies, and reading the 42 files with PyYAML's C loader;
* ``icscheck check`` of one real system as a whole process, and ``icscheck --version``;
* the check of the 42 systems by phase (load, graph, facts, engine, findings, scoring) with each
  engine, one evaluator per run as ``batch`` uses it;
* ``icscheck batch`` end to end with all its reports, as a whole process, with each engine;
* a scaling series (1x, 4x, 16x the national size by default) with time per graph node.

It prints ratios to the floors, so the numbers mean something on a noisy machine.  It reports; it
never fails on timing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from icscheck.api import evaluator_for
from icscheck.engine import durable_available
from icscheck.facts import derive_subjects
from icscheck.findings import FindingBuilder, build_findings
from icscheck.fixture import load_fixture
from icscheck.graph import SystemGraph
from icscheck.resources import example_fixture, rules_dir
from icscheck.rules import load_rules
from icscheck.scoring import summarise

DEPENDENCIES = "import click, jinja2, networkx, openpyxl, pydantic, rich, xlsxwriter, yaml"


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


_MEASURE = """
import os, resource, subprocess, sys, threading, time

def tree(root):
    pids, found = [root], [root]
    while pids:
        parent = pids.pop()
        try:
            with open(f"/proc/{parent}/task/{parent}/children") as handle:
                kids = [int(k) for k in handle.read().split()]
        except OSError:
            kids = []
        pids += kids
        found += kids
    return found

def pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            return next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0

start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
peak = [0]
def sample():
    while child.poll() is None:
        peak[0] = max(peak[0], sum(pss(pid) for pid in tree(child.pid)))
        time.sleep(0.01)
sampler = threading.Thread(target=sample)
sampler.start()
child.communicate()
wall = time.perf_counter() - start
sampler.join()
print(child.returncode, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, peak[0])
"""


def _process(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak resident MiB of its largest process, and the peak of the proportional set sizes of it
    and every process it starts, summed (sampled every 10 ms), of one whole process measured by a parent of its own."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, *args], capture_output=True, text=True, check=False,
                          env={**os.environ, "NO_COLOR": "1"})
    try:
        code, wall, peak, tree = done.stdout.split()
    except ValueError:
        raise SystemExit(f"measuring {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-400:]}") from None
    if int(code) not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({code}): {done.stderr.strip()[:400]}")
    return float(wall), int(peak) / 1024, int(tree) / 1024


def _median_process(args: list[str], repeat: int) -> tuple[float, float, float]:
    runs = [_process(args) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs), max(r[2] for r in runs)


def _write_systems(folder: Path, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        path = folder / f"s{n}.yaml"
        path.write_text(yaml.safe_dump(synthetic_system(n), sort_keys=False))
        paths.append(path)
    return paths


def _phases(paths: list[Path], rules, engine: str) -> dict[str, float]:
    """Seconds per phase of checking every system, one evaluator for the run."""
    times = dict.fromkeys(("load", "graph", "facts", "engine", "findings", "scoring"), 0.0)
    runner = evaluator_for(engine)
    for path in paths:
        t0 = time.perf_counter()
        fixture = load_fixture(path)
        t1 = time.perf_counter()
        graph = SystemGraph(fixture)
        t2 = time.perf_counter()
        subjects = derive_subjects(graph)
        t3 = time.perf_counter()
        as_of = fixture.description.system.assessment_date
        in_force = [rule for rule in rules if rule.in_force(as_of)]
        evaluation = runner.evaluate(in_force, subjects)
        t4 = time.perf_counter()
        findings = build_findings(rules, evaluation, FindingBuilder(fixture, graph, subjects), as_of)
        t5 = time.perf_counter()
        summarise(rules, findings, subjects)
        t6 = time.perf_counter()
        for key, (a, b) in zip(times, ((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6)), strict=True):
            times[key] += b - a
    return times


def _phases_child(engine: str, folder: Path, result: Path) -> None:
    """Run in a process of its own: the check of every system in a folder by phase, written to ``result``."""
    paths = sorted(folder.glob("*.yaml"), key=lambda p: int(p.stem[1:]))
    result.write_text(json.dumps(_phases(paths, load_rules([rules_dir()]), engine)))


def _measured_phases(engine: str, folder: Path, tmp: Path, repeat: int) -> tuple[dict[str, float], float]:
    """The check's phases (medians) and the peak resident memory of a process that does only the check."""
    runs, peaks = [], []
    for n in range(repeat):
        out = tmp / f"phases-{engine}-{folder.name}-{n}.json"
        _, peak, _ = _process([sys.executable, __file__, "--phases", engine, "--folder", str(folder), "--result", str(out)])
        runs.append(json.loads(out.read_text()))
        peaks.append(peak)
    medians = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    return medians, max(peaks)


def _verdict(value: float, limit: float) -> str:
    return "met" if value <= limit else "not met"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--systems", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scales", default="1,4,16", help="multiples of the national size for the scaling series")
    parser.add_argument("--quick", action="store_true", help="one run of each, no scaling series")
    parser.add_argument("--phases", help=argparse.SUPPRESS)  # a child process: the check by phase with this engine
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phases:
        _phases_child(args.phases, Path(args.folder), Path(args.result))
        return
    repeat = 1 if args.quick else args.repeat
    engines = ["durable", "python"] if durable_available() else ["python"]
    icscheck = [sys.executable, "-m", "icscheck"]
    rules = load_rules([rules_dir()])
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "x1"
        folder.mkdir()
        paths = _write_systems(folder, args.systems)
        nodes = sum(SystemGraph(load_fixture(p)).g.number_of_nodes() for p in paths)
        print(f"{args.systems} systems, {nodes} graph nodes, {len(rules)} rules; medians of {repeat} run(s); "
              f"engines: {', '.join(engines)}")

        import_floor, import_peak, _ = _median_process([sys.executable, "-c", DEPENDENCIES], repeat)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        reads = []
        for _ in range(repeat):
            start = time.perf_counter()
            for path in paths:
                yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
            reads.append(time.perf_counter() - start)
        read_floor = statistics.median(reads)
        print(f"floors: import of the dependencies {import_floor:.2f}s ({import_peak:.0f} MiB); "
              f"reading the {args.systems} files with PyYAML's {loader.__name__} {read_floor:.2f}s")

        version, _, _ = _median_process([*icscheck, "--version"], repeat)
        one, one_peak, _ = _median_process([*icscheck, "check", str(example_fixture()), "-o", str(tmp / "one.txt")], repeat)
        print(f"icscheck --version {version:.2f}s ({version / import_floor:.1f}x the import floor); "
              f"icscheck check of one real system {one:.2f}s ({one / import_floor:.1f}x the import floor), {one_peak:.0f} MiB")

        checks: dict[str, tuple[float, float]] = {}
        for engine in engines:
            phases, peak = _measured_phases(engine, folder, tmp, repeat)
            total = sum(phases.values())
            checks[engine] = (total, peak)
            detail = ", ".join(f"{k} {v:.2f}s" for k, v in phases.items())
            print(f"check of {args.systems} systems, {engine}: {total:.2f}s ({total / read_floor:.1f}x the read floor; {detail}), "
                  f"{peak:.0f} MiB")

        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        batches: dict[tuple[str, int], tuple[float, float]] = {}
        for engine in engines:
            for jobs in sorted({cores, 1}, reverse=True):
                out = tmp / f"reports-{engine}-{jobs}"
                wall, peak, tree = _median_process(
                    [*icscheck, "batch", str(folder), "-o", str(out), "--engine", engine, "--jobs", str(jobs)], repeat
                )
                batches[engine, jobs] = (wall, tree)
                files = len(list(out.iterdir()))
                print(f"icscheck batch of {args.systems} systems, {engine}, {jobs} process{'es' if jobs > 1 else ''}, "
                      f"{files} report files: {wall:.2f}s wall ({wall / import_floor:.1f}x the import floor), "
                      f"peak memory {tree:.0f} MiB (all its processes, proportional), {peak:.0f} MiB (largest process, resident)")

        growth = None
        if not args.quick:
            base = None
            engine = engines[0]
            for scale in (int(x) for x in args.scales.split(",")):
                if scale == 1:
                    big = folder
                else:
                    big = tmp / f"x{scale}"
                    big.mkdir()
                    _write_systems(big, args.systems * scale)
                scaled_nodes = nodes * scale
                phases, peak = _measured_phases(engine, big, tmp, 1)
                took = sum(phases.values())
                base = base or took
                growth = (scale, took / base)
                print(f"scaling {scale:>2}x ({args.systems * scale} systems, ~{scaled_nodes} nodes), {engine}: "
                      f"{took:.2f}s, {took / scaled_nodes * 1e6:.0f} us per node, {took / base:.1f}x the 1x time, {peak:.0f} MiB")

        default = engines[0]
        wall, memory = batches[default, cores]
        print(f"targets: batch {wall:.2f}s (<= 1.5s: {_verdict(wall, 1.5)}) and {memory:.0f} MiB (<= 150: {_verdict(memory, 150)}) "
              f"with {default} on {cores} core{'s' if cores > 1 else ''}; one check {one / import_floor:.1f}x the import floor "
              f"(<= 1.5x: {_verdict(one / import_floor, 1.5)})", end="")
        if "durable" in checks and "python" in checks:
            time_ratio = checks["durable"][0] / checks["python"][0]
            memory_ratio = checks["durable"][1] / checks["python"][1]
            print(f"; durable/python check {time_ratio:.2f}x the time (<= 1.3x: {_verdict(time_ratio, 1.3)}) and "
                  f"{memory_ratio:.2f}x the memory (<= 2x: {_verdict(memory_ratio, 2)})", end="")
        if growth and growth[0] > 1:
            limit = growth[0] + 1
            print(f"; {growth[0]}x the systems {growth[1]:.1f}x the time (<= {limit}x: {_verdict(growth[1], limit)})", end="")
        print()


if __name__ == "__main__":
    main()
