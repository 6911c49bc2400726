"""Evaluating compiled rules against subjects' facts.

Two evaluators compute the same thing — for each rule, the subjects it applies
to and the subjects whose facts satisfy its condition:

* ``durable``: the durable-rules engine (see :mod:`icscheck.durable_engine`,
  the only module that imports it);
* ``python``: a plain evaluator of the same compiled conditions, used as the
  oracle the test suite holds the engine to, and where durable-rules cannot
  be imported.

Gaps are never computed by an evaluator: they are the complement of passes
over applicable subjects, worked out later from these two sets.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Iterable

from .errors import EngineError
from .facts import Subject
from .rules import Compiled, Rule

ENGINES = ("durable", "python")
_OPS = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


@dataclass(frozen=True)
class RuleOutcome:
    applicable: frozenset[str]
    passing: frozenset[str]


Evaluation = dict[str, RuleOutcome]


def holds(condition: Compiled | None, fact: dict[str, Any]) -> bool:
    """Whether a compiled condition holds for one flat fact (unknown never holds)."""
    if condition is None:
        return True
    tag = condition[0]
    if tag == "cmp":
        _, attribute, op, value = condition
        return attribute in fact and _OPS[op](fact[attribute], value)
    if tag == "all":
        return all(holds(child, fact) for child in condition[1])
    return any(holds(child, fact) for child in condition[1])


def evaluate_python(rules: Iterable[Rule], subjects: list[Subject]) -> Evaluation:
    by_kind: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for s in subjects:
        by_kind.setdefault(s.kind, []).append((s.id, s.engine_fact()))
    result: Evaluation = {}
    for rule in rules:
        facts = by_kind.get(rule.kind, [])
        applicable = [(sid, fact) for sid, fact in facts if holds(rule.where, fact)]
        passing = frozenset(sid for sid, fact in applicable if holds(rule.condition, fact))
        result[rule.id] = RuleOutcome(frozenset(sid for sid, _ in applicable), passing)
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
