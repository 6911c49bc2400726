"""Evaluating rules against subjects' facts, with three outcomes.

Two evaluators compute the same thing — for each rule and each subject its
selector does not exclude, whether the condition holds (pass), fails (gap) or
cannot be decided from what the description states (unknown):

* ``durable``: the durable-rules engine (see :mod:`icscheck.durable_engine`,
  the only module that imports it), which matches the condition and its
  negation as two sets of positive patterns;
* ``python``: :func:`icscheck.conditions.verdict` over the same typed
  conditions, the oracle the test suite holds the engine to, and what runs
  where durable-rules cannot be imported.
"""

from __future__ import annotations

from typing import Iterable

from .conditions import verdict
from .errors import EngineError
from .facts import Subject
from .outcome import Evaluation, RuleOutcome, rule_verdict
from .rules import Rule

ENGINES = ("durable", "python")


def evaluate_python(rules: Iterable[Rule], subjects: list[Subject]) -> Evaluation:
    by_kind: dict[str, list[Subject]] = {}
    for s in subjects:
        by_kind.setdefault(s.kind, []).append(s)
    result: Evaluation = {}
    for rule in rules:
        verdicts = {}
        for s in by_kind.get(rule.kind, []):
            facts = s.view
            outcome = rule_verdict(verdict(rule.where, facts), verdict(rule.condition, facts))
            if outcome is not None:
                verdicts[s.id] = outcome
        result[rule.id] = RuleOutcome(verdicts)
    return result


def evaluate(rules: list[Rule], subjects: list[Subject], engine: str = "durable") -> Evaluation:
    """Evaluate rules with the named evaluator."""
    if engine == "python":
        return evaluate_python(rules, subjects)
    if engine == "durable":
        from . import durable_engine

        return durable_engine.evaluate(rules, subjects)
    raise EngineError(f"unknown engine '{engine}'; choose one of {', '.join(ENGINES)}")


def durable_available() -> bool:
    from importlib.util import find_spec

    return find_spec("durable_rules_engine") is not None
