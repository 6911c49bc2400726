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

from typing import TYPE_CHECKING, Iterable, Protocol

from .errors import EngineError, InputError

if TYPE_CHECKING:  # pragma: no cover - the evaluators are imported when they run, so the command line starts fast
    from .facts import Subject
    from .outcome import Evaluation
    from .rules import Rule

ENGINES = ("durable", "python")
AUTO = "auto"  # durable-rules where it can be imported, else the plain-Python evaluator
NOT_HERE = "durable-rules cannot be imported on this Python (it does not build for Python 3.13 and later)"


def evaluate_python(rules: Iterable[Rule], subjects: list[Subject]) -> Evaluation:
    from .conditions import verdict
    from .outcome import RuleOutcome, rule_verdict

    by_kind: dict[str, list[Subject]] = {}
    for s in subjects:
        by_kind.setdefault(s.kind, []).append(s)
    result: dict = {}
    for rule in rules:
        verdicts = {}
        for s in by_kind.get(rule.kind, []):
            facts = s.view
            outcome = rule_verdict(verdict(rule.where, facts), verdict(rule.condition, facts))
            if outcome is not None:
                verdicts[s.id] = outcome
        result[rule.id] = RuleOutcome(verdicts)
    return result


class Evaluator(Protocol):
    """Something that evaluates rules over a system's subjects; made once and used for every system of a run."""

    name: str

    def evaluate(self, rules: list[Rule], subjects: list[Subject]) -> Evaluation: ...


class PythonEvaluator:
    name = "python"

    def evaluate(self, rules: list[Rule], subjects: list[Subject]) -> Evaluation:
        return evaluate_python(rules, subjects)


def evaluator(engine: str) -> Evaluator:
    """A fresh evaluator of the named engine (``durable`` or ``python``; see :func:`resolve` for ``auto``)."""
    if engine == "python":
        return PythonEvaluator()
    if engine == "durable":
        from . import durable_engine

        return durable_engine.DurableEvaluator()
    raise EngineError(f"unknown engine '{engine}'; choose one of {', '.join(ENGINES)}")


def evaluate(rules: list[Rule], subjects: list[Subject], engine: str = "durable") -> Evaluation:
    """Evaluate rules with the named evaluator."""
    return evaluator(engine).evaluate(rules, subjects)


def durable_available() -> bool:
    """Whether the durable-rules engine imports here (a build can be installed and still fail to load)."""
    try:
        from . import durable_engine  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def resolve(engine: str) -> tuple[str, str | None]:
    """The evaluator to run for ``engine`` (``auto``, ``durable`` or ``python``), and a notice when ``auto`` falls back."""
    if engine == AUTO:
        if durable_available():
            return "durable", None
        return "python", f"{NOT_HERE}; the plain-Python evaluator runs instead, and reports record engine: python"
    if engine == "durable" and not durable_available():
        raise InputError("--engine", f"{NOT_HERE}; use --engine python, or leave --engine out to fall back to it")
    if engine not in ENGINES:
        raise InputError("--engine", f"unknown engine '{engine}'; choose one of {', '.join(ENGINES)} or {AUTO}")
    return engine, None
