"""Three-valued verdicts: both engines and the condition traces agree on pass, gap and not evidenced.

* a property test: every rule over many random subjects (facts stated or not,
  counts exact or only lower bounds), with both engines and the traces;
* every rule over every fixture: identical three-way outcomes, every finding's
  status follows its trace, and ``explain`` never contradicts a verdict;
* partial lists: counts over them are lower bounds;
* an engine verdict that contradicts the trace is an error finding and exit 3.
"""

from __future__ import annotations

import json
import random

import pytest

from icscheck import api
from icscheck.conditions import FAILS, HOLDS, UNKNOWN, evaluate as trace_of, tests as comparisons, verdict
from icscheck.engine import evaluate
from icscheck.explain import explain
from icscheck.facts import Subject, catalogue, derive_subjects
from icscheck.fixture import load_fixture
from icscheck.graph import SystemGraph
from icscheck.model import Status
from icscheck.outcome import RuleOutcome, rule_verdict
from icscheck.rules import load_rules

from conftest import ALL_FIXTURES, EXEMPLAR, PLANTED, ROOT, RULES, needs_durable

LOCAL_PACKS = sorted(p for p in (ROOT / "rules-local").iterdir() if p.is_dir())
RULEBOOK = load_rules([RULES, *LOCAL_PACKS])
VOCABULARY = catalogue()
STATUS_OF = {HOLDS: "pass", FAILS: "gap", UNKNOWN: "unknown"}
CASES_PER_RULE = 40


def _values(rule, name):
    """Values worth trying for a fact: those the rule compares it with, and their neighbours."""
    spec = VOCABULARY[rule.kind][name]
    read = [t.value for node in (rule.where, rule.condition) if node is not None for t in comparisons(trace_of(node, _nothing))]
    mine = [v for t, v in zip(_tests(rule), read) if t == name]
    if spec.type is bool:
        return [True, False]
    if spec.type in (int, float):
        numbers = [v for v in mine if isinstance(v, (int, float)) and not isinstance(v, bool)] or [0, 1]
        return sorted({max(0, n + d) for n in numbers for d in (-1, 0, 1)})
    words = [w for v in mine for w in (v if isinstance(v, list) else [v]) if isinstance(w, str)]
    return sorted(set(words) | {s.value for s in Status} | {"other"})


class _Nothing:
    values: dict = {}
    at_least = frozenset()

    def read(self, name):
        return None, False


_nothing = _Nothing()


def _tests(rule):
    return [t.fact for node in (rule.where, rule.condition) if node is not None for t in comparisons(trace_of(node, _nothing))]


def _random_subjects(rule, rng):
    subjects = []
    names = list(dict.fromkeys(rule.examined))
    for i in range(CASES_PER_RULE):
        facts, at_least = {"name": f"case {i}"}, set()
        for name in names:
            if name == "name" or rng.random() < 0.25:
                continue  # not stated
            facts[name] = rng.choice(_values(rule, name))
            if VOCABULARY[rule.kind][name].bounded and rng.random() < 0.3:
                at_least.add(name)
        subjects.append(Subject(f"s{i}", rule.kind, facts["name"], f"s{i}", facts, {}, frozenset(at_least)))
    return subjects


@needs_durable
@pytest.mark.parametrize("rule", RULEBOOK, ids=lambda r: r.id)
def test_engines_and_traces_agree_on_random_subjects(rule):
    rng = random.Random(rule.id)
    subjects = _random_subjects(rule, rng)
    durable = evaluate([rule], subjects, "durable")[rule.id]
    python = evaluate([rule], subjects, "python")[rule.id]
    assert durable == python
    assert not durable.conflicts
    for s in subjects:
        where = verdict(rule.where, s.view)
        condition = trace_of(rule.condition, s.view)
        assert condition.verdict is verdict(rule.condition, s.view)
        assert python.verdicts.get(s.id) is rule_verdict(where, condition.verdict)
        if condition.verdict is UNKNOWN:
            assert condition.missing, "an undecided condition names the facts that would decide it"
        else:
            assert not condition.missing
            assert all(leaf.verdict is condition.verdict or leaf.node is not condition.node for leaf in condition.deciding())


def _results(path):
    loaded = load_fixture(path)
    from icscheck.api import rule_dirs_for

    rules = load_rules(rule_dirs_for(loaded, [RULES]))
    return [api.check_fixture(loaded, rules, engine) for engine in ("auto", "python")]


@needs_durable
@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.stem)
def test_every_fixture_gives_the_same_findings_with_both_engines(path):
    durable, python = _results(path)
    assert [(f.rule_id, f.subject_id, f.status, f.message) for f in durable.findings] == [
        (f.rule_id, f.subject_id, f.status, f.message) for f in python.findings
    ]
    assert not durable.has_errors


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.stem)
def test_every_finding_follows_its_trace_and_explain_agrees(path):
    result = _results(path)[1]
    for f in result.findings:
        if f.status == "not_applicable":
            assert f.trace is None
            continue
        expected = STATUS_OF[f.trace.verdict]
        if f.where_trace is not None and f.trace.verdict is FAILS:
            expected = "unknown"  # it may not apply at all
        if expected == "gap" and f.status == "info":
            expected = "info"
        assert f.status == expected, (f.rule_id, f.subject_id)
        if f.status == "gap":
            assert not f.unknown and not f.trace.missing
        if f.status == "unknown":
            assert f.unknown and f.message.startswith("not evidenced")
    for rule in {f.rule_id for f in result.findings if f.status != "not_applicable"}:
        text = explain(result, rule).lines
        for f in (f for f in result.findings if f.rule_id == rule):
            block = [t for _, t in text]
            conclusions = [t for t in block if t.startswith("So it")]
            assert conclusions, rule
        verdict_words = {"pass": "So it passes", "gap": "So it has a gap", "unknown": "So it is not evidenced", "info": "So it is recorded"}
        said = [t for _, t in text if t.startswith("So it")]
        statuses = [f.status for f in result.findings if f.rule_id == rule]
        assert len(said) == len(statuses), rule
        for status, sentence in zip(statuses, said):
            assert sentence.startswith(verdict_words[status]), (rule, status, sentence)
            others = [w for s, w in verdict_words.items() if s != status]
            assert not any(sentence.startswith(w) for w in others)


WEST = """    evidence: [ev-place-tor]
    members:
      - {role: chair, person: West place chair}
"""


def _west(tmp_path, complete: bool, healthwatch: bool = False):
    text = PLANTED.read_text()
    assert text.count(WEST) == 1, "the planted West place partnership lists its chair first"
    new = WEST.replace("    members:\n", f"    members_complete: {'true' if complete else 'false'}\n    members:\n")
    if healthwatch:
        new += "      - {role: member, organisation: x-hw}\n"
    path = tmp_path / "west.yaml"
    path.write_text(text.replace(WEST, new))
    return next(
        f
        for f in api.check_fixture(load_fixture(path), RULEBOOK, "python").findings
        if f.rule_id == "IC-PLACE-005" and f.subject_id == "west"
    )


def test_counts_over_a_partial_board_are_lower_bounds(tmp_path):
    # the seats listed in full, none of them Healthwatch: a gap
    assert _west(tmp_path, complete=True).status == "gap"
    # the same seats, listed as only some of the board's: not evidenced, with the count as a lower bound
    finding = _west(tmp_path, complete=False)
    assert finding.status == "unknown"
    reading = next(r for r in finding.facts if r.name == "healthwatch_seat_count")
    assert (reading.value, reading.at_least) == (0, True)
    assert "on a list given in part" in finding.message
    # a Healthwatch seat on a partial list is enough: "at least one" is met
    assert _west(tmp_path, complete=False, healthwatch=True).status == "pass"


def test_at_most_is_decided_only_on_a_complete_list(tmp_path):
    # the planted system names two CCGs among its organisations: a gap on a complete list ...
    result = api.check_fixture(load_fixture(PLANTED), RULEBOOK, "python")
    assert next(f for f in result.findings if f.rule_id == "COA-COMM-001").status == "gap"
    # ... still a gap when the list is given in part (two listed means at least two) ...
    path = tmp_path / "p.yaml"
    path.write_text(PLANTED.read_text() + "partial_lists: [organisations]\n")
    result = api.check_fixture(load_fixture(path), RULEBOOK, "python")
    assert next(f for f in result.findings if f.rule_id == "COA-COMM-001").status == "gap"
    # ... but one CCG on a partial list cannot show "exactly one": not evidenced
    text = EXEMPLAR.read_text() + "partial_lists: [organisations]\n"
    path.write_text(text)
    result = api.check_fixture(load_fixture(path), RULEBOOK, "python")
    finding = next(f for f in result.findings if f.rule_id == "COA-COMM-001")
    assert finding.status == "unknown" and finding.unknown == ("ccg_count",)


def test_a_board_listed_without_members_stays_unknown():
    lsc = ROOT / "fixtures" / "real" / "lancashire-and-south-cumbria-2020.yaml"
    graph = SystemGraph(load_fixture(lsc))
    boards = [s for s in derive_subjects(graph) if s.kind == "board"]
    empty = [s for s in boards if not graph.obj(s.node).members]
    assert empty, "the board pack lists some boards without their members"
    assert all(s.facts["seat_count"] is None for s in empty)


@needs_durable
def test_an_engine_verdict_that_contradicts_the_trace_is_an_error_and_exit_3(run, monkeypatch, tmp_path):
    from icscheck import durable_engine

    real = durable_engine.DurableEvaluator.evaluate

    def flipped(self, rules, subjects):
        out = real(self, rules, subjects)
        rule_id = "IC-PLACE-005"
        if rule_id in out:
            verdicts = dict(out[rule_id].verdicts)
            verdicts["west"] = HOLDS
            out[rule_id] = RuleOutcome(verdicts)
        return out

    monkeypatch.setattr(durable_engine.DurableEvaluator, "evaluate", flipped)
    result = api.check(PLANTED, [RULES])
    finding = next(f for f in result.findings if f.rule_id == "IC-PLACE-005" and f.subject_id == "west")
    assert finding.status == "error" and "the engine says it passes" in finding.message
    out = tmp_path / "r.json"
    code, _, err = run("check", PLANTED, "-o", out)
    assert code == 3 and "disagrees with the condition's trace" in err


def test_unknowns_fail_a_run_only_when_asked(run, tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(EXEMPLAR.read_text().replace(
        "  - {id: att-progress-visible, criterion: progress_visible, statement: 'Exemplar attests progress visible', status: achieved, as_of: 2021-09-15, evidence: [ev-annual-review]}\n",
        "",
    ))
    assert run("check", path)[0] == 0
    assert run("check", path, "--fail-on", "unknown")[0] == 1


@pytest.mark.parametrize("op", ["eq", "ne", "gt", "gte", "lt", "lte"])
def test_a_lower_bound_decides_only_what_every_larger_count_agrees_on(op):
    from icscheck.conditions import OPS, Compare, Facts

    for bound in range(4):
        for value in range(4):
            possible = {OPS[op](actual, value) for actual in range(bound, bound + 10)}
            expected = HOLDS if possible == {True} else FAILS if possible == {False} else UNKNOWN
            node = Compare("n", op, value, bounded=True)
            assert verdict(node, Facts({"n": bound}, frozenset({"n"}))) is expected, (op, bound, value)
            exact = HOLDS if OPS[op](bound, value) else FAILS
            assert verdict(node, Facts({"n": bound})) is exact


@needs_durable
@pytest.mark.parametrize("op", ["eq", "ne", "gt", "gte", "lt", "lte"])
def test_the_engine_reads_lower_bounds_as_the_evaluator_does(op):
    from dataclasses import replace

    from icscheck.conditions import Compare

    base = next(r for r in RULEBOOK if r.id == "IC-PLACE-005")
    subjects = [
        Subject(f"p{count}{'+' if partial else ''}", "place", "p", "p", {"name": "p", "healthwatch_seat_count": count}, {},
                frozenset({"healthwatch_seat_count"}) if partial else frozenset())
        for count in range(4)
        for partial in (False, True)
    ] + [Subject("none", "place", "p", "p", {"name": "p", "healthwatch_seat_count": None}, {})]
    for value in range(3):
        rule = replace(base, where=None, condition=Compare("healthwatch_seat_count", op, value, bounded=True))
        assert evaluate([rule], subjects, "durable") == evaluate([rule], subjects, "python"), (op, value)


def test_where_durable_rules_cannot_be_imported_the_python_evaluator_runs(run, monkeypatch):
    from icscheck import engine

    monkeypatch.setattr(engine, "durable_available", lambda: False)
    code, out, err = run("check", PLANTED, "--format", "json", raw=True)
    assert code == 1 and json.loads(out)["engine"] == "python"
    assert err.count("durable-rules cannot be imported") == 1 and "plain-Python evaluator runs instead" in err
    code, _, err = run("check", PLANTED, "--engine", "durable", raw=True)
    assert code == 2 and "--engine python" in err and "Traceback" not in err


@needs_durable
def test_an_engine_failure_in_a_rule_left_out_of_a_selection_still_exits_3(run, monkeypatch):
    from icscheck import durable_engine

    real = durable_engine.DurableEvaluator.evaluate

    def flipped(self, rules, subjects):
        out = real(self, rules, subjects)
        if "IC-PC-001" in out:
            out["IC-PC-001"] = RuleOutcome({sid: HOLDS if v is FAILS else FAILS for sid, v in out["IC-PC-001"].verdicts.items()})
        return out

    monkeypatch.setattr(durable_engine.DurableEvaluator, "evaluate", flipped)
    code, _, err = run("check", EXEMPLAR, "--rule", "IC-PLACE-005")
    assert code == 3 and "disagrees with the condition's trace" in err


def test_fail_on_may_counts_a_may_rule_that_falls_short(run):
    # the planted system's 'East' place is above the place band, a may rule: recorded (info), never a gap
    assert run("check", PLANTED, "--rule", "POP-PLACE-001", "--fail-on", "must,should")[0] == 0
    assert run("check", PLANTED, "--rule", "POP-PLACE-001", "--fail-on", "must,should,may")[0] == 1
