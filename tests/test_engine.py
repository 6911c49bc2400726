"""The durable-rules evaluator: positive patterns only, each system in a session of its own, losses detected."""

from __future__ import annotations

import os
import random

import pytest

durable_engine = pytest.importorskip("icscheck.durable_engine", reason="durable-rules cannot be imported on this Python")
from icscheck.conditions import fails_form, holds_form
from icscheck.engine import evaluate, evaluate_python
from icscheck.errors import EngineError
from icscheck.facts import derive_subjects
from icscheck.fixture import load_fixture
from icscheck.graph import SystemGraph
from icscheck.rules import load_rules

from conftest import ALL_FIXTURES, CP, PLANTED, RULES

RULEBOOK = load_rules([RULES])


def _subjects(path=PLANTED):
    return derive_subjects(SystemGraph(load_fixture(path)))


def _patterns(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from _patterns(item)


def test_ruleset_uses_positive_patterns_only():
    definition = durable_engine.ruleset(RULEBOOK, {"system", "place", "organisation", "collaborative"})
    keys = set(_patterns(definition))
    assert not keys & {"none", "$not", "$nex"}, "negation is never handed to the engine"
    for name, rule in definition.items():
        first = rule["all"][0]["m"]["$and"][0]
        assert set(first) == {"kind"}, f"{name} must start with an equality on the fact's kind"


def test_not_is_pushed_into_comparisons_for_the_engine():
    rule = next(r for r in RULEBOOK if r.id == "IC-PC-003")
    assert holds_form(rule.condition) == ("any", (("cmp", "collaborative_count", "ne", 0), ("cmp", "collaborative_count__at_least", "gt", 0)))
    assert fails_form(rule.condition) == ("cmp", "collaborative_count", "eq", 0)


def test_fact_order_does_not_change_the_result():
    subjects = _subjects(CP)
    expected = evaluate(RULEBOOK, subjects, "durable")
    rng = random.Random(7)
    for _ in range(5):
        shuffled = subjects[:]
        rng.shuffle(shuffled)
        assert evaluate(RULEBOOK, shuffled, "durable") == expected
    assert expected == evaluate_python(RULEBOOK, subjects)


def test_no_state_survives_between_evaluations():
    first = evaluate(RULEBOOK, _subjects(PLANTED), "durable")
    evaluate(RULEBOOK, _subjects(CP), "durable")
    assert evaluate(RULEBOOK, _subjects(PLANTED), "durable") == first


def test_one_evaluator_for_many_systems_sees_each_system_alone():
    """One evaluator evaluates each system in a session of its own: the same results as fresh evaluators,
    in any order, and each session is gone once read."""
    fresh = {path: evaluate(RULEBOOK, _subjects(path), "durable") for path in ALL_FIXTURES}
    with durable_engine.DurableEvaluator() as runner:
        for path in [*ALL_FIXTURES, *reversed(ALL_FIXTURES)]:
            assert runner.evaluate(RULEBOOK, _subjects(path)) == fresh[path], path.name
        handles = list(runner._handles.values())
        assert handles
        for handle in handles:
            assert durable_engine._dr.start_action(handle) is None, "nothing is left pending in any ruleset"
    assert not runner._handles, "leaving the block deletes the rulesets"
    assert runner.evaluate(RULEBOOK, _subjects(PLANTED)) == fresh[PLANTED], "a closed evaluator makes its rulesets again"
    runner.close()


def _resident_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads resident memory from /proc")
def test_engine_memory_does_not_grow_with_the_systems_checked():
    """The engine keeps what it is given per ruleset, not per session: 40 evaluations by one evaluator
    leave its memory flat (rulesets made per system held about 6 MB each, for good)."""
    subjects = _subjects(CP)
    with durable_engine.DurableEvaluator() as runner:
        for _ in range(5):
            runner.evaluate(RULEBOOK, subjects)
        before = _resident_mib()
        for _ in range(40):
            runner.evaluate(RULEBOOK, subjects)
        grown = _resident_mib() - before
    assert grown < 40, f"resident memory grew by {grown:.0f} MiB over 40 evaluations"


class _Dropping:
    """Stands in for the engine module and silently drops facts, as a hash collision does."""

    def __init__(self, real, drop_subject, times):
        self._real = real
        self.drop_subject = drop_subject
        self.times = times

    def __getattr__(self, name):
        return getattr(self._real, name)

    def assert_fact(self, handle, fact_json):
        if f'"subject": "{self.drop_subject}"' in fact_json and self.times > 0:
            self.times -= 1
            return (0, 1)  # reported as accepted, never asserted
        return self._real.assert_fact(handle, fact_json)


class _Colliding(_Dropping):
    def assert_fact(self, handle, fact_json):
        if f'"subject": "{self.drop_subject}"' in fact_json and self.times > 0:
            self.times -= 1
            return (2, 1)  # "already observed"
        return self._real.assert_fact(handle, fact_json)


class _Refusing(_Dropping):
    def assert_fact(self, handle, fact_json):
        if f'"subject": "{self.drop_subject}"' in fact_json and self.times > 0:
            self.times -= 1
            return (99, 1)  # refused, after the facts before it were asserted
        return self._real.assert_fact(handle, fact_json)


def test_an_evaluation_that_fails_midway_leaves_nothing_for_the_next(monkeypatch):
    """A run stopped by the engine midway (as batch goes on to the next system with the same evaluator)
    leaves no pending match or fact behind: the next evaluation gives the oracle's results."""
    subjects = _subjects()
    expected = evaluate_python(RULEBOOK, subjects)
    with durable_engine.DurableEvaluator() as runner:
        monkeypatch.setattr(durable_engine, "_dr", _Refusing(durable_engine._dr, "west", times=1))
        with pytest.raises(EngineError, match="refused fact"):
            runner.evaluate(RULEBOOK, subjects)
        assert runner.evaluate(RULEBOOK, subjects) == expected
        assert runner.evaluate(RULEBOOK, _subjects(CP)) == evaluate_python(RULEBOOK, _subjects(CP))


def test_a_silently_dropped_fact_is_detected(monkeypatch):
    monkeypatch.setattr(durable_engine, "_dr", _Dropping(durable_engine._dr, "west", times=99))
    with pytest.raises(EngineError, match="lost facts"):
        evaluate(RULEBOOK, _subjects(), "durable")


def test_a_collision_is_retried_with_new_ids(monkeypatch):
    expected = evaluate_python(RULEBOOK, _subjects())
    monkeypatch.setattr(durable_engine, "_dr", _Colliding(durable_engine._dr, "west", times=1))
    assert evaluate(RULEBOOK, _subjects(), "durable") == expected


def test_a_transient_drop_is_retried(monkeypatch):
    expected = evaluate_python(RULEBOOK, _subjects())
    monkeypatch.setattr(durable_engine, "_dr", _Dropping(durable_engine._dr, "east", times=1))
    assert evaluate(RULEBOOK, _subjects(), "durable") == expected


def test_engine_failure_exits_3(run, monkeypatch, tmp_path):
    monkeypatch.setattr(durable_engine, "_dr", _Dropping(durable_engine._dr, "west", times=99))
    out = tmp_path / "r.json"
    code, _, err = run("check", PLANTED, "-o", out)
    assert code == 3 and "engine failure" in err
    assert not out.exists()
